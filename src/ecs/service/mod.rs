//! `ecs_service`: a long-running service with real deployments. Create and update wait for
//! steady state ([`steady`]); delete scales to zero, deletes and waits for INACTIVE.

pub(crate) mod connect;
pub(crate) mod deployment;
mod deployment_rules;
pub(crate) mod deployment_wait;
mod pairing;
pub(crate) mod placement;
mod platform;
pub(crate) mod remote;
mod rules;
pub(crate) mod schema;
pub(crate) mod steady;
pub(crate) mod volumes;

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration,
    DeploymentController, DeploymentControllerType, LaunchType, LoadBalancer, NetworkConfiguration,
    PropagateTags, Service, Tag,
};

use super::arn::name_of;
use super::configured::Configured;
use super::strategy::{self, StrategyItem};
use super::tags::{self, Tags};
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::framework::model::Set;
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig, VerifyPlan,
};
use crate::framework::schema::Schema;
use crate::framework::value::{AttrPath, Type};
use crate::framework::{Ctx, Diagnostics, Value, timeouts};
use placement::{CreatePlacement, UpdatePlacement};
use schema::{ServiceModel, ServicePlan, controller_of, planned_providers};
use steady::SteadyError;

pub struct ServiceResource;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The type of the resource's values, for encoding models.
static STATE_TYPE: LazyLock<Type> = LazyLock::new(|| schema::schema().implied_type());

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

fn state_of(model: &ServiceModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(model, &STATE_TYPE).or_report(diags)
}

/// A number of the model as the SDK's `i32` (out of range counts as unset).
fn int(n: Option<i64>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// The timeout of `operation` from the model's `timeouts` block.
fn timeout(model: &ServiceModel, operation: &str) -> Duration {
    let holder = Value::object([("timeouts", model.timeouts.clone())]);
    timeouts::get(&holder, operation, DEFAULT_TIMEOUT)
}

fn strategy_items(model: &ServiceModel) -> &[StrategyItem] {
    model
        .capacity_provider_strategy
        .known()
        .map_or(&[], |s| s.0.as_slice())
}

/// The platform-version check of a model (whose task definition may have been unknown at
/// plan time).
async fn check_platform(clients: &Clients, model: &ServiceModel) -> Result<(), String> {
    let providers = strategy_items(model)
        .iter()
        .map(|i| i.capacity_provider.as_str());
    let fargate =
        platform::runs_on_fargate(model.launch_type.known().map(String::as_str), providers);
    platform::check(
        clients,
        fargate,
        model.platform_version.known().map(String::as_str),
        model.task_definition.as_deref(),
    )
    .await
}

fn network(model: &ServiceModel) -> Option<NetworkConfiguration> {
    let n = model.network_configuration.as_ref()?;
    let public = if n.assign_public_ip {
        AssignPublicIp::Enabled
    } else {
        AssignPublicIp::Disabled
    };
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(n.subnets.0.clone()))
        .set_security_groups(n.security_groups.as_ref().map(|g| g.0.clone()))
        .assign_public_ip(public)
        .build()
        .ok()?;
    Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    )
}

fn load_balancers(model: &ServiceModel) -> Vec<LoadBalancer> {
    model
        .load_balancer
        .0
        .iter()
        .map(|lb| {
            LoadBalancer::builder()
                .set_target_group_arn(lb.target_group_arn.clone())
                .set_load_balancer_name(lb.elb_name.clone())
                .container_name(&lb.container_name)
                .set_container_port(int(Some(lb.container_port)))
                .set_advanced_configuration(deployment::expand_advanced(
                    lb.advanced_configuration.as_ref(),
                ))
                .build()
        })
        .collect()
}

fn deployment_configuration(model: &ServiceModel) -> DeploymentConfiguration {
    let breaker = model.deployment_circuit_breaker.as_ref().map(|b| {
        DeploymentCircuitBreaker::builder()
            .enable(b.enable)
            .rollback(b.rollback)
            .build()
    });
    let builder = DeploymentConfiguration::builder()
        .set_minimum_healthy_percent(int(model.deployment_minimum_healthy_percent))
        .set_maximum_percent(int(model.deployment_maximum_percent))
        .set_deployment_circuit_breaker(breaker);
    deployment::configure(
        builder,
        model.deployment_configuration.as_ref(),
        model.alarms.as_ref(),
    )
    .build()
}

