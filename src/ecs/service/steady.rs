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
    /// Interrupted with `sigint_rollback`: ECS was asked to roll the deployment back.
    RollbackRequested(String),
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

/// Wait until the service is steady; `deployment_id` is the deployment the apply started, and
/// `report` is told each new line of progress.
pub async fn wait_steady(
    clients: &Clients,
    cluster: &str,
    name: &str,
    (deployment_id, report): (Option<&str>, Option<super::deployment_wait::Progress<'_>>),
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<(), SteadyError> {
    let changes = super::deployment_wait::Changes::new(report);
    let changes = &changes;
    let result = wait::until(
        timeout,
        Duration::from_millis(500),
        Duration::from_secs(15),
        cancel,
        || async move {
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
                    changes.tell(&now);
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        Deployment, DeploymentController, DeploymentControllerType, ServiceEvent, TaskSet,
    };

    fn deployment(id: &str, status: &str, rollout: DeploymentRolloutState) -> Deployment {
        Deployment::builder()
            .id(id)
            .status(status)
            .rollout_state_reason(format!("{id} {}", rollout.as_str()))
            .rollout_state(rollout)
            .build()
    }

    fn ecs(deployments: Vec<Deployment>, running: i32, desired: i32) -> Service {
        Service::builder()
            .status("ACTIVE")
            .set_deployments(Some(deployments))
            .running_count(running)
            .desired_count(desired)
            .build()
    }

    fn controlled(kind: DeploymentControllerType) -> aws_sdk_ecs::types::builders::ServiceBuilder {
        Service::builder().status("ACTIVE").deployment_controller(
            DeploymentController::builder()
                .r#type(kind)
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn an_ecs_service_is_steady_with_one_completed_deployment_running_every_task() {
        let done = || deployment("d-2", "PRIMARY", DeploymentRolloutState::Completed);
        assert!(is_steady(&ecs(vec![done()], 2, 2)));
        assert!(!is_steady(&ecs(vec![done()], 1, 2)), "a task missing");
        let old = deployment("d-1", "ACTIVE", DeploymentRolloutState::Completed);
        assert!(
            !is_steady(&ecs(vec![done(), old], 2, 2)),
            "the old one drains"
        );
        let running = deployment("d-2", "PRIMARY", DeploymentRolloutState::InProgress);
        assert!(!is_steady(&ecs(vec![running], 2, 2)), "still rolling out");
        assert!(!is_steady(&ecs(vec![], 0, 0)), "no deployment at all");
    }

    #[test]
    fn a_code_deploy_service_is_steady_when_its_primary_task_set_is() {
        let set = |status: &str, stability: StabilityStatus, running: i32| {
            TaskSet::builder()
                .status(status)
                .stability_status(stability)
                .running_count(running)
                .computed_desired_count(2)
                .build()
        };
        let with = |sets: Vec<TaskSet>| {
            controlled(DeploymentControllerType::CodeDeploy)
                .set_task_sets(Some(sets))
                .build()
        };
        assert!(is_steady(&with(vec![set(
            "PRIMARY",
            StabilityStatus::SteadyState,
            2
        )])));
        assert!(!is_steady(&with(vec![set(
            "PRIMARY",
            StabilityStatus::Stabilizing,
            2
        )])));
        assert!(!is_steady(&with(vec![set(
            "PRIMARY",
            StabilityStatus::SteadyState,
            1
        )])));
        assert!(!is_steady(&with(vec![set(
            "ACTIVE",
            StabilityStatus::SteadyState,
            2
        )])));
        assert!(!is_steady(&with(vec![])), "no task set yet");
    }

    #[test]
    fn an_external_service_is_steady_while_active() {
        let with = |status: &str| {
            controlled(DeploymentControllerType::External)
                .status(status)
                .build()
        };
        assert!(is_steady(&with("ACTIVE")));
        assert!(!is_steady(&with("DRAINING")));
    }

    #[test]
    fn a_failure_is_the_started_or_primary_deployment_failing_with_the_latest_event() {
        let failed = deployment("d-2", "PRIMARY", DeploymentRolloutState::Failed);
        let event = ServiceEvent::builder()
            .message("tasks failed to start")
            .build();
        let service = Service::builder().deployments(failed).events(event).build();
        assert_eq!(
            failed_reason(&service, Some("d-2")).as_deref(),
            Some("d-2 FAILED Latest service event: tasks failed to start")
        );
        // An older deployment that failed before this apply is not this apply's failure.
        let old = Service::builder()
            .deployments(deployment(
                "d-3",
                "PRIMARY",
                DeploymentRolloutState::InProgress,
            ))
            .deployments(deployment("d-1", "ACTIVE", DeploymentRolloutState::Failed))
            .build();
        assert_eq!(failed_reason(&old, Some("d-3")), None);
        assert_eq!(
            failed_reason(&old, Some("d-1")).as_deref(),
            Some("d-1 FAILED")
        );
    }

    #[test]
    fn progress_of_a_code_deploy_service_names_its_primary_task_set() {
        let set = |status: &str, running: i32| {
            TaskSet::builder()
                .status(status)
                .stability_status(StabilityStatus::Stabilizing)
                .running_count(running)
                .computed_desired_count(2)
                .build()
        };
        let s = controlled(DeploymentControllerType::CodeDeploy)
            .task_sets(set("ACTIVE", 2))
            .task_sets(set("PRIMARY", 1))
            .build();
        assert_eq!(
            progress(&s),
            "primary task set 1 of 2 tasks running, STABILIZING"
        );
    }

    #[test]
    fn progress_names_counts_and_the_primary_rollout() {
        let s = ecs(
            vec![deployment(
                "d-2",
                "PRIMARY",
                DeploymentRolloutState::InProgress,
            )],
            1,
            2,
        );
        assert_eq!(
            progress(&s),
            "1 of 2 tasks running, 1 deployments, primary IN_PROGRESS"
        );
    }
}
