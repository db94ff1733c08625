//! Clusters: deletion is refused while the cluster still holds services, tasks, container
//! instances or capacity providers (moto deletes anyway), and the calls moto cannot answer
//! (UpdateClusterSettings, ListClusters).

use serde_json::{Value, json};

use super::{Fidelity, reply_of, services, tasks};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error};

/// The capacity providers every account has.
const BUILT_IN_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

pub async fn delete_cluster(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    if let Some(cluster) = call.str("cluster")
        && let Some(refusal) = refusal(fidelity, call, up, cluster).await
    {
        return refusal;
    }
    up.forward(call).await
}

/// Why AWS would refuse to delete `cluster` now, checked in the order AWS reports them.
async fn refusal(fidelity: &Fidelity, call: &Call, up: &Upstream, cluster: &str) -> Option<Reply> {
    let described = up
        .ask(&call.sibling("DescribeClusters", json!({ "clusters": [cluster] })))
        .await;
    let found = described.json.get("clusters")?.as_array()?.first()?.clone();
    if found.get("status").and_then(Value::as_str) != Some("ACTIVE") {
        return None;
    }
    if services::cluster_has_live_services(fidelity, call, up, cluster).await {
        return Some(client_error(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        ));
    }
    let listed = up
        .ask(&call.sibling(
            "ListTasks",
            json!({ "cluster": cluster, "desiredStatus": "RUNNING" }),
        ))
        .await;
    // The layer's RunTask tasks block until STOPPED, not only while desired RUNNING.
    if non_empty(&listed.json, "taskArns") || tasks::cluster_has_unstopped_tasks(fidelity, cluster)
    {
        return Some(client_error(
            "ClusterContainsTasksException",
            "The Cluster cannot be deleted while Tasks are active.",
        ));
    }
    let instances = up
        .ask(&call.sibling("ListContainerInstances", json!({ "cluster": cluster })))
        .await;
    if non_empty(&instances.json, "containerInstanceArns") {
        return Some(client_error(
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        ));
    }
    let custom_providers = found
        .get("capacityProviders")
        .and_then(Value::as_array)
        .is_some_and(|providers| {
            providers
                .iter()
                .filter_map(Value::as_str)
                .any(|p| !BUILT_IN_PROVIDERS.contains(&p))
        });
    if custom_providers {
        return Some(client_error(
            "ClusterContainsCapacityProviderException",
            "The Cluster cannot be deleted while capacity providers are associated with it. \
             Remove them with PutClusterCapacityProviders first.",
        ));
    }
    None
}

fn non_empty(json: &Value, member: &str) -> bool {
    json.get(member)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// moto does not implement UpdateClusterSettings (HTTP 500). AWS merges the given settings
/// into the cluster's by name; UpdateCluster in moto replaces them, so merge here first.
pub async fn update_cluster_settings(call: &Call, up: &Upstream) -> Reply {
    let Some(cluster) = call.str("cluster") else {
        return client_error("InvalidParameterException", "Cluster cannot be empty.");
    };
    let described = up
        .ask(&call.sibling(
            "DescribeClusters",
            json!({ "clusters": [cluster], "include": ["SETTINGS"] }),
        ))
        .await;
    let Some(current) = described
        .json
        .get("clusters")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    else {
        return client_error("ClusterNotFoundException", "Cluster not found.");
    };
    let mut settings: Vec<Value> = current
        .get("settings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for new in call.list("settings") {
        let name = new.get("name").cloned();
        settings.retain(|s| s.get("name") != name.as_ref());
        settings.push(new);
    }
    let updated = up
        .ask(&call.sibling(
            "UpdateCluster",
            json!({ "cluster": cluster, "settings": settings }),
        ))
        .await;
    reply_of(&updated)
}

/// ListClusters names ACTIVE clusters only (moto lists deleted ones too).
pub async fn list_clusters(call: &Call, up: &Upstream) -> Reply {
    let listed = up.ask(&call.sibling("ListClusters", json!({}))).await;
    let arns: Vec<Value> = listed
        .json
        .get("clusterArns")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut inactive = Vec::new();
    for batch in arns.chunks(100) {
        let described = up
            .ask(&call.sibling("DescribeClusters", json!({ "clusters": batch })))
            .await;
        for cluster in described
            .json
            .get("clusters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if cluster.get("status").and_then(Value::as_str) != Some("ACTIVE")
                && let Some(arn) = cluster.get("clusterArn").and_then(Value::as_str)
            {
                inactive.push(arn.to_string());
            }
        }
    }
    super::limits::paginated_list(call, up, "clusterArns", 100, |arn| {
        !inactive.iter().any(|i| i == arn)
    })
    .await
}
