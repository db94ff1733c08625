//! Capacity providers as ECS keeps them. moto's model is partial (it requires an Auto Scaling
//! group provider, fails on managed-instances providers, cannot list providers, deletes
//! providers still associated with a cluster), so the layer keeps every custom provider itself
//! and answers Create/Update/Describe/DeleteCapacityProvider; moto keeps only the clusters'
//! association lists, which PutClusterCapacityProviders writes.
//!
//! Evidence (ECS API reference unless noted):
//! - CreateCapacityProvider `name`: up to 255 letters, numbers, underscores and hyphens; it
//!   "can't be prefixed with `aws`, `ecs`, or `fargate`". Exactly one of
//!   `autoScalingGroupProvider` / `managedInstancesProvider`; managed-instances providers are
//!   cluster-scoped (`cluster` required).
//! - ManagedScaling: omitted members default to `targetCapacity` 100, `minimumScalingStepSize`
//!   1, `maximumScalingStepSize` 10000, `instanceWarmupPeriod` 300; AutoScalingGroupProvider
//!   `managedDraining` defaults to ENABLED, `managedTerminationProtection` to DISABLED, and
//!   "when using managed termination protection, managed scaling must also be used".
//! - DeleteCapacityProvider: "Only capacity providers that aren't associated with a cluster can
//!   be deleted." The call itself succeeds and the provider reports `updateStatus`
//!   DELETE_FAILED with the reason in `updateStatusReason` (the delete answer carries it
//!   already: ekristen/aws-nuke#542; the AWS provider waits on it: terraform-provider-aws
//!   #14393). A deleted provider is described as INACTIVE.
//! - A capacity provider strategy "can only contain Auto Scaling group capacity providers or
//!   Fargate capacity providers" (ECS Developer Guide, Amazon ECS capacity providers).
//! - PutClusterCapacityProviders refuses managed-instances providers ("Cannot associate
//!   Managed Instances capacity provider to clusters using this API", terraform-provider-aws
//!   #44783): they are associated with their cluster when created and stay associated until
//!   deleted.

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::{Fidelity, account_of, last_segment, reply_of};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, epoch_now, json_reply};

/// The capacity providers every account has.
pub const BUILT_IN: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

/// Custom providers by (region, name), in ECS's shape (tags included).
pub type Registry = BTreeMap<(String, String), Value>;

const MI_PUT_REFUSAL: &str = "Cannot associate Managed Instances capacity provider to clusters \
    using this API. Managed Instances capacity providers are already associated with the \
    cluster they were created in.";

fn ok(body: Value) -> Reply {
    json_reply(StatusCode::OK, &body)
}

/// The provider named by `name_or_arn` in the call's region, if any (INACTIVE ones too).
fn find(fidelity: &Fidelity, call: &Call, name_or_arn: &str) -> Option<Value> {
    let key = (call.region(), last_segment(name_or_arn).to_string());
    fidelity.state().capacity_providers.get(&key).cloned()
}

fn is_active(provider: &Value) -> bool {
    provider.get("status").and_then(Value::as_str) == Some("ACTIVE")
}

fn store(fidelity: &Fidelity, call: &Call, provider: &Value) {
    let name = provider["name"].as_str().unwrap_or_default().to_string();
    fidelity
        .state()
        .capacity_providers
        .insert((call.region(), name), provider.clone());
}

