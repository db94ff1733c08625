//! One-off tasks (RunTask, DescribeTasks), kept by the layer: moto starts tasks RUNNING forever
//! and never stops them, so nothing could wait for a task to finish.
//!
//! - Lifecycle (developer guide "Amazon ECS task lifecycle"): a task moves PROVISIONING →
//!   PENDING → RUNNING → DEPROVISIONING → STOPPED over `--task-seconds`, with `desiredStatus`
//!   RUNNING until its essential container exits, then STOPPED, and the timestamps of the Task
//!   reference (`createdAt`, `pullStartedAt`, `startedAt`, `executionStoppedAt`, `stoppingAt`,
//!   `stoppedAt`).
//! - How it ends (Task and Container references, "Amazon ECS stopped task error codes"): each
//!   container reports `exitCode`; the essential one's exit stops the task with `stopCode`
//!   `EssentialContainerExited` and `stoppedReason` "Essential container in task exited". The
//!   exit code is decided by the command: the container override's, else the task
//!   definition's; a command ending in `exit N` exits N, any other exits 0.
//! - `--tasks-fail-to-start`: tasks stop from PENDING with `stopCode` `TaskFailedToStart`, the
//!   containers without an exit code and with a `CannotPullContainerError` reason.
//! - `--run-task-failure REASON`: RunTask places nothing and answers `failures` with the reason
//!   (RunTask reference, `failures`; API failure reasons such as `RESOURCE:MEMORY`).
//! - RunTask's refusals (RunTask reference, Errors and `count`, `networkConfiguration`,
//!   `capacityProviderStrategy`): `count` outside 1–10, a launch type together with a capacity
//!   provider strategy, an unknown cluster (`ClusterNotFoundException`), an unknown task
//!   definition (`ClientException`), `awsvpc` without a network configuration, a network
//!   configuration without subnets, and FARGATE for a task definition not using `awsvpc`.
//! - DescribeTasks (reference): the tasks found, a `MISSING` failure for each one not found.
//! - StopTask (reference; Task `stopCode`, `stoppedReason`, `stoppingAt`): `desiredStatus`
//!   STOPPED at once, `stopCode` `UserInitiated`, `stoppedReason` the given reason; the task
//!   then passes DEPROVISIONING to STOPPED. "The equivalent of docker stop" sends SIGTERM, then
//!   SIGKILL after the stop timeout: these containers do not handle SIGTERM, so a started one
//!   exits 137 (128 + SIGKILL); one never started reports no `exitCode` (Container reference,
//!   `exitCode`). A task already stopping or stopped is answered as it is.
//! - ListTasks (reference): these tasks are listed with moto's, filtered by `cluster`,
//!   `desiredStatus` (RUNNING by default), `family`, `startedBy`, `launchType`; none has a
//!   `serviceName` or `containerInstance`.
//! - DeleteCluster (reference, `ClusterContainsTasksException`) is refused while one of them
//!   has not reached STOPPED; DescribeClusters counts them in `runningTasksCount` and
//!   `pendingTasksCount` (Cluster reference).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Fidelity, fnv, last_segment};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, epoch_now, json_reply};

/// Tasks by ARN.
#[derive(Default)]
pub struct Registry {
    tasks: HashMap<String, Task>,
    started: u64,
}

struct Task {
    /// The task as RunTask answered it (PROVISIONING); later views are derived from it.
    base: Value,
    /// Per container: (name, essential, exit code).
    containers: Vec<(String, bool, i64)>,
    created: Instant,
    created_epoch: f64,
    run: Duration,
    fails_to_start: bool,
    stop: Option<Stop>,
}

/// A StopTask: when it came and why.
struct Stop {
    at: Instant,
    epoch: f64,
    reason: String,
}

/// How long a stopped task takes to pass DEPROVISIONING: a fifth of its run, at most 2 s.
fn stopping(task: &Task) -> Duration {
    (task.run / 5).min(Duration::from_secs(2))
}

fn invalid(message: &str) -> Reply {
    client_error("InvalidParameterException", message)
}

