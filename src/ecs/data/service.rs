//! Data source `ecs_service`: a service as the resource exposes it, plus its live counts.

use crate::framework::model::Set;
use async_trait::async_trait;
use aws_sdk_ecs::types::Service;
use serde::{Deserialize, Serialize};

use crate::ecs::configured::Configured;
use crate::ecs::service::connect::{LatticeModel, ServiceConnectModel};
use crate::ecs::service::deployment::{AlarmsModel, ConfigurationModel};
use crate::ecs::service::placement::{ConstraintModel, RegistryModel, StrategyModel};
use crate::ecs::service::schema::{
    CircuitBreakerModel, ControllerModel, LoadBalancerModel, NetworkModel, ServiceModel, schema,
};
use crate::ecs::service::volumes::VolumeModel;
use crate::ecs::service::{remote, steady::describe_service};
use crate::ecs::strategy::StrategyItem;
use crate::ecs::tags::Tags;
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::{Attribute, Nesting, Schema};
use crate::framework::value::AttrPath;

pub struct ServiceDataSource;

/// Resource arguments that only steer the provider; a data source has none of them.
const PROVIDER_ONLY: &[&str] = &[
    "wait_for_steady_state",
    "force_new_deployment",
    "triggers",
    "tags_all",
    "sigint_rollback",
    "force_delete",
    "pending_deployment_arn",
];

#[async_trait]
impl DataSource for ServiceDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_service"
    }

    fn schema(&self) -> Schema {
        let mut block = schema().block.read_only_except(&["name", "cluster"]);
        block
            .attributes
            .retain(|a| !PROVIDER_ONLY.contains(&a.name.as_str()));
        block.description = "Looks up an ECS service by cluster and name.".into();
        for (name, what) in [
            ("running_count", "Tasks running now."),
            ("pending_count", "Tasks starting now."),
        ] {
            block
                .attributes
                .push(Attribute::number(name).computed().description(what));
        }
        block.attributes.push(
            Attribute::string("status")
                .computed()
                .description("`ACTIVE`, `DRAINING` or `INACTIVE`."),
        );
        block.attributes.push(current_deployment_attribute());
        Schema::new(block)
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let Some(config) = decode::<ServiceLookup>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let (cluster, name) = (&config.cluster, &config.name);
        let service = match describe_service(&cfg.clients, cluster, name).await {
            Ok(Some(s)) if s.status() != Some("INACTIVE") => s,
            Ok(_) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Service not found",
                    format!("No active service \"{name}\" exists in cluster \"{cluster}\"."),
                );
                return;
            }
            Err(e) => {
                resp.diags.error("Could not read the service", e);
                return;
            }
        };
        // The configuration names the service and nothing else: read it as a fresh import.
        let prior = ServiceModel::imported(config.cluster.clone(), config.name.clone());
        let model = remote::flatten(&service, &prior, &Default::default(), None);
        let mut state = ServiceDataModel::of(model, &service);
        state.current_deployment = current_deployment(&cfg.clients, cluster, name, &service).await;
        if let Some(state) =
            encode(&state, &self.schema().implied_type()).or_report(&mut resp.diags)
        {
            resp.state = state;
        }
    }
}

/// What the configuration gives: where to look.
#[derive(Deserialize)]
struct ServiceLookup {
    cluster: String,
    name: String,
}

/// The data source's state: the resource's attributes without the provider-only ones, and the
/// live counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceDataModel {
    pub name: String,
    pub cluster: String,
    pub task_definition: Option<String>,
    pub desired_count: Option<i64>,
    pub launch_type: Attr<String>,
    pub platform_version: Attr<String>,
    pub deployment_minimum_healthy_percent: Option<i64>,
    pub deployment_maximum_percent: Option<i64>,
    pub health_check_grace_period_seconds: Option<i64>,
    pub enable_execute_command: Option<bool>,
    pub enable_ecs_managed_tags: Option<bool>,
    pub propagate_tags: Option<String>,
    pub tags: Option<Tags>,
    pub arn: Attr<String>,
    pub id: Attr<String>,
    pub capacity_provider_strategy: Attr<Set<StrategyItem>>,
    pub network_configuration: Option<NetworkModel>,
    pub load_balancer: Set<LoadBalancerModel>,
    pub deployment_circuit_breaker: Option<CircuitBreakerModel>,
    pub deployment_controller: Option<ControllerModel>,
    pub scheduling_strategy: Option<String>,
    pub availability_zone_rebalancing: Attr<String>,
    pub iam_role: Attr<String>,
    pub ordered_placement_strategy: Vec<StrategyModel>,
    pub placement_constraints: Set<ConstraintModel>,
    pub service_registries: Option<RegistryModel>,
    pub service_connect_configuration: Option<ServiceConnectModel>,
    pub vpc_lattice_configurations: Set<LatticeModel>,
    pub volume_configuration: Option<VolumeModel>,
    pub deployment_configuration: Option<ConfigurationModel>,
    pub alarms: Option<AlarmsModel>,
    pub running_count: i64,
    pub pending_count: i64,
    pub status: Option<String>,
    pub current_deployment: Option<CurrentDeployment>,
}

