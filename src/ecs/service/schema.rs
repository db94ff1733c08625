//! The schema of `ecs_service`.

use crate::framework::model::Set;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::connect::{self, LatticeModel, ServiceConnectModel};
use super::placement::{ConstraintModel, RegistryModel, StrategyModel};
use super::volumes::{self, VolumeModel};
use crate::ecs::arn::is_name_char;
use crate::ecs::strategy::{self, StrategyItem};
use crate::ecs::tags::{self, Tags};
use crate::framework::model::{Attr, decode};
use crate::framework::schema::validators::{Chars, IntBetween, Length, OneOf};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::{Value, timeouts};

use super::deployment::{self, AdvancedModel, AlarmsModel, ConfigurationModel};

pub fn schema() -> Schema {
    let network = Block::new()
        .description("The VPC settings of `awsvpc` tasks (always needed on Fargate).")
        .attribute(
            Attribute::string_set("subnets")
                .required()
                .description("Subnets the tasks run in."),
        )
        .attribute(
            Attribute::string_set("security_groups")
                .optional()
                .description("Security groups of the tasks; the VPC's default group when unset."),
        )
        .attribute(
            Attribute::bool("assign_public_ip")
                .optional()
                .default(Value::Bool(false))
                .description(
                    "Give each task a public IP (Fargate in public subnets). Default false.",
                ),
        );
    let load_balancer = Block::new()
        .description("A load balancer target group the service registers its tasks with.")
        .attribute(
            Attribute::string("target_group_arn")
                .optional()
                .description("Target group ARN (Application or Network Load Balancer)."),
        )
        .attribute(
            Attribute::string("elb_name")
                .optional()
                .description("Name of a Classic Load Balancer."),
        )
        .attribute(
            Attribute::string("container_name")
                .required()
                .description("Container that receives the traffic."),
        )
        .attribute(
            Attribute::number("container_port")
                .required()
                .validate(IntBetween { min: 1, max: 65535 })
                .description("Port of that container."),
        )
        .block(deployment::advanced_configuration_block());
    let circuit_breaker = Block::new()
        .description("Stop a deployment whose tasks keep failing, and optionally roll back.")
        .attribute(
            Attribute::bool("enable")
                .required()
                .description("Turn the circuit breaker on."),
        )
        .attribute(
            Attribute::bool("rollback")
                .required()
                .description("Roll back to the last completed deployment when it trips."),
        );
    let controller = Block::new().description("Who runs deployments.").attribute(
        Attribute::string("type")
            .optional()
            .default(Value::string("ECS"))
            .validate(OneOf(&["ECS", "CODE_DEPLOY", "EXTERNAL"]))
            .description("`ECS` (rolling updates, the default), `CODE_DEPLOY` or `EXTERNAL`."),
    );
    let schema = Schema::new(deployment::extend(
        Block::new()
            .description("An ECS service: keeps `desired_count` tasks of a task definition running. Create and update wait until the deployment is steady (unless `wait_for_steady_state = false`) and fail at once when a deployment circuit breaker trips; destroy scales to zero, deletes and waits until the service is gone.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 255 })
                    .validate(Chars { allowed: is_name_char, alphabet: "letters, digits, hyphens (-) and underscores (_)" })
                    .description("Name of the service: 1 to 255 letters, digits, hyphens and underscores. Changing it replaces the service."),
            )
            .attribute(Attribute::string("cluster").required().description("Cluster name or ARN (either spelling of the same cluster is no change). Changing the cluster replaces the service."))
            .attribute(Attribute::string("task_definition").optional().description("Task definition as `family` (latest ACTIVE revision), `family:revision` or ARN; the same revision in another spelling is no change. Required unless `deployment_controller { type = \"EXTERNAL\" }`, whose task sets carry the task definition."))
            .attribute(
                Attribute::number("desired_count")
                    .optional()
                    .default(Value::number_i64(1))
                    .validate(IntBetween { min: 0, max: 100_000 })
                    .description("Number of tasks to keep running. Default 1. A change made outside Terraform shows in the plan."),
            )
            .attribute(
                Attribute::string("launch_type")
                    .optional()
                    .computed()
                    .use_state_for_unknown_including_null()
                    .requires_replace()
                    .validate(OneOf(&["FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES"]))
                    .description("`FARGATE`, `EC2`, `EXTERNAL` or `MANAGED_INSTANCES`; not with `capacity_provider_strategy`. Unset, the cluster's default capacity-provider strategy applies when the cluster has one (AWS then reports no launch type and this stays null), otherwise `EC2`. Changing it replaces the service."),
            )
            .attribute(
                Attribute::string("platform_version")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .description("Fargate platform version, `LATEST` (what AWS reports when unset) or e.g. `1.4.0`."),
            )
            .attribute(
                Attribute::number("deployment_minimum_healthy_percent")
                    .optional()
                    .default(Value::number_i64(100))
                    .validate(IntBetween { min: 0, max: 100 })
                    .description("Lower bound of running tasks during a deployment, in percent of `desired_count`. Default 100."),
            )
            .attribute(
                Attribute::number("deployment_maximum_percent")
                    .optional()
                    .default(Value::number_i64(200))
                    .validate(IntBetween { min: 100, max: 200 })
                    .description("Upper bound of tasks during a deployment, in percent of `desired_count`. Default 200."),
            )
            .attribute(Attribute::number("health_check_grace_period_seconds").optional().validate(IntBetween { min: 0, max: 2_147_483_647 }).description("Seconds to ignore load-balancer health checks after a task starts."))
            .attribute(Attribute::bool("enable_execute_command").optional().default(Value::Bool(false)).description("Allow `aws ecs execute-command` into the tasks. Default false."))
            .attribute(Attribute::bool("enable_ecs_managed_tags").optional().default(Value::Bool(false)).description("Let ECS tag the tasks with cluster and service names. Default false."))
            .attribute(
                Attribute::string("propagate_tags")
                    .optional()
                    .default(Value::string("NONE"))
                    .validate(OneOf(&["NONE", "SERVICE", "TASK_DEFINITION"]))
                    .description("Copy tags to the tasks from `SERVICE` or `TASK_DEFINITION`; `NONE` (default) copies none."),
            )
            .attribute(Attribute::bool("wait_for_steady_state").optional().default(Value::Bool(true)).description("Create and update wait until the deployment completes (running = desired, one deployment). Default true."))
            .attribute(Attribute::bool("force_new_deployment").optional().default(Value::Bool(false)).description("Every update starts a new deployment, even when nothing the tasks see changed (e.g. to pull a moved image tag). Use with `triggers`."))
            .attribute(Attribute::string_map("triggers").optional().description("Any values; changing one updates the service in place (with `force_new_deployment`, a redeploy on demand)."))
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the service."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `arn`."))
            .block(NestedBlock::set("capacity_provider_strategy", strategy::block("Spread tasks over capacity providers instead of a launch type. Changing it deploys in place (a new deployment), it never replaces the service. Holds the strategy as configured: a service created with neither this nor `launch_type` runs on the cluster's default strategy, which AWS reports on the service but which is kept out of this block (it is the cluster's setting, not the service's), so it never shows as a diff.")))
            .block(NestedBlock::single("network_configuration", network))
            .block(NestedBlock::set("load_balancer", load_balancer))
            .block(NestedBlock::single("deployment_circuit_breaker", circuit_breaker))
            .block(NestedBlock::single("deployment_controller", controller))
            .block(connect::service_connect_block())
            .block(connect::vpc_lattice_block())
            .block(volumes::block())
            .block(timeouts::block(&["create", "update", "delete"])),
    ));
    Schema {
        block: super::placement::extend(schema.block),
        ..schema
    }
}