/// Why ECS would refuse `name` as a capacity provider name.
fn name_refusal(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 255 {
        return Some("The capacity provider name must be 1 to 255 characters.".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Some(
            "The capacity provider name can contain only letters, numbers, underscores and hyphens."
                .into(),
        );
    }
    let lower = name.to_ascii_lowercase();
    ["aws", "ecs", "fargate"]
        .iter()
        .any(|p| lower.starts_with(p))
        .then(|| {
            "The capacity provider name cannot be prefixed with \"aws\", \"ecs\", or \"fargate\"."
                .into()
        })
}

/// An integer member of `object` outside `min..=max`, as ECS's message.
fn out_of_range(object: &Value, member: &str, min: i64, max: i64) -> Option<String> {
    let v = object.get(member)?.as_i64()?;
    (v < min || v > max).then(|| format!("{member} must be between {min} and {max}; got {v}."))
}

/// The ASG provider with the members ECS fills in, after the rules ECS checks.
fn asg_with_defaults(mut asg: Value) -> Result<Value, String> {
    let scaling = asg
        .as_object_mut()
        .ok_or("autoScalingGroupProvider must be an object.")?
        .entry("managedScaling")
        .or_insert_with(|| json!({}));
    for (member, min, max) in [
        ("targetCapacity", 1, 100),
        ("minimumScalingStepSize", 1, 10000),
        ("maximumScalingStepSize", 1, 10000),
        ("instanceWarmupPeriod", 0, 10000),
    ] {
        if let Some(message) = out_of_range(scaling, member, min, max) {
            return Err(message);
        }
    }
    if let Some(s) = scaling.as_object_mut() {
        for (member, default) in [
            ("status", json!("DISABLED")),
            ("targetCapacity", json!(100)),
            ("minimumScalingStepSize", json!(1)),
            ("maximumScalingStepSize", json!(10000)),
            ("instanceWarmupPeriod", json!(300)),
        ] {
            s.entry(member).or_insert(default);
        }
    }
    let map = asg.as_object_mut().ok_or("not an object")?;
    map.entry("managedTerminationProtection")
        .or_insert(json!("DISABLED"));
    map.entry("managedDraining").or_insert(json!("ENABLED"));
    let protection = asg["managedTerminationProtection"].as_str() == Some("ENABLED");
    let scaling_on = asg["managedScaling"]["status"].as_str() == Some("ENABLED");
    if protection && !scaling_on {
        return Err(
            "The managed termination protection setting for the capacity provider is \
                    invalid. To enable managed termination protection, managed scaling must \
                    also be enabled."
                .into(),
        );
    }
    Ok(asg)
}

/// The managed-instances provider as ECS reports it (the capacity option filled in).
fn mi_with_defaults(mut mi: Value) -> Result<Value, String> {
    if mi
        .get("infrastructureRoleArn")
        .and_then(Value::as_str)
        .is_none()
    {
        return Err("managedInstancesProvider.infrastructureRoleArn is required.".into());
    }
    let template = mi
        .get_mut("instanceLaunchTemplate")
        .and_then(Value::as_object_mut)
        .ok_or("managedInstancesProvider.instanceLaunchTemplate is required.")?;
    template
        .entry("capacityOptionType")
        .or_insert(json!("ON_DEMAND"));
    Ok(mi)
}

/// ACTIVE cluster named by `cluster` (name or ARN), as moto describes it.
async fn active_cluster(call: &Call, up: &Upstream, cluster: &str) -> Option<Value> {
    let described = up
        .ask(&call.sibling("DescribeClusters", json!({ "clusters": [cluster] })))
        .await;
    described
        .json
        .get("clusters")?
        .as_array()?
        .iter()
        .find(|c| c["status"].as_str() == Some("ACTIVE"))
        .cloned()
}

/// Rewrite moto's association list of `cluster` with `change` applied (the strategy kept).
async fn reassociate(call: &Call, up: &Upstream, cluster: &str, change: impl Fn(&mut Vec<Value>)) {
    let Some(found) = active_cluster(call, up, cluster).await else {
        return;
    };
    let mut providers = found["capacityProviders"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    change(&mut providers);
    let strategy = found
        .get("defaultCapacityProviderStrategy")
        .cloned()
        .unwrap_or_else(|| json!([]));
    up.ask(&call.sibling(
        "PutClusterCapacityProviders",
        json!({ "cluster": cluster, "capacityProviders": providers, "defaultCapacityProviderStrategy": strategy }),
    ))
    .await;
}

pub async fn create(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let name = call.str("name").unwrap_or_default().to_string();
    if let Some(message) = name_refusal(&name) {
        return client_error("ClientException", message);
    }
    if find(fidelity, call, &name).is_some_and(|p| is_active(&p)) {
        return client_error(
            "ClientException",
            "The specified capacity provider already exists. To change the configuration of an \
             existing capacity provider, update the capacity provider.",
        );
    }
    let asg = call.json.get("autoScalingGroupProvider").cloned();
    let mi = call.json.get("managedInstancesProvider").cloned();
    let region = call.region();
    let arn = format!("arn:aws:ecs:{region}:123456789012:capacity-provider/{name}");
    let mut provider = Map::new();
    provider.insert("capacityProviderArn".into(), json!(arn));
    provider.insert("name".into(), json!(name));
    provider.insert("status".into(), json!("ACTIVE"));
    match (asg, mi) {
        (Some(asg), None) => match asg_with_defaults(asg) {
            Ok(asg) => {
                provider.insert("autoScalingGroupProvider".into(), asg);
                provider.insert("type".into(), json!("EC2_AUTOSCALING"));
            }
            Err(message) => return client_error("InvalidParameterException", message),
        },
        (None, Some(mi)) => {
            let Some(cluster) = call.str("cluster") else {
                return client_error(
                    "InvalidParameterException",
                    "A cluster is required for a Managed Instances capacity provider.",
                );
            };
            let Some(found) = active_cluster(call, up, cluster).await else {
                return client_error("ClusterNotFoundException", "Cluster not found.");
            };
            match mi_with_defaults(mi) {
                Ok(mi) => {
                    provider.insert("managedInstancesProvider".into(), mi);
                    provider.insert("type".into(), json!("MANAGED_INSTANCES"));
                }
                Err(message) => return client_error("InvalidParameterException", message),
            }
            let cluster_name = found["clusterName"].as_str().unwrap_or(cluster).to_string();
            provider.insert("cluster".into(), json!(cluster_name));
            let added = name.clone();
            reassociate(call, up, &cluster_name, move |list| {
                list.push(json!(added.clone()))
            })
            .await;
        }
        _ => {
            return client_error(
                "InvalidParameterException",
                "Specify exactly one of autoScalingGroupProvider and managedInstancesProvider.",
            );
        }
    }
    provider.insert("tags".into(), json!(call.list("tags")));
    let provider = Value::Object(provider);
    store(fidelity, call, &provider);
    ok(json!({ "capacityProvider": provider }))
}

/// Members of `update` replace those of `target`, objects merged member by member.
fn merge(target: &mut Value, update: &Value) {
    match (target.as_object_mut(), update.as_object()) {
        (Some(t), Some(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => *target = update.clone(),
    }
}

pub async fn update(fidelity: &Fidelity, call: &Call) -> Reply {
    let name = call.str("name").unwrap_or_default();
    let Some(mut provider) = find(fidelity, call, name).filter(is_active) else {
        return client_error(
            "ClientException",
            "The specified capacity provider does not exist. Specify a valid name or ARN and try again.",
        );
    };
    if let Some(update) = call.json.get("autoScalingGroupProvider") {
        let Some(current) = provider.get_mut("autoScalingGroupProvider") else {
            return client_error(
                "InvalidParameterException",
                "autoScalingGroupProvider can only update an Auto Scaling group capacity provider.",
            );
        };
        let mut merged = current.clone();
        merge(&mut merged, update);
        match asg_with_defaults(merged) {
            Ok(merged) => *current = merged,
            Err(message) => return client_error("InvalidParameterException", message),
        }
    }
    if let Some(update) = call.json.get("managedInstancesProvider") {
        let Some(current) = provider.get_mut("managedInstancesProvider") else {
            return client_error(
                "InvalidParameterException",
                "managedInstancesProvider can only update a Managed Instances capacity provider.",
            );
        };
        merge(current, update);
    }
    provider["updateStatus"] = json!("UPDATE_COMPLETE");
    store(fidelity, call, &provider);
    ok(json!({ "capacityProvider": provider }))
}

/// Clusters of the region whose association list holds `name`, as moto keeps them.
async fn clusters_holding(call: &Call, up: &Upstream, name: &str) -> Vec<String> {
    let listed = up.ask(&call.sibling("ListClusters", json!({}))).await;
    let arns: Vec<Value> = listed.json["clusterArns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut holding = Vec::new();
    for batch in arns.chunks(100) {
        let described = up
            .ask(&call.sibling("DescribeClusters", json!({ "clusters": batch })))
            .await;
        for cluster in described.json["clusters"].as_array().into_iter().flatten() {
            let held = cluster["capacityProviders"]
                .as_array()
                .is_some_and(|l| l.iter().any(|p| p.as_str() == Some(name)));
            if cluster["status"].as_str() == Some("ACTIVE") && held {
                holding.push(
                    cluster["clusterName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
    }
    holding
}

pub async fn delete(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let requested = call.str("capacityProvider").unwrap_or_default();
    if BUILT_IN.contains(&last_segment(requested)) {
        return client_error(
            "ClientException",
            "The FARGATE and FARGATE_SPOT capacity providers are reserved and cannot be deleted.",
        );
    }
    let Some(mut provider) = find(fidelity, call, requested).filter(is_active) else {
        return client_error(
            "ClientException",
            "The specified capacity provider does not exist. Specify a valid name or ARN and try again.",
        );
    };
    let name = provider["name"].as_str().unwrap_or_default().to_string();
    let scope = provider["cluster"].as_str();
    if let Some(given) = call.str("cluster")
        && scope != Some(last_segment(given))
    {
        return client_error(
            "ClientException",
            "The specified capacity provider does not exist in the specified cluster.",
        );
    }
    if let Some(cluster) = provider["cluster"].as_str().map(str::to_string) {
        // Cluster-scoped: deleting it is how it leaves its cluster.
        let gone = name.clone();
        reassociate(call, up, &cluster, move |list| {
            list.retain(|p| p.as_str() != Some(&gone))
        })
        .await;
    } else {
        let holding = clusters_holding(call, up, &name).await;
        if let Some(cluster) = holding.first() {
            provider["updateStatus"] = json!("DELETE_FAILED");
            provider["updateStatusReason"] = json!(format!(
                "The capacity provider cannot be deleted because it is associated with cluster: \
                 {cluster}. Remove the capacity provider from the cluster and try again."
            ));
            store(fidelity, call, &provider);
            return ok(json!({ "capacityProvider": provider }));
        }
    }
    let mut answer = provider.clone();
    answer["updateStatus"] = json!("DELETE_IN_PROGRESS");
    if let Some(map) = answer.as_object_mut() {
        map.remove("updateStatusReason");
    }
    provider["status"] = json!("INACTIVE");
    provider["updateStatus"] = json!("DELETE_COMPLETE");
    provider["deletedAt"] = json!(epoch_now());
    if let Some(map) = provider.as_object_mut() {
        map.remove("updateStatusReason");
    }
    store(fidelity, call, &provider);
    ok(json!({ "capacityProvider": answer }))
}

/// Describe by name or ARN, or every ACTIVE provider without names (moto: MISSING for the
/// Fargate providers, HTTP 500 without names). Tags only with `include: ["TAGS"]`.
pub async fn describe(fidelity: &Fidelity, call: &Call) -> Reply {
    let region = call.region();
    let with_tags = call
        .list("include")
        .iter()
        .any(|i| i.as_str() == Some("TAGS"));
    let requested: Vec<String> = call
        .list("capacityProviders")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let named = !requested.is_empty();
    let requested = if named {
        requested
    } else {
        let state = fidelity.state();
        BUILT_IN
            .iter()
            .map(|s| s.to_string())
            .chain(
                state
                    .capacity_providers
                    .iter()
                    .filter(|((r, _), p)| *r == region && is_active(p))
                    .map(|((_, n), _)| n.clone()),
            )
            .collect()
    };
    let account = account_of("");
    let mut providers = Vec::new();
    let mut failures = Vec::new();
    for wanted in &requested {
        let name = last_segment(wanted);
        if BUILT_IN.contains(&name) {
            providers.push(json!({
                "capacityProviderArn": format!("arn:aws:ecs:{region}:{account}:capacity-provider/{name}"),
                "name": name,
                "status": "ACTIVE",
                "tags": [],
            }));
            continue;
        }
        match find(fidelity, call, wanted) {
            Some(mut provider) => {
                if let Some(map) = provider.as_object_mut() {
                    map.remove("deletedAt");
                    if !with_tags {
                        map.remove("tags");
                    }
                }
                providers.push(provider);
            }
            None => failures.push(json!({
                "arn": format!("arn:aws:ecs:{region}:{account}:capacity-provider/{name}"),
                "reason": "MISSING",
            })),
        }
    }
    ok(json!({ "capacityProviders": providers, "failures": failures }))
}

/// The managed-instances providers associated with `cluster` (name or ARN) in the region.
fn cluster_scoped(fidelity: &Fidelity, call: &Call, cluster: &str) -> Vec<String> {
    let region = call.region();
    let cluster = last_segment(cluster);
    fidelity
        .state()
        .capacity_providers
        .iter()
        .filter(|((r, _), p)| {
            *r == region && is_active(p) && p["cluster"].as_str() == Some(cluster)
        })
        .map(|((_, n), _)| n.clone())
        .collect()
}

/// PutClusterCapacityProviders: managed-instances providers are refused in the list and stay
/// associated with their cluster whatever the list says.
pub async fn put_cluster(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let listed: Vec<String> = call
        .list("capacityProviders")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let managed_instances = |name: &str| {
        find(fidelity, call, name).is_some_and(|p| is_active(&p) && p.get("cluster").is_some())
    };
    if listed.iter().any(|n| managed_instances(n)) {
        return client_error("InvalidParameterException", MI_PUT_REFUSAL);
    }
    // A strategy holds Fargate providers or others, not both (ECS Developer Guide, Amazon ECS
    // capacity providers; the message as terraform-aws-modules/terraform-aws-ecs#68 quotes it).
    let in_strategy: Vec<String> = call
        .list("defaultCapacityProviderStrategy")
        .iter()
        .filter_map(|i| i["capacityProvider"].as_str().map(str::to_string))
        .collect();
    let fargate = in_strategy
        .iter()
        .filter(|n| BUILT_IN.contains(&n.as_str()))
        .count();
    if fargate > 0 && fargate < in_strategy.len() {
        return client_error(
            "InvalidParameterException",
            "A capacity provider strategy cannot contain a mix of capacity providers using Auto \
             Scaling groups and Fargate providers. Specify one or the other and try again.",
        );
    }
    let cluster = call.str("cluster").unwrap_or_default();
    let mut all: Vec<Value> = listed.iter().map(|n| json!(n)).collect();
    for name in cluster_scoped(fidelity, call, cluster) {
        if !listed.contains(&name) {
            all.push(json!(name));
        }
    }
    let mut request = call.json.clone();
    request["capacityProviders"] = json!(all);
    reply_of(&up.ask(&call.with_json(request)).await)
}

/// Whether `call` is a tagging call for a capacity provider (kept here, unknown to moto).
pub fn is_tagging(call: &Call) -> bool {
    call.str("resourceArn")
        .is_some_and(|arn| arn.contains(":capacity-provider/"))
}

/// TagResource, UntagResource and ListTagsForResource on a capacity provider's ARN.
pub fn tagging(fidelity: &Fidelity, call: &Call) -> Reply {
    let arn = call.str("resourceArn").unwrap_or_default();
    let Some(mut provider) = find(fidelity, call, arn).filter(is_active) else {
        return client_error(
            "ClientException",
            "The specified capacity provider does not exist. Specify a valid name or ARN and try again.",
        );
    };
    let mut tags = provider["tags"].as_array().cloned().unwrap_or_default();
    match call.action.as_str() {
        "ListTagsForResource" => return ok(json!({ "tags": tags })),
        "TagResource" => {
            for new in call.list("tags") {
                tags.retain(|t| t["key"] != new["key"]);
                tags.push(new);
            }
        }
        _ => {
            let keys = call.list("tagKeys");
            tags.retain(|t| !keys.contains(&t["key"]));
        }
    }
    provider["tags"] = json!(tags);
    store(fidelity, call, &provider);
    ok(json!({}))
}
