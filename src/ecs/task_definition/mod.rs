//! `ecs_task_definition`: a task-definition family whose changes register new revisions in
//! place. The containers are sent and read as JSON ([`crate::aws::raw_json`]) and compared by
//! meaning ([`crate::ecs::container_definitions`]).

mod fargate;
mod isolation;
pub(crate) mod remote;
mod request;
pub(crate) mod schema;
pub(crate) mod surface;
mod track_latest;
pub mod units;
mod upgrade;
pub mod validate;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value as Json;

use self::schema::TaskDefinitionModel;
use super::configured::Configured;
use super::container_definitions::{self, NetworkMode};
use super::model::set;
use super::tags;
use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::aws::raw_json;
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    UpgradeState, ValidateConfig,
};
use crate::framework::schema::Schema;
use crate::framework::value::Type;
use crate::framework::{Ctx, Diagnostics, Value};

pub use fargate::{fargate_size, fargate_sizes};

pub struct TaskDefinitionResource;

/// The attributes whose change registers a new revision (tags, `skip_destroy`,
/// `delete_revisions` and `track_latest` do not),
/// compared as values so that unknowns (in a plan) and sets without order compare as Terraform
/// compares them.
#[derive(Debug, PartialEq, Deserialize)]
struct Registered {
    container_definitions: Value,
    cpu: Value,
    memory: Value,
    network_mode: Value,
    requires_compatibilities: Value,
    execution_role_arn: Value,
    task_role_arn: Value,
    runtime_platform: Value,
    ephemeral_storage: Value,
    volume: Value,
    ipc_mode: Value,
    pid_mode: Value,
    enable_fault_injection: Value,
    placement_constraints: Value,
    proxy_configuration: Value,
}

/// What the plan hook reads of a configuration, plan or prior state; in a plan anything may
/// still be unknown.
#[derive(Debug, Deserialize)]
struct Planned {
    family: Attr<String>,
    network_mode: Attr<String>,
    container_definitions: Attr<String>,
    cpu: Attr<String>,
    memory: Attr<String>,
}

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

fn state_type() -> Type {
    schema::schema().implied_type()
}

/// The model as a state value, or the problem in `diags`.
fn encoded(model: &TaskDefinitionModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(model, &state_type()).or_report(diags)
}

/// Register a revision from `plan`; returns the DescribeTaskDefinition-shaped answer.
async fn register(clients: &Clients, plan: &TaskDefinitionModel) -> Result<Json, String> {
    let containers = request::containers(plan)?;
    let body = request::body(plan, containers);
    let family = &plan.family;
    raw_json::register_task_definition(&clients.ecs, &body)
        .await
        .map_err(|e| format!("RegisterTaskDefinition for family \"{family}\" failed: {e}"))
}

