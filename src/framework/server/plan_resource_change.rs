//! PlanResourceChange: the framework's plan algorithm, then the resource's own hook, then local
//! checks of Terraform's plan-validity rules.

use super::identity::Identity;
use super::{RawValue, Server, decode, encode};
use crate::framework::checks::check_plan;
use crate::framework::context::Ctx;
use crate::framework::diag::Diagnostics;
use crate::framework::identity::is_fully_null;
use crate::framework::plan::{normalise_paths, plan_object, unchanged_after_hook};
use crate::framework::resource::{ModifyPlanRequest, ModifyPlanResponse};
use crate::framework::value::{AttrPath, Value};

pub struct PlanResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub proposed_new_state: RawValue,
    pub config: RawValue,
    pub prior_private: Vec<u8>,
    /// None on create, from a Terraform without identity, or for state written before it.
    pub prior_identity: Option<RawValue>,
}

pub struct PlanResourceChangeResponse {
    pub planned_state: RawValue,
    pub requires_replace: Vec<AttrPath>,
    pub planned_private: Vec<u8>,
    pub planned_identity: Option<RawValue>,
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
            planned_identity: None,
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
        if let Some(identity) = Identity::of(r)
            && !prior.is_null()
            && !resp.diags.has_errors()
        {
            out.planned_identity = if self.unknown_provider_config().is_empty() {
                let replacing = !resp.requires_replace.is_empty();
                planned_identity(
                    &identity,
                    &ctx,
                    &req.prior_identity,
                    (&prior, &resp.planned),
                    replacing,
                    &mut resp.diags,
                )
                .await
            } else {
                // The identity may need the provider's account, asked of AWS: not while the
                // place to ask is unknown. The stored identity stands until then.
                req.prior_identity.clone()
            };
        }
        out.requires_replace = resp.requires_replace;
        out.diags = resp.diags;
        out
    }
}

/// The planned identity of an existing object: the stored one (for state written before identity
/// existed, the prior state's), which an in-place update must leave as it is. On create it stays
/// null, as terraform-plugin-framework leaves it: Terraform accepts that, and apply tells it. A
/// replacement may change it (its create half is planned as a create).
async fn planned_identity(
    identity: &Identity<'_>,
    ctx: &Ctx,
    raw_prior: &Option<RawValue>,
    (prior, planned): (&Value, &Value),
    replacing: bool,
    diags: &mut Diagnostics,
) -> Option<RawValue> {
    let stored = identity.decode(raw_prior, "prior identity", diags)?;
    let current = if is_fully_null(&stored) {
        identity.of_state(ctx, prior, diags).await
    } else {
        stored
    };
    if current.is_null() {
        return None;
    }
    if !replacing && let Some(new) = identity.of_planned(ctx, planned).await {
        identity.check_unchanged("plan", &current, &new, diags);
    }
    identity.encode(&current, "planned identity", diags)
}
