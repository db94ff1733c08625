//! Deleted clusters that ECS no longer knows. A deleted cluster is INACTIVE and "might remain
//! discoverable in your account for a period of time" (DeleteCluster reference); once it is
//! gone, DescribeServices and every other call naming it answer `ClusterNotFoundException:
//! Cluster not found.` (DescribeServices reference, Errors; terraform-provider-aws#15917, where a
//! plan failed this way after the cluster was deleted outside Terraform). moto keeps INACTIVE
//! clusters forever; with `--forget-deleted-clusters` the layer forgets them as soon as they are
//! deleted, and a new cluster of the same name is known again.
//!
//! https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCluster.html
//! https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html#API_DescribeServices_Errors

use serde_json::{Value, json};

use super::{Fidelity, clusters, last_segment, limits, reply_of};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, json_reply};

fn key(call: &Call, cluster: &str) -> (String, String) {
    (call.region(), last_segment(cluster).to_string())
}

fn forgotten(fidelity: &Fidelity, call: &Call, cluster: &str) -> bool {
    fidelity
        .state()
        .forgotten_clusters
        .contains(&key(call, cluster))
}

/// `ClusterNotFoundException` for a call whose `cluster` is a forgotten cluster.
pub fn refusal(fidelity: &Fidelity, call: &Call) -> Option<Reply> {
    if !fidelity.options.forget_deleted_clusters || call.action == "CreateCluster" {
        return None;
    }
    let cluster = call.str("cluster")?;
    forgotten(fidelity, call, cluster)
        .then(|| client_error("ClusterNotFoundException", "Cluster not found."))
}

/// DeleteCluster (with the layer's refusals); a deleted cluster is forgotten at once.
pub async fn delete_cluster(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let reply = clusters::delete_cluster(fidelity, call, up).await;
    if fidelity.options.forget_deleted_clusters
        && reply.status().is_success()
        && let Some(cluster) = call.str("cluster")
    {
        let key = key(call, cluster);
        fidelity.state().forgotten_clusters.insert(key);
    }
    reply
}

/// CreateCluster: a cluster created again under a forgotten name is known again.
pub async fn create_cluster(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let reply = up.forward(call).await;
    if reply.status().is_success()
        && let Some(name) = call.str("clusterName")
    {
        let key = key(call, name);
        fidelity.state().forgotten_clusters.remove(&key);
    }
    reply
}

/// DescribeClusters (at most 100 names): forgotten clusters are `MISSING` failures, as
/// clusters that never existed are.
pub async fn describe_clusters(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    if let Some(refusal) = limits::batch(call, "clusters", 100) {
        return refusal;
    }
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    super::cluster_configuration::omit_unrequested(call, &mut body);
    if let Some(clusters) = body.get_mut("clusters") {
        super::tasks::count_into(fidelity, clusters);
    }
    if !fidelity.options.forget_deleted_clusters {
        return json_reply(answer.status, &body);
    }
    let mut missing = Vec::new();
    if let Some(found) = body.get_mut("clusters").and_then(Value::as_array_mut) {
        found.retain(|c| {
            let name = c.get("clusterName").and_then(Value::as_str).unwrap_or("");
            let gone = forgotten(fidelity, call, name);
            if gone {
                let arn = c.get("clusterArn").cloned().unwrap_or(Value::Null);
                missing.push(json!({ "arn": arn, "reason": "MISSING" }));
            }
            !gone
        });
    }
    if !missing.is_empty() {
        match body.get_mut("failures").and_then(Value::as_array_mut) {
            Some(failures) => failures.extend(missing),
            None => body["failures"] = Value::Array(missing),
        }
    }
    json_reply(answer.status, &body)
}