/// The exit code a command leads to: `exit N` at its end exits N, anything else 0.
pub fn exit_code(command: &[String]) -> i64 {
    let text = command.join(" ");
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [.., "exit", n] => n.trim_end_matches([';', '"', '\'']).parse().unwrap_or(0),
        _ => 0,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A refusal of the request's own shape, before anything is looked up.
fn refuse_shape(request: &Value) -> Option<Reply> {
    let count = request.get("count").and_then(Value::as_i64).unwrap_or(1);
    if !(1..=10).contains(&count) {
        return Some(invalid(
            "count must be between 1 and 10: you can specify up to 10 tasks for each call.",
        ));
    }
    let strategy = request
        .get("capacityProviderStrategy")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if request.get("launchType").is_some() && strategy {
        return Some(invalid(
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
        ));
    }
    if let Some(vpc) = request.pointer("/networkConfiguration/awsvpcConfiguration")
        && strings(vpc.get("subnets")).is_empty()
    {
        return Some(invalid("subnets can not be empty."));
    }
    None
}

pub async fn run_task(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let request = &call.json;
    if let Some(refusal) = refuse_shape(request) {
        return refusal;
    }
    let cluster = call.str("cluster").unwrap_or("default");
    let described = up
        .ask(&call.sibling("DescribeClusters", json!({ "clusters": [cluster] })))
        .await;
    let cluster_arn = match described.json.pointer("/clusters/0") {
        Some(c) if c.get("status").and_then(Value::as_str) == Some("ACTIVE") => c
            .get("clusterArn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => return client_error("ClusterNotFoundException", "Cluster not found."),
    };
    let td = call.str("taskDefinition").unwrap_or_default();
    let answer = up
        .ask(&call.sibling("DescribeTaskDefinition", json!({ "taskDefinition": td })))
        .await;
    let Some(definition) = answer
        .json
        .get("taskDefinition")
        .filter(|d| d.get("status").and_then(Value::as_str) != Some("INACTIVE"))
        .cloned()
    else {
        return client_error("ClientException", "TaskDefinition not found.");
    };
    let awsvpc = definition.get("networkMode").and_then(Value::as_str) == Some("awsvpc");
    let network = request.pointer("/networkConfiguration/awsvpcConfiguration");
    if awsvpc && network.is_none() {
        return invalid(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        );
    }
    let launch_type = request.get("launchType").and_then(Value::as_str);
    if launch_type == Some("FARGATE") && !awsvpc {
        return client_error(
            "ClientException",
            "Fargate only supports network mode 'awsvpc'.",
        );
    }
    if let Some(reason) = &fidelity.options.run_task_failure {
        return json_reply(
            hyper::StatusCode::OK,
            &json!({ "tasks": [], "failures": [{ "arn": cluster_arn, "reason": reason }] }),
        );
    }
    let count = request.get("count").and_then(Value::as_i64).unwrap_or(1);
    let mut tasks = Vec::new();
    let mut state = fidelity.state();
    for _ in 0..count {
        state.tasks.started += 1;
        let id = format!(
            "{:016x}{:016x}",
            fnv(&format!("{cluster_arn}/{}", state.tasks.started)),
            fnv(&format!("{}{cluster_arn}", state.tasks.started))
        );
        let task = new_task(fidelity, request, &definition, &cluster_arn, &id);
        let view = view(&task, Instant::now());
        let arn = task.base["taskArn"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        state.tasks.tasks.insert(arn, task);
        tasks.push(view);
    }
    json_reply(
        hyper::StatusCode::OK,
        &json!({ "tasks": tasks, "failures": [] }),
    )
}

fn new_task(
    fidelity: &Fidelity,
    request: &Value,
    definition: &Value,
    cluster_arn: &str,
    id: &str,
) -> Task {
    let head = cluster_arn.split(":cluster/").next().unwrap_or_default();
    let cluster = last_segment(cluster_arn);
    let arn = format!("{head}:task/{cluster}/{id}");
    let overrides: Vec<Value> = request
        .pointer("/overrides/containerOverrides")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut containers = Vec::new();
    let mut views = Vec::new();
    for c in definition
        .get("containerDefinitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
        let essential = c.get("essential").and_then(Value::as_bool).unwrap_or(true);
        let command = overrides
            .iter()
            .find(|o| o.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|o| o.get("command"))
            .filter(|c| c.as_array().is_some_and(|a| !a.is_empty()))
            .or_else(|| c.get("command"));
        containers.push((name.to_string(), essential, exit_code(&strings(command))));
        views.push(json!({
            "containerArn": format!("{head}:container/{cluster}/{id}/{:016x}", fnv(name)),
            "taskArn": arn,
            "name": name,
            "image": c.get("image").cloned().unwrap_or(Value::Null),
            "lastStatus": "PENDING",
            "cpu": c.get("cpu").map_or("0".to_string(), |v| v.to_string()),
        }));
    }
    let launch_type = request.get("launchType").and_then(Value::as_str).unwrap_or(
        if request
            .get("capacityProviderStrategy")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            "FARGATE"
        } else {
            "EC2"
        },
    );
    let family = definition
        .get("family")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut base = json!({
        "taskArn": arn,
        "clusterArn": cluster_arn,
        "taskDefinitionArn": definition.get("taskDefinitionArn").cloned().unwrap_or(Value::Null),
        "lastStatus": "PROVISIONING",
        "desiredStatus": "RUNNING",
        "launchType": launch_type,
        "containers": views,
        "overrides": request.get("overrides").cloned().unwrap_or(json!({ "containerOverrides": [] })),
        "group": request.get("group").cloned().unwrap_or(json!(format!("family:{family}"))),
        "cpu": definition.get("cpu").cloned().unwrap_or(Value::Null),
        "memory": definition.get("memory").cloned().unwrap_or(Value::Null),
        "version": 1,
        "tags": request.get("tags").cloned().unwrap_or(json!([])),
    });
    if let Some(by) = request.get("startedBy") {
        base["startedBy"] = by.clone();
    }
    if launch_type == "FARGATE" {
        base["platformVersion"] = json!("1.4.0");
    }
    if let Some(strategy) = request.pointer("/capacityProviderStrategy/0/capacityProvider") {
        base["capacityProviderName"] = strategy.clone();
    }
    if let Some(vpc) = request.pointer("/networkConfiguration/awsvpcConfiguration") {
        let subnet = strings(vpc.get("subnets")).into_iter().next();
        base["attachments"] = json!([{
            "id": format!("{:08x}-eni", fnv(id) as u32),
            "type": "ElasticNetworkInterface",
            "status": "ATTACHED",
            "details": [{ "name": "subnetId", "value": subnet }],
        }]);
    }
    Task {
        base,
        containers,
        created: Instant::now(),
        created_epoch: epoch_now(),
        run: fidelity.options.task_run,
        fails_to_start: fidelity.options.tasks_fail_to_start,
        stop: None,
    }
}

/// The task as DescribeTasks shows it `now`: as it ran until a StopTask, then stopping.
fn view(task: &Task, now: Instant) -> Value {
    let Some(stop) = &task.stop else {
        return natural(task, now);
    };
    let mut v = natural(task, stop.at.min(now));
    let started = v["containers"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["lastStatus"] == "RUNNING"));
    v["desiredStatus"] = json!("STOPPED");
    v["stopCode"] = json!("UserInitiated");
    v["stoppedReason"] = json!(stop.reason);
    v["stoppingAt"] = json!(stop.epoch);
    let after = now.saturating_duration_since(stop.at);
    let took = stopping(task);
    if after < took / 2 {
        return v;
    }
    v["executionStoppedAt"] = json!(stop.epoch + took.as_secs_f64() / 2.0);
    v["lastStatus"] = json!("DEPROVISIONING");
    if after >= took {
        v["lastStatus"] = json!("STOPPED");
        v["stoppedAt"] = json!(stop.epoch + took.as_secs_f64());
    }
    if let Some(containers) = v["containers"].as_array_mut() {
        for c in containers {
            if started {
                c["exitCode"] = json!(137);
            }
            c["lastStatus"] = json!("STOPPED");
        }
    }
    v
}

/// The task as it runs by itself until `now`.
fn natural(task: &Task, now: Instant) -> Value {
    let run = task.run.as_secs_f64().max(0.001);
    let elapsed = now.duration_since(task.created).as_secs_f64() / run;
    let at = |fraction: f64| json!(task.created_epoch + fraction * run);
    let mut v = task.base.clone();
    v["createdAt"] = at(0.0);
    let status = if task.fails_to_start {
        match elapsed {
            e if e < 0.2 => "PROVISIONING",
            e if e < 0.5 => "PENDING",
            e if e < 1.0 => "DEPROVISIONING",
            _ => "STOPPED",
        }
    } else {
        match elapsed {
            e if e < 0.2 => "PROVISIONING",
            e if e < 0.4 => "PENDING",
            e if e < 0.8 => "RUNNING",
            e if e < 1.0 => "DEPROVISIONING",
            _ => "STOPPED",
        }
    };
    v["lastStatus"] = json!(status);
    let started = !task.fails_to_start && elapsed >= 0.4;
    let exited = if task.fails_to_start {
        elapsed >= 0.5
    } else {
        elapsed >= 0.8
    };
    if elapsed >= 0.2 {
        v["pullStartedAt"] = at(0.2);
    }
    if started {
        v["pullStoppedAt"] = at(0.35);
        v["startedAt"] = at(0.4);
        v["connectivity"] = json!("CONNECTED");
    }
    if exited {
        let stop = if task.fails_to_start { 0.5 } else { 0.8 };
        v["desiredStatus"] = json!("STOPPED");
        v["executionStoppedAt"] = at(stop);
        v["stoppingAt"] = at(stop);
        if task.fails_to_start {
            v["stopCode"] = json!("TaskFailedToStart");
            v["stoppedReason"] = json!(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found"
            );
        } else {
            v["stopCode"] = json!("EssentialContainerExited");
            v["stoppedReason"] = json!("Essential container in task exited");
        }
    }
    if status == "STOPPED" {
        v["stoppedAt"] = at(1.0);
    }
    if let Some(containers) = v["containers"].as_array_mut() {
        for (c, (_, _, code)) in containers.iter_mut().zip(&task.containers) {
            c["lastStatus"] = json!(match (started, exited) {
                (_, true) => "STOPPED",
                (true, false) => "RUNNING",
                _ => "PENDING",
            });
            if exited && task.fails_to_start {
                c["reason"] = json!(
                    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found"
                );
            } else if exited {
                c["exitCode"] = json!(code);
            }
        }
    }
    v
}

pub fn describe_tasks(fidelity: &Fidelity, call: &Call) -> Reply {
    let wanted = strings(call.json.get("tasks"));
    if wanted.is_empty() {
        return invalid("Tasks cannot be empty.");
    }
    if wanted.len() > 100 {
        return invalid("Too many tasks were provided. The maximum is 100.");
    }
    let state = fidelity.state();
    let now = Instant::now();
    let (mut tasks, mut failures) = (Vec::new(), Vec::new());
    for w in &wanted {
        let found = state
            .tasks
            .tasks
            .iter()
            .find(|(arn, _)| *arn == w || last_segment(arn) == w);
        match found {
            Some((_, task)) => tasks.push(view(task, now)),
            None => failures.push(json!({ "arn": w, "reason": "MISSING" })),
        }
    }
    json_reply(
        hyper::StatusCode::OK,
        &json!({ "tasks": tasks, "failures": failures }),
    )
}

/// The registered task `wanted` names (ARN or ID).
fn find<'a>(tasks: &'a mut HashMap<String, Task>, wanted: &str) -> Option<&'a mut Task> {
    tasks
        .iter_mut()
        .find(|(arn, _)| *arn == wanted || last_segment(arn) == wanted)
        .map(|(_, task)| task)
}

