//! State from a DescribeServices answer, keeping the user's spelling of the cluster and the task
//! definition, and the user's nulls where AWS reports its defaults.

use aws_sdk_ecs::types::{AssignPublicIp, Service};

use crate::ecs::arn::name_of;
use crate::ecs::model::{object, set, string, string_value};
use crate::ecs::strategy;
use crate::ecs::tags::{self, Tags};
use crate::framework::Value;

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

pub fn placement_choice(prior: &Value) -> Placement {
    let strategy_empty = match prior.get("capacity_provider_strategy") {
        Some(Value::Set(items)) | Some(Value::List(items)) => items.is_empty(),
        Some(Value::Unknown) => return Placement::Configured,
        _ => return Placement::Unknown,
    };
    let launch_type_set = prior.get("launch_type").and_then(Value::as_str).is_some();
    if strategy_empty && !launch_type_set {
        Placement::ClusterDefault
    } else {
        Placement::Configured
    }
}

fn set_of(items: &[String]) -> Value {
    Value::set(items.iter().map(Value::string))
}

/// Fill `state` from `service`. `latest_of_family` is the ARN a bare family in `prior` resolves
/// to today (looked up by the caller), so a family reference only drifts when AWS runs another.
pub fn apply(
    state: &mut Value,
    service: &Service,
    prior: &Value,
    default_tags: &Tags,
    latest_of_family: Option<&str>,
) {
    let arn = service.service_arn().unwrap_or_default();
    set(state, "arn", Value::string(arn));
    set(state, "id", Value::string(arn));
    set(state, "name", string_value(service.service_name()));

    let remote_cluster = service.cluster_arn().unwrap_or_default();
    let cluster = match string(prior, "cluster") {
        Some(p) if same_cluster(p, remote_cluster) => p.to_string(),
        _ => name_of(remote_cluster).to_string(),
    };
    set(state, "cluster", Value::string(cluster));

    // EXTERNAL services have none: their task sets carry it.
    let td = service
        .task_definition()
        .map(|remote_td| match string(prior, "task_definition") {
            Some(p) if same_revision(p, remote_td) => p.to_string(),
            Some(p) if revision_of(p).is_none() && latest_of_family == Some(remote_td) => {
                p.to_string()
            }
            _ => remote_td.to_string(),
        });
    set(state, "task_definition", string_value(td.as_deref()));

    set(
        state,
        "desired_count",
        Value::number_i64(i64::from(service.desired_count())),
    );
    set(
        state,
        "launch_type",
        string_value(service.launch_type().map(|l| l.as_str())),
    );
    set(
        state,
        "platform_version",
        string_value(service.platform_version()),
    );
    set(
        state,
        "capacity_provider_strategy",
        Value::set(strategy::from_sdk(service.capacity_provider_strategy())),
    );

    let network = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|a| {
            let groups = a.security_groups();
            let prior_groups_null = prior
                .get("network_configuration")
                .and_then(|n| n.get("security_groups"))
                .is_none_or(Value::is_null);
            object([
                ("subnets", set_of(a.subnets())),
                (
                    "security_groups",
                    if groups.is_empty() && prior_groups_null {
                        Value::Null
                    } else {
                        set_of(groups)
                    },
                ),
                (
                    "assign_public_ip",
                    Value::Bool(a.assign_public_ip() == Some(&AssignPublicIp::Enabled)),
                ),
            ])
        });
    set(
        state,
        "network_configuration",
        network.unwrap_or(Value::Null),
    );

    let balancers: Vec<Value> = service
        .load_balancers()
        .iter()
        .map(|lb| {
            object([
                ("target_group_arn", string_value(lb.target_group_arn())),
                ("elb_name", string_value(lb.load_balancer_name())),
                ("container_name", string_value(lb.container_name())),
                (
                    "container_port",
                    lb.container_port()
                        .map(|p| Value::number_i64(i64::from(p)))
                        .unwrap_or(Value::Null),
                ),
            ])
        })
        .collect();
    set(state, "load_balancer", Value::set(balancers));

    let config = service.deployment_configuration();
    let percent =
        |v: Option<i32>, default: i64| Value::number_i64(v.map(i64::from).unwrap_or(default));
    set(
        state,
        "deployment_minimum_healthy_percent",
        percent(config.and_then(|c| c.minimum_healthy_percent()), 100),
    );
    set(
        state,
        "deployment_maximum_percent",
        percent(config.and_then(|c| c.maximum_percent()), 200),
    );
    let breaker = config.and_then(|c| c.deployment_circuit_breaker());
    let prior_breaker = prior
        .get("deployment_circuit_breaker")
        .filter(|b| !b.is_null());
    let breaker = match breaker {
        // AWS reports a disabled breaker for services that never set one.
        Some(b) if b.enable() || b.rollback() || prior_breaker.is_some() => object([
            ("enable", Value::Bool(b.enable())),
            ("rollback", Value::Bool(b.rollback())),
        ]),
        _ => Value::Null,
    };
    set(state, "deployment_circuit_breaker", breaker);
    let controller = service
        .deployment_controller()
        .map(|c| c.r#type().as_str().to_string());
    let prior_controller = prior.get("deployment_controller").filter(|c| !c.is_null());
    let controller = match controller.as_deref() {
        Some("ECS") | None if prior_controller.is_none() => Value::Null,
        Some(t) => object([("type", Value::string(t))]),
        None => Value::Null,
    };
    set(state, "deployment_controller", controller);

    let grace = service.health_check_grace_period_seconds();
    let prior_grace_null = prior
        .get("health_check_grace_period_seconds")
        .is_none_or(Value::is_null);
    set(
        state,
        "health_check_grace_period_seconds",
        match grace {
            Some(0) | None if prior_grace_null => Value::Null,
            Some(g) => Value::number_i64(i64::from(g)),
            None => Value::Null,
        },
    );
    set(
        state,
        "enable_execute_command",
        Value::Bool(service.enable_execute_command()),
    );
    set(
        state,
        "enable_ecs_managed_tags",
        Value::Bool(service.enable_ecs_managed_tags()),
    );
    set(
        state,
        "propagate_tags",
        Value::string(
            service
                .propagate_tags()
                .map(|p| p.as_str())
                .unwrap_or("NONE"),
        ),
    );

    let remote_tags: Tags = service
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    let (own, all) = tags::split_remote(&remote_tags, prior, default_tags);
    set(state, "tags", own);
    set(state, "tags_all", all);
    for (name, default) in [
        ("wait_for_steady_state", Value::Bool(true)),
        ("force_new_deployment", Value::Bool(false)),
    ] {
        if state.get(name).is_none_or(Value::is_null) {
            set(state, name, default);
        }
    }
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
