//! PlanResourceChange: the framework's plan algorithm, then the resource's own hook, then local
//! checks of Terraform's plan-validity rules.

use super::{RawValue, Server, decode, encode};
use crate::framework::checks::check_plan;
use crate::framework::diag::Diagnostics;
use crate::framework::plan::{normalise_paths, plan_object, unchanged_after_hook};
use crate::framework::resource::{ModifyPlanRequest, ModifyPlanResponse};
use crate::framework::value::{AttrPath, Value};

pub struct PlanResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub proposed_new_state: RawValue,
    pub config: RawValue,
    pub prior_private: Vec<u8>,
}

pub struct PlanResourceChangeResponse {
    pub planned_state: RawValue,
    pub requires_replace: Vec<AttrPath>,
    pub planned_private: Vec<u8>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        let mut diags = Diagnostics::new();
        let mut out = PlanResourceChangeResponse {
            planned_state: RawValue::default(),
            requires_replace: Vec::new(),
            planned_private: req.prior_private.clone(),
            diags: Diagnostics::new(),
        };
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            out.diags = diags;
            return out;
        };
        let (Some(prior), Some(proposed), Some(config)) = (
            decode(&req.prior_state, &r.ty, "prior state", &mut diags),
            decode(
                &req.proposed_new_state,
                &r.ty,
                "proposed new state",
                &mut diags,
            ),
            decode(&req.config, &r.ty, "configuration", &mut diags),
        ) else {
            out.diags = diags;
            return out;
        };
        tracing::debug!(tf_rpc = "PlanResourceChange", tf_resource_type = %req.type_name, "planning");
        let ctx = self.ctx();

        let mut resp = if proposed.is_null() {
            // Destroy: nothing to plan, but the resource may still warn or refuse.
            ModifyPlanResponse {
                planned: Value::Null,
                requires_replace: Vec::new(),
                diags,
            }
        } else {
            let attribute_plan = plan_object(&r.schema.block, &config, &prior, &proposed);
            diags.extend(attribute_plan.diags);
            ModifyPlanResponse {
                planned: attribute_plan.planned,
                requires_replace: attribute_plan.requires_replace,
                diags,
            }
        };
        let marked = resp.planned.clone();
        if let Some(hook) = r.imp.as_modify_plan() {
            hook.modify_plan(
                ModifyPlanRequest {
                    ctx: &ctx,
                    config: &config,
                    prior: &prior,
                },
                &mut resp,
            );
            if let Some(unchanged) = unchanged_after_hook(&proposed, &marked, &prior, &resp.planned)
            {
                resp.planned = unchanged;
            }
        }
        // Verification looks things up in AWS: not while the place to look is unknown.
        if let Some(hook) = r.imp.as_verify_plan()
            && !resp.planned.is_null()
            && !resp.diags.has_errors()
            && self.unknown_provider_config().is_empty()
        {
            hook.verify_plan(&ctx, &resp.planned, &mut resp.diags).await;
        }
        if !resp.planned.is_null() && !resp.diags.has_errors() {
            check_plan(
                &r.schema.block,
                &AttrPath::root(),
                &config,
                &prior,
                &resp.planned,
                &mut resp.diags,
            );
        }
        if prior.is_null() {
            // Nothing to replace on create.
            resp.requires_replace.clear();
        }
        normalise_paths(&mut resp.requires_replace);
        out.planned_state = encode(&resp.planned, &r.ty, "planned state", &mut resp.diags);
        out.requires_replace = resp.requires_replace;
        out.diags = resp.diags;
        out
    }
}
