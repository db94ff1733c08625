//! Where and how a service's tasks are placed: ordered placement strategies, placement
//! constraints, the scheduling strategy, Cloud Map registries, Availability Zone rebalancing
//! and the load-balancer IAM role. Their schema, models, the SDK inputs they become and the
//! state read back from a DescribeServices answer; ECS's rules about them are in [`super::rules`].

use aws_sdk_ecs::operation::create_service::builders::CreateServiceFluentBuilder;
use aws_sdk_ecs::operation::update_service::builders::UpdateServiceFluentBuilder;
use aws_sdk_ecs::types::{
    AvailabilityZoneRebalancing, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType, SchedulingStrategy, Service, ServiceRegistry,
};
use serde::{Deserialize, Serialize};

use super::schema::ServiceModel;
use crate::framework::Value;
use crate::framework::model::{Attr, Set};
use crate::framework::schema::validators::{IntBetween, OneOf};
use crate::framework::schema::{Attribute, Block, NestedBlock};

/// ECS's limits: 5 strategies and 10 constraints per service (CreateService reference).
pub const MAX_STRATEGIES: i64 = 5;
pub const MAX_CONSTRAINTS: i64 = 10;

/// The arguments of this area, added to the service's root block.
pub fn extend(mut root: Block) -> Block {
    root = root
        .attribute(
            Attribute::string("scheduling_strategy")
                .optional()
                .default(Value::string("REPLICA"))
                .requires_replace()
                .validate(OneOf(&["REPLICA", "DAEMON"]))
                .description("`REPLICA` (default) keeps `desired_count` tasks; `DAEMON` runs one task on each container instance of the cluster and takes no `desired_count`, `deployment_maximum_percent`, `capacity_provider_strategy` or `ordered_placement_strategy` (nor Fargate, nor a CODE_DEPLOY or EXTERNAL controller). Changing it replaces the service."),
        )
        .attribute(
            Attribute::string("availability_zone_rebalancing")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validate(OneOf(&["ENABLED", "DISABLED"]))
                .description("`ENABLED` or `DISABLED`: whether ECS moves tasks to even out Availability Zones. Unset, ECS enables it on a new service and an update keeps what the service has. Changes in place without a new deployment."),
        )
        .attribute(
            Attribute::string("iam_role")
                .optional()
                .computed()
                .use_state_for_unknown_including_null()
                .description("Name or ARN of the IAM role that lets ECS register the tasks with a load balancer (services with a `load_balancer` and a network mode other than `awsvpc`); a name with a path starts with `/`. The role's name and its ARN are the same role (no change). Changing it replaces the service."),
        );
    let strategy = Block::new()
        .description("A task placement strategy (EC2 and external instances; not on Fargate, not for DAEMON services). ECS applies them in order.")
        .attribute(
            Attribute::string("type")
                .required()
                .validate(OneOf(&["binpack", "random", "spread"]))
                .description("`binpack` (fill instances by `cpu` or `memory`), `random`, or `spread` (evenly over `field`)."),
        )
        .attribute(
            Attribute::string("field")
                .optional()
                .description("For `binpack`: `cpu` or `memory`. For `spread`: `instanceId` (or `host`, the same), or an attribute such as `attribute:ecs.availability-zone`. None for `random`. Compared without case, as ECS reports `CPU` and `MEMORY` in capitals."),
        );
    let constraint = Block::new()
        .description("A rule about which container instances may run the tasks.")
        .attribute(
            Attribute::string("type")
                .required()
                .validate(OneOf(&["distinctInstance", "memberOf"]))
                .description("`distinctInstance` (each task on another instance) or `memberOf` (instances matching `expression`)."),
        )
        .attribute(
            Attribute::string("expression")
                .optional()
                .description("A cluster query language expression, e.g. `attribute:ecs.instance-type =~ t3.*`; required for `memberOf`, not allowed for `distinctInstance`."),
        );
    let registry = Block::new()
        .description("Register the tasks in an AWS Cloud Map service for discovery. Changes in place (a new deployment).")
        .attribute(
            Attribute::string("registry_arn")
                .required()
                .description("ARN of the Cloud Map service."),
        )
        .attribute(
            Attribute::number("port")
                .optional()
                .validate(IntBetween { min: 0, max: 65536 })
                .description("Port of an SRV record of the Cloud Map service, for tasks in `awsvpc` mode."),
        )
        .attribute(
            Attribute::string("container_name")
                .optional()
                .description("Container whose port goes into an SRV record (`bridge` and `host` network modes)."),
        )
        .attribute(
            Attribute::number("container_port")
                .optional()
                .validate(IntBetween { min: 0, max: 65536 })
                .description("Port of `container_name` that goes into an SRV record."),
        );
    root.block(NestedBlock::list("ordered_placement_strategy", strategy).max_items(MAX_STRATEGIES))
        .block(NestedBlock::set("placement_constraints", constraint).max_items(MAX_CONSTRAINTS))
        .block(NestedBlock::list("service_registries", registry).max_items(1))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyModel {
    pub r#type: String,
    pub field: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConstraintModel {
    pub r#type: String,
    pub expression: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryModel {
    pub registry_arn: String,
    pub port: Option<i64>,
    pub container_name: Option<String>,
    pub container_port: Option<i64>,
}

pub fn is_daemon(model: &ServiceModel) -> bool {
    model.scheduling_strategy.as_deref() == Some("DAEMON")
}

fn int(n: Option<i64>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

fn strategies(model: &ServiceModel) -> Vec<PlacementStrategy> {
    model
        .ordered_placement_strategy
        .iter()
        .map(|s| {
            PlacementStrategy::builder()
                .r#type(PlacementStrategyType::from(s.r#type.as_str()))
                // `random` takes no field: leave it out rather than send "".
                .set_field(s.field.clone().filter(|f| !f.is_empty()))
                .build()
        })
        .collect()
}

fn constraints(model: &ServiceModel) -> Vec<PlacementConstraint> {
    model
        .placement_constraints
        .0
        .iter()
        .map(|c| {
            PlacementConstraint::builder()
                .r#type(PlacementConstraintType::from(c.r#type.as_str()))
                .set_expression(c.expression.clone().filter(|e| !e.is_empty()))
                .build()
        })
        .collect()
}

fn registries(model: &ServiceModel) -> Vec<ServiceRegistry> {
    model
        .service_registries
        .iter()
        .map(|r| {
            ServiceRegistry::builder()
                .registry_arn(&r.registry_arn)
                .set_port(int(r.port))
                .set_container_name(r.container_name.clone())
                .set_container_port(int(r.container_port))
                .build()
        })
        .collect()
}

fn rebalancing(model: &ServiceModel) -> Option<AvailabilityZoneRebalancing> {
    model
        .availability_zone_rebalancing
        .known()
        .map(|r| AvailabilityZoneRebalancing::from(r.as_str()))
}

fn some_if_any<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// The placement members of CreateService.
pub trait CreatePlacement {
    fn placement(self, model: &ServiceModel) -> Self;
}

impl CreatePlacement for CreateServiceFluentBuilder {
    fn placement(self, model: &ServiceModel) -> Self {
        let daemon = is_daemon(model);
        let builder = self
            .set_scheduling_strategy(
                model
                    .scheduling_strategy
                    .as_deref()
                    .map(SchedulingStrategy::from),
            )
            .set_placement_strategy(some_if_any(strategies(model)))
            .set_placement_constraints(some_if_any(constraints(model)))
            .set_service_registries(some_if_any(registries(model)))
            .set_availability_zone_rebalancing(rebalancing(model))
            .set_role(model.iam_role.known().cloned());
        // ECS refuses a desired count for DAEMON services: it runs one task per instance.
        if daemon {
            builder.set_desired_count(None)
        } else {
            builder
        }
    }
}

/// Whether an update changes a member of this area.
pub fn changed(prior: &ServiceModel, plan: &ServiceModel) -> bool {
    prior.ordered_placement_strategy != plan.ordered_placement_strategy
        || prior.placement_constraints != plan.placement_constraints
        || prior.service_registries != plan.service_registries
        || (plan.availability_zone_rebalancing.is_known()
            && prior.availability_zone_rebalancing != plan.availability_zone_rebalancing)
}

/// The placement members of UpdateService that changed; a removed list is sent empty, which
/// clears it (an absent member keeps what the service has).
pub trait UpdatePlacement {
    fn placement(self, prior: &ServiceModel, plan: &ServiceModel) -> Self;
}

impl UpdatePlacement for UpdateServiceFluentBuilder {
    fn placement(self, prior: &ServiceModel, plan: &ServiceModel) -> Self {
        let mut update = self;
        if prior.ordered_placement_strategy != plan.ordered_placement_strategy {
            update = update.set_placement_strategy(Some(strategies(plan)));
        }
        if prior.placement_constraints != plan.placement_constraints {
            update = update.set_placement_constraints(Some(constraints(plan)));
        }
        if prior.service_registries != plan.service_registries {
            update = update.set_service_registries(Some(registries(plan)));
        }
        if prior.availability_zone_rebalancing != plan.availability_zone_rebalancing {
            update = update.set_availability_zone_rebalancing(rebalancing(plan));
        }
        update
    }
}

/// The role's name and its ARN are the same role: `web` and `/ecs/web` against
/// `arn:aws:iam::123456789012:role/web` and `…:role/ecs/web`.
pub fn same_role(a: &str, b: &str) -> bool {
    role_path(a) == role_path(b)
}

/// The role as `path/name` without leading slash, from a name, `/path/name` or an ARN.
fn role_path(role: &str) -> &str {
    match role.split_once(":role/") {
        Some((_, path)) if role.starts_with("arn:") => path,
        _ => role.trim_start_matches('/'),
    }
}

/// Whether two placement-strategy fields are the same: ECS reports `MEMORY`/`CPU` for `memory`/
/// `cpu` and `instanceId` for `host`.
pub fn same_field(a: &str, b: &str) -> bool {
    let canonical = |f: &str| {
        if f.eq_ignore_ascii_case("host") {
            "instanceid".to_string()
        } else {
            f.to_ascii_lowercase()
        }
    };
    canonical(a) == canonical(b)
}

/// The strategies ECS reports, in the spelling of `prior` wherever it names the same field.
fn flatten_strategies(service: &Service, prior: &ServiceModel) -> Vec<StrategyModel> {
    service
        .placement_strategy()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let r#type = s
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default();
            let prior_field = prior
                .ordered_placement_strategy
                .get(i)
                .filter(|p| p.r#type == r#type)
                .and_then(|p| p.field.clone());
            let field = match (s.field(), prior_field) {
                (Some(remote), Some(p)) if same_field(remote, &p) => Some(p),
                // The AWS provider writes the capitals ECS reports as lower case.
                (Some(remote), _) if matches!(remote, "MEMORY" | "CPU") => {
                    Some(remote.to_ascii_lowercase())
                }
                (remote, _) => remote.map(str::to_string),
            };
            StrategyModel { r#type, field }
        })
        .collect()
}

fn flatten_constraints(service: &Service) -> Set<ConstraintModel> {
    Set(service
        .placement_constraints()
        .iter()
        .map(|c| ConstraintModel {
            r#type: c
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            expression: c.expression().map(str::to_string),
        })
        .collect())
}

fn flatten_registry(service: &Service) -> Option<RegistryModel> {
    service.service_registries().first().map(|r| RegistryModel {
        registry_arn: r.registry_arn().unwrap_or_default().to_string(),
        port: r.port().map(i64::from),
        container_name: r.container_name().map(str::to_string),
        container_port: r.container_port().map(i64::from),
    })
}

/// Fill this area's members of `state` from `service`; `prior` gives the user's spellings.
/// DAEMON services have no desired count or maximum percent of their own (ECS decides the
/// count from the cluster's instances), so those stay null and never show as a diff.
pub fn flatten_into(state: &mut ServiceModel, service: &Service, prior: &ServiceModel) {
    state.scheduling_strategy = Some(
        service
            .scheduling_strategy()
            .map_or("REPLICA", |s| s.as_str())
            .to_string(),
    );
    state.ordered_placement_strategy = flatten_strategies(service, prior);
    state.placement_constraints = flatten_constraints(service);
    state.service_registries = flatten_registry(service);
    state.availability_zone_rebalancing = service
        .availability_zone_rebalancing()
        .map(|r| r.as_str().to_string())
        .into();
    state.iam_role = match (service.role_arn(), prior.iam_role.known()) {
        (Some(remote), Some(p)) if same_role(remote, p) => Attr::Known(p.clone()),
        (remote, _) => remote.map(str::to_string).into(),
    };
    if is_daemon(state) {
        state.desired_count = None;
        state.deployment_maximum_percent = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::PlacementStrategyType;

    #[test]
    fn a_role_is_the_same_by_name_or_arn() {
        let arn = "arn:aws:iam::123456789012:role/ecs-elb";
        assert!(same_role("ecs-elb", arn));
        assert!(same_role(arn, arn));
        assert!(!same_role("other", arn));
        let with_path = "arn:aws:iam::123456789012:role/team/ecs-elb";
        assert!(same_role("/team/ecs-elb", with_path));
        assert!(!same_role("ecs-elb", with_path));
    }

    #[test]
    fn fields_compare_without_case_and_host_is_instance_id() {
        assert!(same_field("memory", "MEMORY"));
        assert!(same_field("host", "instanceId"));
        assert!(!same_field("cpu", "memory"));
        assert!(same_field(
            "attribute:ecs.availability-zone",
            "attribute:ecs.availability-zone"
        ));
    }

    fn model() -> ServiceModel {
        ServiceModel::imported("c".into(), "s".into())
    }

    #[test]
    fn read_back_keeps_the_users_spelling_and_lowers_what_ecs_capitalises() {
        let mut prior = model();
        prior.ordered_placement_strategy = vec![
            StrategyModel {
                r#type: "spread".into(),
                field: Some("host".into()),
            },
            StrategyModel {
                r#type: "binpack".into(),
                field: Some("memory".into()),
            },
        ];
        prior.iam_role = Attr::Known("ecs-elb".into());
        let strategy = |t: PlacementStrategyType, f: &str| {
            PlacementStrategy::builder().r#type(t).field(f).build()
        };
        let service = Service::builder()
            .placement_strategy(strategy(PlacementStrategyType::Spread, "instanceId"))
            .placement_strategy(strategy(PlacementStrategyType::Binpack, "MEMORY"))
            .placement_strategy(strategy(PlacementStrategyType::Binpack, "CPU"))
            .role_arn("arn:aws:iam::123456789012:role/ecs-elb")
            .scheduling_strategy(SchedulingStrategy::Daemon)
            .build();
        let mut state = model();
        state.desired_count = Some(3);
        flatten_into(&mut state, &service, &prior);
        let fields: Vec<_> = state
            .ordered_placement_strategy
            .iter()
            .map(|s| s.field.as_deref())
            .collect();
        assert_eq!(fields, [Some("host"), Some("memory"), Some("cpu")]);
        assert_eq!(state.iam_role, Attr::Known("ecs-elb".into()));
        assert_eq!(state.scheduling_strategy.as_deref(), Some("DAEMON"));
        assert_eq!(state.desired_count, None, "DAEMON has no desired count");
    }
}
