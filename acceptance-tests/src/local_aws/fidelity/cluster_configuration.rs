//! DescribeClusters reports a cluster's `configuration` (execute-command settings and
//! `managedStorageConfiguration`) only when `include` has `CONFIGURATIONS`; moto always reports
//! it. Without this a provider that forgot to ask would still read the configuration here and
//! then see none on ECS (a diff after every apply).
//!
//! https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html ("If
//! `CONFIGURATIONS` is specified, the configuration for the cluster is included.")

use serde_json::Value;

use crate::local_aws::wire::Call;

/// Remove `configuration` from each described cluster unless the call asked for it.
pub fn omit_unrequested(call: &Call, body: &mut Value) {
    let asked = call
        .list("include")
        .iter()
        .any(|v| v.as_str() == Some("CONFIGURATIONS"));
    if asked {
        return;
    }
    if let Some(clusters) = body.get_mut("clusters").and_then(Value::as_array_mut) {
        for cluster in clusters {
            if let Some(cluster) = cluster.as_object_mut() {
                cluster.remove("configuration");
            }
        }
    }
}
