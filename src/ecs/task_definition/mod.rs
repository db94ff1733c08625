//! `ecs_task_definition`: a task-definition family whose changes register new revisions in
//! place. The containers are sent and read as JSON ([`crate::aws::raw_json`]) and compared by
//! meaning ([`crate::ecs::container_definitions`]).

pub(crate) mod remote;
mod request;
pub(crate) mod schema;
pub mod units;
pub mod validate;

use async_trait::async_trait;
use serde_json::Value as Json;

use super::configured::Configured;
use super::container_definitions::{self, NetworkMode};
use super::model::{object, set, string, string_map};
use super::tags;
use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::aws::raw_json;
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig,
};
use crate::framework::schema::Schema;
use crate::framework::{Ctx, Diagnostics, Value};

pub use validate::fargate_size;

pub struct TaskDefinitionResource;

/// Attributes whose change registers a new revision (tags and `skip_destroy` do not).
const REGISTERED: &[&str] = &[
    "container_definitions",
    "cpu",
    "memory",
    "network_mode",
    "requires_compatibilities",
    "execution_role_arn",
    "task_role_arn",
    "runtime_platform",
    "ephemeral_storage",
    "volume",
];

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

/// Register a revision from `planned`; returns the DescribeTaskDefinition-shaped answer.
async fn register(clients: &Clients, planned: &Value) -> Result<Json, String> {
    let containers = request::containers(planned)?;
    let body = request::body(planned, containers);
    let family = string(planned, "family").unwrap_or_default();
    raw_json::register_task_definition(&clients.ecs, &body)
        .await
        .map_err(|e| format!("RegisterTaskDefinition for family \"{family}\" failed: {e}"))
}

/// Deregister `arn` and, when the state asks for it, delete the revision as well.
async fn retire(clients: &Clients, arn: &str, state: &Value) -> Result<(), String> {
    deregister(clients, arn).await?;
    if state.get("delete_revisions").and_then(Value::as_bool) == Some(true) {
        clients
            .ecs
            .delete_task_definitions()
            .task_definitions(arn)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "DeleteTaskDefinitions for \"{arn}\" failed: {}",
                    describe(&e)
                )
            })?;
    }
    Ok(())
}

async fn deregister(clients: &Clients, arn: &str) -> Result<(), String> {
    match clients
        .ecs
        .deregister_task_definition()
        .task_definition(arn)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let text = describe(&e);
            // Already INACTIVE or gone: nothing left to do.
            if text.contains("INACTIVE")
                || text.contains("not found")
                || text.contains("Unable to describe")
            {
                Ok(())
            } else {
                Err(format!(
                    "DeregisterTaskDefinition for \"{arn}\" failed: {text}"
                ))
            }
        }
    }
}

/// The state after a register: the planned values (the user's spelling) plus what AWS assigned.
fn registered_state(planned: &Value, answer: &Json) -> Value {
    let mut state = planned.clone();
    let arn = answer
        .pointer("/taskDefinition/taskDefinitionArn")
        .and_then(Json::as_str)
        .unwrap_or_default();
    set(&mut state, "arn", Value::string(arn));
    set(
        &mut state,
        "arn_without_revision",
        Value::string(arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(arn)),
    );
    let revision = answer
        .pointer("/taskDefinition/revision")
        .and_then(Json::as_i64)
        .unwrap_or(0);
    set(&mut state, "revision", Value::number_i64(revision));
    set(
        &mut state,
        "id",
        planned.get("family").cloned().unwrap_or(Value::Null),
    );
    state
}

fn registration_changed(prior: &Value, planned: &Value) -> bool {
    REGISTERED
        .iter()
        .any(|name| prior.get(name) != planned.get(name))
}

