//! `ecs_capacity_provider`: an Auto Scaling group or managed-instances capacity provider.

mod delete;
pub mod model;
mod rules;
pub mod schema;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{CapacityProvider, CapacityProviderStatus, CapacityProviderUpdateStatus};

use super::arn::{is_name_char, name_of};
use super::configured::Configured;
use super::tags::{self, Tags};
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig,
};
use crate::framework::schema::Schema;
use crate::framework::value::AttrPath;
use crate::framework::{Ctx, Diagnostics, Value};
use model::{
    CapacityProviderModel, expand_asg, expand_asg_update, expand_mi, expand_mi_update, flatten,
};

pub use delete::{delete as delete_provider, find};

pub struct CapacityProviderResource;

const UPDATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

fn write(model: &CapacityProviderModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(model, &schema::schema().implied_type()).or_report(diags)
}

/// The state after create or update: the plan, its unknowns filled from ECS's answer.
fn applied_state(
    provider: &CapacityProvider,
    plan: &CapacityProviderModel,
    planned: &Value,
    default_tags: &Tags,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let reported = write(&flatten(provider, Some(plan), default_tags), diags)?;
    Some(planned.with_unknowns_from(&reported))
}

/// Wait until ECS no longer reports the provider as being set up or updated.
async fn settle(
    clients: &Clients,
    arn: &str,
    timeout: Duration,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<CapacityProvider, String> {
    let waited = wait::until(
        timeout,
        Duration::from_millis(300),
        Duration::from_secs(10),
        cancel,
        || async move {
            match find(clients, arn).await {
                Ok(Some(p)) => {
                    if p.update_status() == Some(&CapacityProviderUpdateStatus::UpdateFailed) {
                        return Poll::Done(Err(format!(
                            "the update failed: {}",
                            p.update_status_reason().unwrap_or("ECS gave no reason")
                        )));
                    }
                    let active = p.status() == Some(&CapacityProviderStatus::Active);
                    let updating =
                        p.update_status() == Some(&CapacityProviderUpdateStatus::UpdateInProgress);
                    if active && !updating {
                        Poll::Done(Ok(p))
                    } else {
                        Poll::Pending(format!(
                            "status {}, update status {}",
                            p.status().map_or("unknown", |s| s.as_str()),
                            p.update_status().map_or("none", |s| s.as_str())
                        ))
                    }
                }
                Ok(None) => Poll::Pending("not visible yet".to_string()),
                Err(e) => Poll::Pending(e),
            }
        },
    )
    .await;
    match waited {
        Ok(result) => result,
        Err(WaitError::Cancelled) => {
            Err("interrupted: Terraform asked the provider to stop".into())
        }
        Err(WaitError::TimedOut { last }) => Err(format!(
            "gave up after {}s; last seen: {}",
            timeout.as_secs(),
            last.unwrap_or_default()
        )),
    }
}

#[async_trait]
impl Resource for CapacityProviderResource {
    fn type_name(&self) -> &'static str {
        "ecs_capacity_provider"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<CapacityProviderModel>(&req.planned).or_report(&mut resp.diags)
        else {
            return;
        };
        let name = &plan.name;
        let asg = match plan
            .auto_scaling_group_provider
            .as_ref()
            .map(expand_asg)
            .transpose()
        {
            Ok(a) => a,
            Err(e) => return resp.diags.error("Invalid auto_scaling_group_provider", e),
        };
        let mi = match plan
            .managed_instances_provider
            .as_ref()
            .map(expand_mi)
            .transpose()
        {
            Ok(m) => m,
            Err(e) => return resp.diags.error("Invalid managed_instances_provider", e),
        };
        let all_tags = plan.tags_all.known().cloned().unwrap_or_default();
        let created = cfg
            .clients
            .ecs
            .create_capacity_provider()
            .name(name)
            .set_cluster(plan.cluster.known().cloned())
            .set_auto_scaling_group_provider(asg)
            .set_managed_instances_provider(mi)
            .set_tags((!all_tags.is_empty()).then(|| tags::ecs_tags(&all_tags)))
            .send()
            .await;
        let provider = match created {
            Ok(out) => out.capacity_provider,
            Err(e) => {
                return resp.diags.error(
                    "Could not create the capacity provider",
                    format!(
                        "CreateCapacityProvider for \"{name}\" failed: {}",
                        describe(&e)
                    ),
                );
            }
        };
        let arn = provider
            .as_ref()
            .and_then(|p| p.capacity_provider_arn())
            .unwrap_or_default()
            .to_string();
        // It exists from here on: keep it in state whatever happens next (the framework turns
        // what is still unknown into null when the create fails).
        let created = CapacityProviderModel {
            arn: Attr::Known(arn.clone()),
            id: Attr::Known(arn.clone()),
            ..plan.clone()
        };
        if let Some(state) = write(&created, &mut resp.diags) {
            resp.state = state;
        }
        // A managed-instances provider may still be setting up; a cluster cannot use it yet.
        match settle(&cfg.clients, &arn, ACTIVE_TIMEOUT, &req.ctx.cancel).await {
            Ok(p) => {
                let defaults = cfg.default_tags.clone().unwrap_or_default();
                if let Some(state) =
                    applied_state(&p, &plan, &req.planned, &defaults, &mut resp.diags)
                {
                    resp.state = state;
                }
            }
            Err(e) => resp.diags.error(
                "The capacity provider did not become ACTIVE",
                format!("{name}: {e}"),
            ),
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<CapacityProviderModel>(&req.state).or_report(&mut resp.diags)
        else {
            return;
        };
        let id = prior.arn.known().unwrap_or(&prior.name).clone();
        match find(&cfg.clients, &id).await {
            Ok(Some(p)) => {
                let defaults = cfg.default_tags.clone().unwrap_or_default();
                let mut state = flatten(&p, Some(&prior), &defaults);
                // The user's spelling of the cluster (name or ARN) stays.
                if let (Attr::Known(old), Attr::Known(new)) = (&prior.cluster, &state.cluster)
                    && name_of(old) == name_of(new)
                {
                    state.cluster = prior.cluster.clone();
                }
                if let Some(state) = write(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => {
                tracing::info!(capacity_provider = %id, "capacity provider is gone; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error("Could not read the capacity provider", e),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let (Some(prior), Some(plan)) = (
            decode::<CapacityProviderModel>(&req.prior).or_report(&mut resp.diags),
            decode::<CapacityProviderModel>(&req.planned).or_report(&mut resp.diags),
        ) else {
            return;
        };
        let arn = prior.arn.known().cloned().unwrap_or_default();
        let providers_changed = prior.auto_scaling_group_provider
            != plan.auto_scaling_group_provider
            || prior.managed_instances_provider != plan.managed_instances_provider;
        let mi_update = match plan
            .managed_instances_provider
            .as_ref()
            .map(expand_mi_update)
            .transpose()
        {
            Ok(m) => m,
            Err(e) => return resp.diags.error("Invalid managed_instances_provider", e),
        };
        if providers_changed {
            let clients = cfg.clients.clone();
            let mi_update = &mi_update;
            let plan_ref = &plan;
            let attempt = || {
                let clients = clients.clone();
                async move {
                    let sent = clients
                        .ecs
                        .update_capacity_provider()
                        .name(&plan_ref.name)
                        .set_cluster(plan_ref.cluster.known().cloned())
                        .set_auto_scaling_group_provider(
                            plan_ref
                                .auto_scaling_group_provider
                                .as_ref()
                                .map(expand_asg_update),
                        )
                        .set_managed_instances_provider(mi_update.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(_) => Poll::Done(Ok(())),
                        Err(e) if code(&e) == Some("UpdateInProgressException") => {
                            Poll::Pending(describe(&e))
                        }
                        Err(e) => Poll::Done(Err(describe(&e))),
                    }
                }
            };
            let sent = wait::until(
                UPDATE_TIMEOUT,
                Duration::from_secs(1),
                Duration::from_secs(10),
                &req.ctx.cancel,
                attempt,
            )
            .await;
            let failure = match sent {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(WaitError::Cancelled) => {
                    Some("interrupted: Terraform asked the provider to stop".into())
                }
                Err(WaitError::TimedOut { last }) => Some(format!(
                    "another update stayed in progress: {}",
                    last.unwrap_or_default()
                )),
            };
            if let Some(e) = failure {
                return resp.diags.error(
                    "Could not update the capacity provider",
                    format!("UpdateCapacityProvider for \"{}\" failed: {e}", plan.name),
                );
            }
        }
        let old = prior.tags_all.known().cloned().unwrap_or_default();
        let new = plan.tags_all.known().cloned().unwrap_or_default();
        if let Err(e) = tags::update_ecs(&cfg.clients, &arn, &old, &new).await {
            return resp
                .diags
                .error("Could not update the capacity provider's tags", e);
        }
        match settle(&cfg.clients, &arn, UPDATE_TIMEOUT, &req.ctx.cancel).await {
            Ok(p) => {
                let defaults = cfg.default_tags.clone().unwrap_or_default();
                if let Some(state) =
                    applied_state(&p, &plan, &req.planned, &defaults, &mut resp.diags)
                {
                    resp.state = state;
                }
            }
            Err(e) => resp.diags.error(
                "Could not update the capacity provider",
                format!("{}: {e}", plan.name),
            ),
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let Some(prior) = decode::<CapacityProviderModel>(&req.prior).or_report(diags) else {
            return;
        };
        let arn = prior.arn.known().unwrap_or(&prior.name).clone();
        if let Err(e) = delete::delete(
            &cfg.clients,
            &arn,
            &prior.name,
            prior.cluster.known().map(String::as_str),
            DELETE_TIMEOUT,
            &req.ctx.cancel,
        )
        .await
        {
            diags.error("Could not delete the capacity provider", e);
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
        Some(&crate::ecs::moves::capacity_provider::MOVES)
    }

    fn as_generate_config(&self) -> Option<&dyn crate::framework::generate_config::GenerateConfig> {
        Some(self)
    }
    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::CAPACITY_PROVIDER)
    }
}

impl ValidateConfig for CapacityProviderResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        rules::check(config, diags);
    }
}

impl ModifyPlan for CapacityProviderResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
        // Adding or removing a provider block replaces the provider (its kind changes); its
        // members change in place.
        for block in ["auto_scaling_group_provider", "managed_instances_provider"] {
            resp.replace_if(AttrPath::root().attr(block), req.prior, |old, new| {
                old.is_null() != new.is_null()
            });
        }
    }
}

#[async_trait]
impl ImportState for CapacityProviderResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        let name = name_of(req.id.trim());
        if name.is_empty() || !name.chars().all(is_name_char) {
            return resp.diags.error(
                "Invalid import ID",
                format!("\"{}\" is neither a capacity provider name nor its ARN (arn:aws:ecs:REGION:ACCOUNT:capacity-provider/NAME).", req.id),
            );
        }
        let imported = CapacityProviderModel {
            name: name.to_string(),
            cluster: Attr::Null,
            tags: Attr::Null,
            tags_all: Attr::Null,
            arn: Attr::Null,
            id: Attr::Null,
            auto_scaling_group_provider: None,
            managed_instances_provider: None,
        };
        if let Some(state) = write(&imported, &mut resp.diags) {
            resp.state = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<CapacityProviderModel>(&schema::schema());
    }

    fn plan_paths(prior: &Value, planned: &Value) -> Vec<String> {
        let ctx = Ctx {
            cancel: tokio_util::sync::CancellationToken::new(),
            provider_data: None,
            read_burst: false,
        };
        let mut resp = ModifyPlanResponse {
            planned: planned.clone(),
            requires_replace: Vec::new(),
            diags: Diagnostics::new(),
        };
        let req = ModifyPlanRequest {
            ctx: &ctx,
            config: planned,
            prior,
        };
        CapacityProviderResource.modify_plan(req, &mut resp);
        resp.requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn changing_the_provider_kind_replaces_and_changing_members_does_not() {
        let asg = |target: i64| {
            Value::object([
                (
                    "auto_scaling_group_provider",
                    Value::object([("target", Value::number_i64(target))]),
                ),
                ("managed_instances_provider", Value::Null),
                ("tags", Value::Null),
            ])
        };
        let mi = Value::object([
            ("auto_scaling_group_provider", Value::Null),
            (
                "managed_instances_provider",
                Value::object([("x", Value::string("y"))]),
            ),
            ("tags", Value::Null),
        ]);
        let swapped = plan_paths(&asg(1), &mi);
        assert_eq!(swapped.len(), 2, "{swapped:?}");
        assert!(plan_paths(&asg(1), &asg(2)).is_empty());
    }
}
