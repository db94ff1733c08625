//! ReadResource: refresh. A null new state tells Terraform the object is gone.

use super::{RawValue, Server, conform, decode, encode, null_write_only};
use crate::framework::diag::Diagnostics;
use crate::framework::resource::{ReadRequest, StateResponse};

pub struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: RawValue,
    pub private: Vec<u8>,
}

pub struct ReadResourceResponse {
    pub new_state: RawValue,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let mut diags = Diagnostics::new();
        let mut out = ReadResourceResponse {
            new_state: req.current_state.clone(),
            private: req.private.clone(),
            diags: Diagnostics::new(),
        };
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            out.diags = diags;
            return out;
        };
        let Some(state) = decode(&req.current_state, &r.ty, "current state", &mut diags) else {
            out.diags = diags;
            return out;
        };
        tracing::debug!(tf_rpc = "ReadResource", tf_resource_type = %req.type_name, "reading");
        let unknown = self.unknown_provider_config();
        if !unknown.is_empty() {
            // Reading now could ask another region, account or endpoint than the one the
            // configuration will name: keep what is known until Terraform configures again.
            tracing::warn!(tf_rpc = "ReadResource", tf_resource_type = %req.type_name, unknown = %unknown.join(", "), "provider configuration unknown: keeping the prior state without reading");
            out.diags = diags;
            return out;
        }
        let (_counted, burst) = self.reads.start();
        let mut resp = StateResponse::new(state.clone(), req.private.clone());
        resp.diags = diags;
        r.imp
            .read(
                ReadRequest {
                    ctx: crate::framework::Ctx {
                        read_burst: burst,
                        ..self.ctx()
                    },
                    state,
                    private: req.private,
                },
                &mut resp,
            )
            .await;
        let mut new_state = conform(&r.schema.block, &resp.state);
        if resp.state.is_null() {
            new_state = resp.state;
        }
        null_write_only(&r.schema.block, &mut new_state);
        out.new_state = encode(&new_state, &r.ty, "refreshed state", &mut resp.diags);
        out.private = resp.private;
        out.diags = resp.diags;
        out
    }
}
