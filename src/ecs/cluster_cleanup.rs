//! `force_destroy` of a cluster: empty it in the order ECS demands before deleting it.
//! Services are scaled to zero, deleted and waited for until INACTIVE; remaining tasks are
//! stopped; container instances deregistered; capacity providers detached; the cluster's own
//! managed-instances providers deleted (ECS refuses to delete a cluster while one exists:
//! ClusterContainsCapacityProviderException).

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::arn::name_of;
use super::service::steady::wait_inactive;
use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::aws::wait::WaitError;

/// Every service ARN of the cluster (ListServices pages through ACTIVE and DRAINING ones).
async fn services(clients: &Clients, cluster: &str) -> Result<Vec<String>, String> {
    let mut arns = Vec::new();
    let mut pages = clients
        .ecs
        .list_services()
        .cluster(cluster)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("ListServices failed: {}", describe(&e)))?;
        arns.extend(page.service_arns().iter().cloned());
    }
    Ok(arns)
}

/// Every task of the cluster whose desired status is RUNNING (ListTasks' default filter),
/// through every page. All pages are read before any task is stopped: stopping changes the
/// list being paged.
async fn tasks(clients: &Clients, cluster: &str) -> Result<Vec<String>, String> {
    let mut arns = Vec::new();
    let mut pages = clients
        .ecs
        .list_tasks()
        .cluster(cluster)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("ListTasks failed: {}", describe(&e)))?;
        arns.extend(page.task_arns().iter().cloned());
    }
    Ok(arns)
}

/// Every container instance registered to the cluster (all states but INACTIVE), through
/// every page, read before any is deregistered.
async fn container_instances(clients: &Clients, cluster: &str) -> Result<Vec<String>, String> {
    let mut arns = Vec::new();
    let mut pages = clients
        .ecs
        .list_container_instances()
        .cluster(cluster)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("ListContainerInstances failed: {}", describe(&e)))?;
        arns.extend(page.container_instance_arns().iter().cloned());
    }
    Ok(arns)
}

/// Empty `cluster`, spending at most until `deadline`.
pub async fn empty_cluster(
    clients: &Clients,
    cluster: &str,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let services = services(clients, cluster).await?;
    for arn in &services {
        let name = name_of(arn);
        tracing::info!(cluster = %cluster, service = %name, "force_destroy: scaling the service to 0 and deleting it");
        if let Err(e) = clients
            .ecs
            .update_service()
            .cluster(cluster)
            .service(name)
            .desired_count(0)
            .send()
            .await
        {
            tracing::warn!(service = %name, error = %describe(&e), "could not scale to 0; deleting with force");
        }
        if let Err(e) = clients
            .ecs
            .delete_service()
            .cluster(cluster)
            .service(name)
            .force(true)
            .send()
            .await
        {
            let text = describe(&e);
            if !text.contains("ServiceNotActive") && !text.contains("ServiceNotFound") {
                return Err(format!("DeleteService for \"{name}\" failed: {text}"));
            }
        }
    }
    for arn in &services {
        let name = name_of(arn);
        let left = deadline.saturating_duration_since(Instant::now());
        match wait_inactive(clients, cluster, name, left, cancel).await {
            Ok(()) => {}
            Err(WaitError::Cancelled) => {
                return Err("interrupted: Terraform asked the provider to stop".into());
            }
            Err(WaitError::TimedOut { last }) => {
                return Err(format!(
                    "service \"{name}\" did not finish draining: {}",
                    last.unwrap_or_default()
                ));
            }
        }
    }
    let tasks = tasks(clients, cluster).await?;
    for task in &tasks {
        tracing::info!(cluster = %cluster, task = %task, "force_destroy: stopping the task");
        clients
            .ecs
            .stop_task()
            .cluster(cluster)
            .task(task)
            .reason("The cluster is being destroyed (force_destroy)")
            .send()
            .await
            .map_err(|e| format!("StopTask for \"{task}\" failed: {}", describe(&e)))?;
    }
    let instances = container_instances(clients, cluster).await?;
    for instance in &instances {
        tracing::info!(cluster = %cluster, instance = %instance, "force_destroy: deregistering the container instance");
        clients
            .ecs
            .deregister_container_instance()
            .cluster(cluster)
            .container_instance(instance)
            .force(true)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "DeregisterContainerInstance for \"{instance}\" failed: {}",
                    describe(&e)
                )
            })?;
    }
    tracing::info!(cluster = %cluster, "force_destroy: detaching capacity providers");
    clients
        .ecs
        .put_cluster_capacity_providers()
        .cluster(cluster)
        .set_capacity_providers(Some(vec![]))
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .map_err(|e| format!("PutClusterCapacityProviders failed: {}", describe(&e)))?;
    for provider in cluster_scoped_providers(clients, cluster).await? {
        tracing::info!(cluster = %cluster, capacity_provider = %provider, "force_destroy: deleting the managed-instances capacity provider");
        let left = deadline.saturating_duration_since(Instant::now());
        super::capacity_provider::delete_provider(
            clients,
            &provider,
            &provider,
            Some(cluster),
            left,
            cancel,
        )
        .await?;
    }
    Ok(())
}

/// The managed-instances providers of `cluster`: those it still lists after the detach (which
/// leaves them), as DescribeCapacityProviders reports them with their cluster.
async fn cluster_scoped_providers(clients: &Clients, cluster: &str) -> Result<Vec<String>, String> {
    let described = clients
        .ecs
        .describe_clusters()
        .clusters(cluster)
        .send()
        .await
        .map_err(|e| format!("DescribeClusters failed: {}", describe(&e)))?;
    let names: Vec<String> = described
        .clusters()
        .iter()
        .flat_map(|c| c.capacity_providers().iter().cloned())
        .collect();
    super::capacity_providers::managed_instances(clients, &names).await
}

/// How long a cleanup may take at most, given the delete timeout.
pub fn deadline(timeout: Duration) -> Instant {
    crate::aws::wait::deadline_after(timeout)
}