/// Whether `cluster` (name or ARN) names the cluster `arn`.
fn names_cluster(cluster: &str, arn: &str) -> bool {
    cluster == arn || (!cluster.contains(':') && last_segment(arn) == cluster)
}

/// StopTask of one of the layer's tasks; `None` when the task is not the layer's (moto's own,
/// or in another cluster), so moto answers.
pub fn stop_task(fidelity: &Fidelity, call: &Call) -> Option<Reply> {
    let wanted = call.str("task")?;
    let cluster = call.str("cluster").unwrap_or("default");
    let mut state = fidelity.state();
    let task = find(&mut state.tasks.tasks, wanted)?;
    let cluster_arn = task.base["clusterArn"].as_str().unwrap_or_default();
    if !names_cluster(cluster, cluster_arn) {
        return None;
    }
    let now = Instant::now();
    let running = natural(task, now)["desiredStatus"] == "RUNNING";
    if task.stop.is_none() && running {
        task.stop = Some(Stop {
            at: now,
            epoch: epoch_now(),
            // The reason ECS shows for a task stopped without one.
            reason: call
                .str("reason")
                .unwrap_or("Task stopped by user")
                .to_string(),
        });
    }
    let task = view(task, now);
    Some(json_reply(hyper::StatusCode::OK, &json!({ "task": task })))
}