/// `ecs_service` as CRUD reads and writes it. Optional arguments are `Option` (known at apply
/// time, null in an imported state); what AWS computes is `Attr`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceModel {
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
    pub wait_for_steady_state: Option<bool>,
    pub force_new_deployment: Option<bool>,
    pub triggers: Option<BTreeMap<String, String>>,
    pub tags: Option<Tags>,
    pub tags_all: Attr<Tags>,
    pub arn: Attr<String>,
    pub id: Attr<String>,
    /// Null apart from empty: placement tells an import (null) from "none configured" (empty).
    pub capacity_provider_strategy: Attr<Set<StrategyItem>>,
    pub network_configuration: Option<NetworkModel>,
    pub load_balancer: Set<LoadBalancerModel>,
    pub deployment_circuit_breaker: Option<CircuitBreakerModel>,
    pub deployment_controller: Option<ControllerModel>,
    pub service_connect_configuration: Option<ServiceConnectModel>,
    pub vpc_lattice_configurations: Set<LatticeModel>,
    pub volume_configuration: Option<VolumeModel>,
    pub timeouts: Value,
    pub scheduling_strategy: Option<String>,
    pub availability_zone_rebalancing: Attr<String>,
    pub iam_role: Attr<String>,
    pub ordered_placement_strategy: Vec<StrategyModel>,
    pub placement_constraints: Set<ConstraintModel>,
    pub service_registries: Option<RegistryModel>,
    pub sigint_rollback: Option<bool>,
    pub force_delete: Option<bool>,
    pub pending_deployment_arn: Attr<String>,
    pub deployment_configuration: Option<ConfigurationModel>,
    pub alarms: Option<AlarmsModel>,
}

