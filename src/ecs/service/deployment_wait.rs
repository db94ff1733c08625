//! Waiting on the service deployment an apply started (ListServiceDeployments,
//! DescribeServiceDeployments), not on the service's counters: SUCCESSFUL ends the wait; STOPPED
//! and the rollback outcomes fail it at once with ECS's reason, naming the alarm or lifecycle
//! hook that stopped it. Services of other controllers, changes that start no deployment and
//! endpoints without service deployments fall back to [`steady::wait_steady`].

use std::time::{Duration, SystemTime};

use aws_sdk_ecs::types::{CreatedAt, Service, ServiceDeployment, StopServiceDeploymentStopType};
use aws_smithy_types::DateTime;
use tokio_util::sync::CancellationToken;

use super::steady::{self, SteadyError};
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};

/// Where a wait starts from.
pub struct Start<'a> {
    /// The service as CreateService or UpdateService returned it.
    pub service: Option<&'a Service>,
    /// When the call was made (deployments created before it are not this apply's).
    pub started: SystemTime,
    /// A deployment an earlier, interrupted apply left running.
    pub resume: Option<String>,
    /// Told each new line of progress (an action streams them to Terraform).
    pub progress: Option<Progress<'a>>,
}

/// Where progress lines go besides the log.
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Passes on each progress line that differs from the one before (polls repeat themselves).
pub struct Changes<'a> {
    progress: Option<Progress<'a>>,
    last: std::sync::Mutex<String>,
}

impl<'a> Changes<'a> {
    pub fn new(progress: Option<Progress<'a>>) -> Self {
        Self {
            progress,
            last: std::sync::Mutex::new(String::new()),
        }
    }

    pub fn tell(&self, line: &str) {
        if let (Some(p), Ok(mut last)) = (self.progress, self.last.lock())
            && *last != line
        {
            line.clone_into(&mut last);
            p(line);
        }
    }
}

/// The outcome, and the service deployment waited on (to record when the wait was cut short).
pub struct Waited {
    pub result: Result<(), SteadyError>,
    pub deployment: Option<String>,
}

fn controller(service: Option<&Service>) -> &str {
    service
        .and_then(|s| s.deployment_controller())
        .map_or("ECS", |c| c.r#type().as_str())
}

/// The number the PRIMARY deployment's id ends with, if it started after `started`.
fn new_primary(service: Option<&Service>, started: SystemTime) -> Option<String> {
    let primary = service?
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))?;
    let created = primary.created_at()?;
    let since = DateTime::from(started - Duration::from_secs(2));
    if created.secs() < since.secs() {
        return None;
    }
    primary
        .id()
        .and_then(|id| id.rsplit('/').next())
        .map(str::to_string)
}

/// Why a finished deployment failed, naming the alarm or hook.
pub fn failure(d: &ServiceDeployment) -> String {
    let status = d.status().map_or("unknown", |s| s.as_str());
    let mut reason = d
        .status_reason()
        .unwrap_or("the deployment did not succeed")
        .to_string();
    let alarms: Vec<&str> = d
        .alarms()
        .map(|a| {
            a.triggered_alarm_names()
                .iter()
                .map(String::as_str)
                .collect()
        })
        .unwrap_or_default();
    if !alarms.is_empty() && !alarms.iter().all(|a| reason.contains(a)) {
        reason.push_str(&format!(" Alarm(s) in ALARM: {}.", alarms.join(", ")));
    }
    let stage = d
        .lifecycle_stage()
        .map(|s| format!(" in lifecycle stage {}", s.as_str()))
        .unwrap_or_default();
    let outcome = match status {
        "ROLLBACK_SUCCESSFUL" => "ECS rolled the service back to the previous revision",
        "ROLLBACK_FAILED" => "ECS could not roll the service back",
        _ => "ECS stopped the deployment",
    };
    format!("{reason} ({status}{stage}: {outcome}.)")
}

/// One line of progress: status, stage, traffic and tasks of the new revision.
pub fn progress(d: &ServiceDeployment) -> String {
    let mut line = d.status().map_or("unknown", |s| s.as_str()).to_string();
    if let Some(stage) = d.lifecycle_stage() {
        line.push_str(&format!(", stage {}", stage.as_str()));
    }
    if let Some(t) = d.target_service_revision() {
        line.push_str(&format!(
            ", new revision {} of {} tasks running",
            t.running_task_count(),
            t.requested_task_count()
        ));
        if let Some(w) = t.requested_production_traffic_weight() {
            line.push_str(&format!(", {w}% of production traffic"));
        }
    }
    line
}

fn finished(d: &ServiceDeployment) -> Option<Result<(), SteadyError>> {
    match d.status().map(|s| s.as_str()) {
        Some("SUCCESSFUL") => Some(Ok(())),
        Some("STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED") => {
            Some(Err(SteadyError::Failed(failure(d))))
        }
        _ => None,
    }
}

