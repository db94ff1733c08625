//! Deleting a capacity provider. ECS deletes only providers no cluster holds: for one still
//! associated, DeleteCapacityProvider succeeds but the provider reports `updateStatus`
//! DELETE_FAILED (with the reason), and stays so. Waiting on it, as the AWS provider does, only
//! times out; this fails at once naming the cluster that holds it.

use std::time::Duration;

use aws_sdk_ecs::types::{CapacityProvider, CapacityProviderStatus, CapacityProviderUpdateStatus};
use tokio_util::sync::CancellationToken;

use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};

/// At most this many ListClusters pages (100 clusters each) are searched for the holder.
const MAX_CLUSTER_PAGES: usize = 10;

/// The provider as ECS describes it now; `None` once it is gone or INACTIVE.
pub async fn find(
    clients: &Clients,
    name_or_arn: &str,
) -> Result<Option<CapacityProvider>, String> {
    let out = clients
        .ecs
        .describe_capacity_providers()
        .capacity_providers(name_or_arn)
        .include(aws_sdk_ecs::types::CapacityProviderField::Tags)
        .send()
        .await
        .map_err(|e| {
            format!(
                "DescribeCapacityProviders for \"{name_or_arn}\" failed: {}",
                describe(&e)
            )
        })?;
    Ok(out
        .capacity_providers()
        .iter()
        .find(|p| p.status() != Some(&CapacityProviderStatus::Inactive))
        .cloned())
}

/// Names of the ACTIVE clusters whose capacity providers include `name` (bounded search).
pub async fn clusters_holding(clients: &Clients, name: &str) -> Result<Vec<String>, String> {
    let mut holding = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_CLUSTER_PAGES {
        let page = clients
            .ecs
            .list_clusters()
            .set_next_token(token.take())
            .max_results(100)
            .send()
            .await
            .map_err(|e| format!("ListClusters failed: {}", describe(&e)))?;
        let arns = page.cluster_arns().to_vec();
        if !arns.is_empty() {
            let described = clients
                .ecs
                .describe_clusters()
                .set_clusters(Some(arns))
                .send()
                .await
                .map_err(|e| format!("DescribeClusters failed: {}", describe(&e)))?;
            holding.extend(
                described
                    .clusters()
                    .iter()
                    .filter(|c| c.status() == Some("ACTIVE"))
                    .filter(|c| c.capacity_providers().iter().any(|p| p == name))
                    .filter_map(|c| c.cluster_name().map(str::to_string)),
            );
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(holding)
}

/// The diagnostic detail for a provider a cluster still holds.
async fn associated(clients: &Clients, name: &str, reason: Option<&str>) -> String {
    let holders = match clusters_holding(clients, name).await {
        Ok(h) if !h.is_empty() => format!(
            "cluster{} {}",
            if h.len() > 1 { "s" } else { "" },
            h.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ok(_) => "a cluster".to_string(),
        Err(e) => format!("a cluster (looking it up failed: {e})"),
    };
    format!(
        "Capacity provider \"{name}\" is still associated with {holders}; ECS deletes only providers no cluster holds. \
         Remove it from the cluster's capacity providers first (`ecs_cluster_capacity_providers`, or PutClusterCapacityProviders), then destroy again.{}",
        reason
            .map(|r| format!(" ECS said: {r}"))
            .unwrap_or_default()
    )
}

fn delete_failed(p: &CapacityProvider) -> Option<Option<&str>> {
    (p.update_status() == Some(&CapacityProviderUpdateStatus::DeleteFailed))
        .then(|| p.update_status_reason())
}

/// DeleteCapacityProvider, then wait until ECS reports it INACTIVE or gone. A managed-instances
/// provider is deleted from its `cluster` (ECS API reference, DeleteCapacityProvider `cluster`).
pub async fn delete(
    clients: &Clients,
    arn: &str,
    name: &str,
    cluster: Option<&str>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<(), String> {
    match clients
        .ecs
        .delete_capacity_provider()
        .capacity_provider(arn)
        .set_cluster(cluster.map(str::to_string))
        .send()
        .await
    {
        Ok(out) => {
            if let Some(reason) = out.capacity_provider().and_then(delete_failed) {
                return Err(associated(clients, name, reason).await);
            }
        }
        Err(e) if describe(&e).contains("does not exist") => return Ok(()),
        Err(e) if code(&e) == Some("ResourceInUseException") => {
            return Err(associated(clients, name, Some(&describe(&e))).await);
        }
        Err(e) => {
            return Err(format!(
                "DeleteCapacityProvider for \"{name}\" failed: {}",
                describe(&e)
            ));
        }
    }
    let waited = wait::until(
        timeout,
        Duration::from_millis(500),
        Duration::from_secs(10),
        cancel,
        || async move {
            match find(clients, arn).await {
                Ok(None) => Poll::Done(Ok(())),
                Ok(Some(p)) => match delete_failed(&p) {
                    Some(reason) => Poll::Done(Err(reason.map(str::to_string))),
                    None => Poll::Pending(format!(
                        "status {}, update status {}",
                        p.status().map_or("unknown", |s| s.as_str()),
                        p.update_status().map_or("none", |s| s.as_str())
                    )),
                },
                Err(e) => Poll::Pending(e),
            }
        },
    )
    .await;
    match waited {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(associated(clients, name, reason.as_deref()).await),
        Err(WaitError::Cancelled) => {
            Err("interrupted: Terraform asked the provider to stop".into())
        }
        Err(WaitError::TimedOut { last }) => Err(format!(
            "capacity provider \"{name}\" was not deleted within {}s; last seen: {}",
            timeout.as_secs(),
            last.unwrap_or_default()
        )),
    }
}
