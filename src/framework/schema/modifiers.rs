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

/// Changing the attribute destroys the object and creates a new one.
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "Changing this value forces replacement.".into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        // Unknown planned values may turn out equal; Terraform shows "forces replacement" then too.
        if req.prior_exists && &resp.planned != req.prior {
            resp.requires_replace = true;
        }
    }
}

/// Like [`RequiresReplace`], but a caller-supplied predicate decides whether two values differ
/// in a way that matters (e.g. a name and an ARN of the same cluster do not).
pub struct RequiresReplaceIf {
    pub differs: fn(prior: &Value, planned: &Value) -> bool,
    pub description: &'static str,
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.into()
    }

    fn modify(&self, req: &ModifyRequest<'_>, resp: &mut ModifyResponse) {
        if req.prior_exists && (self.differs)(req.prior, &resp.planned) {
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