/// The ARNs of the layer's tasks ListTasks `request` lists.
pub fn listed(fidelity: &Fidelity, request: &Value) -> Vec<String> {
    let text = |m: &str| request.get(m).and_then(Value::as_str);
    if text("serviceName").is_some() || text("containerInstance").is_some() {
        return Vec::new();
    }
    let cluster = text("cluster").unwrap_or("default");
    let desired = text("desiredStatus").unwrap_or("RUNNING");
    let state = fidelity.state();
    let now = Instant::now();
    let mut arns: Vec<String> = state
        .tasks
        .tasks
        .iter()
        .filter(|(_, task)| {
            let v = view(task, now);
            let family = v["taskDefinitionArn"]
                .as_str()
                .map(|a| last_segment(a).split(':').next().unwrap_or_default());
            names_cluster(cluster, v["clusterArn"].as_str().unwrap_or_default())
                && v["desiredStatus"] == desired
                && text("family").is_none_or(|f| family == Some(f))
                && text("startedBy").is_none_or(|s| v["startedBy"] == s)
                && text("launchType").is_none_or(|l| v["launchType"] == l)
        })
        .map(|(arn, _)| arn.clone())
        .collect();
    arns.sort();
    arns
}

/// Whether one of the layer's tasks in `cluster` has not reached STOPPED.
pub fn cluster_has_unstopped_tasks(fidelity: &Fidelity, cluster: &str) -> bool {
    let state = fidelity.state();
    let now = Instant::now();
    state.tasks.tasks.values().any(|task| {
        let v = view(task, now);
        names_cluster(cluster, v["clusterArn"].as_str().unwrap_or_default())
            && v["lastStatus"] != "STOPPED"
    })
}

