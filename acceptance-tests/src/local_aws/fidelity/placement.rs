//! Placement and scheduling of services as ECS handles them, around moto (which keeps neither
//! the scheduling strategy's rules nor the role's ARN):
//!
//! - CreateService and UpdateService refuse more than 5 placement strategies or 10 placement
//!   constraints (CreateService reference, `placementStrategy` and `placementConstraints`),
//!   a placement strategy for the FARGATE launch type, a `binpack` strategy by anything but
//!   `cpu` or `memory`, `random` with a field, `memberOf` without an expression and
//!   `distinctInstance` with one (PlacementStrategy and PlacementConstraint references).
//! - DAEMON services (CreateService `schedulingStrategy`; developer guide "Amazon ECS service
//!   deployment controllers and strategies"): no desired count, placement strategy or capacity
//!   provider strategy, not on Fargate, only with the ECS controller; they run one task on each
//!   container instance of the cluster, so their desired count is the number of instances,
//!   following them as they register (0 without any: steady with no task), and their maximum
//!   percent is 100.
//! - Read back: the scheduling strategy as created, the role as `roleArn` (an ARN, also when a
//!   name or `/path/name` was sent: CreateService `role`), Availability Zone rebalancing
//!   `ENABLED` when a create did not say (CreateService `availabilityZoneRebalancing`), and the
//!   strategy fields as ECS spells them: `MEMORY` and `CPU` in capitals, `host` as `instanceId`
//!   (the AWS provider's `ordered_placement_strategy` read-back in `service.go` lowers the
//!   former and stores the latter for `host`).

use serde_json::{Map, Value, json};

use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error};

fn invalid(message: impl Into<String>) -> Option<Reply> {
    Some(client_error("InvalidParameterException", message))
}

fn array_len(request: &Value, member: &str) -> usize {
    request
        .get(member)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn is_daemon(request: &Value) -> bool {
    request.get("schedulingStrategy").and_then(Value::as_str) == Some("DAEMON")
}

/// The limits and field rules of placement strategies and constraints, on either call.
fn refuse_placement(request: &Value, launch_type: Option<&str>) -> Option<Reply> {
    if array_len(request, "placementStrategy") > 5 {
        return invalid("The number of placement strategies exceeds the limit of 5.");
    }
    if array_len(request, "placementConstraints") > 10 {
        return invalid("The number of placement constraints exceeds the limit of 10.");
    }
    if launch_type == Some("FARGATE") && array_len(request, "placementStrategy") > 0 {
        return invalid("Placement strategies are not supported with FARGATE launch type.");
    }
    for s in request
        .get("placementStrategy")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = s.get("field").and_then(Value::as_str);
        match (s.get("type").and_then(Value::as_str), field) {
            (Some("binpack"), f) if !matches!(f, Some("cpu" | "memory")) => {
                return invalid("Invalid binpack placement strategy field: use cpu or memory.");
            }
            (Some("random"), Some(_)) => {
                return invalid("The random placement strategy does not take a field.");
            }
            (Some("spread"), None) => {
                return invalid("The spread placement strategy needs a field.");
            }
            _ => {}
        }
    }
    for c in request
        .get("placementConstraints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let expression = c.get("expression").and_then(Value::as_str);
        match (c.get("type").and_then(Value::as_str), expression) {
            (Some("memberOf"), None) => {
                return invalid("A memberOf placement constraint needs an expression.");
            }
            (Some("distinctInstance"), Some(_)) => {
                return invalid("A distinctInstance placement constraint takes no expression.");
            }
            _ => {}
        }
    }
    None
}

/// What CreateService refuses about placement and scheduling.
pub fn refuse_create(request: &Value) -> Option<Reply> {
    let launch_type = request.get("launchType").and_then(Value::as_str);
    if let Some(refusal) = refuse_placement(request, launch_type) {
        return Some(refusal);
    }
    if !is_daemon(request) {
        return None;
    }
    if request.get("desiredCount").is_some_and(|d| !d.is_null()) {
        return invalid(
            "The daemon scheduling strategy does not support a desired count for services.",
        );
    }
    if array_len(request, "placementStrategy") > 0 {
        return invalid("The daemon scheduling strategy does not support placement strategies.");
    }
    if array_len(request, "capacityProviderStrategy") > 0 {
        return invalid(
            "The daemon scheduling strategy does not support capacity provider strategies.",
        );
    }
    if launch_type == Some("FARGATE") {
        return invalid(
            "The daemon scheduling strategy is not supported with FARGATE launch type.",
        );
    }
    let controller = request
        .pointer("/deploymentController/type")
        .and_then(Value::as_str)
        .unwrap_or("ECS");
    if controller != "ECS" {
        return invalid(format!(
            "The daemon scheduling strategy is not supported with the {controller} deployment controller."
        ));
    }
    None
}

