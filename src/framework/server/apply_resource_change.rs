//! ApplyResourceChange: create, update or delete, then check that the result honours the plan.
//! Whatever was created is returned even when the operation fails, so it is never lost.

use super::{RawValue, Server, conform, decode, encode, null_write_only, unknowns_to_null};
use crate::framework::checks::check_apply;
use crate::framework::diag::Diagnostics;
use crate::framework::resource::{CreateRequest, DeleteRequest, StateResponse, UpdateRequest};
use crate::framework::value::{AttrPath, Value};

pub struct ApplyResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub planned_state: RawValue,
    pub config: RawValue,
    pub planned_private: Vec<u8>,
}

pub struct ApplyResourceChangeResponse {
    pub new_state: RawValue,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        let mut diags = Diagnostics::new();
        let mut out = ApplyResourceChangeResponse {
            new_state: req.prior_state.clone(),
            private: req.planned_private.clone(),
            diags: Diagnostics::new(),
        };
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            out.diags = diags;
            return out;
        };
        let (Some(prior), Some(planned), Some(config)) = (
            decode(&req.prior_state, &r.ty, "prior state", &mut diags),
            decode(&req.planned_state, &r.ty, "planned state", &mut diags),
            decode(&req.config, &r.ty, "configuration", &mut diags),
        ) else {
            out.diags = diags;
            return out;
        };
        let ctx = self.ctx();
        let private = req.planned_private;

        if planned.is_null() {
            tracing::info!(tf_rpc = "ApplyResourceChange", tf_resource_type = %req.type_name, "deleting");
            r.imp
                .delete(
                    DeleteRequest {
                        ctx,
                        prior: prior.clone(),
                        private: private.clone(),
                    },
                    &mut diags,
                )
                .await;
            // A failed delete leaves the object in place: keep it in state.
            let new_state = if diags.has_errors() {
                prior
            } else {
                Value::Null
            };
            out.new_state = encode(&new_state, &r.ty, "state", &mut diags);
            out.diags = diags;
            return out;
        }

        let mut resp = if prior.is_null() {
            tracing::info!(tf_rpc = "ApplyResourceChange", tf_resource_type = %req.type_name, "creating");
            // Starts null: a create that fails before making anything leaves nothing in state.
            let mut resp = StateResponse::new(Value::Null, private);
            resp.diags = diags;
            r.imp
                .create(
                    CreateRequest {
                        ctx,
                        config,
                        planned: planned.clone(),
                    },
                    &mut resp,
                )
                .await;
            resp
        } else {
            tracing::info!(tf_rpc = "ApplyResourceChange", tf_resource_type = %req.type_name, "updating");
            // Starts as the prior state: a failed update keeps what is known to exist.
            let mut resp = StateResponse::new(prior.clone(), private.clone());
            resp.diags = diags;
            r.imp
                .update(
                    UpdateRequest {
                        ctx,
                        config,
                        prior,
                        planned: planned.clone(),
                        private,
                    },
                    &mut resp,
                )
                .await;
            resp
        };

        let mut new_state = if resp.state.is_null() {
            Value::Null
        } else {
            conform(&r.schema.block, &resp.state)
        };
        null_write_only(&r.schema.block, &mut new_state);
        if resp.diags.has_errors() {
            unknowns_to_null(&mut new_state);
        } else if new_state.is_null() {
            resp.diags.error(
                "Provider bug",
                format!("applying {} returned no object and no error", req.type_name),
            );
        } else {
            check_apply(&AttrPath::root(), &planned, &new_state, &mut resp.diags);
            if resp.diags.has_errors() {
                unknowns_to_null(&mut new_state);
            }
        }
        out.new_state = encode(&new_state, &r.ty, "new state", &mut resp.diags);
        out.private = resp.private;
        out.diags = resp.diags;
        out
    }
}
