//! ReadResource: refresh. A null new state tells Terraform the object is gone.

use super::identity::Identity;
use super::{RawValue, Server, conform, decode, encode, null_write_only};
use crate::framework::diag::Diagnostics;
use crate::framework::resource::{ReadRequest, StateResponse};
use crate::framework::value::Value;

pub struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: RawValue,
    pub private: Vec<u8>,
    /// None from a Terraform without identity, or for state written before identity existed.
    pub current_identity: Option<RawValue>,
}

pub struct ReadResourceResponse {
    pub new_state: RawValue,
    pub private: Vec<u8>,
    pub new_identity: Option<RawValue>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let mut diags = Diagnostics::new();
        let mut out = ReadResourceResponse {
            new_state: req.current_state.clone(),
            private: req.private.clone(),
            new_identity: req.current_identity.clone(),
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
        let identity = Identity::of(r);
        if identity.is_none() {
            out.new_identity = None;
        }
        let stored = match &identity {
            Some(i) => match i.decode(&req.current_identity, "current identity", &mut diags) {
                Some(v) => v,
                None => {
                    out.diags = diags;
                    return out;
                }
            },
            None => Value::Null,
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
        let ctx = crate::framework::Ctx {
            read_burst: burst,
            ..self.ctx()
        };
        r.imp
            .read(
                ReadRequest {
                    ctx: ctx.clone(),
                    state,
                    private: req.private,
                    identity: stored.clone(),
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
        if let Some(identity) = identity {
            // A failed read keeps the state it started from, and so the identity.
            out.new_identity = if resp.diags.has_errors() {
                req.current_identity
            } else {
                let new = identity
                    .of_existing(&ctx, "refresh", &stored, &new_state, &mut resp.diags)
                    .await;
                identity.encode(&new, "refreshed identity", &mut resp.diags)
            };
        }
        out.private = resp.private;
        out.diags = resp.diags;
        out
    }
}