#[async_trait]
impl Resource for TaskDefinitionResource {
    fn type_name(&self) -> &'static str {
        "ecs_task_definition"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        match register(&cfg.clients, &req.planned).await {
            Ok(answer) => {
                resp.state = registered_state(&req.planned, &answer);
                tracing::info!(arn = %string(&resp.state, "arn").unwrap_or_default(), "task definition registered");
            }
            Err(e) => resp
                .diags
                .error("Could not register the task definition", e),
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let arn = string(&req.state, "arn").unwrap_or_default().to_string();
        match raw_json::describe_task_definition(&cfg.clients.ecs, &arn).await {
            Ok(answer) if matches!(remote::status(&answer), "INACTIVE" | "DELETE_IN_PROGRESS") => {
                tracing::info!(arn = %arn, "task definition revision is no longer active; removing it from state");
                resp.remove();
            }
            Ok(answer) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                remote::apply(&mut resp.state, &answer, &req.state, &default_tags);
            }
            Err(e) if e.code.as_deref() == Some("ClientException") => {
                tracing::info!(arn = %arn, "task definition revision not found; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error(
                "Could not read the task definition",
                format!("DescribeTaskDefinition for \"{arn}\" failed: {e}"),
            ),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let old_arn = string(&req.prior, "arn").unwrap_or_default().to_string();
        if !registration_changed(&req.prior, &req.planned) {
            let old = string_map(&req.prior, "tags_all").unwrap_or_default();
            let new = string_map(&req.planned, "tags_all").unwrap_or_default();
            if let Err(e) = tags::update_ecs(&cfg.clients, &old_arn, &old, &new).await {
                resp.diags
                    .error("Could not update the task definition's tags", e);
                return;
            }
            resp.state = req.planned.clone();
            return;
        }
        let answer = match register(&cfg.clients, &req.planned).await {
            Ok(answer) => answer,
            Err(e) => {
                resp.diags.error("Could not register a new revision", e);
                return;
            }
        };
        // The new revision exists from here on: it is what the state must hold.
        resp.state = registered_state(&req.planned, &answer);
        let new_arn = string(&resp.state, "arn").unwrap_or_default().to_string();
        tracing::info!(old = %old_arn, new = %new_arn, "registered a new task definition revision");
        let skip = req
            .planned
            .get("skip_destroy")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !skip
            && old_arn != new_arn
            && let Err(e) = retire(&cfg.clients, &old_arn, &req.planned).await
        {
            resp.diags.warning(
                "The previous revision is still ACTIVE",
                format!("{e}. The new revision {new_arn} is in use; deregister the old one by hand if needed."),
            );
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let skip = req
            .prior
            .get("skip_destroy")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if skip {
            return;
        }
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let arn = string(&req.prior, "arn").unwrap_or_default();
        if let Err(e) = retire(&cfg.clients, arn, &req.prior).await {
            diags.error("Could not deregister the task definition", e);
        }
    }

    fn as_validate_config(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn as_modify_plan(&self) -> Option<&dyn ModifyPlan> {
        Some(self)
    }

    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ValidateConfig for TaskDefinitionResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        validate::check(config, diags);
    }
}

impl ModifyPlan for TaskDefinitionResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
        if req.prior.is_null() {
            if let Some(family) = req.config.get("family").filter(|v| v.is_known()) {
                set(&mut resp.planned, "id", family.clone());
            }
            return;
        }
        // Same meaning, other spelling: plan the prior text so nothing changes.
        let mode = resp
            .planned
            .get("network_mode")
            .cloned()
            .unwrap_or(Value::Null);
        if mode.is_known()
            && let (Some(new), Some(old)) = (
                string(&resp.planned, "container_definitions"),
                string(req.prior, "container_definitions"),
            )
            && new != old
            && container_definitions::equivalent(new, old, NetworkMode::of(mode.as_str()))
        {
            let old = old.to_string();
            set(
                &mut resp.planned,
                "container_definitions",
                Value::string(old),
            );
        }
        for (attr, convert) in [
            ("cpu", units::cpu_units as fn(&str) -> String),
            ("memory", units::memory_mib),
        ] {
            if let (Some(new), Some(old)) = (string(&resp.planned, attr), string(req.prior, attr))
                && new != old
                && convert(new) == convert(old)
            {
                let old = old.to_string();
                set(&mut resp.planned, attr, Value::string(old));
            }
        }
        if registration_changed(req.prior, &resp.planned) {
            for attr in ["arn", "revision"] {
                set(&mut resp.planned, attr, Value::Unknown);
            }
        }
    }
}

#[async_trait]
impl ImportState for TaskDefinitionResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        let id = req.id.trim();
        if id.is_empty() || (!id.starts_with("arn:") && !id.contains(':')) {
            resp.diags.error(
                "Invalid import ID",
                format!(
                    "\"{id}\" is neither a task definition ARN nor FAMILY:REVISION (e.g. web:3)."
                ),
            );
            return;
        }
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        match raw_json::describe_task_definition(&cfg.clients.ecs, id).await {
            Ok(answer) => {
                let mut state = object([("tags", Value::Null)]);
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                remote::apply(&mut state, &answer, &Value::Null, &default_tags);
                resp.state = state;
            }
            Err(e) => resp.diags.error(
                "Could not find the task definition",
                format!("DescribeTaskDefinition for \"{id}\" failed: {e}"),
            ),
        }
    }
}