fn unsupported(err_code: Option<&str>) -> bool {
    matches!(
        err_code,
        Some(
            "UnknownOperationException"
                | "InvalidAction"
                | "UnsupportedFeatureException"
                | "NotImplemented"
        )
    )
}

/// The ARN of the service deployment whose target revision ends with `number`; `Err` with a
/// code when the endpoint has no service deployments.
async fn find(
    clients: &Clients,
    cluster: &str,
    name: &str,
    number: &str,
    started: SystemTime,
) -> Result<Option<String>, (Option<String>, String)> {
    let after = DateTime::from(started - Duration::from_secs(300));
    let out = clients
        .ecs
        .list_service_deployments()
        .cluster(cluster)
        .service(name)
        .created_at(CreatedAt::builder().after(after).build())
        .send()
        .await
        .map_err(|e| (code(&e).map(str::to_string), describe(&e)))?;
    let suffix = format!("/{number}");
    Ok(out
        .service_deployments()
        .iter()
        .find(|b| {
            b.target_service_revision_arn()
                .is_some_and(|a| a.ends_with(&suffix))
        })
        .and_then(|b| b.service_deployment_arn())
        .map(str::to_string))
}

async fn describe_one(clients: &Clients, arn: &str) -> Result<Option<ServiceDeployment>, String> {
    let out = clients
        .ecs
        .describe_service_deployments()
        .service_deployment_arns(arn)
        .send()
        .await
        .map_err(|e| format!("DescribeServiceDeployments failed: {}", describe(&e)))?;
    Ok(out.service_deployments().first().cloned())
}

/// Whether the service deployment `arn` has not finished yet (errors count as not finished).
pub async fn still_running(clients: &Clients, arn: &str) -> bool {
    match describe_one(clients, arn).await {
        Ok(Some(d)) => finished(&d).is_none(),
        Ok(None) => false,
        Err(_) => true,
    }
}

/// Polls between 0.5 s and 15 s apart (doubling), so a long bake costs few calls.
const FIRST_POLL: Duration = Duration::from_millis(500);
const LAST_POLL: Duration = Duration::from_secs(15);

/// Wait for the deployment `start` describes, within `timeout`; with `sigint_rollback`, an
/// interruption asks ECS to roll the deployment back and waits until it has.
pub async fn wait(
    clients: &Clients,
    cluster: &str,
    name: &str,
    start: Start<'_>,
    timeout: Duration,
    cancel: &CancellationToken,
    sigint_rollback: bool,
) -> Waited {
    let number = match &start.resume {
        Some(_) => None,
        None if controller(start.service) != "ECS" => {
            return counters(clients, cluster, name, &start, timeout, cancel).await;
        }
        None => match new_primary(start.service, start.started) {
            Some(n) => Some(n),
            None => return counters(clients, cluster, name, &start, timeout, cancel).await,
        },
    };
    let slot = std::sync::Mutex::new(start.resume.clone());
    let fallback = std::sync::atomic::AtomicBool::new(false);
    let known = || slot.lock().map(|a| a.clone()).unwrap_or_default();
    let changes = Changes::new(start.progress);
    let changes = &changes;
    let result = wait::until(timeout, FIRST_POLL, LAST_POLL, cancel, || {
        let number = number.clone();
        let (slot, fallback, started) = (&slot, &fallback, start.started);
        let current = known();
        async move {
            let current = match current {
                Some(a) => a,
                None => match find(clients, cluster, name, number.as_deref().unwrap_or(""), started).await {
                    Ok(Some(a)) => {
                        tracing::info!(service = %name, deployment = %a, "waiting for the service deployment");
                        if let Ok(mut s) = slot.lock() {
                            *s = Some(a.clone());
                        }
                        a
                    }
                    Ok(None) => return Poll::Pending("the service deployment is not listed yet".to_string()),
                    Err((c, _)) if unsupported(c.as_deref()) => {
                        fallback.store(true, std::sync::atomic::Ordering::Relaxed);
                        return Poll::Done(Ok(()));
                    }
                    Err((_, e)) => return Poll::Pending(e),
                },
            };
            match describe_one(clients, &current).await {
                Ok(Some(d)) => {
                    if let Some(done) = finished(&d) {
                        return Poll::Done(done);
                    }
                    let now = progress(&d);
                    tracing::info!(service = %name, deployment = %current, progress = %now, "deployment in progress");
                    changes.tell(&now);
                    Poll::Pending(now)
                }
                Ok(None) => Poll::Pending("the service deployment is not described yet".to_string()),
                Err(e) => Poll::Pending(e),
            }
        }
    })
    .await;
    if fallback.load(std::sync::atomic::Ordering::Relaxed) {
        return counters(clients, cluster, name, &start, timeout, cancel).await;
    }
    let arn = known();
    let result = match result {
        Ok(done) => done,
        Err(WaitError::TimedOut { last }) => Err(SteadyError::TimedOut(last.unwrap_or_default())),
        Err(WaitError::Cancelled) => match (&arn, sigint_rollback) {
            (Some(a), true) => Err(roll_back(clients, a, timeout).await),
            _ => Err(SteadyError::Cancelled),
        },
    };
    Waited {
        result,
        deployment: arn,
    }
}

