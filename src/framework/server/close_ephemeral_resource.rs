//! CloseEphemeralResource: the end of the run (or of the last use of the result). A type with
//! nothing to release answers with no diagnostics.

use super::Server;
use crate::framework::diag::Diagnostics;
use crate::framework::ephemeral::CloseRequest;

pub struct CloseEphemeralResourceRequest {
    pub type_name: String,
    pub private: Vec<u8>,
}

pub struct CloseEphemeralResourceResponse {
    pub diags: Diagnostics,
}

impl Server {
    pub async fn close_ephemeral_resource(
        &self,
        req: CloseEphemeralResourceRequest,
    ) -> CloseEphemeralResourceResponse {
        let mut diags = Diagnostics::new();
        let Some(e) = self.ephemeral_resource(&req.type_name, &mut diags) else {
            return CloseEphemeralResourceResponse { diags };
        };
        tracing::info!(tf_rpc = "CloseEphemeralResource", tf_resource_type = %req.type_name, "closing");
        if let Some(close) = e.imp.as_close() {
            let request = CloseRequest {
                ctx: self.ctx(),
                private: req.private,
            };
            close.close(request, &mut diags).await;
        }
        CloseEphemeralResourceResponse { diags }
    }
}
