//! `ecs_service`: a long-running service with real deployments. Create and update wait for
//! steady state ([`steady`]); delete scales to zero, deletes and waits for INACTIVE.

mod platform;
pub(crate) mod remote;
pub(crate) mod schema;
pub(crate) mod steady;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration,
    DeploymentController, DeploymentControllerType, LaunchType, LoadBalancer, NetworkConfiguration,
    PropagateTags, Service, Tag,
};

use super::arn::name_of;
use super::configured::Configured;
use super::model::{block, boolean, object, set, string, string_map};
use super::strategy;
use super::tags;
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig, VerifyPlan,
};
use crate::framework::schema::Schema;
use crate::framework::value::AttrPath;
use crate::framework::{Ctx, Diagnostics, Value, timeouts};
use steady::SteadyError;

pub struct ServiceResource;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

fn int(object: &Value, name: &str) -> Option<i32> {
    object
        .get(name)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
}

fn strings(object: &Value, name: &str) -> Option<Vec<String>> {
    let items = object.get(name)?.elements()?;
    Some(
        items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

fn network(planned: &Value) -> Option<NetworkConfiguration> {
    let n = block(planned, "network_configuration")?;
    let public = if boolean(n, "assign_public_ip").unwrap_or(false) {
        AssignPublicIp::Enabled
    } else {
        AssignPublicIp::Disabled
    };
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(strings(n, "subnets"))
        .set_security_groups(strings(n, "security_groups"))
        .assign_public_ip(public)
        .build()
        .ok()?;
    Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    )
}

fn load_balancers(planned: &Value) -> Vec<LoadBalancer> {
    planned
        .get("load_balancer")
        .and_then(Value::elements)
        .unwrap_or_default()
        .iter()
        .map(|lb| {
            LoadBalancer::builder()
                .set_target_group_arn(string(lb, "target_group_arn").map(str::to_string))
                .set_load_balancer_name(string(lb, "elb_name").map(str::to_string))
                .set_container_name(string(lb, "container_name").map(str::to_string))
                .set_container_port(int(lb, "container_port"))
                .build()
        })
        .collect()
}

fn deployment_configuration(planned: &Value) -> DeploymentConfiguration {
    let breaker = block(planned, "deployment_circuit_breaker").map(|b| {
        DeploymentCircuitBreaker::builder()
            .enable(boolean(b, "enable").unwrap_or(false))
            .rollback(boolean(b, "rollback").unwrap_or(false))
            .build()
    });
    DeploymentConfiguration::builder()
        .set_minimum_healthy_percent(int(planned, "deployment_minimum_healthy_percent"))
        .set_maximum_percent(int(planned, "deployment_maximum_percent"))
        .set_deployment_circuit_breaker(breaker)
        .build()
}

fn aws_tags(planned: &Value) -> Option<Vec<Tag>> {
    let all = string_map(planned, "tags_all").unwrap_or_default();
    (!all.is_empty()).then(|| tags::ecs_tags(&all))
}

fn cluster_and_name(state: &Value) -> (String, String) {
    (
        string(state, "cluster").unwrap_or_default().to_string(),
        string(state, "name").unwrap_or_default().to_string(),
    )
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

async fn refresh(
    cfg: &Configured,
    ctx: &Ctx,
    state: &mut Value,
    prior: &Value,
) -> Result<bool, String> {
    let (cluster, name) = cluster_and_name(prior);
    let others = ctx.in_read_burst();
    let Some(service) = cfg
        .clients
        .batch
        .services
        .get(&cluster, &name, others)
        .await?
    else {
        return Ok(false);
    };
    if matches!(service.status(), Some("INACTIVE" | "DRAINING")) {
        return Ok(false);
    }
    let latest = latest_of_family(&cfg.clients, string(prior, "task_definition")).await;
    let default_tags = cfg.default_tags.clone().unwrap_or_default();
    let inherited = match remote::placement_choice(prior) {
        remote::Placement::ClusterDefault => true,
        remote::Placement::Configured => false,
        // Imported: the strategy is the cluster's when it equals the cluster's default.
        remote::Placement::Unknown => {
            inherits_cluster_default(cfg, &service, &cluster, others).await
        }
    };
    remote::apply(state, &service, prior, &default_tags, latest.as_deref());
    if inherited {
        set(state, "capacity_provider_strategy", Value::set([]));
    }
    Ok(true)
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
        SteadyError::Gone => diags.error(
            format!("Service \"{name}\" disappeared"),
            format!("The service was deleted while waiting after {what}."),
        ),
    }
}

fn primary_deployment(service: Option<&Service>) -> Option<String> {
    service?
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .map(str::to_string)
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
        let p = &req.planned;
        let (cluster, name) = cluster_and_name(p);
        // The task definition may have been unknown at plan time.
        if let Err(why) = platform::check(&cfg.clients, p).await {
            resp.diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Platform version too old for this task definition",
                why,
            );
            return;
        }
        let strategy_items = strategy::to_sdk(p.get("capacity_provider_strategy"));
        let controller = block(p, "deployment_controller")
            .and_then(|c| string(c, "type"))
            .map(|t| {
                DeploymentController::builder()
                    .r#type(DeploymentControllerType::from(t))
                    .build()
            })
            .transpose()
            .ok()
            .flatten();
        let created = cfg
            .clients
            .ecs
            .create_service()
            .cluster(&cluster)
            .service_name(&name)
            .set_task_definition(string(p, "task_definition").map(str::to_string))
            .desired_count(int(p, "desired_count").unwrap_or(1))
            .set_launch_type(string(p, "launch_type").map(LaunchType::from))
            .set_capacity_provider_strategy((!strategy_items.is_empty()).then_some(strategy_items))
            .set_platform_version(string(p, "platform_version").map(str::to_string))
            .set_network_configuration(network(p))
            .set_load_balancers(Some(load_balancers(p)).filter(|l| !l.is_empty()))
            .deployment_configuration(deployment_configuration(p))
            .set_deployment_controller(controller)
            .set_health_check_grace_period_seconds(int(p, "health_check_grace_period_seconds"))
            .enable_execute_command(boolean(p, "enable_execute_command").unwrap_or(false))
            .enable_ecs_managed_tags(boolean(p, "enable_ecs_managed_tags").unwrap_or(false))
            .propagate_tags(PropagateTags::from(
                string(p, "propagate_tags").unwrap_or("NONE"),
            ))
            .set_tags(aws_tags(p))
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
        let mut state = p.clone();
        set(&mut state, "arn", Value::string(&arn));
        set(&mut state, "id", Value::string(&arn));
        resp.state = state;
        tracing::info!(service = %arn, "service created");
        if boolean(p, "wait_for_steady_state").unwrap_or(true) {
            let timeout = timeouts::get(p, "create", DEFAULT_TIMEOUT);
            let deployment = primary_deployment(service.as_ref());
            if let Err(e) = steady::wait_steady(
                &cfg.clients,
                &cluster,
                &name,
                deployment.as_deref(),
                timeout,
                &req.ctx.cancel,
            )
            .await
            {
                steady_error(&mut resp.diags, &name, "creating it", e);
                return;
            }
        }
        let planned = p.clone();
        let mut refreshed = resp.state.clone();
        match refresh(&cfg, &req.ctx, &mut refreshed, &planned).await {
            Ok(true) => {
                keep_planned(&mut refreshed, &planned);
                resp.state = refreshed;
            }
            Ok(false) => resp.diags.error(
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
        let prior = req.state.clone();
        match refresh(&cfg, &req.ctx, &mut resp.state, &prior).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(service = %string(&prior, "name").unwrap_or_default(), "service is gone; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error("Could not read the ECS service", e),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let (prior, p) = (&req.prior, &req.planned);
        let (cluster, name) = cluster_and_name(prior);
        let arn = string(prior, "arn").unwrap_or_default().to_string();
        let changed = |attr: &str| prior.get(attr) != p.get(attr);
        let service_attrs = [
            "task_definition",
            "desired_count",
            "capacity_provider_strategy",
            "platform_version",
            "network_configuration",
            "load_balancer",
            "deployment_minimum_healthy_percent",
            "deployment_maximum_percent",
            "deployment_circuit_breaker",
            "health_check_grace_period_seconds",
            "enable_execute_command",
            "enable_ecs_managed_tags",
            "propagate_tags",
            "triggers",
            "force_new_deployment",
        ];
        let mut deployment = None;
        if (changed("task_definition") || changed("platform_version"))
            && let Err(why) = platform::check(&cfg.clients, p).await
        {
            resp.diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Platform version too old for this task definition",
                why,
            );
            return;
        }
        if service_attrs.iter().any(|a| changed(a)) {
            let forced = boolean(p, "force_new_deployment").unwrap_or(false)
                || changed("capacity_provider_strategy");
            let mut update = cfg
                .clients
                .ecs
                .update_service()
                .cluster(&cluster)
                .service(&name)
                .force_new_deployment(forced);
            if changed("task_definition") {
                update = update.task_definition(string(p, "task_definition").unwrap_or_default());
            }
            if changed("desired_count") {
                update = update.set_desired_count(int(p, "desired_count"));
            }
            if changed("capacity_provider_strategy") {
                update = update.set_capacity_provider_strategy(Some(strategy::to_sdk(
                    p.get("capacity_provider_strategy"),
                )));
            }
            if changed("platform_version") {
                update =
                    update.set_platform_version(string(p, "platform_version").map(str::to_string));
            }
            if changed("network_configuration") {
                update = update.set_network_configuration(network(p));
            }
            if changed("load_balancer") {
                update = update.set_load_balancers(Some(load_balancers(p)));
            }
            if [
                "deployment_minimum_healthy_percent",
                "deployment_maximum_percent",
                "deployment_circuit_breaker",
            ]
            .iter()
            .any(|a| changed(a))
            {
                update = update.deployment_configuration(deployment_configuration(p));
            }
            if changed("health_check_grace_period_seconds") {
                update = update.set_health_check_grace_period_seconds(int(
                    p,
                    "health_check_grace_period_seconds",
                ));
            }
            if changed("enable_execute_command") {
                update = update
                    .enable_execute_command(boolean(p, "enable_execute_command").unwrap_or(false));
            }
            if changed("enable_ecs_managed_tags") {
                update = update.enable_ecs_managed_tags(
                    boolean(p, "enable_ecs_managed_tags").unwrap_or(false),
                );
            }
            if changed("propagate_tags") {
                update = update.propagate_tags(PropagateTags::from(
                    string(p, "propagate_tags").unwrap_or("NONE"),
                ));
            }
            match update.send().await {
                Ok(out) => deployment = primary_deployment(out.service.as_ref()),
                Err(e) => {
                    resp.diags.error(
                        "Could not update the ECS service",
                        format!("UpdateService for \"{name}\" failed: {}", describe(&e)),
                    );
                    return;
                }
            }
        }
        let (old, new) = (
            string_map(prior, "tags_all").unwrap_or_default(),
            string_map(p, "tags_all").unwrap_or_default(),
        );
        if let Err(e) = tags::update_ecs(&cfg.clients, &arn, &old, &new).await {
            resp.diags.error("Could not update the service's tags", e);
            return;
        }
        resp.state = p.clone();
        if deployment.is_some() && boolean(p, "wait_for_steady_state").unwrap_or(true) {
            let timeout = timeouts::get(p, "update", DEFAULT_TIMEOUT);
            if let Err(e) = steady::wait_steady(
                &cfg.clients,
                &cluster,
                &name,
                deployment.as_deref(),
                timeout,
                &req.ctx.cancel,
            )
            .await
            {
                steady_error(&mut resp.diags, &name, "updating it", e);
                return;
            }
        }
        let mut refreshed = p.clone();
        match refresh(&cfg, &req.ctx, &mut refreshed, p).await {
            Ok(true) => {
                keep_planned(&mut refreshed, p);
                resp.state = refreshed;
            }
            Ok(false) => resp.diags.error(
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
        let (cluster, name) = cluster_and_name(&req.prior);
        let current = match steady::describe_service(&cfg.clients, &cluster, &name).await {
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
                if replica
                    && current.desired_count() > 0
                    && let Err(e) = cfg
                        .clients
                        .ecs
                        .update_service()
                        .cluster(&cluster)
                        .service(&name)
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
                    .cluster(&cluster)
                    .service(&name)
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
        let timeout = timeouts::get(&req.prior, "delete", DEFAULT_TIMEOUT);
        match steady::wait_inactive(&cfg.clients, &cluster, &name, timeout, &req.ctx.cancel).await {
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
}

/// After apply, what the plan knew comes back as planned (spellings of cluster and task
/// definition, the provider-only arguments).
fn keep_planned(state: &mut Value, planned: &Value) {
    for name in [
        "cluster",
        "task_definition",
        "wait_for_steady_state",
        "force_new_deployment",
        "triggers",
        "timeouts",
        "tags",
    ] {
        if let Some(v) = planned.get(name).filter(|v| v.is_known()) {
            set(state, name, v.clone());
        }
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
        let controller = config.get("deployment_controller").map(controller_of);
        if let Some(Some(controller)) = controller
            && controller != "EXTERNAL"
            && config.get("task_definition").is_some_and(Value::is_null)
        {
            diags.error_at(
                AttrPath::root().attr("task_definition"),
                "task_definition is required",
                format!("A service with the {controller} deployment controller runs a task definition: set `task_definition` (only EXTERNAL services, whose task sets carry it, go without)."),
            );
        }
        let strategy = config.get("capacity_provider_strategy");
        let has_strategy = strategy
            .and_then(Value::elements)
            .is_some_and(|s| !s.is_empty());
        let launch = config.get("launch_type");
        if has_strategy && launch.is_some_and(|l| l.is_known() && !l.is_null()) {
            diags.error_at(
                AttrPath::root().attr("launch_type"),
                "launch_type and capacity_provider_strategy exclude each other",
                "A service runs either with a launch type or with a capacity-provider strategy. Remove one of them.",
            );
        }
        strategy::check_single_base(
            strategy,
            &AttrPath::root().attr("capacity_provider_strategy"),
            diags,
        );
        let fargate = launch.and_then(Value::as_str) == Some("FARGATE")
            || strategy
                .and_then(Value::elements)
                .unwrap_or_default()
                .iter()
                .any(|i| string(i, "capacity_provider").is_some_and(|p| p.starts_with("FARGATE")));
        if let Some(version) = string(config, "platform_version")
            && version != "LATEST"
            && !is_version(version)
        {
            diags.error_at(
                AttrPath::root().attr("platform_version"),
                "Invalid platform version",
                format!("\"{version}\" is not a Fargate platform version: use \"LATEST\" or a version such as \"1.4.0\"."),
            );
        }
        let network = config.get("network_configuration");
        if fargate && network.is_some_and(|n| n.is_known() && n.is_null()) {
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
        if let Err(why) = platform::check(&cfg.clients, planned).await {
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
        // With a capacity-provider strategy there is no launch type (AWS reports none).
        let has_strategy = resp
            .planned
            .get("capacity_provider_strategy")
            .and_then(Value::elements)
            .is_some_and(|s| !s.is_empty());
        if has_strategy && req.config.get("launch_type").is_some_and(Value::is_null) {
            set(&mut resp.planned, "launch_type", Value::Null);
        }
        if req.prior.is_null() {
            return;
        }
        // The cluster: another spelling of the same cluster is no change; another cluster
        // (or one not known yet, e.g. the ARN of a cluster being replaced) replaces the service.
        if let (Some(new), Some(old)) = (
            string(&resp.planned, "cluster"),
            string(req.prior, "cluster"),
        ) && remote::same_cluster(new, old)
        {
            let old = old.to_string();
            set(&mut resp.planned, "cluster", Value::string(old));
        }
        resp.replace_if(
            AttrPath::root().attr("cluster"),
            req.prior,
            |old, new| match (old.as_str(), new.as_str()) {
                (Some(a), Some(b)) => !remote::same_cluster(a, b),
                _ => old != new,
            },
        );
        if let (Some(new), Some(old)) = (
            string(&resp.planned, "task_definition"),
            string(req.prior, "task_definition"),
        ) && new != old
            && remote::same_revision(new, old)
        {
            let old = old.to_string();
            set(&mut resp.planned, "task_definition", Value::string(old));
        }
        // A new strategy may move the tasks to or from Fargate, where AWS reports a platform.
        if resp.planned.get("capacity_provider_strategy")
            != req.prior.get("capacity_provider_strategy")
            && req
                .config
                .get("platform_version")
                .is_some_and(Value::is_null)
        {
            set(&mut resp.planned, "platform_version", Value::Unknown);
        }
        // No block and `type = "ECS"` are the same controller; any other change replaces.
        resp.replace_if(
            AttrPath::root().attr("deployment_controller"),
            req.prior,
            |old, new| controller_of(old) != controller_of(new),
        );
    }
}

/// The deployment controller a `deployment_controller` block value stands for.
fn controller_of(block: &Value) -> Option<&str> {
    if block.is_null() {
        return Some("ECS");
    }
    match block.get("type") {
        Some(Value::Null) | None => Some("ECS"),
        Some(t) => t.as_str(),
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
        resp.state = object([
            ("cluster", Value::string(name_of(cluster))),
            ("name", Value::string(name)),
            ("tags", Value::Null),
        ]);
    }
}
