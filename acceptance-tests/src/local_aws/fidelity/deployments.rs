//! Service deployments as ECS reports them since 2025 (ListServiceDeployments,
//! DescribeServiceDeployments, StopServiceDeployment): one object per deployment a service
//! starts, with its status, lifecycle stage, source and target service revisions, rollback,
//! circuit breaker and alarms; the lifecycle of each strategy (ROLLING, BLUE_GREEN stages with a
//! bake time, LINEAR and CANARY traffic steps); alarm- and hook-triggered rollbacks; and the
//! refusals of CreateService and UpdateService for deployment settings ECS does not accept.
//!
//! The deployments themselves live in [`super::services`] (the `deployments` of
//! DescribeServices); this module adds the [`Track`] each one carries and answers the three
//! calls from it. Evidence: ECS API reference, ServiceDeployment, ServiceDeploymentBrief,
//! ServiceRevisionSummary, Rollback, ServiceDeploymentAlarms, ServiceDeploymentCircuitBreaker,
//! ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment,
//! DeploymentConfiguration, LinearConfiguration, CanaryConfiguration, DeploymentLifecycleHook;
//! developer guide "Stopping Amazon ECS service deployments" and "Update Amazon ECS service
//! parameters" (deployment controller transitions).

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::services::{Deployment, Rollout, ServiceRecord};
use super::{Fidelity, fnv, last_segment};
use crate::local_aws::options::Options;
use crate::local_aws::wire::{Call, Reply, client_error, json_reply};

/// What a deployment adds to DescribeServices' view: its service-deployment identity, the
/// deployment configuration it runs with, and how it ended.
#[derive(Debug, Clone, Default)]
pub struct Track {
    pub arn: String,
    pub revision_arn: String,
    /// The revision running when it started; `None` for a service's first deployment.
    pub source_revision: Option<String>,
    /// `deploymentConfiguration` as the service had it when the deployment started.
    pub config: Value,
    pub failure: Option<Failure>,
    /// A StopServiceDeployment request (`ROLLBACK` or `ABORT`) not yet acted upon.
    pub stop: Option<String>,
    /// A newer deployment started while this one was in progress.
    pub superseded: Option<f64>,
    pub finished_at: Option<f64>,
}

/// Why and how a deployment failed.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub reason: String,
    /// The text after "deployment failed: " in the service event.
    pub event: String,
    pub rollback: bool,
    /// The deployment that rolled it back, once started.
    pub rollback_id: Option<String>,
    pub alarm: Option<String>,
    pub hook: Option<String>,
    pub breaker: bool,
    pub at: f64,
    /// The lifecycle stage it failed in.
    pub stage: Option<&'static str>,
}

pub const CIRCUIT_BREAKER_REASON: &str = "ECS deployment circuit breaker: tasks failed to start.";

