//! State from a DescribeServices answer, keeping the user's spelling of the cluster and the task
//! definition, and the user's nulls where AWS reports its defaults.

use crate::framework::model::Set;
use aws_sdk_ecs::types::{AssignPublicIp, Service};

use super::deployment;
use super::schema::{
    CircuitBreakerModel, ControllerModel, LoadBalancerModel, NetworkModel, ServiceModel,
};
use super::{connect, volumes};
use crate::ecs::arn::name_of;
use crate::ecs::strategy;
use crate::ecs::tags::{self, Tags};
use crate::framework::model::Attr;

/// Whether `a` and `b` name the same cluster (names and ARNs mixed).
pub fn same_cluster(a: &str, b: &str) -> bool {
    name_of(a) == name_of(b)
}

/// `family:revision` of a task-definition ARN or reference, if it names a revision.
fn revision_of(reference: &str) -> Option<&str> {
    let tail = reference.rsplit('/').next().unwrap_or(reference);
    tail.contains(':').then_some(tail)
}

/// Whether two references name the same revision without asking AWS (`web:3` and its ARN).
/// A bare family never matches here: which revision it means is decided by AWS.
pub fn same_revision(a: &str, b: &str) -> bool {
    match (revision_of(a), revision_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// How the state says a service is placed, for telling an inherited strategy from one the
/// configuration set.
pub enum Placement {
    /// Neither a strategy nor a launch type configured: the cluster's default strategy applies,
    /// and the one AWS reports belongs to the cluster, not to this resource.
    ClusterDefault,
    /// A strategy or a launch type is configured.
    Configured,
    /// Nothing to go by (an imported service).
    Unknown,
}

pub fn placement_choice(prior: &ServiceModel) -> Placement {
    let strategy_empty = match &prior.capacity_provider_strategy {
        Attr::Known(items) => items.0.is_empty(),
        Attr::Unknown => return Placement::Configured,
        Attr::Null => return Placement::Unknown,
    };
    if strategy_empty && !prior.launch_type.is_known() {
        Placement::ClusterDefault
    } else {
        Placement::Configured
    }
}

/// The model of `service`. `latest_of_family` is the ARN a bare family in `prior` resolves to
/// today (looked up by the caller), so a family reference only drifts when AWS runs another.
/// What AWS does not know (`triggers`, `timeouts`, the waiting flags) comes from `prior`.
pub fn flatten(
    service: &Service,
    prior: &ServiceModel,
    default_tags: &Tags,
    latest_of_family: Option<&str>,
) -> ServiceModel {
    let arn = service.service_arn().unwrap_or_default().to_string();

    let remote_cluster = service.cluster_arn().unwrap_or_default();
    let cluster = if same_cluster(&prior.cluster, remote_cluster) {
        prior.cluster.clone()
    } else {
        name_of(remote_cluster).to_string()
    };

    // EXTERNAL services have none: their task sets carry it.
    let task_definition =
        service
            .task_definition()
            .map(|remote_td| match prior.task_definition.as_deref() {
                Some(p) if same_revision(p, remote_td) => p.to_string(),
                Some(p) if revision_of(p).is_none() && latest_of_family == Some(remote_td) => {
                    p.to_string()
                }
                _ => remote_td.to_string(),
            });

    let network_configuration = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|a| {
            let groups = a.security_groups();
            let prior_groups_null = prior
                .network_configuration
                .as_ref()
                .is_none_or(|n| n.security_groups.is_none());
            NetworkModel {
                subnets: Set(a.subnets().to_vec()),
                // AWS reports no groups for the VPC's default: keep the user's null.
                security_groups: (!(groups.is_empty() && prior_groups_null))
                    .then(|| Set(groups.to_vec())),
                assign_public_ip: a.assign_public_ip() == Some(&AssignPublicIp::Enabled),
            }
        });

    let load_balancer = service
        .load_balancers()
        .iter()
        .map(|lb| LoadBalancerModel {
            target_group_arn: lb.target_group_arn().map(str::to_string),
            elb_name: lb.load_balancer_name().map(str::to_string),
            container_name: lb.container_name().unwrap_or_default().to_string(),
            container_port: lb.container_port().map(i64::from).unwrap_or_default(),
            advanced_configuration: deployment::flatten_advanced(lb.advanced_configuration()),
        })
        .collect::<Vec<_>>();

    let config = service.deployment_configuration();
    let breaker = config.and_then(|c| c.deployment_circuit_breaker());
    let deployment_circuit_breaker = match breaker {
        // AWS reports a disabled breaker for services that never set one.
        Some(b) if b.enable() || b.rollback() || prior.deployment_circuit_breaker.is_some() => {
            Some(CircuitBreakerModel {
                enable: b.enable(),
                rollback: b.rollback(),
            })
        }
        _ => None,
    };
    let controller = service
        .deployment_controller()
        .map(|c| c.r#type().as_str().to_string());
    let deployment_controller = match controller {
        // No block and `type = "ECS"` are the same controller: keep the user's choice.
        Some(t) if t == "ECS" && prior.deployment_controller.is_none() => None,
        Some(t) => Some(ControllerModel { r#type: Some(t) }),
        None => None,
    };

    let grace = service.health_check_grace_period_seconds();
    let health_check_grace_period_seconds = match grace {
        // AWS reports 0 for services that never set one.
        Some(0) | None if prior.health_check_grace_period_seconds.is_none() => None,
        g => g.map(i64::from),
    };

    let remote_tags: Tags = service
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    let (tags, tags_all) = tags::split_remote_tags(&remote_tags, prior.tags.as_ref(), default_tags);

    let mut state = ServiceModel {
        name: service
            .service_name()
            .map_or_else(|| prior.name.clone(), str::to_string),
        cluster,
        task_definition,
        desired_count: Some(i64::from(service.desired_count())),
        launch_type: service.launch_type().map(|l| l.as_str().to_string()).into(),
        platform_version: service.platform_version().map(str::to_string).into(),
        deployment_minimum_healthy_percent: Some(percent(
            config.and_then(|c| c.minimum_healthy_percent()),
            100,
        )),
        deployment_maximum_percent: Some(percent(config.and_then(|c| c.maximum_percent()), 200)),
        health_check_grace_period_seconds,
        enable_execute_command: Some(service.enable_execute_command()),
        enable_ecs_managed_tags: Some(service.enable_ecs_managed_tags()),
        propagate_tags: Some(
            service
                .propagate_tags()
                .map_or("NONE", |p| p.as_str())
                .to_string(),
        ),
        wait_for_steady_state: prior.wait_for_steady_state.or(Some(true)),
        force_new_deployment: prior.force_new_deployment.or(Some(false)),
        triggers: prior.triggers.clone(),
        tags,
        tags_all: Attr::Known(tags_all),
        arn: Attr::Known(arn.clone()),
        id: Attr::Known(arn),
        capacity_provider_strategy: Attr::Known(Set(strategy::flatten(
            service.capacity_provider_strategy(),
        ))),
        network_configuration,
        load_balancer: Set(load_balancer),
        deployment_circuit_breaker,
        deployment_controller,
        service_connect_configuration: connect::flatten(
            service,
            prior.service_connect_configuration.as_ref(),
        ),
        vpc_lattice_configurations: connect::flatten_lattice(
            service,
            &prior.vpc_lattice_configurations,
        ),
        volume_configuration: volumes::flatten(service, prior.volume_configuration.as_ref()),
        timeouts: prior.timeouts.clone(),
        sigint_rollback: prior.sigint_rollback,
        force_delete: prior.force_delete,
        pending_deployment_arn: match &prior.pending_deployment_arn {
            Attr::Unknown => Attr::Null,
            other => other.clone(),
        },
        deployment_configuration: deployment::flatten_configuration(
            config,
            prior.deployment_configuration.as_ref(),
        ),
        alarms: deployment::flatten_alarms(config.and_then(|c| c.alarms()), prior.alarms.as_ref()),
        // Placement and scheduling: filled in by `placement::flatten_into` below.
        ..ServiceModel::imported(String::new(), String::new())
    };
    super::placement::flatten_into(&mut state, service, prior);
    state
}

/// A deployment percentage, AWS's default when it reports none.
fn percent(reported: Option<i32>, default: i64) -> i64 {
    reported.map_or(default, i64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_same_things() {
        assert!(same_cluster(
            "web",
            "arn:aws:ecs:us-east-1:123456789012:cluster/web"
        ));
        assert!(!same_cluster(
            "web",
            "arn:aws:ecs:us-east-1:123456789012:cluster/api"
        ));
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
        assert!(same_revision("web:3", arn));
        assert!(!same_revision("web:2", arn));
        assert!(
            !same_revision("web", arn),
            "a family needs AWS to say which revision"
        );
    }
}