fn deployment_controller(model: &ServiceModel) -> Option<DeploymentController> {
    let t = model.deployment_controller.as_ref()?.r#type.as_deref()?;
    DeploymentController::builder()
        .r#type(DeploymentControllerType::from(t))
        .build()
        .ok()
}

fn propagate_tags(model: &ServiceModel) -> PropagateTags {
    PropagateTags::from(model.propagate_tags.as_deref().unwrap_or("NONE"))
}

fn aws_tags(model: &ServiceModel) -> Option<Vec<Tag>> {
    let all = model.tags_all.known().filter(|t| !t.is_empty())?;
    Some(tags::ecs_tags(all))
}

fn tags_all(model: &ServiceModel) -> Tags {
    model.tags_all.known().cloned().unwrap_or_default()
}

/// The ARN a bare family resolves to now, for read's "same revision" decision.
async fn latest_of_family(clients: &Clients, reference: Option<&str>) -> Option<String> {
    let reference = reference.filter(|r| !r.starts_with("arn:") && !r.contains(':'))?;
    let out = clients
        .ecs
        .describe_task_definition()
        .task_definition(reference)
        .send()
        .await
        .ok()?;
    out.task_definition()?
        .task_definition_arn()
        .map(str::to_string)
}

/// The service as AWS has it now (`None` once it is gone), read against `prior`.
async fn refresh(
    cfg: &Configured,
    ctx: &Ctx,
    prior: &ServiceModel,
) -> Result<Option<ServiceModel>, String> {
    let (cluster, name) = (&prior.cluster, &prior.name);
    let others = ctx.in_read_burst();
    let Some(service) = cfg
        .clients
        .batch
        .services
        .get(cluster, name, others)
        .await?
    else {
        return Ok(None);
    };
    if matches!(service.status(), Some("INACTIVE" | "DRAINING")) {
        return Ok(None);
    }
    let latest = latest_of_family(&cfg.clients, prior.task_definition.as_deref()).await;
    let default_tags = cfg.default_tags.clone().unwrap_or_default();
    let inherited = match remote::placement_choice(prior) {
        remote::Placement::ClusterDefault => true,
        remote::Placement::Configured => false,
        // Imported: the strategy is the cluster's when it equals the cluster's default.
        remote::Placement::Unknown => {
            inherits_cluster_default(cfg, &service, cluster, others).await
        }
    };
    let mut state = remote::flatten(&service, prior, &default_tags, latest.as_deref());
    if inherited {
        state.capacity_provider_strategy = Attr::Known(Set::default());
    }
    Ok(Some(state))
}

/// Whether `service`'s strategy is its cluster's default strategy (so it was inherited).
async fn inherits_cluster_default(
    cfg: &Configured,
    service: &Service,
    cluster: &str,
    others: bool,
) -> bool {
    let own = service.capacity_provider_strategy();
    if own.is_empty() {
        return false;
    }
    match cfg.clients.batch.clusters.get("", cluster, others).await {
        Ok(Some(c)) => {
            let default = c.default_capacity_provider_strategy();
            default.len() == own.len() && own.iter().all(|i| default.contains(i))
        }
        _ => false,
    }
}

fn steady_error(diags: &mut Diagnostics, name: &str, what: &str, err: SteadyError) {
    match err {
        SteadyError::Failed(reason) => diags.error(
            format!("The deployment of service \"{name}\" failed"),
            format!("ECS stopped the deployment after {what}: {reason}"),
        ),
        SteadyError::TimedOut(last) => diags.error(
            format!("Service \"{name}\" did not reach a steady state"),
            format!("Gave up waiting after {what}. Last seen: {last}. The service exists and is kept in state; raise the timeout or set `wait_for_steady_state = false`."),
        ),
        SteadyError::Cancelled => diags.error(
            format!("Waiting for service \"{name}\" interrupted"),
            "Terraform asked the provider to stop; the service is kept in state.",
        ),
        SteadyError::RollbackRequested(outcome) => diags.error(
            format!("Waiting for service \"{name}\" interrupted; deployment rolled back"),
            format!("Terraform asked the provider to stop after {what}; with `sigint_rollback` the provider asked ECS to roll the deployment back (StopServiceDeployment): {outcome}. The service is kept in state."),
        ),
        SteadyError::Gone => diags.error(
            format!("Service \"{name}\" disappeared"),
            format!("The service was deleted while waiting after {what}."),
        ),
    }
}