/// Add the layer's RUNNING and PENDING tasks to DescribeClusters' counts.
pub fn count_into(fidelity: &Fidelity, clusters: &mut Value) {
    let state = fidelity.state();
    let now = Instant::now();
    let views: Vec<Value> = state.tasks.tasks.values().map(|t| view(t, now)).collect();
    for cluster in clusters.as_array_mut().into_iter().flatten() {
        let arn = cluster["clusterArn"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for (member, statuses) in [
            ("runningTasksCount", &["RUNNING"][..]),
            ("pendingTasksCount", &["PROVISIONING", "PENDING"][..]),
        ] {
            let ours = views
                .iter()
                .filter(|v| {
                    v["clusterArn"] == arn.as_str()
                        && statuses.iter().any(|s| v["lastStatus"] == *s)
                })
                .count() as i64;
            let moto = cluster[member].as_i64().unwrap_or(0);
            cluster[member] = json!(moto + ours);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_exit_code_comes_from_the_command() {
        assert_eq!(exit_code(&cmd(&["sh", "-c", "exit 3"])), 3);
        assert_eq!(exit_code(&cmd(&["sh", "-c", "migrate && exit 0"])), 0);
        assert_eq!(exit_code(&cmd(&["./migrate"])), 0);
        assert_eq!(exit_code(&[]), 0);
    }

    #[test]
    fn shape_refusals() {
        assert!(refuse_shape(&json!({ "count": 0 })).is_some());
        assert!(refuse_shape(&json!({ "count": 11 })).is_some());
        assert!(refuse_shape(&json!({ "count": 10 })).is_none());
        let both = json!({ "launchType": "FARGATE", "capacityProviderStrategy": [{ "capacityProvider": "FARGATE" }] });
        assert!(refuse_shape(&both).is_some());
        let no_subnets =
            json!({ "networkConfiguration": { "awsvpcConfiguration": { "subnets": [] } } });
        assert!(refuse_shape(&no_subnets).is_some());
    }
}
