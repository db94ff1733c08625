//! Attribute plan modifiers: per-attribute hooks run by the plan algorithm after defaults and
//! unknown-marking, with the attribute's config, prior and planned values.

use crate::framework::diag::Diagnostics;
use crate::framework::value::{AttrPath, Value};

pub struct ModifyRequest<'a> {
    pub path: &'a AttrPath,
    pub config: &'a Value,
    /// Null when the resource is being created.
    pub prior: &'a Value,
    pub planned: &'a Value,
    /// False on create: there is no prior object at all.
    pub prior_exists: bool,
}

pub struct ModifyResponse {
    pub planned: Value,
    pub requires_replace: bool,
    pub diags: Diagnostics,
}

pub trait PlanModifier: Send + Sync {
    fn description(&self) -> String;
    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse);
}

/// Terraform's replacement rule, shared by the modifiers below and by resources' own plan hooks
/// ([`crate::framework::resource::ModifyPlanResponse::replace_if`]): a value that is not yet known
/// may turn out different, so it forces replacement now. Deciding "update" at plan time and
/// "replace" at apply time is what Terraform rejects as an inconsistent final plan.
pub fn forces_replacement(
    prior: &Value,
    planned: &Value,
    differs: impl Fn(&Value, &Value) -> bool,
) -> bool {
    !planned.is_wholly_known() || differs(prior, planned)
}

/// Changing the attribute destroys the object and creates a new one.
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "Changing this value forces replacement.".into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        // Unknown planned values may turn out equal; Terraform shows "forces replacement" then too.
        if req.prior_exists && forces_replacement(req.prior, &resp.planned, |a, b| a != b) {
            resp.requires_replace = true;
        }
    }
}

/// Like [`RequiresReplace`], but a caller-supplied predicate decides whether two known values
/// differ in a way that matters (e.g. a name and an ARN of the same cluster do not). An unknown
/// planned value forces replacement whatever the predicate would say.
pub struct RequiresReplaceIf {
    pub differs: fn(prior: &Value, planned: &Value) -> bool,
    pub description: &'static str,
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        if req.prior_exists && forces_replacement(req.prior, &resp.planned, self.differs) {
            resp.requires_replace = true;
        }
    }
}

/// Keep the prior value of a computed attribute instead of "(known after apply)" when an update
/// cannot change it (IDs, ARNs, creation times).
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "The value does not change after creation.".into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        if req.prior_exists
            && resp.planned.is_unknown()
            && !req.prior.is_null()
            && req.config.is_null()
        {
            resp.planned = req.prior.clone();
        }
    }
}

/// Like [`UseStateForUnknown`], but a null prior value is kept too: for computed attributes
/// whose absence is itself stable (a launch type AWS does not report for a service placed by a
/// capacity-provider strategy stays absent on every in-place update).
pub struct UseStateForUnknownIncludingNull;

impl PlanModifier for UseStateForUnknownIncludingNull {
    fn description(&self) -> String {
        "The value, set or not, does not change after creation.".into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        if req.prior_exists && resp.planned.is_unknown() && req.config.is_null() {
            resp.planned = req.prior.clone();
        }
    }
}