/// The counters wait of services whose deployments ECS does not report as objects.
async fn counters(
    clients: &Clients,
    cluster: &str,
    name: &str,
    start: &Start<'_>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Waited {
    let primary = start.service.and_then(|s| {
        s.deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"))
            .and_then(|d| d.id())
            .map(str::to_string)
    });
    Waited {
        result: steady::wait_steady(
            clients,
            cluster,
            name,
            (primary.as_deref(), start.progress),
            timeout,
            cancel,
        )
        .await,
        deployment: None,
    }
}

/// After Ctrl-C: StopServiceDeployment(ROLLBACK), then wait (not cancellable: Terraform already
/// asked to stop) until ECS reports an end, within `timeout`.
async fn roll_back(clients: &Clients, arn: &str, timeout: Duration) -> SteadyError {
    tracing::info!(deployment = %arn, "interrupted: asking ECS to roll the deployment back");
    if let Err(e) = clients
        .ecs
        .stop_service_deployment()
        .service_deployment_arn(arn)
        .stop_type(StopServiceDeploymentStopType::Rollback)
        .send()
        .await
    {
        return SteadyError::RollbackRequested(format!(
            "StopServiceDeployment failed: {}",
            describe(&e)
        ));
    }
    let never = CancellationToken::new();
    let ended = wait::until(timeout, FIRST_POLL, LAST_POLL, &never, || async {
        match describe_one(clients, arn).await {
            Ok(Some(d)) if finished(&d).is_some() => Poll::Done(progress(&d)),
            Ok(Some(d)) => Poll::Pending(progress(&d)),
            Ok(None) => Poll::Done("gone".to_string()),
            Err(e) => Poll::Pending(e),
        }
    })
    .await;
    SteadyError::RollbackRequested(match ended {
        Ok(status) => format!("ECS rolled the deployment back ({status})"),
        Err(_) => "ECS is still rolling the deployment back".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        ServiceDeploymentAlarms, ServiceDeploymentLifecycleStage, ServiceDeploymentStatus,
        ServiceRevisionSummary,
    };

    #[test]
    fn a_rolled_back_deployment_fails_naming_the_alarm_and_stage() {
        let d = ServiceDeployment::builder()
            .status(ServiceDeploymentStatus::RollbackSuccessful)
            .status_reason("Rolled back.")
            .lifecycle_stage(ServiceDeploymentLifecycleStage::BakeTime)
            .alarms(
                ServiceDeploymentAlarms::builder()
                    .triggered_alarm_names("latency-high")
                    .build(),
            )
            .build();
        let text = failure(&d);
        assert!(text.contains("latency-high"), "{text}");
        assert!(
            text.contains("ROLLBACK_SUCCESSFUL in lifecycle stage BAKE_TIME"),
            "{text}"
        );
        assert!(matches!(finished(&d), Some(Err(SteadyError::Failed(_)))));
    }

    #[test]
    fn only_changed_progress_lines_are_passed_on() {
        let seen = std::sync::Mutex::new(Vec::new());
        let sink = |line: &str| seen.lock().unwrap().push(line.to_string());
        let changes = Changes::new(Some(&sink));
        for line in ["a", "a", "b", "a"] {
            changes.tell(line);
        }
        assert_eq!(*seen.lock().unwrap(), ["a", "b", "a"]);
        Changes::new(None).tell("nowhere");
    }

    #[test]
    fn progress_names_stage_tasks_and_traffic() {
        let d = ServiceDeployment::builder()
            .status(ServiceDeploymentStatus::InProgress)
            .lifecycle_stage(ServiceDeploymentLifecycleStage::ProductionTrafficShift)
            .target_service_revision(
                ServiceRevisionSummary::builder()
                    .requested_task_count(2)
                    .running_task_count(2)
                    .requested_production_traffic_weight(20.0)
                    .build(),
            )
            .build();
        assert_eq!(
            progress(&d),
            "IN_PROGRESS, stage PRODUCTION_TRAFFIC_SHIFT, new revision 2 of 2 tasks running, 20% of production traffic"
        );
        assert!(finished(&d).is_none());
    }
}