/// The revision number in a deployment id (`ecs-svc/1234…` → `1234…`), which the service
/// revision ARN ends with (the AWS provider maps one to the other this way).
fn revision_number(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME` → (`arn:aws:ecs:REGION:ACCOUNT`, CLUSTER, NAME).
fn service_parts(service_arn: &str) -> (String, String, String) {
    let (head, path) = service_arn
        .split_once(":service/")
        .unwrap_or(("arn:aws:ecs:us-east-1:123456789012", service_arn));
    let (cluster, name) = path.split_once('/').unwrap_or(("default", path));
    (head.to_string(), cluster.to_string(), name.to_string())
}

pub fn cluster_arn(service_arn: &str) -> String {
    let (head, cluster, _) = service_parts(service_arn);
    format!("{head}:cluster/{cluster}")
}

impl Track {
    pub fn new(
        service_arn: &str,
        id: &str,
        source_revision: Option<String>,
        config: Value,
    ) -> Track {
        let (head, cluster, name) = service_parts(service_arn);
        // ECS's service deployment ids are 22 letters and digits.
        let hash = format!("{:016x}{:016x}", fnv(id), fnv(&format!("{id}.")));
        let token: String = hash
            .bytes()
            .take(22)
            .map(|b| match b {
                b'0'..=b'9' => b as char,
                other => (other - b'a' + b'A') as char,
            })
            .collect();
        Track {
            arn: format!("{head}:service-deployment/{cluster}/{name}/{token}"),
            revision_arn: format!(
                "{head}:service-revision/{cluster}/{name}/{}",
                revision_number(id)
            ),
            source_revision,
            config,
            ..Track::default()
        }
    }
}

/// One stretch of a deployment's lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub stage: &'static str,
    pub start: Duration,
    pub end: Duration,
    /// Production traffic on the target revision, in percent.
    pub production: f64,
    pub test: f64,
}

fn strategy_of(config: &Value) -> &str {
    config
        .get("strategy")
        .and_then(Value::as_str)
        .unwrap_or("ROLLING")
}

fn minutes(config: &Value, pointer: &str) -> f64 {
    config
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// The phases a deployment goes through, from its start. ROLLING has one phase (tasks replaced
/// in `--steady-seconds`, no lifecycle stage); BLUE_GREEN scales the green revision up in
/// `--steady-seconds`, shifts test then production traffic, bakes for `bakeTimeInMinutes` and
/// cleans up; LINEAR shifts production traffic in `stepPercent` steps with
/// `stepBakeTimeInMinutes` after each; CANARY shifts `canaryPercent`, bakes
/// `canaryBakeTimeInMinutes`, then shifts the rest. Every other stage takes a quarter of
/// `--steady-seconds`; a minute of bake lasts `--bake-seconds-per-minute`.
pub fn timeline(config: &Value, options: &Options) -> Vec<Phase> {
    let steady = options.steady;
    let strategy = strategy_of(config);
    if !matches!(strategy, "BLUE_GREEN" | "LINEAR" | "CANARY") {
        return vec![Phase {
            stage: "",
            start: Duration::ZERO,
            end: steady,
            production: 100.0,
            test: 0.0,
        }];
    }
    let step = steady / 4;
    let bake = |m: f64| options.bake_per_minute.mul_f64(m.max(0.0));
    let mut phases = Vec::new();
    let mut at = Duration::ZERO;
    let mut push = |stage, length: Duration, production: f64, test: f64| {
        phases.push(Phase {
            stage,
            start: at,
            end: at + length,
            production,
            test,
        });
        at += length;
    };
    push("PRE_SCALE_UP", step, 0.0, 0.0);
    push("SCALE_UP", steady, 0.0, 0.0);
    push("POST_SCALE_UP", step, 0.0, 0.0);
    push("TEST_TRAFFIC_SHIFT", step, 0.0, 100.0);
    push("POST_TEST_TRAFFIC_SHIFT", step, 0.0, 100.0);
    match strategy {
        "LINEAR" => {
            let percent = config
                .pointer("/linearConfiguration/stepPercent")
                .and_then(Value::as_f64)
                .filter(|p| *p > 0.0)
                .unwrap_or(10.0);
            let pause = bake(minutes(
                config,
                "/linearConfiguration/stepBakeTimeInMinutes",
            ));
            let steps = (100.0 / percent).ceil() as u32;
            for k in 1..=steps {
                let weight = (percent * f64::from(k)).min(100.0);
                let wait = if k < steps { pause } else { Duration::ZERO };
                push("PRODUCTION_TRAFFIC_SHIFT", step + wait, weight, 100.0);
            }
        }
        "CANARY" => {
            let percent = config
                .pointer("/canaryConfiguration/canaryPercent")
                .and_then(Value::as_f64)
                .unwrap_or(5.0);
            let pause = bake(minutes(
                config,
                "/canaryConfiguration/canaryBakeTimeInMinutes",
            ));
            push("PRODUCTION_TRAFFIC_SHIFT", step + pause, percent, 100.0);
            push("PRODUCTION_TRAFFIC_SHIFT", step, 100.0, 100.0);
        }
        _ => push("PRODUCTION_TRAFFIC_SHIFT", step, 100.0, 100.0),
    }
    push("POST_PRODUCTION_TRAFFIC_SHIFT", step, 100.0, 100.0);
    push(
        "BAKE_TIME",
        bake(minutes(config, "/bakeTimeInMinutes")),
        100.0,
        100.0,
    );
    push("CLEAN_UP", step, 100.0, 100.0);
    phases
}

fn phase_at(phases: &[Phase], elapsed: Duration) -> &Phase {
    phases
        .iter()
        .find(|p| elapsed < p.end)
        .or(phases.last())
        .expect("a timeline has phases")
}

/// What a deployment does next.
pub enum Verdict {
    Running,
    Done,
    Failed(Failure),
}

/// Where `deployment` is at `now`: still running, done, or failed (earliest cause first).
pub(super) fn verdict(
    deployment: &Deployment,
    settings: &Map<String, Value>,
    options: &Options,
    now: Instant,
) -> Verdict {
    let elapsed = now.saturating_duration_since(deployment.started);
    if deployment.rollback {
        return if elapsed >= options.steady {
            Verdict::Done
        } else {
            Verdict::Running
        };
    }
    let track = &deployment.track;
    let phases = timeline(&track.config, options);
    let stage_at = |at: Duration| Some(phase_at(&phases, at).stage).filter(|s| !s.is_empty());
    if let Some(kind) = &track.stop {
        return Verdict::Failed(Failure {
            reason: format!(
                "Service deployment stopped by a StopServiceDeployment request ({kind})."
            ),
            event: "stopped on request.".into(),
            rollback: kind != "ABORT",
            stage: stage_at(elapsed),
            ..Failure::default()
        });
    }
    let mut causes: Vec<(Duration, Failure)> = Vec::new();
    let scaled = phases
        .iter()
        .find(|p| p.stage == "SCALE_UP" || p.stage.is_empty())
        .map_or(options.steady, |p| p.end);
    if options.fail_deployments || deployment.doomed {
        let rollback = settings
            .get("deploymentConfiguration")
            .and_then(|c| c.pointer("/deploymentCircuitBreaker/rollback"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        causes.push((
            scaled,
            Failure {
                reason: CIRCUIT_BREAKER_REASON.into(),
                event: "tasks failed to start.".into(),
                rollback,
                breaker: true,
                ..Failure::default()
            },
        ));
    }
    // The flags model alarms and hooks that judge a new revision against the running one: a
    // service's first deployment replaces nothing.
    let replaces = track.source_revision.is_some();
    if replaces {
        for hook in track
            .config
            .get("lifecycleHooks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let target = hook
                .get("hookTargetArn")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !options.fail_hooks.iter().any(|f| f == target) {
                continue;
            }
            let stages: Vec<&str> = hook
                .get("lifecycleStages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|s| {
                    if s == "PRE_PRODUCTION_TRAFFIC_SHIFT" {
                        "PRODUCTION_TRAFFIC_SHIFT"
                    } else {
                        s
                    }
                })
                .collect();
            if let Some(phase) = phases.iter().find(|p| stages.contains(&p.stage)) {
                causes.push((
                    phase.start,
                    Failure {
                        reason: format!(
                            "Lifecycle hook {target} returned FAILED in stage {}.",
                            phase.stage
                        ),
                        event: format!("lifecycle hook {target} failed."),
                        rollback: true,
                        hook: Some(target.to_string()),
                        ..Failure::default()
                    },
                ));
            }
        }
        let alarms = track.config.get("alarms");
        let enabled = alarms
            .and_then(|a| a.get("enable"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let firing = alarms
            .and_then(|a| a.get("alarmNames"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|name| options.fire_alarms.iter().any(|f| f == name));
        if enabled && let Some(name) = firing {
            // Alarms are watched once the new revision serves production traffic.
            let watched = phases
                .iter()
                .find(|p| p.stage == "BAKE_TIME")
                .map_or(scaled, |p| p.start);
            let rollback = alarms
                .and_then(|a| a.get("rollback"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            causes.push((
                watched,
                Failure {
                    reason: format!("CloudWatch alarm(s) in ALARM state: {name}."),
                    event: format!("alarm {name} in ALARM."),
                    rollback,
                    alarm: Some(name.to_string()),
                    ..Failure::default()
                },
            ));
        }
    }
    causes.sort_by_key(|(at, _)| *at);
    if let Some((at, failure)) = causes.into_iter().find(|(at, _)| *at <= elapsed) {
        return Verdict::Failed(Failure {
            stage: stage_at(at),
            ..failure
        });
    }
    let total = phases.last().map_or(options.steady, |p| p.end);
    if elapsed >= total {
        Verdict::Done
    } else {
        Verdict::Running
    }
}

/// The status of a deployment that is not a rollback, as ServiceDeployment reports it.
fn status(record: &ServiceRecord, d: &Deployment) -> &'static str {
    if let Some(f) = &d.track.failure {
        if !f.rollback {
            return "STOPPED";
        }
        let Some(rollback_id) = &f.rollback_id else {
            // Nothing ran before it: there is nothing to roll back to.
            return "ROLLBACK_FAILED";
        };
        return match record.find(rollback_id).map(|r| r.rollout) {
            Some(Rollout::Completed) => "ROLLBACK_SUCCESSFUL",
            Some(Rollout::Failed) => "ROLLBACK_FAILED",
            _ => "ROLLBACK_IN_PROGRESS",
        };
    }
    match d.track.stop.as_deref() {
        Some("ABORT") => return "STOP_REQUESTED",
        Some(_) => return "ROLLBACK_REQUESTED",
        None => {}
    }
    if d.track.superseded.is_some() {
        return "STOPPED";
    }
    match d.rollout {
        Rollout::Completed => "SUCCESSFUL",
        Rollout::Failed => "STOPPED",
        Rollout::InProgress => "IN_PROGRESS",
    }
}

fn terminal(status: &str) -> bool {
    matches!(
        status,
        "SUCCESSFUL" | "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED"
    )
}

fn revision_summary(arn: &str, tasks: (i64, i64), production: f64, test: f64) -> Value {
    let (requested, running) = tasks;
    json!({
        "arn": arn,
        "requestedTaskCount": requested,
        "runningTaskCount": running,
        "pendingTaskCount": (requested - running).max(0),
        "requestedProductionTrafficWeight": production,
        "requestedTestTrafficWeight": test,
    })
}

/// The ServiceDeployment object of `d` at `now`.
fn view(record: &ServiceRecord, d: &Deployment, now: Instant, options: &Options) -> Value {
    let track = &d.track;
    let status = status(record, d);
    let phases = timeline(&track.config, options);
    let elapsed = now.saturating_duration_since(d.started);
    let phase = phase_at(&phases, elapsed);
    let done = terminal(status);
    let (production, test) = match status {
        "SUCCESSFUL" => (100.0, 100.0),
        _ if done => (0.0, 0.0),
        _ => (phase.production, phase.test),
    };
    let desired = record.desired;
    let target_running = match status {
        "SUCCESSFUL" => record.running,
        _ if done => 0,
        _ if elapsed >= options.steady => desired,
        _ => 0,
    };
    let mut view = json!({
        "serviceDeploymentArn": track.arn,
        "serviceArn": record.arn,
        "clusterArn": cluster_arn(&record.arn),
        "createdAt": d.created_at,
        "startedAt": d.created_at,
        "updatedAt": d.updated_at,
        "status": status,
        "targetServiceRevision": revision_summary(&track.revision_arn, (desired, target_running), production, test),
        "sourceServiceRevisions": track.source_revision.iter().map(|arn| {
            let running = if status == "SUCCESSFUL" { 0 } else { desired };
            revision_summary(arn, (desired, running), 100.0 - production, 100.0 - test)
        }).collect::<Vec<_>>(),
    });
    if !track.config.is_null() {
        view["deploymentConfiguration"] = track.config.clone();
    }
    let stage = match &track.failure {
        Some(f) => f.stage,
        None if status == "SUCCESSFUL" => phases.last().map(|p| p.stage),
        None => Some(phase.stage),
    };
    if let Some(stage) = stage.filter(|s| !s.is_empty()) {
        view["lifecycleStage"] = json!(stage);
    }
    let reason = match &track.failure {
        Some(f) => Some(f.reason.clone()),
        None if track.superseded.is_some() => {
            Some("A newer service deployment replaced it.".into())
        }
        None if status == "SUCCESSFUL" => Some(format!("ECS deployment {} completed.", d.id)),
        None => None,
    };
    if let Some(reason) = reason {
        view["statusReason"] = json!(reason);
    }
    if let Some(at) = track.finished_at.or(track.superseded) {
        view["finishedAt"] = json!(at);
    }
    if let Some(f) = &track.failure {
        if f.rollback {
            view["rollback"] = json!({ "reason": f.reason, "startedAt": f.at });
            if let Some(source) = &track.source_revision {
                view["rollback"]["serviceRevisionArn"] = json!(source);
            }
        } else {
            view["stoppedAt"] = json!(f.at);
        }
    }
    let breaker = track.config.get("deploymentCircuitBreaker");
    let breaker_on = breaker
        .and_then(|b| b.get("enable"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let tripped = track.failure.as_ref().is_some_and(|f| f.breaker);
    view["deploymentCircuitBreaker"] = json!({
        "status": match (breaker_on, tripped, done) {
            (false, _, _) => "DISABLED",
            (true, true, _) => "TRIGGERED",
            (true, false, true) => "MONITORING_COMPLETE",
            (true, false, false) => "MONITORING",
        },
        "failureCount": if tripped { desired.max(1) } else { 0 },
        // ECS's threshold: half the desired count, between 3 and 200 (ServiceDeploymentCircuitBreaker).
        "threshold": ((desired + 1) / 2).clamp(3, 200),
    });
    let alarms = track.config.get("alarms");
    let alarms_on = alarms
        .and_then(|a| a.get("enable"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let triggered: Vec<String> = track
        .failure
        .as_ref()
        .and_then(|f| f.alarm.clone())
        .into_iter()
        .collect();
    let mut alarm_view = json!({
        "status": match (alarms_on, !triggered.is_empty(), done) {
            (false, _, _) => "DISABLED",
            (true, true, _) => "TRIGGERED",
            (true, false, true) => "MONITORING_COMPLETE",
            (true, false, false) => "MONITORING",
        },
    });
    if let Some(names) = alarms.and_then(|a| a.get("alarmNames")) {
        alarm_view["alarmNames"] = names.clone();
    }
    if !triggered.is_empty() {
        alarm_view["triggeredAlarmNames"] = json!(triggered);
    }
    view["alarms"] = alarm_view;
    view
}

fn brief(view: &Value) -> Value {
    let mut brief = Map::new();
    for member in [
        "serviceDeploymentArn",
        "serviceArn",
        "clusterArn",
        "startedAt",
        "createdAt",
        "finishedAt",
        "status",
        "statusReason",
    ] {
        if let Some(v) = view.get(member) {
            brief.insert(member.into(), v.clone());
        }
    }
    if let Some(arn) = view.pointer("/targetServiceRevision/arn") {
        brief.insert("targetServiceRevisionArn".into(), arn.clone());
    }
    Value::Object(brief)
}

/// The service deployments of `record`, newest first (rollbacks belong to the deployment they
/// roll back and have none of their own).
fn deployments_of(record: &ServiceRecord) -> impl Iterator<Item = &Deployment> {
    record
        .deployments
        .iter()
        .chain(record.history.iter().rev())
        .filter(|d| !d.rollback && !d.track.arn.is_empty())
}

fn not_found_service() -> Reply {
    client_error("ServiceNotFoundException", "Service not found.")
}

pub fn list(fidelity: &Fidelity, call: &Call) -> Reply {
    let Some(service) = call.str("service") else {
        return client_error("InvalidParameterException", "Service cannot be empty.");
    };
    let cluster = last_segment(call.str("cluster").unwrap_or("default")).to_string();
    let suffix = format!(":service/{cluster}/{}", last_segment(service));
    let region = format!(":{}:", call.region());
    let statuses: Vec<String> = call
        .list("status")
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let after = call
        .json
        .pointer("/createdAt/after")
        .and_then(Value::as_f64);
    let before = call
        .json
        .pointer("/createdAt/before")
        .and_then(Value::as_f64);
    let max = match call.json.get("maxResults").and_then(Value::as_i64) {
        None => 20,
        Some(n @ 1..=100) => n as usize,
        Some(_) => {
            return client_error(
                "InvalidParameterException",
                "maxResults must be between 1 and 100.",
            );
        }
    };
    let start = match call.str("nextToken") {
        None => 0,
        Some(token) => match token.parse::<usize>() {
            Ok(n) => n,
            Err(_) => return client_error("InvalidParameterException", "Invalid nextToken."),
        },
    };
    let now = Instant::now();
    let options = &fidelity.options;
    let mut state = fidelity.state();
    let Some(record) = state
        .services
        .iter_mut()
        .find(|(arn, r)| arn.ends_with(&suffix) && arn.contains(&region) && r.deleted.is_none())
        .map(|(_, r)| r)
    else {
        return not_found_service();
    };
    record.settle(now, options);
    let briefs: Vec<Value> = deployments_of(record)
        .map(|d| brief(&view(record, d, now, options)))
        .filter(|b| {
            let status = b.get("status").and_then(Value::as_str).unwrap_or("");
            let created = b.get("createdAt").and_then(Value::as_f64).unwrap_or(0.0);
            (statuses.is_empty() || statuses.iter().any(|s| s == status))
                && after.is_none_or(|a| created >= a)
                && before.is_none_or(|b| created <= b)
        })
        .collect();
    let page: Vec<Value> = briefs.iter().skip(start).take(max).cloned().collect();
    let mut body = json!({ "serviceDeployments": page });
    if start + max < briefs.len() {
        body["nextToken"] = json!((start + max).to_string());
    }
    json_reply(hyper::StatusCode::OK, &body)
}

/// The record and deployment id a service deployment ARN names.
fn locate<'a>(
    services: &'a mut std::collections::HashMap<String, ServiceRecord>,
    arn: &str,
) -> Option<(&'a mut ServiceRecord, String)> {
    services.values_mut().find_map(|r| {
        let id = deployments_of(r).find(|d| d.track.arn == arn)?.id.clone();
        Some((r, id))
    })
}

pub fn describe(fidelity: &Fidelity, call: &Call) -> Reply {
    let arns: Vec<String> = call
        .list("serviceDeploymentArns")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    if arns.is_empty() || arns.len() > 20 {
        return client_error(
            "InvalidParameterException",
            "serviceDeploymentArns must name between 1 and 20 service deployments.",
        );
    }
    let now = Instant::now();
    let options = &fidelity.options;
    let mut state = fidelity.state();
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for arn in &arns {
        match locate(&mut state.services, arn) {
            Some((record, id)) => {
                record.settle(now, options);
                if let Some(d) = deployments_of(record).find(|d| d.id == id) {
                    found.push(view(record, d, now, options));
                }
            }
            None => failures.push(json!({ "arn": arn, "reason": "MISSING" })),
        }
    }
    json_reply(
        hyper::StatusCode::OK,
        &json!({ "serviceDeployments": found, "failures": failures }),
    )
}

pub fn stop(fidelity: &Fidelity, call: &Call) -> Reply {
    let Some(arn) = call.str("serviceDeploymentArn").map(str::to_string) else {
        return client_error(
            "InvalidParameterException",
            "serviceDeploymentArn cannot be empty.",
        );
    };
    let kind = call.str("stopType").unwrap_or("ROLLBACK").to_string();
    if !matches!(kind.as_str(), "ROLLBACK" | "ABORT") {
        return client_error(
            "InvalidParameterException",
            "stopType must be ROLLBACK or ABORT.",
        );
    }
    let now = Instant::now();
    let options = &fidelity.options;
    let mut state = fidelity.state();
    let Some((record, id)) = locate(&mut state.services, &arn) else {
        return client_error(
            "ServiceDeploymentNotFoundException",
            "The service deployment does not exist.",
        );
    };
    record.settle(now, options);
    let Some(current) = deployments_of(record).find(|d| d.id == id) else {
        return client_error(
            "ServiceDeploymentNotFoundException",
            "The service deployment does not exist.",
        );
    };
    // Only PENDING, IN_PROGRESS and the *_REQUESTED / ROLLBACK_IN_PROGRESS states can be stopped
    // (developer guide, "Stopping Amazon ECS service deployments").
    if terminal(status(record, current)) {
        return client_error(
            "ConflictException",
            "The service deployment has already finished and cannot be stopped.",
        );
    }
    if let Some(d) = record.find_mut(&id)
        && d.track.failure.is_none()
    {
        d.track.stop = Some(kind);
    }
    record.settle(now, options);
    json_reply(
        hyper::StatusCode::OK,
        &json!({ "serviceDeploymentArn": arn }),
    )
}

fn invalid(message: impl Into<String>) -> Option<Reply> {
    Some(client_error("InvalidParameterException", message))
}

/// What ECS refuses in the deployment settings of a CreateService or UpdateService `request`
/// (`record` is the service being updated).
pub fn refusal(request: &Value, record: Option<&ServiceRecord>) -> Option<Reply> {
    let stored = record.and_then(|r| r.settings.get("deploymentConfiguration"));
    let sent = request
        .get("deploymentConfiguration")
        .filter(|c| !c.is_null());
    let config = sent.or(stored).cloned().unwrap_or(Value::Null);
    let old_controller = record.map(|r| r.controller.as_str());
    let controller = request
        .pointer("/deploymentController/type")
        .and_then(Value::as_str)
        .or(old_controller)
        .unwrap_or("ECS");
    if let Some(old) = old_controller
        && old != controller
    {
        // Developer guide, "Update Amazon ECS service parameters", Deployment controller.
        let allowed = matches!(
            (old, controller),
            ("CODE_DEPLOY", "ECS")
                | ("CODE_DEPLOY", "EXTERNAL")
                | ("ECS", "EXTERNAL")
                | ("EXTERNAL", "ECS")
        );
        if !allowed {
            return invalid(format!(
                "Updating the deployment controller from {old} to {controller} is not supported."
            ));
        }
        if old == "ECS" {
            let alarms = config.pointer("/alarms/enable").and_then(Value::as_bool) == Some(true);
            let breaker = config
                .pointer("/deploymentCircuitBreaker/enable")
                .and_then(Value::as_bool)
                == Some(true);
            if alarms || breaker || strategy_of(&config) == "BLUE_GREEN" {
                return invalid(format!(
                    "Cannot update the deployment controller from ECS to {controller} while the deployment configuration has alarms, a deployment circuit breaker or the BLUE_GREEN strategy."
                ));
            }
        }
        if record.is_some_and(|r| {
            r.deployments
                .first()
                .is_some_and(|d| d.rollout == Rollout::InProgress)
        }) {
            return invalid(
                "Cannot update the deployment controller of a service during an ongoing service deployment.",
            );
        }
    }
    if old_controller == Some("CODE_DEPLOY")
        && controller == "CODE_DEPLOY"
        && request.get("taskDefinition").is_some_and(|t| !t.is_null())
    {
        // ECS's text, quoted in the developer guide ("Update Amazon ECS service parameters").
        return invalid(
            "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.",
        );
    }
    let strategy = strategy_of(&config);
    if !matches!(strategy, "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY") {
        return invalid(format!("Invalid deployment strategy: {strategy}."));
    }
    if strategy != "ROLLING" && controller != "ECS" {
        return invalid(format!(
            "The {strategy} deployment strategy is only supported for services that use the ECS deployment controller."
        ));
    }
    if strategy != "ROLLING" {
        let balancers = request
            .get("loadBalancers")
            .filter(|l| !l.is_null())
            .or_else(|| record.and_then(|r| r.settings.get("loadBalancers")));
        let alternate = balancers
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|lb| {
                lb.pointer("/advancedConfiguration/alternateTargetGroupArn")
                    .is_some()
            });
        let connect = request
            .get("serviceConnectConfiguration")
            .or_else(|| record.and_then(|r| r.settings.get("serviceConnectConfiguration")))
            .and_then(|c| c.get("enabled"))
            .and_then(Value::as_bool)
            == Some(true);
        if !alternate && !connect {
            return invalid(format!(
                "The {strategy} deployment strategy requires a load balancer with an advancedConfiguration (alternate target group) or Service Connect."
            ));
        }
    }
    if config
        .get("linearConfiguration")
        .is_some_and(|c| !c.is_null())
        && strategy != "LINEAR"
    {
        return invalid(
            "linearConfiguration can only be specified with the LINEAR deployment strategy.",
        );
    }
    if config
        .get("canaryConfiguration")
        .is_some_and(|c| !c.is_null())
        && strategy != "CANARY"
    {
        return invalid(
            "canaryConfiguration can only be specified with the CANARY deployment strategy.",
        );
    }
    for (pointer, name, min, max) in [
        (
            "/linearConfiguration/stepPercent",
            "stepPercent",
            3.0,
            100.0,
        ),
        (
            "/canaryConfiguration/canaryPercent",
            "canaryPercent",
            0.1,
            100.0,
        ),
        ("/bakeTimeInMinutes", "bakeTimeInMinutes", 0.0, 1440.0),
        (
            "/linearConfiguration/stepBakeTimeInMinutes",
            "stepBakeTimeInMinutes",
            0.0,
            1440.0,
        ),
        (
            "/canaryConfiguration/canaryBakeTimeInMinutes",
            "canaryBakeTimeInMinutes",
            0.0,
            1440.0,
        ),
    ] {
        if let Some(v) = config.pointer(pointer).and_then(Value::as_f64)
            && !(min..=max).contains(&v)
        {
            return invalid(format!(
                "{name} must be between {min} and {max}; {v} is not."
            ));
        }
    }
    None
}
