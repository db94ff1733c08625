//! PlanAction: the configuration (which may hold unknowns) checked before Terraform commits to
//! the plan. While the provider configuration is unknown nothing may ask AWS: the plan is
//! deferred when Terraform allows it, and the action's checks wait for the apply otherwise.

use super::{RawValue, Server, conform, decode};
use crate::framework::action::PlanActionRequest as ActionPlanRequest;
use crate::framework::diag::Diagnostics;

pub struct PlanActionRequest {
    pub type_name: String,
    pub config: RawValue,
    /// Terraform accepts a deferred plan (its `deferral_allowed` client capability).
    pub deferral_allowed: bool,
}

pub struct PlanActionResponse {
    pub diags: Diagnostics,
    /// Deferred because the provider configuration is not known yet.
    pub deferred_provider_config_unknown: bool,
}

impl Server {
    pub async fn plan_action(&self, req: PlanActionRequest) -> PlanActionResponse {
        let mut diags = Diagnostics::new();
        let resp = |diags, deferred| PlanActionResponse {
            diags,
            deferred_provider_config_unknown: deferred,
        };
        let Some(a) = self.action(&req.type_name, &mut diags) else {
            return resp(diags, false);
        };
        let Some(config) = decode(&req.config, &a.ty, "action configuration", &mut diags) else {
            return resp(diags, false);
        };
        if !self.unknown_provider_config().is_empty() {
            return resp(diags, req.deferral_allowed);
        }
        let config = conform(&a.schema.block, &config);
        a.imp
            .plan(
                ActionPlanRequest {
                    ctx: self.ctx(),
                    config,
                },
                &mut diags,
            )
            .await;
        resp(diags, false)
    }
}
