//! Waiting for a service: steady state after create and update (failing at once when the
//! deployment circuit breaker trips), and INACTIVE after delete. Progress goes to the log.

use std::time::Duration;

use aws_sdk_ecs::types::{DeploymentRolloutState, Service, StabilityStatus};

use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::aws::wait::{self, Poll, WaitError};
use tokio_util::sync::CancellationToken;

/// Why a wait for steady state ended badly.
pub enum SteadyError {
    /// A deployment failed; the message carries AWS's reason.
    Failed(String),
    TimedOut(String),
    Cancelled,
    Gone,
}

pub async fn describe_service(
    clients: &Clients,
    cluster: &str,
    name: &str,
) -> Result<Option<Service>, String> {
    let out = clients
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(name)
        .include(aws_sdk_ecs::types::ServiceField::Tags)
        .send()
        .await
        .map_err(|e| {
            format!(
                "DescribeServices for \"{name}\" in \"{cluster}\" failed: {}",
                describe(&e)
            )
        })?;
    Ok(out.services().first().cloned())
}

fn failed_reason(service: &Service, deployment_id: Option<&str>) -> Option<String> {
    service
        .deployments()
        .iter()
        .filter(|d| {
            deployment_id.is_none_or(|id| d.id() == Some(id)) || d.status() == Some("PRIMARY")
        })
        .find(|d| d.rollout_state() == Some(&DeploymentRolloutState::Failed))
        .map(|d| {
            let mut reason = d
                .rollout_state_reason()
                .unwrap_or("the deployment failed")
                .to_string();
            if let Some(event) = service.events().first().and_then(|e| e.message()) {
                reason.push_str(&format!(" Latest service event: {event}"));
            }
            reason
        })
}

fn progress(service: &Service) -> String {
    if let Some(set) = service
        .task_sets()
        .iter()
        .find(|t| t.status() == Some("PRIMARY"))
    {
        return format!(
            "primary task set {} of {} tasks running, {}",
            set.running_count(),
            set.computed_desired_count(),
            set.stability_status()
                .map(|s| s.as_str())
                .unwrap_or("unknown")
        );
    }
    let primary = service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"));
    format!(
        "{} of {} tasks running, {} deployments, primary {}",
        service.running_count(),
        service.desired_count(),
        service.deployments().len(),
        primary
            .and_then(|d| d.rollout_state())
            .map(|r| r.as_str())
            .unwrap_or("unknown")
    )
}

/// Steady, as each deployment controller defines it: ECS runs one deployment that has
/// COMPLETED; CODE_DEPLOY reports no deployments but task sets, steady when the PRIMARY one is
/// (ecspresso #502, terraform-provider-aws #29252); EXTERNAL leaves deployments to the caller's
/// task sets, so an ACTIVE service is as steady as this provider can tell.
fn is_steady(service: &Service) -> bool {
    let controller = service
        .deployment_controller()
        .map(|c| c.r#type().as_str())
        .unwrap_or("ECS");
    match controller {
        "EXTERNAL" => service.status() == Some("ACTIVE"),
        "CODE_DEPLOY" => service.task_sets().iter().any(|t| {
            t.status() == Some("PRIMARY")
                && t.stability_status() == Some(&StabilityStatus::SteadyState)
                && t.running_count() == t.computed_desired_count()
        }),
        _ => {
            let deployments = service.deployments();
            deployments.len() == 1
                && service.running_count() == service.desired_count()
                && deployments[0]
                    .rollout_state()
                    .is_none_or(|r| r == &DeploymentRolloutState::Completed)
        }
    }
}

/// Wait until the service is steady; `deployment_id` is the deployment the apply started.
pub async fn wait_steady(
    clients: &Clients,
    cluster: &str,
    name: &str,
    deployment_id: Option<&str>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<(), SteadyError> {
    let result = wait::until(
        timeout,
        Duration::from_millis(500),
        Duration::from_secs(15),
        cancel,
        || async {
            match describe_service(clients, cluster, name).await {
                Ok(Some(s)) if s.status() == Some("INACTIVE") => Poll::Done(Err(SteadyError::Gone)),
                Ok(Some(s)) => {
                    if let Some(reason) = failed_reason(&s, deployment_id) {
                        return Poll::Done(Err(SteadyError::Failed(reason)));
                    }
                    if is_steady(&s) {
                        return Poll::Done(Ok(()));
                    }
                    let now = progress(&s);
                    tracing::info!(service = %name, progress = %now, "waiting for steady state");
                    Poll::Pending(now)
                }
                Ok(None) => Poll::Done(Err(SteadyError::Gone)),
                Err(e) => Poll::Pending(e),
            }
        },
    )
    .await;
    match result {
        Ok(done) => done,
        Err(WaitError::Cancelled) => Err(SteadyError::Cancelled),
        Err(WaitError::TimedOut { last }) => Err(SteadyError::TimedOut(last.unwrap_or_default())),
    }
}

/// Wait until a deleted service is INACTIVE (it drains first).
pub async fn wait_inactive(
    clients: &Clients,
    cluster: &str,
    name: &str,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<(), WaitError<String>> {
    wait::until(timeout, Duration::from_millis(500), Duration::from_secs(15), cancel, || async {
        match describe_service(clients, cluster, name).await {
            Ok(None) => Poll::Done(()),
            Ok(Some(s)) if s.status() == Some("INACTIVE") => Poll::Done(()),
            Ok(Some(s)) => {
                let status = s.status().unwrap_or("unknown").to_string();
                tracing::info!(service = %name, status = %status, running = s.running_count(), "waiting for the service to drain");
                Poll::Pending(format!("status {status}, {} tasks running", s.running_count()))
            }
            Err(e) => Poll::Pending(e),
        }
    })
    .await
}