/// What UpdateService refuses, given what the service has (`settings`, as kept at create).
pub fn refuse_update(request: &Value, settings: &Map<String, Value>) -> Option<Reply> {
    let launch_type = settings.get("launchType").and_then(Value::as_str);
    if let Some(refusal) = refuse_placement(request, launch_type) {
        return Some(refusal);
    }
    let daemon = settings.get("schedulingStrategy").and_then(Value::as_str) == Some("DAEMON");
    if daemon && request.get("desiredCount").is_some_and(|d| !d.is_null()) {
        return invalid(
            "The daemon scheduling strategy does not support a desired count for services.",
        );
    }
    if daemon && array_len(request, "placementStrategy") > 0 {
        return invalid("The daemon scheduling strategy does not support placement strategies.");
    }
    if daemon && array_len(request, "capacityProviderStrategy") > 0 {
        return invalid(
            "The daemon scheduling strategy does not support capacity provider strategies.",
        );
    }
    None
}

/// A DAEMON service's task count: one per container instance of the cluster (moto needs a
/// number to create the service with).
pub async fn prepare_create(call: &Call, up: &Upstream, cluster: &str, request: &mut Value) {
    if is_daemon(request) {
        request["desiredCount"] = json!(instance_count(call, up, cluster).await);
    }
}

/// The container instances registered in `cluster`: a DAEMON service runs a task on each, so
/// its desired count follows them as they come and go.
pub async fn instance_count(call: &Call, up: &Upstream, cluster: &str) -> i64 {
    let listed = up
        .ask(&call.sibling("ListContainerInstances", json!({ "cluster": cluster })))
        .await;
    listed
        .json
        .get("containerInstanceArns")
        .and_then(Value::as_array)
        .map_or(0, |a| a.len() as i64)
}

/// Whether the kept settings are a DAEMON service's.
pub fn daemon_settings(settings: &Map<String, Value>) -> bool {
    settings.get("schedulingStrategy").and_then(Value::as_str) == Some("DAEMON")
}

/// The role as ECS reports it: an ARN whatever the caller sent.
fn role_arn(role: &str, account: &str) -> String {
    if role.starts_with("arn:") {
        role.to_string()
    } else {
        format!(
            "arn:aws:iam::{account}:role/{}",
            role.trim_start_matches('/')
        )
    }
}

/// What a create records besides the members kept as sent.
pub fn keep_created(settings: &mut Map<String, Value>, request: &Value, account: &str) {
    let scheduling = request
        .get("schedulingStrategy")
        .and_then(Value::as_str)
        .unwrap_or("REPLICA");
    settings.insert("schedulingStrategy".into(), json!(scheduling));
    if let Some(role) = request.get("role").and_then(Value::as_str) {
        settings.insert("roleArn".into(), json!(role_arn(role, account)));
    }
    settings
        .entry("availabilityZoneRebalancing")
        .or_insert(json!("ENABLED"));
}

/// A strategy field as ECS reports it.
fn reported_field(field: &str) -> &str {
    match field {
        "memory" => "MEMORY",
        "cpu" => "CPU",
        "host" => "instanceId",
        other => other,
    }
}

/// The read-back shape of the members this module owns; `settings` are the members kept as
/// sent (moto fills in a REPLICA service's maximum percent).
pub fn shape(map: &mut Map<String, Value>, settings: &Map<String, Value>) {
    if let Some(strategies) = map
        .get_mut("placementStrategy")
        .and_then(Value::as_array_mut)
    {
        for s in strategies.iter_mut() {
            if let Some(field) = s.get("field").and_then(Value::as_str) {
                let reported = reported_field(field).to_string();
                s["field"] = json!(reported);
            }
        }
    }
    let daemon = map.get("schedulingStrategy").and_then(Value::as_str) == Some("DAEMON");
    let sent = settings
        .get("deploymentConfiguration")
        .and_then(|c| c.get("maximumPercent"))
        .is_some();
    if daemon && !sent {
        let config = map
            .entry("deploymentConfiguration")
            .or_insert_with(|| json!({}));
        if !config.is_object() {
            *config = json!({});
        }
        if let Some(config) = config.as_object_mut() {
            config.insert("maximumPercent".into(), json!(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_as_arns() {
        assert_eq!(
            role_arn("ecs-elb", "123456789012"),
            "arn:aws:iam::123456789012:role/ecs-elb"
        );
        assert_eq!(
            role_arn("/team/ecs-elb", "123456789012"),
            "arn:aws:iam::123456789012:role/team/ecs-elb"
        );
        let arn = "arn:aws:iam::123456789012:role/x";
        assert_eq!(role_arn(arn, "123456789012"), arn);
    }
}
