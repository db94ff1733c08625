//! Service Connect, volume configurations and VPC Lattice as ECS keeps them: not on the service
//! but on each deployment, as the deployment was started (ECS API reference, `Deployment`
//! members `serviceConnectConfiguration`, `volumeConfigurations`, `vpcLatticeConfigurations`;
//! the `Service` type has none of them). moto drops all three.
//!
//! What ECS refuses here: Service Connect turned on with no namespace on the service and none
//! in the cluster's `serviceConnectDefaults` (ECS API reference, `ServiceConnectConfiguration`
//! `namespace`: required unless the cluster has a default), and a volume configuration for a
//! task-definition volume that is missing or not `configuredAtLaunch` (ECS API reference,
//! `ServiceVolumeConfiguration.name`: the name of a task-definition volume configured at
//! launch), and a Service Connect service or VPC Lattice configuration whose `portName` no port
//! mapping of the task definition has (ECS API reference, `ServiceConnectService.portName`,
//! `VpcLatticeConfiguration.portName`). ECS reports the namespace as the ARN of the Cloud Map
//! namespace.

use serde_json::{Map, Value, json};

use super::{account_of, fnv};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error};

/// The request members ECS keeps on the deployment instead of the service.
pub const CARRIED: &[&str] = &[
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

/// The cluster's Service Connect default namespace (as it was given) and the cluster's ARN.
async fn cluster_defaults(call: &Call, up: &Upstream, cluster: &str) -> (Option<String>, String) {
    let answer = up
        .ask(&call.sibling("DescribeClusters", json!({ "clusters": [cluster] })))
        .await;
    let found = answer.json.pointer("/clusters/0");
    let namespace = found
        .and_then(|c| c.pointer("/serviceConnectDefaults/namespace"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let arn = found
        .and_then(|c| c.get("clusterArn"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    (namespace, arn)
}

/// The ARN ECS reports for a namespace given by name or ARN.
fn namespace_arn(namespace: &str, region: &str, account: &str) -> String {
    if namespace.starts_with("arn:") {
        return namespace.to_string();
    }
    format!(
        "arn:aws:servicediscovery:{region}:{account}:namespace/ns-{:016x}",
        fnv(namespace)
    )
}

/// The task definition `task_definition` as moto keeps it (`configuredAtLaunch` and port
/// mapping names included).
async fn definition_of(call: &Call, up: &Upstream, task_definition: &str) -> Value {
    let answer = up
        .ask(&call.sibling(
            "DescribeTaskDefinition",
            json!({ "taskDefinition": task_definition }),
        ))
        .await;
    answer
        .json
        .get("taskDefinition")
        .cloned()
        .unwrap_or(Value::Null)
}

fn port_names(definition: &Value) -> Vec<&str> {
    definition
        .get("containerDefinitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("portMappings").and_then(Value::as_array))
        .flatten()
        .filter_map(|m| m.get("name").and_then(Value::as_str))
        .collect()
}

/// The refusal for a `portName` no port mapping of the task definition has.
fn check_port(definition: &Value, name: &str, what: &str) -> Result<(), String> {
    if port_names(definition).contains(&name) {
        Ok(())
    } else {
        Err(format!(
            "The {what} port name '{name}' does not match the name of a port mapping in the task definition."
        ))
    }
}

fn invalid(message: String) -> Reply {
    client_error("InvalidParameterException", message)
}

/// What ECS keeps of `request` for the next deployment, or its refusal. `task_definition` is
/// what that deployment runs.
pub async fn carried(
    call: &Call,
    up: &Upstream,
    request: &Value,
    cluster: &str,
    task_definition: &str,
) -> Result<Map<String, Value>, Reply> {
    let mut out = Map::new();
    let mentions = |m: &str| {
        request.get(m).is_some_and(|v| {
            v.as_array().is_some_and(|a| !a.is_empty()) || v.get("services").is_some()
        })
    };
    let definition = if CARRIED.iter().any(|m| mentions(m)) {
        definition_of(call, up, task_definition).await
    } else {
        Value::Null
    };
    if let Some(config) = request
        .get("serviceConnectConfiguration")
        .filter(|c| c.is_object())
    {
        let mut config = config.clone();
        let enabled = config
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let given = config
            .get("namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        if enabled || given.is_some() {
            let (default, cluster_arn) = cluster_defaults(call, up, cluster).await;
            let Some(namespace) = given.or(default) else {
                return Err(invalid(
                    "Service Connect requires a namespace: the service names none and the cluster has no serviceConnectDefaults namespace.".into(),
                ));
            };
            config["namespace"] = json!(namespace_arn(
                &namespace,
                &call.region(),
                account_of(&cluster_arn)
            ));
        }
        let services = config.get("services").and_then(Value::as_array);
        for service in services.into_iter().flatten() {
            let name = service
                .get("portName")
                .and_then(Value::as_str)
                .unwrap_or("");
            check_port(&definition, name, "Service Connect").map_err(invalid)?;
        }
        // Unset, ECS leaves query parameters out of the access logs and says so (ECS API
        // reference, `ServiceConnectAccessLogConfiguration.includeQueryParameters`; computed in
        // terraform-provider-aws).
        if let Some(access) = config
            .get_mut("accessLogConfiguration")
            .and_then(Value::as_object_mut)
        {
            access
                .entry("includeQueryParameters")
                .or_insert(json!("DISABLED"));
        }
        out.insert("serviceConnectConfiguration".into(), config);
    }
    if let Some(configs) = request
        .get("volumeConfigurations")
        .and_then(Value::as_array)
    {
        if !configs.is_empty() {
            let volumes = definition
                .get("volumes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for config in configs {
                let name = config.get("name").and_then(Value::as_str).unwrap_or("");
                let volume = volumes
                    .iter()
                    .find(|v| v.get("name").and_then(Value::as_str) == Some(name));
                let at_launch = volume
                    .and_then(|v| v.get("configuredAtLaunch"))
                    .and_then(Value::as_bool)
                    == Some(true);
                if !at_launch {
                    return Err(invalid(format!(
                        "The volume configuration '{name}' does not match a task definition volume that is configured at launch."
                    )));
                }
            }
        }
        out.insert("volumeConfigurations".into(), json!(configs));
    }
    if let Some(lattice) = request
        .get("vpcLatticeConfigurations")
        .filter(|l| l.is_array())
    {
        for item in lattice.as_array().into_iter().flatten() {
            let name = item.get("portName").and_then(Value::as_str).unwrap_or("");
            check_port(&definition, name, "VPC Lattice").map_err(invalid)?;
        }
        out.insert("vpcLatticeConfigurations".into(), lattice.clone());
    }
    Ok(out)
}

/// Whether `incoming` changes any of the deployment-level settings in `current`.
pub fn changes(current: &Map<String, Value>, incoming: &Map<String, Value>) -> bool {
    incoming
        .iter()
        .any(|(member, value)| current.get(member) != Some(value))
}

/// The deployment view as ECS reports it: the settings it was started with.
pub fn show(view: &mut Value, carried: &Map<String, Value>) {
    for (member, value) in carried {
        // An empty list was a removal: ECS reports nothing.
        if value.as_array().is_some_and(|a| a.is_empty()) {
            continue;
        }
        view[member] = value.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_read_back_as_arns() {
        let arn = namespace_arn("internal", "eu-west-1", "111122223333");
        assert!(
            arn.starts_with("arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-"),
            "{arn}"
        );
        assert_eq!(arn, namespace_arn("internal", "eu-west-1", "111122223333"));
        assert_eq!(namespace_arn(&arn, "us-east-1", "1"), arn);
    }

    #[test]
    fn removals_are_not_shown() {
        let mut carried = Map::new();
        carried.insert("volumeConfigurations".into(), json!([]));
        carried.insert(
            "vpcLatticeConfigurations".into(),
            json!([{ "portName": "web" }]),
        );
        let mut view = json!({ "id": "d" });
        show(&mut view, &carried);
        assert!(view.get("volumeConfigurations").is_none());
        assert_eq!(view["vpcLatticeConfigurations"][0]["portName"], "web");
    }
}