impl ServiceModel {
    /// What an import knows: where the service is; read fills in the rest.
    pub fn imported(cluster: String, name: String) -> Self {
        Self {
            name,
            cluster,
            task_definition: None,
            desired_count: None,
            launch_type: Attr::Null,
            platform_version: Attr::Null,
            deployment_minimum_healthy_percent: None,
            deployment_maximum_percent: None,
            health_check_grace_period_seconds: None,
            enable_execute_command: None,
            enable_ecs_managed_tags: None,
            propagate_tags: None,
            wait_for_steady_state: None,
            force_new_deployment: None,
            triggers: None,
            tags: None,
            tags_all: Attr::Null,
            arn: Attr::Null,
            id: Attr::Null,
            capacity_provider_strategy: Attr::Null,
            network_configuration: None,
            load_balancer: Set::default(),
            deployment_circuit_breaker: None,
            deployment_controller: None,
            service_connect_configuration: None,
            vpc_lattice_configurations: Set::default(),
            volume_configuration: None,
            timeouts: Value::Null,
            scheduling_strategy: None,
            availability_zone_rebalancing: Attr::Null,
            iam_role: Attr::Null,
            ordered_placement_strategy: Vec::new(),
            placement_constraints: Set::default(),
            service_registries: None,
            sigint_rollback: None,
            force_delete: None,
            pending_deployment_arn: Attr::Null,
            deployment_configuration: None,
            alarms: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkModel {
    pub subnets: Set<String>,
    pub security_groups: Option<Set<String>>,
    pub assign_public_ip: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancerModel {
    pub target_group_arn: Option<String>,
    pub elb_name: Option<String>,
    pub container_name: String,
    pub container_port: i64,
    pub advanced_configuration: Option<AdvancedModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CircuitBreakerModel {
    pub enable: bool,
    pub rollback: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControllerModel {
    pub r#type: Option<String>,
}

/// The service as the plan hooks see a configuration or a plan, where anything may still be
/// unknown: typed where the hooks look, values kept as they are elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServicePlan {
    pub name: Value,
    pub cluster: Attr<String>,
    pub task_definition: Attr<String>,
    pub desired_count: Value,
    pub launch_type: Attr<String>,
    pub platform_version: Attr<String>,
    pub deployment_minimum_healthy_percent: Value,
    pub deployment_maximum_percent: Value,
    pub health_check_grace_period_seconds: Value,
    pub enable_execute_command: Value,
    pub enable_ecs_managed_tags: Value,
    pub propagate_tags: Value,
    pub wait_for_steady_state: Value,
    pub force_new_deployment: Value,
    pub triggers: Value,
    pub tags: Value,
    pub tags_all: Value,
    pub arn: Value,
    pub id: Value,
    /// As a value: compared whole, and checked by the strategy helpers shared with clusters.
    pub capacity_provider_strategy: Value,
    pub network_configuration: Value,
    pub load_balancer: Value,
    pub deployment_circuit_breaker: Value,
    pub deployment_controller: Value,
    pub service_connect_configuration: Value,
    pub vpc_lattice_configurations: Value,
    pub volume_configuration: Value,
    pub timeouts: Value,
    pub scheduling_strategy: Attr<String>,
    pub availability_zone_rebalancing: Value,
    pub iam_role: Attr<String>,
    pub ordered_placement_strategy: Value,
    pub placement_constraints: Value,
    pub service_registries: Value,
    pub sigint_rollback: Value,
    pub force_delete: Value,
    pub pending_deployment_arn: Attr<String>,
    pub deployment_configuration: Value,
    pub alarms: Value,
}

/// One strategy item of a plan: only whether it names a provider, and which.
#[derive(Deserialize)]
struct PlannedProvider {
    capacity_provider: Attr<String>,
}

/// The capacity providers a planned strategy names (unknown ones left out), and whether it has
/// any item at all.
pub fn planned_providers(strategy: &Value) -> (bool, Vec<String>) {
    match decode::<Attr<Vec<Attr<PlannedProvider>>>>(strategy) {
        Ok(Attr::Known(items)) => {
            let any = !items.is_empty();
            let names = items
                .into_iter()
                .filter_map(|i| i.into_option()?.capacity_provider.into_option())
                .collect();
            (any, names)
        }
        _ => (false, Vec::new()),
    }
}

#[derive(Deserialize)]
struct PlannedController {
    r#type: Attr<String>,
}

/// The deployment controller a `deployment_controller` value stands for: no block (or one not
/// known yet) and no `type` are `ECS`; `None` while the type is unknown.
pub fn controller_of(block: &Value) -> Option<String> {
    match decode::<Attr<PlannedController>>(block) {
        Ok(Attr::Known(PlannedController {
            r#type: Attr::Known(t),
        })) => Some(t),
        Ok(Attr::Known(PlannedController {
            r#type: Attr::Unknown,
        }))
        | Err(_) => None,
        Ok(_) => Some("ECS".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn models_agree_with_the_schema() {
        assert_model_agrees::<ServiceModel>(&schema());
        assert_model_agrees::<ServicePlan>(&schema());
    }

    #[test]
    fn planned_controllers_and_providers() {
        let block = |t: Value| Value::object([("type", t)]);
        assert_eq!(controller_of(&Value::Null).as_deref(), Some("ECS"));
        assert_eq!(controller_of(&block(Value::Null)).as_deref(), Some("ECS"));
        assert_eq!(
            controller_of(&block(Value::string("EXTERNAL"))).as_deref(),
            Some("EXTERNAL")
        );
        assert_eq!(controller_of(&block(Value::Unknown)), None);
        let item = |p: Value| {
            Value::object([
                ("capacity_provider", p),
                ("weight", Value::Unknown),
                ("base", Value::number_i64(0)),
            ])
        };
        let strategy = Value::set([item(Value::string("FARGATE")), item(Value::Unknown)]);
        assert_eq!(planned_providers(&strategy), (true, vec!["FARGATE".into()]));
        assert_eq!(planned_providers(&Value::set([])), (false, vec![]));
        assert_eq!(planned_providers(&Value::Unknown), (false, vec![]));
    }
}