/// Deregister `arn` and, when asked to, delete the revision as well.
async fn retire(clients: &Clients, arn: &str, delete_revisions: bool) -> Result<(), String> {
    deregister(clients, arn).await?;
    if delete_revisions {
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

/// The state after a register: the plan (the user's spelling) plus what AWS assigned.
fn registered_state(plan: &TaskDefinitionModel, answer: &Json) -> TaskDefinitionModel {
    let arn = answer
        .pointer("/taskDefinition/taskDefinitionArn")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let revision = answer
        .pointer("/taskDefinition/revision")
        .and_then(Json::as_i64)
        .unwrap_or(0);
    TaskDefinitionModel {
        arn: Attr::Known(arn.to_string()),
        arn_without_revision: Attr::Known(remote::without_revision(arn).to_string()),
        revision: Attr::Known(revision),
        id: Attr::Known(plan.family.clone()),
        ..plan.clone()
    }
}

fn registration_changed(prior: &Value, planned: &Value) -> bool {
    match (decode::<Registered>(prior), decode::<Registered>(planned)) {
        (Ok(prior), Ok(planned)) => prior != planned,
        _ => true,
    }
}

fn flag(value: &Attr<bool>) -> bool {
    value.known().copied().unwrap_or(false)
}

#[async_trait]
impl Resource for TaskDefinitionResource {
    fn type_name(&self) -> &'static str {
        "ecs_task_definition"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn as_upgrade_state(&self) -> Option<&dyn UpgradeState> {
        Some(self)
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(plan) = decode::<TaskDefinitionModel>(&req.planned).or_report(&mut resp.diags)
        else {
            return;
        };
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        match register(&cfg.clients, &plan).await {
            Ok(answer) => {
                let state = registered_state(&plan, &answer);
                let arn = state.arn.known().cloned().unwrap_or_default();
                if let Some(value) = encoded(&state, &mut resp.diags) {
                    resp.state = value;
                }
                tracing::info!(arn = %arn, "task definition registered");
            }
            Err(e) => resp
                .diags
                .error("Could not register the task definition", e),
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(prior) = decode::<TaskDefinitionModel>(&req.state).or_report(&mut resp.diags)
        else {
            return;
        };
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let arn = track_latest::wanted(&prior);
        match raw_json::describe_task_definition(&cfg.clients.ecs, &arn).await {
            Ok(answer) if matches!(remote::status(&answer), "INACTIVE" | "DELETE_IN_PROGRESS") => {
                tracing::info!(arn = %arn, "task definition revision is no longer active; removing it from state");
                resp.remove();
            }
            Ok(answer) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let state = remote::flatten(&answer, Some(&prior), &default_tags);
                let state = track_latest::adopt(state, &prior);
                if let Some(value) = encoded(&state, &mut resp.diags) {
                    resp.state = value;
                }
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
        let (Some(prior), Some(plan)) = (
            decode::<TaskDefinitionModel>(&req.prior).or_report(&mut resp.diags),
            decode::<TaskDefinitionModel>(&req.planned).or_report(&mut resp.diags),
        ) else {
            return;
        };
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let old_arn = prior.arn.known().cloned().unwrap_or_default();
        if !registration_changed(&req.prior, &req.planned) {
            let old = prior.tags_all.known().cloned().unwrap_or_default();
            let new = plan.tags_all.known().cloned().unwrap_or_default();
            if let Err(e) = tags::update_ecs(&cfg.clients, &old_arn, &old, &new).await {
                resp.diags
                    .error("Could not update the task definition's tags", e);
                return;
            }
            if let Some(value) = encoded(&plan, &mut resp.diags) {
                resp.state = value;
            }
            return;
        }
        let answer = match register(&cfg.clients, &plan).await {
            Ok(answer) => answer,
            Err(e) => {
                resp.diags.error("Could not register a new revision", e);
                return;
            }
        };
        // The new revision exists from here on: it is what the state must hold.
        let state = registered_state(&plan, &answer);
        let new_arn = state.arn.known().cloned().unwrap_or_default();
        if let Some(value) = encoded(&state, &mut resp.diags) {
            resp.state = value;
        }
        tracing::info!(old = %old_arn, new = %new_arn, "registered a new task definition revision");
        if !flag(&plan.skip_destroy)
            && old_arn != new_arn
            && let Err(e) = retire(&cfg.clients, &old_arn, flag(&plan.delete_revisions)).await
        {
            resp.diags.warning(
                "The previous revision is still ACTIVE",
                format!("{e}. The new revision {new_arn} is in use; deregister the old one by hand if needed."),
            );
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(prior) = decode::<TaskDefinitionModel>(&req.prior).or_report(diags) else {
            return;
        };
        if flag(&prior.skip_destroy) {
            return;
        }
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let arn = prior.arn.known().cloned().unwrap_or_default();
        if let Err(e) = retire(&cfg.clients, &arn, flag(&prior.delete_revisions)).await {
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
    fn as_move_state(&self) -> Option<&dyn crate::framework::move_state::MoveState> {
        Some(&crate::ecs::moves::task_definition::MOVES)
    }

    fn as_generate_config(&self) -> Option<&dyn crate::framework::generate_config::GenerateConfig> {
        Some(self)
    }
    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::TASK_DEFINITION)
    }
}

impl ValidateConfig for TaskDefinitionResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        validate::check(config, diags);
    }
}

/// The plan hook works on the planned value itself: the full model cannot hold what may still
/// be unknown there (the container JSON, volumes from `dynamic` blocks).
impl ModifyPlan for TaskDefinitionResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
        if req.prior.is_null() {
            let Some(config) = decode::<Planned>(req.config).or_report(&mut resp.diags) else {
                return;
            };
            if let Attr::Known(family) = config.family {
                set(&mut resp.planned, "id", Value::string(family));
            }
            return;
        }
        let (Some(prior), Some(planned)) = (
            decode::<Planned>(req.prior).or_report(&mut resp.diags),
            decode::<Planned>(&resp.planned).or_report(&mut resp.diags),
        ) else {
            return;
        };
        // Same meaning, other spelling: plan the prior text so nothing changes.
        if !planned.network_mode.is_unknown()
            && let (Attr::Known(new), Attr::Known(old)) =
                (&planned.container_definitions, &prior.container_definitions)
            && new != old
            && container_definitions::equivalent(
                new,
                old,
                NetworkMode::of(planned.network_mode.known().map(String::as_str)),
            )
        {
            set(
                &mut resp.planned,
                "container_definitions",
                Value::string(old.clone()),
            );
        }
        for (attr, new, old, convert) in [
            (
                "cpu",
                &planned.cpu,
                &prior.cpu,
                units::cpu_units as fn(&str) -> String,
            ),
            ("memory", &planned.memory, &prior.memory, units::memory_mib),
        ] {
            if let (Attr::Known(new), Attr::Known(old)) = (new, old)
                && new != old
                && convert(new) == convert(old)
            {
                set(&mut resp.planned, attr, Value::string(old.clone()));
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
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let state = remote::flatten(&answer, None, &default_tags);
                if let Some(value) = encoded(&state, &mut resp.diags) {
                    resp.state = value;
                }
            }
            Err(e) => resp.diags.error(
                "Could not find the task definition",
                format!("DescribeTaskDefinition for \"{id}\" failed: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TaskDefinitionModel {
        let answer = serde_json::json!({
            "taskDefinition": {
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
                "family": "web", "revision": 3, "networkMode": "awsvpc", "cpu": "256",
                "containerDefinitions": [{ "name": "web", "image": "nginx" }],
                "volumes": [{ "name": "data", "host": { "sourcePath": "/data" } }]
            }
        });
        remote::flatten(&answer, None, &Default::default())
    }

    #[test]
    fn registered_names_attributes() {
        let state = encode(&sample(), &state_type()).unwrap();
        let registered = decode::<Registered>(&state).unwrap();
        assert_eq!(registered.network_mode, Value::string("awsvpc"));
        let planned = decode::<Planned>(&state).unwrap();
        assert_eq!(planned.family, Attr::Known("web".into()));
        assert!(!registration_changed(&state, &state.clone()));
        let mut tagged = state.clone();
        set(&mut tagged, "skip_destroy", Value::Bool(true));
        assert!(!registration_changed(&state, &tagged));
        let mut resized = state.clone();
        set(&mut resized, "cpu", Value::Unknown);
        assert!(registration_changed(&state, &resized));
    }

    #[test]
    fn registered_state_keeps_the_plan() {
        let plan = TaskDefinitionModel {
            arn: Attr::Unknown,
            revision: Attr::Unknown,
            cpu: Attr::Known("0.25 vCPU".into()),
            ..sample()
        };
        let answer = serde_json::json!({ "taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4",
            "revision": 4
        }});
        let state = registered_state(&plan, &answer);
        assert_eq!(state.revision, Attr::Known(4));
        assert_eq!(
            state.arn_without_revision.known().map(String::as_str),
            Some("arn:aws:ecs:us-east-1:123456789012:task-definition/web")
        );
        assert_eq!(state.cpu, plan.cpu);
    }
}