/// After a wait cut short (timeout or Ctrl-C), `state` records the deployment still running, so
/// the next apply waits for it instead of starting another.
fn keep_pending(
    state: &mut Value,
    err: &SteadyError,
    deployment: Option<String>,
) -> Option<String> {
    if let (SteadyError::TimedOut(_) | SteadyError::Cancelled, Some(arn)) = (err, deployment) {
        crate::ecs::model::set(state, "pending_deployment_arn", Value::string(arn.clone()));
        return Some(arn);
    }
    None
}

/// How a wait ended.
#[derive(Debug, PartialEq, Eq)]
enum Waited {
    /// The deployment finished (or there was nothing to wait for).
    Done,
    /// Reported as an error: the apply stops with `resp.state` as it is.
    Failed,
    /// Ctrl-C while ECS deploys a service just created: reported as a warning; the deployment
    /// still running (its ARN) is to be recorded in the state.
    Interrupted(String),
}

/// Wait as `start` says within the `operation` timeout; on failure, report it (as done `what`)
/// and record a deployment still running in `resp.state`.
async fn wait_for(
    cfg: &Configured,
    ctx: &Ctx,
    model: &ServiceModel,
    start: deployment_wait::Start<'_>,
    (operation, what): (&str, &str),
    resp: &mut StateResponse,
) -> Waited {
    let waited = deployment_wait::wait(
        &cfg.clients,
        &model.cluster,
        &model.name,
        start,
        timeout(model, operation),
        &ctx.cancel,
        model.sigint_rollback.unwrap_or(false),
    )
    .await;
    let Err(e) = waited.result else {
        return Waited::Done;
    };
    let pending = keep_pending(&mut resp.state, &e, waited.deployment);
    let interrupted_create = operation == "create" && matches!(e, SteadyError::Cancelled);
    if let (true, Some(arn)) = (interrupted_create, pending.clone()) {
        // Terraform taints a created resource whose create failed and replaces it next time,
        // which would start another deployment. The service exists and its deployment is
        // recorded, so this is no failure: the next apply waits on the same deployment.
        // Terraform itself reports the interrupt.
        resp.diags.warning(
            format!("Waiting for service \"{}\" interrupted", model.name),
            format!(
                "Terraform asked the provider to stop after {what}; the service is kept in state."
            ),
        );
        report_pending(&mut resp.diags, pending);
        return Waited::Interrupted(arn);
    }
    steady_error(&mut resp.diags, &model.name, what, e);
    report_pending(&mut resp.diags, pending);
    Waited::Failed
}

fn report_pending(diags: &mut Diagnostics, pending: Option<String>) {
    if let Some(arn) = pending {
        diags.warning(
            "The deployment continues",
            format!("ECS is still running service deployment {arn}; it is recorded in `pending_deployment_arn`, and the next apply waits for it instead of starting another."),
        );
    }
}

