//! RenewEphemeralResource: Terraform calls it at the `renew_at` the last open or renew gave.

use std::time::SystemTime;

use super::Server;
use crate::framework::diag::Diagnostics;
use crate::framework::ephemeral::{RenewRequest, RenewResponse};

pub struct RenewEphemeralResourceRequest {
    pub type_name: String,
    pub private: Vec<u8>,
}

#[derive(Default)]
pub struct RenewEphemeralResourceResponse {
    pub renew_at: Option<SystemTime>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn renew_ephemeral_resource(
        &self,
        req: RenewEphemeralResourceRequest,
    ) -> RenewEphemeralResourceResponse {
        let mut out = RenewEphemeralResourceResponse::default();
        let Some(e) = self.ephemeral_resource(&req.type_name, &mut out.diags) else {
            return out;
        };
        let Some(renew) = e.imp.as_renew() else {
            // Open never asks for a renewal of such a type (the framework refuses it).
            out.diags.error(
                "Provider bug",
                format!("{} cannot be renewed", req.type_name),
            );
            return out;
        };
        tracing::info!(tf_rpc = "RenewEphemeralResource", tf_resource_type = %req.type_name, "renewing");
        let mut resp = RenewResponse {
            renew_at: None,
            private: req.private.clone(),
            diags: Diagnostics::new(),
        };
        renew
            .renew(
                RenewRequest {
                    ctx: self.ctx(),
                    private: req.private,
                },
                &mut resp,
            )
            .await;
        out.renew_at = resp.renew_at;
        out.private = resp.private;
        out.diags = resp.diags;
        out
    }
}
