//! The traits a managed resource implements: the core CRUD trait plus optional capabilities,
//! discovered through the `as_*` accessors so the core trait stays small.

use async_trait::async_trait;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::schema::Schema;
use super::schema::modifiers::forces_replacement;
use super::value::{AttrPath, Value};

pub struct CreateRequest {
    pub ctx: Ctx,
    pub config: Value,
    pub planned: Value,
}

pub struct ReadRequest {
    pub ctx: Ctx,
    pub state: Value,
    pub private: Vec<u8>,
    /// The identity Terraform holds for the object; null when it holds none (an older CLI, or
    /// state written before identity existed). The framework computes the new one from state.
    pub identity: Value,
}

pub struct UpdateRequest {
    pub ctx: Ctx,
    pub config: Value,
    pub prior: Value,
    pub planned: Value,
    pub private: Vec<u8>,
    /// The object's identity as planned (null when Terraform holds none).
    pub identity: Value,
}

pub struct DeleteRequest {
    pub ctx: Ctx,
    pub prior: Value,
    pub private: Vec<u8>,
    /// The object's identity (null when Terraform holds none).
    pub identity: Value,
}

/// The result of create, read and update: the new state (starting as the planned or prior state)
/// and diagnostics. A create that fails half-way keeps whatever it made in `state`, so nothing is
/// lost: the framework saves a partial state whenever it holds an identifier.
pub struct StateResponse {
    pub state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

impl StateResponse {
    pub fn new(state: Value, private: Vec<u8>) -> Self {
        Self {
            state,
            private,
            diags: Diagnostics::new(),
        }
    }

    /// Tell Terraform the remote object is gone (read) so it plans to create it again.
    pub fn remove(&mut self) {
        self.state = Value::Null;
    }
}

#[async_trait]
pub trait Resource: Send + Sync {
    /// The resource type name, e.g. `ecs_cluster`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse);
    async fn read(&self, req: ReadRequest, resp: &mut StateResponse);
    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse);
    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics);

    fn as_validate_config(&self) -> Option<&dyn ValidateConfig> {
        None
    }
    fn as_modify_plan(&self) -> Option<&dyn ModifyPlan> {
        None
    }
    fn as_verify_plan(&self) -> Option<&dyn VerifyPlan> {
        None
    }
    fn as_import(&self) -> Option<&dyn ImportState> {
        None
    }
    fn as_upgrade_state(&self) -> Option<&dyn UpgradeState> {
        None
    }
    fn as_generate_config(&self) -> Option<&dyn super::generate_config::GenerateConfig> {
        None
    }
    fn as_identity(&self) -> Option<&dyn super::identity::ResourceIdentity> {
        None
    }
    fn as_move_state(&self) -> Option<&dyn super::move_state::MoveState> {
        None
    }
}

/// Checks across attributes that a single attribute's validators cannot express.
pub trait ValidateConfig: Send + Sync {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics);
}

pub struct ModifyPlanRequest<'a> {
    pub ctx: &'a Ctx,
    pub config: &'a Value,
    /// Null on create.
    pub prior: &'a Value,
}

pub struct ModifyPlanResponse {
    /// Null on destroy; the resource may still add diagnostics then.
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub diags: Diagnostics,
}

impl ModifyPlanResponse {
    /// Plan a replacement because of the value at `path` when it is unknown or `differs` from
    /// the prior one (Terraform's rule, see [`forces_replacement`]). Hooks decide replacements
    /// through this, never with their own comparison.
    pub fn replace_if(
        &mut self,
        path: AttrPath,
        prior: &Value,
        differs: impl Fn(&Value, &Value) -> bool,
    ) {
        if prior.is_null() || self.planned.is_null() {
            return;
        }
        let (old, new) = (value_at(prior, &path), value_at(&self.planned, &path));
        if forces_replacement(&old, &new, differs) {
            self.requires_replace.push(path);
        }
    }
}

/// The value at `path`: null below a null object, unknown below an unknown one.
fn value_at(root: &Value, path: &AttrPath) -> Value {
    let mut current = root.clone();
    for step in &path.0 {
        current = match current {
            Value::Null | Value::Unknown => return current,
            other => other
                .at_path(&AttrPath(vec![step.clone()]))
                .cloned()
                .unwrap_or(Value::Null),
        };
    }
    current
}

/// A whole-resource hook after the attribute modifiers: semantic comparisons, values computed from
/// several attributes (e.g. `tags_all`), cross-attribute replacement rules.
pub trait ModifyPlan: Send + Sync {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse);
}

/// Checks of a planned object that need to look something up first (e.g. the task definition a
/// service refers to). Runs after [`ModifyPlan`], only when the resource is not being destroyed.
#[async_trait]
pub trait VerifyPlan: Send + Sync {
    async fn verify_plan(&self, ctx: &Ctx, planned: &Value, diags: &mut Diagnostics);
}

pub struct ImportRequest {
    pub ctx: Ctx,
    pub id: String,
}

pub struct ImportResponse {
    /// An object holding at least what `read` needs; other attributes may be left out and are
    /// filled with nulls by the framework.
    pub state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

#[async_trait]
pub trait ImportState: Send + Sync {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse);
}

/// Converts state stored under an older schema version into the current one (JSON form).
pub trait UpgradeState: Send + Sync {
    fn upgrade_state(
        &self,
        from_version: i64,
        raw: serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<serde_json::Value>;
}