fn controller_of_model(model: &ServiceModel) -> &str {
    model
        .deployment_controller
        .as_ref()
        .and_then(|c| c.r#type.as_deref())
        .unwrap_or("ECS")
}

fn ecs_controller() -> Option<DeploymentController> {
    DeploymentController::builder()
        .r#type(DeploymentControllerType::Ecs)
        .build()
        .ok()
}

#[async_trait]
impl Resource for ServiceResource {
    fn type_name(&self) -> &'static str {
        "ecs_service"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<ServiceModel>(&req.planned).or_report(&mut resp.diags) else {
            return;
        };
        let (cluster, name) = (&plan.cluster, &plan.name);
        // The task definition may have been unknown at plan time.
        if let Err(why) = check_platform(&cfg.clients, &plan).await {
            resp.diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Platform version too old for this task definition",
                why,
            );
            return;
        }
        let strategy_items = strategy::expand(strategy_items(&plan));
        let started = std::time::SystemTime::now();
        let created = cfg
            .clients
            .ecs
            .create_service()
            .cluster(cluster)
            .service_name(name)
            .set_task_definition(plan.task_definition.clone())
            .desired_count(int(plan.desired_count).unwrap_or(1))
            .set_launch_type(
                plan.launch_type
                    .known()
                    .map(|l| LaunchType::from(l.as_str())),
            )
            .set_capacity_provider_strategy((!strategy_items.is_empty()).then_some(strategy_items))
            .set_platform_version(plan.platform_version.known().cloned())
            .set_network_configuration(network(&plan))
            .set_load_balancers(Some(load_balancers(&plan)).filter(|l| !l.is_empty()))
            .deployment_configuration(deployment_configuration(&plan))
            .set_deployment_controller(deployment_controller(&plan))
            .set_health_check_grace_period_seconds(int(plan.health_check_grace_period_seconds))
            .enable_execute_command(plan.enable_execute_command.unwrap_or(false))
            .enable_ecs_managed_tags(plan.enable_ecs_managed_tags.unwrap_or(false))
            .propagate_tags(propagate_tags(&plan))
            .set_tags(aws_tags(&plan))
            .placement(&plan)
            .set_service_connect_configuration(
                plan.service_connect_configuration
                    .as_ref()
                    .map(|c| connect::expand(Some(c))),
            )
            .set_vpc_lattice_configurations(
                Some(connect::expand_lattice(&plan.vpc_lattice_configurations))
                    .filter(|l| !l.is_empty()),
            )
            .set_volume_configurations(
                Some(volumes::expand(plan.volume_configuration.as_ref())).filter(|v| !v.is_empty()),
            )
            .send()
            .await;
        let service = match created {
            Ok(out) => out.service,
            Err(e) => {
                resp.diags.error(
                    "Could not create the ECS service",
                    format!(
                        "CreateService for \"{name}\" in \"{cluster}\" failed: {}",
                        describe(&e)
                    ),
                );
                return;
            }
        };
        let arn = service
            .as_ref()
            .and_then(|s| s.service_arn())
            .unwrap_or_default()
            .to_string();
        // The service exists from here on: keep it in state whatever happens next.
        let created = ServiceModel {
            arn: Attr::Known(arn.clone()),
            id: Attr::Known(arn.clone()),
            ..plan.clone()
        };
        let Some(state) = state_of(&created, &mut resp.diags) else {
            return;
        };
        resp.state = state;
        tracing::info!(service = %arn, "service created");
        let mut pending = None;
        if plan.wait_for_steady_state.unwrap_or(true) {
            let start = deployment_wait::Start {
                service: service.as_ref(),
                started,
                resume: None,
                progress: None,
            };
            match wait_for(
                &cfg,
                &req.ctx,
                &plan,
                start,
                ("create", "creating it"),
                resp,
            )
            .await
            {
                Waited::Done => {}
                Waited::Failed => return,
                Waited::Interrupted(arn) => pending = Some(arn),
            }
        }
        match refresh(&cfg, &req.ctx, &plan).await {
            Ok(Some(refreshed)) => {
                let mut state = keep_planned(refreshed, &plan);
                if let Some(arn) = pending {
                    state.pending_deployment_arn = Attr::Known(arn);
                }
                if let Some(state) = state_of(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => resp.diags.error(
                "The service disappeared",
                format!("{arn} was deleted while it was being created."),
            ),
            Err(e) => resp
                .diags
                .error("Could not read the service after creating it", e),
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<ServiceModel>(&req.state).or_report(&mut resp.diags) else {
            return;
        };
        match refresh(&cfg, &req.ctx, &prior).await {
            Ok(Some(mut state)) => {
                // A deployment an interrupted wait left running that has ended needs no wait.
                if let Some(arn) = deployment::pending(&state.pending_deployment_arn)
                    && !deployment_wait::still_running(&cfg.clients, arn).await
                {
                    state.pending_deployment_arn = Attr::Null;
                }
                if let Some(state) = state_of(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => {
                tracing::info!(service = %prior.name, "service is gone; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error("Could not read the ECS service", e),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let (Some(prior), Some(plan)) = (
            decode::<ServiceModel>(&req.prior).or_report(&mut resp.diags),
            decode::<ServiceModel>(&req.planned).or_report(&mut resp.diags),
        ) else {
            return;
        };
        let (cluster, name) = (&prior.cluster, &prior.name);
        let arn = prior.arn.known().cloned().unwrap_or_default();
        let task_definition = prior.task_definition != plan.task_definition;
        let desired_count = prior.desired_count != plan.desired_count;
        let strategy = prior.capacity_provider_strategy != plan.capacity_provider_strategy;
        let platform_version = prior.platform_version != plan.platform_version;
        let network_configuration = prior.network_configuration != plan.network_configuration;
        let load_balancer = prior.load_balancer != plan.load_balancer;
        let deployment = prior.deployment_minimum_healthy_percent
            != plan.deployment_minimum_healthy_percent
            || prior.deployment_maximum_percent != plan.deployment_maximum_percent
            || prior.deployment_circuit_breaker != plan.deployment_circuit_breaker
            || prior.deployment_configuration != plan.deployment_configuration
            || prior.alarms != plan.alarms;
        let grace =
            prior.health_check_grace_period_seconds != plan.health_check_grace_period_seconds;
        let execute_command = prior.enable_execute_command != plan.enable_execute_command;
        let managed_tags = prior.enable_ecs_managed_tags != plan.enable_ecs_managed_tags;
        let propagate = prior.propagate_tags != plan.propagate_tags;
        let placement = placement::changed(&prior, &plan);
        let service_connect =
            prior.service_connect_configuration != plan.service_connect_configuration;
        let lattice = prior.vpc_lattice_configurations != plan.vpc_lattice_configurations;
        let volume = prior.volume_configuration != plan.volume_configuration;
        let controller_changed = controller_of_model(&prior) != controller_of_model(&plan);
        // Changes of these only redeploy (with `force_new_deployment`).
        let redeploy = prior.triggers != plan.triggers
            || prior.force_new_deployment != plan.force_new_deployment;
        let any_change = [
            task_definition,
            desired_count,
            strategy,
            platform_version,
            network_configuration,
            load_balancer,
            deployment,
            controller_changed,
            grace,
            execute_command,
            managed_tags,
            propagate,
            placement,
            service_connect,
            lattice,
            volume,
            redeploy,
        ]
        .contains(&true);
        let mut updated = None;
        let wait = plan.wait_for_steady_state.unwrap_or(true);
        // An earlier apply's wait was cut short: wait for that deployment first.
        if let Some(pending) = deployment::pending(&prior.pending_deployment_arn).filter(|_| wait) {
            let start = deployment_wait::Start {
                service: None,
                started: std::time::SystemTime::now(),
                resume: Some(pending.to_string()),
                progress: None,
            };
            tracing::info!(service = %name, deployment = %pending, "resuming the wait for a deployment an earlier apply started");
            resp.state = req.prior.clone();
            if wait_for(
                &cfg,
                &req.ctx,
                &plan,
                start,
                ("update", "an earlier apply"),
                resp,
            )
            .await
                != Waited::Done
            {
                return;
            }
        }
        let started = std::time::SystemTime::now();
        if (task_definition || platform_version)
            && let Err(why) = check_platform(&cfg.clients, &plan).await
        {
            resp.diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Platform version too old for this task definition",
                why,
            );
            return;
        }
        if any_change {
            let forced = plan.force_new_deployment.unwrap_or(false) || strategy;
            let mut update = cfg
                .clients
                .ecs
                .update_service()
                .cluster(cluster)
                .service(name)
                .force_new_deployment(forced);
            if task_definition {
                update = update.task_definition(plan.task_definition.clone().unwrap_or_default());
            }
            if desired_count {
                update = update.set_desired_count(int(plan.desired_count));
            }
            if strategy {
                update = update
                    .set_capacity_provider_strategy(Some(strategy::expand(strategy_items(&plan))));
            }
            if platform_version {
                update = update.set_platform_version(plan.platform_version.known().cloned());
            }
            if network_configuration {
                update = update.set_network_configuration(network(&plan));
            }
            if load_balancer {
                update = update.set_load_balancers(Some(load_balancers(&plan)));
            }
            if deployment {
                let mut config = deployment_configuration(&plan);
                // Removed blocks go back to ECS's defaults (UpdateService keeps what is not sent).
                deployment::reset_removed(
                    &mut config,
                    (
                        &prior.deployment_configuration,
                        &plan.deployment_configuration,
                    ),
                    (&prior.alarms, &plan.alarms),
                );
                update = update.deployment_configuration(config);
            }
            if controller_changed {
                update = update.set_deployment_controller(
                    deployment_controller(&plan).or_else(ecs_controller),
                );
            }
            if grace {
                update = update.set_health_check_grace_period_seconds(int(
                    plan.health_check_grace_period_seconds
                ));
            }
            if execute_command {
                update =
                    update.enable_execute_command(plan.enable_execute_command.unwrap_or(false));
            }
            if managed_tags {
                update =
                    update.enable_ecs_managed_tags(plan.enable_ecs_managed_tags.unwrap_or(false));
            }
            if propagate {
                update = update.propagate_tags(propagate_tags(&plan));
            }
            if placement {
                update = update.placement(&prior, &plan);
            }
            if service_connect {
                update = update.service_connect_configuration(connect::expand(
                    plan.service_connect_configuration.as_ref(),
                ));
            }
            if lattice {
                update = update.set_vpc_lattice_configurations(Some(connect::expand_lattice(
                    &plan.vpc_lattice_configurations,
                )));
            }
            if volume {
                update = update.set_volume_configurations(Some(volumes::expand(
                    plan.volume_configuration.as_ref(),
                )));
            }
            match update.send().await {
                Ok(out) => updated = Some(out.service),
                Err(e) => {
                    resp.diags.error(
                        "Could not update the ECS service",
                        format!("UpdateService for \"{name}\" failed: {}", describe(&e)),
                    );
                    return;
                }
            }
        }
        if let Err(e) =
            tags::update_ecs(&cfg.clients, &arn, &tags_all(&prior), &tags_all(&plan)).await
        {
            resp.diags.error("Could not update the service's tags", e);
            return;
        }
        let interim = ServiceModel {
            pending_deployment_arn: Attr::Null,
            ..plan.clone()
        };
        resp.state = state_of(&interim, &mut resp.diags).unwrap_or_else(|| req.planned.clone());
        if let Some(service) = updated.as_ref().filter(|_| wait) {
            let start = deployment_wait::Start {
                service: service.as_ref(),
                started,
                resume: None,
                progress: None,
            };
            if wait_for(
                &cfg,
                &req.ctx,
                &plan,
                start,
                ("update", "updating it"),
                resp,
            )
            .await
                != Waited::Done
            {
                return;
            }
        }
        match refresh(&cfg, &req.ctx, &plan).await {
            Ok(Some(refreshed)) => {
                if let Some(state) = state_of(&keep_planned(refreshed, &plan), &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => resp.diags.error(
                "The service disappeared",
                format!("{arn} was deleted while it was being updated."),
            ),
            Err(e) => resp
                .diags
                .error("Could not read the service after updating it", e),
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let Some(prior) = decode::<ServiceModel>(&req.prior).or_report(diags) else {
            return;
        };
        let (cluster, name) = (&prior.cluster, &prior.name);
        let current = match steady::describe_service(&cfg.clients, cluster, name).await {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                diags.error("Could not read the ECS service", e);
                return;
            }
        };
        match current.status() {
            Some("INACTIVE") => return,
            Some("ACTIVE") => {
                let replica = current
                    .scheduling_strategy()
                    .is_none_or(|s| s.as_str() == "REPLICA");
                let force = prior.force_delete.unwrap_or(false);
                if replica
                    && !force
                    && current.desired_count() > 0
                    && let Err(e) = cfg
                        .clients
                        .ecs
                        .update_service()
                        .cluster(cluster)
                        .service(name)
                        .desired_count(0)
                        .send()
                        .await
                {
                    tracing::warn!(service = %name, error = %describe(&e), "could not scale to 0 before deleting; deleting with force");
                }
                match cfg
                    .clients
                    .ecs
                    .delete_service()
                    .cluster(cluster)
                    .service(name)
                    .force(true)
                    .send()
                    .await
                {
                    Ok(_) => {
                        tracing::info!(service = %name, "service deleted; waiting for it to drain")
                    }
                    Err(e)
                        if matches!(
                            code(&e),
                            Some("ServiceNotFoundException" | "ServiceNotActiveException")
                        ) => {}
                    Err(e) => {
                        diags.error(
                            "Could not delete the ECS service",
                            format!("DeleteService for \"{name}\" failed: {}", describe(&e)),
                        );
                        return;
                    }
                }
            }
            _ => {}
        }
        let timeout = timeout(&prior, "delete");
        match steady::wait_inactive(&cfg.clients, cluster, name, timeout, &req.ctx.cancel).await {
            Ok(()) => {}
            Err(crate::aws::wait::WaitError::Cancelled) => diags.error(
                "Deleting the service interrupted",
                "Terraform asked the provider to stop while the service was draining; it will finish draining on its own.",
            ),
            Err(crate::aws::wait::WaitError::TimedOut { last }) => diags.error(
                format!("Service \"{name}\" did not finish draining"),
                format!("Still not INACTIVE after {}s: {}.", timeout.as_secs(), last.unwrap_or_default()),
            ),
        }
    }

    fn as_validate_config(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn as_modify_plan(&self) -> Option<&dyn ModifyPlan> {
        Some(self)
    }

    fn as_verify_plan(&self) -> Option<&dyn VerifyPlan> {
        Some(self)
    }

    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
    fn as_move_state(&self) -> Option<&dyn crate::framework::move_state::MoveState> {
        Some(&crate::ecs::moves::service::MOVES)
    }

    fn as_generate_config(&self) -> Option<&dyn crate::framework::generate_config::GenerateConfig> {
        Some(self)
    }
    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::SERVICE)
    }
}

/// After apply, what the plan knew comes back as planned (spellings of cluster and task
/// definition, the provider-only arguments).
fn keep_planned(state: ServiceModel, planned: &ServiceModel) -> ServiceModel {
    ServiceModel {
        cluster: planned.cluster.clone(),
        task_definition: planned.task_definition.clone(),
        wait_for_steady_state: planned.wait_for_steady_state,
        force_new_deployment: planned.force_new_deployment,
        triggers: planned.triggers.clone(),
        timeouts: if planned.timeouts.is_known() {
            planned.timeouts.clone()
        } else {
            state.timeouts
        },
        tags: planned.tags.clone(),
        sigint_rollback: planned.sigint_rollback,
        force_delete: planned.force_delete,
        pending_deployment_arn: Attr::Null,
        ..state
    }
}

/// `1.4.0`: three dot-separated numbers.
fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

impl ValidateConfig for ServiceResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        deployment_rules::validate(config, diags);
        let Some(c) = decode::<ServicePlan>(config).or_report(diags) else {
            return;
        };
        if let Some(controller) = controller_of(&c.deployment_controller)
            && controller != "EXTERNAL"
            && c.task_definition.is_null()
        {
            diags.error_at(
                AttrPath::root().attr("task_definition"),
                "task_definition is required",
                format!("A service with the {controller} deployment controller runs a task definition: set `task_definition` (only EXTERNAL services, whose task sets carry it, go without)."),
            );
        }
        let (has_strategy, providers) = planned_providers(&c.capacity_provider_strategy);
        if has_strategy && c.launch_type.is_known() {
            diags.error_at(
                AttrPath::root().attr("launch_type"),
                "launch_type and capacity_provider_strategy exclude each other",
                "A service runs either with a launch type or with a capacity-provider strategy. Remove one of them.",
            );
        }
        strategy::check_single_base(
            Some(&c.capacity_provider_strategy),
            &AttrPath::root().attr("capacity_provider_strategy"),
            diags,
        );
        let fargate = platform::runs_on_fargate(
            c.launch_type.known().map(String::as_str),
            providers.iter().map(String::as_str),
        );
        if let Attr::Known(version) = &c.platform_version
            && version != "LATEST"
            && !is_version(version)
        {
            diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Invalid platform version",
                format!("\"{version}\" is not a Fargate platform version: use \"LATEST\" or a version such as \"1.4.0\"."),
            );
        }
        rules::validate(&c, diags);
        volumes::validate(&c.volume_configuration, diags);
        connect::validate(&c.vpc_lattice_configurations, diags);
        if fargate && c.network_configuration.is_null() {
            diags.error_at(
                AttrPath::root().attr("network_configuration"),
                "Fargate services need network_configuration",
                "Fargate tasks run in awsvpc mode: add a `network_configuration` block with the subnets (and security groups) of the tasks.",
            );
        }
    }
}

#[async_trait]
impl VerifyPlan for ServiceResource {
    async fn verify_plan(&self, ctx: &Ctx, planned: &Value, diags: &mut Diagnostics) {
        let mut quiet = Diagnostics::new();
        let Some(cfg) = ctx.provider::<Configured>(&mut quiet) else {
            return;
        };
        let Some(plan) = decode::<ServicePlan>(planned).or_report(diags) else {
            return;
        };
        let (_, providers) = planned_providers(&plan.capacity_provider_strategy);
        let fargate = platform::runs_on_fargate(
            plan.launch_type.known().map(String::as_str),
            providers.iter().map(String::as_str),
        );
        let platform_version = plan.platform_version.known().map(String::as_str);
        let task_definition = plan.task_definition.known().map(String::as_str);
        let definition = pairing::definition(&cfg.clients, task_definition).await;
        pairing::check(definition.as_ref(), &plan, diags);
        if let Err(why) = platform::check_definition(fargate, platform_version, definition.as_ref())
        {
            diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Platform version too old for this task definition",
                why,
            );
        }
    }
}

impl ModifyPlan for ServiceResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
        let (Some(config), Some(mut plan)) = (
            decode::<ServicePlan>(req.config).or_report(&mut resp.diags),
            decode::<ServicePlan>(&resp.planned).or_report(&mut resp.diags),
        ) else {
            return;
        };
        // With a capacity-provider strategy there is no launch type (AWS reports none).
        let (has_strategy, _) = planned_providers(&plan.capacity_provider_strategy);
        if has_strategy && config.launch_type.is_null() {
            plan.launch_type = Attr::Null;
        }
        if !req.prior.is_null() {
            let Some(prior) = decode::<ServicePlan>(req.prior).or_report(&mut resp.diags) else {
                return;
            };
            // Another spelling of the same cluster is no change (replacement is decided below).
            if let (Attr::Known(new), Attr::Known(old)) = (&plan.cluster, &prior.cluster)
                && remote::same_cluster(new, old)
            {
                plan.cluster = prior.cluster.clone();
            }
            if let (Attr::Known(new), Attr::Known(old)) =
                (&plan.task_definition, &prior.task_definition)
                && new != old
                && remote::same_revision(new, old)
            {
                plan.task_definition = prior.task_definition.clone();
            }
            // A wait an earlier apply left unfinished makes this apply an update that waits.
            if deployment::pending(&prior.pending_deployment_arn).is_some()
                && config.wait_for_steady_state.as_bool() != Some(false)
            {
                plan.pending_deployment_arn = Attr::Unknown;
            }
            // A new strategy may move the tasks to or from Fargate, where AWS reports a platform.
            if plan.capacity_provider_strategy != prior.capacity_provider_strategy
                && config.platform_version.is_null()
            {
                plan.platform_version = Attr::Unknown;
            }
        }
        let prior = decode::<ServicePlan>(req.prior)
            .ok()
            .filter(|_| !req.prior.is_null());
        rules::plan(&config, prior.as_ref(), &mut plan);
        let Some(planned) = encode(&plan, &STATE_TYPE).or_report(&mut resp.diags) else {
            return;
        };
        resp.planned = planned;
        if req.prior.is_null() {
            return;
        }
        deployment_rules::check_plan(req.prior, &resp.planned, &mut resp.diags);
        // Another cluster (or one not known yet, e.g. the ARN of a cluster being replaced)
        // replaces the service.
        resp.replace_if(
            AttrPath::root().attr("cluster"),
            req.prior,
            |old, new| match (old.as_str(), new.as_str()) {
                (Some(a), Some(b)) => !remote::same_cluster(a, b),
                _ => old != new,
            },
        );
        resp.replace_if(
            AttrPath::root().attr("iam_role"),
            req.prior,
            rules::role_differs,
        );
        // No block and `type = "ECS"` are the same controller; ECS moves a service between
        // controllers in place only along the transitions it allows.
        resp.replace_if(
            AttrPath::root().attr("deployment_controller"),
            req.prior,
            |old, new| {
                deployment::controller_change_replaces(
                    controller_of(old).as_deref(),
                    controller_of(new).as_deref(),
                )
            },
        );
    }
}

#[async_trait]
impl ImportState for ServiceResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        // `cluster/service` or arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE.
        let id = req.id.trim();
        let path = id.rsplit_once(":service/").map(|(_, p)| p).unwrap_or(id);
        let Some((cluster, name)) = path
            .split_once('/')
            .filter(|(c, n)| !c.is_empty() && !n.is_empty() && !n.contains('/'))
        else {
            resp.diags.error(
                "Invalid import ID",
                format!("\"{id}\" is neither CLUSTER/SERVICE nor a service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE)."),
            );
            return;
        };
        let imported = ServiceModel::imported(name_of(cluster).to_string(), name.to_string());
        if let Some(state) = state_of(&imported, &mut resp.diags) {
            resp.state = state;
        }
    }
}