/// The service's PRIMARY deployment as ECS reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentDeployment {
    pub id: String,
    pub arn: Option<String>,
    pub status: Option<String>,
    pub strategy: Option<String>,
    pub stage: Option<String>,
}

fn current_deployment_attribute() -> Attribute {
    let field = |name: &str, what: &str| Attribute::string(name).computed().description(what);
    Attribute::nested(
        "current_deployment",
        Nesting::Single,
        vec![
            field("id", "The PRIMARY deployment's id (`ecs-svc/…`)."),
            field("arn", "Its service deployment ARN (null where ECS reports none, e.g. CODE_DEPLOY services)."),
            field("status", "The service deployment's status (`IN_PROGRESS`, `SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, …), else the deployment's rollout state."),
            field("strategy", "`ROLLING`, `BLUE_GREEN`, `LINEAR` or `CANARY`."),
            field("stage", "The lifecycle stage (`SCALE_UP`, `BAKE_TIME`, …) of blue/green, linear and canary deployments."),
        ],
    )
    .computed()
    .description("The deployment the service runs now: the PRIMARY deployment and its service deployment (DescribeServiceDeployments). Null for services without deployments.")
}

/// The PRIMARY deployment of `service` with its service deployment, when ECS reports one.
async fn current_deployment(
    clients: &crate::aws::Clients,
    cluster: &str,
    name: &str,
    service: &Service,
) -> Option<CurrentDeployment> {
    let primary = service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))?;
    let id = primary.id()?.to_string();
    let number = id.rsplit('/').next().unwrap_or(&id).to_string();
    let strategy = service
        .deployment_configuration()
        .and_then(|c| c.strategy())
        .map_or("ROLLING", |s| s.as_str())
        .to_string();
    let mut current = CurrentDeployment {
        id,
        arn: None,
        status: primary.rollout_state().map(|r| r.as_str().to_string()),
        strategy: Some(strategy),
        stage: None,
    };
    // Endpoints without service deployments report the rollout state only.
    let Ok(listed) = clients
        .ecs
        .list_service_deployments()
        .cluster(cluster)
        .service(name)
        .send()
        .await
    else {
        return Some(current);
    };
    let suffix = format!("/{number}");
    let arn = listed
        .service_deployments()
        .iter()
        .find(|b| {
            b.target_service_revision_arn()
                .is_some_and(|a| a.ends_with(&suffix))
        })
        .and_then(|b| b.service_deployment_arn());
    let Some(arn) = arn else {
        return Some(current);
    };
    current.arn = Some(arn.to_string());
    if let Ok(out) = clients
        .ecs
        .describe_service_deployments()
        .service_deployment_arns(arn)
        .send()
        .await
        && let Some(d) = out.service_deployments().first()
    {
        current.status = d.status().map(|s| s.as_str().to_string());
        current.stage = d.lifecycle_stage().map(|s| s.as_str().to_string());
    }
    Some(current)
}

impl ServiceDataModel {
    fn of(m: ServiceModel, service: &Service) -> Self {
        Self {
            name: m.name,
            cluster: m.cluster,
            task_definition: m.task_definition,
            desired_count: m.desired_count,
            launch_type: m.launch_type,
            platform_version: m.platform_version,
            deployment_minimum_healthy_percent: m.deployment_minimum_healthy_percent,
            deployment_maximum_percent: m.deployment_maximum_percent,
            health_check_grace_period_seconds: m.health_check_grace_period_seconds,
            enable_execute_command: m.enable_execute_command,
            enable_ecs_managed_tags: m.enable_ecs_managed_tags,
            propagate_tags: m.propagate_tags,
            tags: m.tags,
            arn: m.arn,
            id: m.id,
            capacity_provider_strategy: m.capacity_provider_strategy,
            network_configuration: m.network_configuration,
            load_balancer: m.load_balancer,
            deployment_circuit_breaker: m.deployment_circuit_breaker,
            deployment_controller: m.deployment_controller,
            scheduling_strategy: m.scheduling_strategy,
            availability_zone_rebalancing: m.availability_zone_rebalancing,
            iam_role: m.iam_role,
            ordered_placement_strategy: m.ordered_placement_strategy,
            placement_constraints: m.placement_constraints,
            service_registries: m.service_registries,
            service_connect_configuration: m.service_connect_configuration,
            vpc_lattice_configurations: m.vpc_lattice_configurations,
            volume_configuration: m.volume_configuration,
            deployment_configuration: m.deployment_configuration,
            alarms: m.alarms,
            running_count: i64::from(service.running_count()),
            pending_count: i64::from(service.pending_count()),
            status: service.status().map(str::to_string),
            current_deployment: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees_with_the_schema() {
        assert_model_agrees::<ServiceDataModel>(&ServiceDataSource.schema());
    }
}
