//! ApplyResourceChange: create, update or delete, then check that the result honours the plan.
//! Whatever was created is returned even when the operation fails, so it is never lost.

use super::identity::Identity;
use super::{RawValue, Server, conform, decode, encode, null_write_only, unknowns_to_null};
use crate::framework::checks::check_apply;
use crate::framework::context::Ctx;
use crate::framework::diag::Diagnostics;
use crate::framework::identity::is_fully_null;
use crate::framework::resource::{CreateRequest, DeleteRequest, StateResponse, UpdateRequest};
use crate::framework::value::{AttrPath, Value};

pub struct ApplyResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub planned_state: RawValue,
    pub config: RawValue,
    pub planned_private: Vec<u8>,
    /// For an update or delete, the object's identity (None from a Terraform without identity,
    /// or for state written before it); null or None on create.
    pub planned_identity: Option<RawValue>,
}

pub struct ApplyResourceChangeResponse {
    pub new_state: RawValue,
    pub private: Vec<u8>,
    /// None after a delete.
    pub new_identity: Option<RawValue>,
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
            new_identity: None,
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
        let identity = Identity::of(r);
        let stored = match &identity {
            Some(i) => match i.decode(&req.planned_identity, "planned identity", &mut diags) {
                Some(v) => v,
                None => {
                    out.diags = diags;
                    return out;
                }
            },
            None => Value::Null,
        };

        if planned.is_null() {
            tracing::info!(tf_rpc = "ApplyResourceChange", tf_resource_type = %req.type_name, "deleting");
            r.imp
                .delete(
                    DeleteRequest {
                        ctx,
                        prior: prior.clone(),
                        private: private.clone(),
                        identity: stored.clone(),
                    },
                    &mut diags,
                )
                .await;
            // A failed delete leaves the object in place: keep it in state.
            let failed = diags.has_errors();
            let new_state = if failed { prior } else { Value::Null };
            out.new_state = encode(&new_state, &r.ty, "state", &mut diags);
            if failed {
                out.new_identity = req.planned_identity;
            }
            out.diags = diags;
            return out;
        }

        let creating = prior.is_null();
        let mut resp = if creating {
            tracing::info!(tf_rpc = "ApplyResourceChange", tf_resource_type = %req.type_name, "creating");
            // Starts null: a create that fails before making anything leaves nothing in state.
            let mut resp = StateResponse::new(Value::Null, private);
            resp.diags = diags;
            r.imp
                .create(
                    CreateRequest {
                        ctx: ctx.clone(),
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
                        ctx: ctx.clone(),
                        config,
                        prior,
                        planned: planned.clone(),
                        private,
                        identity: stored.clone(),
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
        if let Some(identity) = identity {
            out.new_identity = new_identity(
                &identity,
                &ctx,
                creating,
                &stored,
                &new_state,
                &mut resp.diags,
            )
            .await
            .or(req.planned_identity.filter(|_| !creating));
        }
        out.private = resp.private;
        out.diags = resp.diags;
        out
    }
}

/// The identity of the applied object: computed from the new state, and for an update checked
/// against the identity it had. A failed create that left nothing has none; a failed operation
/// whose state cannot tell it keeps the prior one (the caller's fallback).
async fn new_identity(
    identity: &Identity<'_>,
    ctx: &Ctx,
    creating: bool,
    stored: &Value,
    new_state: &Value,
    diags: &mut Diagnostics,
) -> Option<RawValue> {
    if new_state.is_null() {
        return None;
    }
    let new = if diags.has_errors() {
        // The state of a failed operation may be partial: best effort, nothing more to report.
        let mut scratch = Diagnostics::new();
        let new = identity.of_state(ctx, new_state, &mut scratch).await;
        if !creating && !identity.schema.mutable && !is_fully_null(stored) && new != *stored {
            return None;
        }
        new
    } else if creating {
        identity.of_state(ctx, new_state, diags).await
    } else {
        identity
            .of_existing(ctx, "update", stored, new_state, diags)
            .await
    };
    identity.encode(&new, "new identity", diags)
}
