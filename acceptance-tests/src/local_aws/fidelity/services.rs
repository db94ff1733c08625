//! Services as ECS runs them: unique names among ACTIVE and DRAINING services, every setting
//! of CreateService kept (moto drops many), deployments that reach steady state after
//! `--steady-seconds` (or fail as a circuit breaker would with `--fail-deployments`), deletion
//! through DRAINING for `--drain-seconds`, and the read-back shape DescribeServices has on AWS.
//!
//! moto keeps the service's identity, cluster and task-definition checks; this module keeps a
//! [`ServiceRecord`] per service ARN and rewrites every service object moto returns from it.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::deployments::{self, Failure, Track, Verdict};
use super::{Fidelity, account_of, fnv, limits, placement, reply_of, service_connect, strip_nulls};
use crate::local_aws::moto::Upstream;
use crate::local_aws::options::Options;
use crate::local_aws::wire::{Call, Reply, client_error, epoch_now, json_reply};

/// Request members moto drops or mangles, kept as sent and returned on every read.
const KEPT: &[&str] = &[
    "deploymentConfiguration",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "propagateTags",
    "enableECSManagedTags",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "availabilityZoneRebalancing",
    "launchType",
];

/// Members whose change starts a new deployment (with the task definition and a forced one).
const DEPLOYING: &[&str] = &[
    "capacityProviderStrategy",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rollout {
    InProgress,
    Completed,
    Failed,
}

impl Rollout {
    fn as_str(self) -> &'static str {
        match self {
            Rollout::InProgress => "IN_PROGRESS",
            Rollout::Completed => "COMPLETED",
            Rollout::Failed => "FAILED",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Deployment {
    pub(super) id: String,
    task_definition: String,
    pub(super) created_at: f64,
    pub(super) updated_at: f64,
    pub(super) started: Instant,
    pub(super) rollout: Rollout,
    reason: String,
    failed_tasks: i64,
    /// A rollback deployment never fails (it returns to what ran before).
    pub(super) rollback: bool,
    /// Its task definition runs an image matching `--fail-image`: it fails like
    /// `--fail-deployments` would.
    pub(super) doomed: bool,
    /// The deployment-level settings it runs with ([`service_connect`]).
    carried: Map<String, Value>,
    /// Its service deployment (ListServiceDeployments, DescribeServiceDeployments).
    pub(super) track: Track,
}

/// What the layer knows about one service.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    name: String,
    pub(super) arn: String,
    pub(super) settings: Map<String, Value>,
    created_at: f64,
    created_by: String,
    task_definition: String,
    pub(super) desired: i64,
    /// Tasks running as of the last settled change.
    pub(super) running: i64,
    /// When `running` reaches `desired` (a scale without a new deployment).
    scaled_at: Instant,
    /// Newest first; the first is PRIMARY.
    pub(super) deployments: Vec<Deployment>,
    /// Deployments no longer reported by DescribeServices, oldest first: their service
    /// deployments stay listed.
    pub(super) history: Vec<Deployment>,
    events: Vec<Value>,
    pub(super) deleted: Option<Instant>,
    /// `ECS`, `CODE_DEPLOY` or `EXTERNAL`. Only ECS runs deployments; the others run task sets
    /// and report no `deployments` at all (copilot-cli #1061, terraform-provider-aws #29252).
    pub(super) controller: String,
    /// Deployment-level settings the next deployment starts with ([`service_connect`]).
    carried: Map<String, Value>,
}

impl ServiceRecord {
    fn new(name: &str, request: &Value, moto_service: &Value, now: Instant) -> ServiceRecord {
        let arn = str_of(moto_service, "serviceArn");
        let mut record = ServiceRecord {
            name: name.to_string(),
            arn: arn.to_string(),
            settings: Map::new(),
            created_at: epoch_now(),
            created_by: format!("arn:aws:iam::{}:root", account_of(arn)),
            task_definition: str_of(moto_service, "taskDefinition").to_string(),
            desired: moto_service
                .get("desiredCount")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            running: 0,
            scaled_at: now,
            deployments: Vec::new(),
            history: Vec::new(),
            events: Vec::new(),
            deleted: None,
            controller: controller_of(request).to_string(),
            carried: Map::new(),
        };
        record.keep(request);
        if record.controller == "ECS" {
            record.deploy(now, false);
        }
        record
    }

    /// The PRIMARY task set of a CODE_DEPLOY service is steady once the service's tasks run.
    fn shape_task_sets(&self, map: &mut Map<String, Value>, desired: i64) {
        let steady = self.running >= desired;
        let Some(sets) = map.get_mut("taskSets").and_then(Value::as_array_mut) else {
            return;
        };
        for set in sets.iter_mut() {
            let Some(set) = set.as_object_mut() else {
                continue;
            };
            if self.controller == "CODE_DEPLOY" && set.get("status") == Some(&json!("PRIMARY")) {
                let running = if steady { desired } else { self.running };
                set.insert("computedDesiredCount".into(), json!(desired));
                set.insert("runningCount".into(), json!(running));
                set.insert("pendingCount".into(), json!((desired - running).max(0)));
                let status = if steady {
                    "STEADY_STATE"
                } else {
                    "STABILIZING"
                };
                set.insert("stabilityStatus".into(), json!(status));
            }
        }
    }

    /// A DAEMON service runs one task per container instance: its count follows theirs.
    fn follow_instances(&mut self, instances: i64, now: Instant, options: &Options) {
        if self.deleted.is_none() && self.desired != instances {
            self.desired = instances;
            self.scaled_at = now + options.steady;
        }
    }

    fn keep(&mut self, request: &Value) {
        for member in KEPT {
            if let Some(value) = request.get(*member).filter(|v| !v.is_null()) {
                self.settings.insert(member.to_string(), value.clone());
            }
        }
    }

    pub(super) fn find(&self, id: &str) -> Option<&Deployment> {
        self.deployments
            .iter()
            .chain(self.history.iter())
            .find(|d| d.id == id)
    }

    pub(super) fn find_mut(&mut self, id: &str) -> Option<&mut Deployment> {
        self.deployments
            .iter_mut()
            .chain(self.history.iter_mut())
            .find(|d| d.id == id)
    }

    /// Move the deployments `keep` rejects out of DescribeServices' view.
    fn retire(&mut self, keep: impl Fn(&Deployment) -> bool) {
        let (kept, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut self.deployments)
            .into_iter()
            .partition(|d| keep(d));
        self.deployments = kept;
        self.history.extend(gone.into_iter().rev());
    }

    fn deploy(&mut self, now: Instant, rollback: bool) {
        let at = epoch_now();
        let id = format!(
            "ecs-svc/{:019}",
            fnv(&format!(
                "{}{at}{}",
                self.name,
                self.deployments.len() + self.history.len()
            )) % 10u64.pow(19)
        );
        let source = self
            .deployments
            .iter()
            .find(|d| d.rollout != Rollout::Failed)
            .map(|d| d.track.revision_arn.clone());
        if let Some(running) = self
            .deployments
            .first_mut()
            .filter(|d| d.rollout == Rollout::InProgress && !rollback)
        {
            running.track.superseded = Some(at);
        }
        let config = self
            .settings
            .get("deploymentConfiguration")
            .cloned()
            .unwrap_or(Value::Null);
        let track = Track::new(&self.arn, &id, source, config);
        self.deployments.insert(
            0,
            Deployment {
                id,
                task_definition: self.task_definition.clone(),
                created_at: at,
                updated_at: at,
                started: now,
                rollout: Rollout::InProgress,
                reason: String::new(),
                failed_tasks: 0,
                rollback,
                doomed: false,
                carried: self.carried.clone(),
                track,
            },
        );
    }

    fn event(&mut self, message: String) {
        let at = epoch_now();
        let seed = format!("{message}{at}{}", self.events.len());
        let hex = format!("{:016x}{:016x}", fnv(&seed), fnv(&format!("{seed}.")));
        let id = format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        );
        self.events
            .insert(0, json!({ "id": id, "createdAt": at, "message": message }));
        self.events.truncate(100);
    }

    fn status(&self, now: Instant, options: &Options) -> &'static str {
        match self.deleted {
            None => "ACTIVE",
            Some(at) if now < at + options.drain => "DRAINING",
            Some(_) => "INACTIVE",
        }
    }

    /// Bring the record up to `now`: finish or fail the primary deployment when its time has
    /// come, and let a scale reach its desired count.
    pub(super) fn settle(&mut self, now: Instant, options: &Options) {
        if self.deleted.is_some() {
            if self.status(now, options) == "INACTIVE" {
                self.running = 0;
            }
            return;
        }
        let Some(primary) = self.deployments.first().cloned() else {
            if now >= self.scaled_at {
                self.running = self.desired;
            }
            return;
        };
        if primary.rollout != Rollout::InProgress {
            if primary.rollout == Rollout::Completed && now >= self.scaled_at {
                self.running = self.desired;
            }
            return;
        }
        let service = self.name.clone();
        match deployments::verdict(&primary, &self.settings, options, now) {
            Verdict::Running => return,
            Verdict::Failed(failure) => {
                self.fail(now, failure);
                return;
            }
            Verdict::Done => {}
        }
        let first = &mut self.deployments[0];
        first.rollout = Rollout::Completed;
        first.reason = format!("ECS deployment {} completed.", first.id);
        first.updated_at = epoch_now();
        first.track.finished_at = Some(first.updated_at);
        // Completed: the older deployments have drained away. A failed one stays listed.
        self.retire(|d| d.rollout == Rollout::Failed || d.id == primary.id);
        self.running = self.desired;
        self.event(format!("(service {service}) has reached a steady state."));
    }

    /// The primary deployment fails: FAILED, and rolled back to the deployment before it when
    /// `failure` says so and there is one.
    fn fail(&mut self, now: Instant, mut failure: Failure) {
        let service = self.name.clone();
        let desired = self.desired.max(1);
        let first = &mut self.deployments[0];
        first.rollout = Rollout::Failed;
        first.reason = failure.reason.clone();
        first.failed_tasks = if failure.breaker { desired } else { 0 };
        first.updated_at = epoch_now();
        failure.at = first.updated_at;
        first.track.stop = None;
        let failed_id = first.id.clone();
        self.event(format!(
            "(service {service}) (deployment {failed_id}) deployment failed: {}",
            failure.event
        ));
        let previous = self
            .deployments
            .get(1)
            .cloned()
            .filter(|_| failure.rollback);
        if let Some(previous) = previous {
            self.task_definition = previous.task_definition.clone();
            // The rollback runs what the previous deployment ran, settings included.
            self.carried = previous.carried.clone();
            let failed = self.deployments.remove(0);
            self.retire(|_| false);
            self.deployments.push(failed);
            self.deploy(now, true);
            let rollback_id = self.deployments[0].id.clone();
            failure.rollback_id = Some(rollback_id.clone());
            self.event(format!(
                "(service {service}) rolling back to deployment {} (deployment {rollback_id}).",
                previous.id
            ));
        }
        if let Some(failed) = self.find_mut(&failed_id) {
            failed.track.finished_at = Some(failure.at);
            failed.track.failure = Some(failure);
        }
    }

    /// Rewrite moto's service object into what DescribeServices returns on AWS.
    fn shape(&self, service: &mut Value, now: Instant, options: &Options) {
        let Some(map) = service.as_object_mut() else {
            return;
        };
        for (member, value) in &self.settings {
            map.insert(member.clone(), value.clone());
        }
        let status = self.status(now, options);
        map.insert("status".into(), json!(status));
        map.insert(
            "deploymentController".into(),
            json!({ "type": self.controller }),
        );
        map.insert("taskDefinition".into(), json!(self.task_definition));
        map.insert("createdAt".into(), json!(self.created_at));
        map.insert("createdBy".into(), json!(self.created_by));
        let desired = if status == "ACTIVE" { self.desired } else { 0 };
        map.insert("desiredCount".into(), json!(desired));
        map.insert("runningCount".into(), json!(self.running));
        let pending = self
            .deployments
            .first()
            .filter(|d| d.rollout == Rollout::InProgress)
            .map(|_| (desired - self.running).max(0))
            .unwrap_or(0);
        map.insert("pendingCount".into(), json!(pending));
        map.insert("events".into(), json!(self.events));
        if self.task_definition.is_empty() {
            // EXTERNAL services may have none: their task sets carry it.
            map.remove("taskDefinition");
        }
        // An EXTERNAL service sent without a launch type has none (moto says EC2): its task
        // sets have one each.
        let unplaced = self.controller == "EXTERNAL" && !self.settings.contains_key("launchType");
        let launch = launch_of(map, unplaced);
        let deployments: Vec<Value> = self
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| self.deployment_view(d, i == 0, desired, &launch))
            .collect();
        map.insert("deployments".into(), json!(deployments));
        if self.controller == "ECS" {
            // moto's task-set placeholder; ECS-controlled services have none.
            map.remove("taskSets");
        } else {
            self.shape_task_sets(map, desired);
        }
        placement::shape(map, &self.settings);
        apply_defaults(map);
    }

    fn deployment_view(
        &self,
        d: &Deployment,
        primary: bool,
        desired: i64,
        launch: &Launch,
    ) -> Value {
        let running = match (primary, d.rollout) {
            (true, Rollout::Completed) => self.running,
            (true, _) => 0,
            (false, _) if d.rollout == Rollout::Failed => 0,
            (false, _) => self.running,
        };
        let mut view = json!({
            "id": d.id,
            "status": if primary { "PRIMARY" } else { "ACTIVE" },
            "taskDefinition": d.task_definition,
            "desiredCount": if primary { desired } else { 0 },
            "pendingCount": if primary && d.rollout == Rollout::InProgress { (desired - running).max(0) } else { 0 },
            "runningCount": running,
            "failedTasks": d.failed_tasks,
            "createdAt": d.created_at,
            "updatedAt": d.updated_at,
            "rolloutState": d.rollout.as_str(),
            "rolloutStateReason": if d.reason.is_empty() {
                format!("ECS deployment {} in progress.", d.id)
            } else {
                d.reason.clone()
            },
        });
        launch.apply(&mut view);
        service_connect::show(&mut view, &d.carried);
        if let Some(network) = self.settings.get("networkConfiguration") {
            view["networkConfiguration"] = network.clone();
        }
        view
    }
}

/// How a service's tasks are placed, as its deployments repeat it.
struct Launch {
    launch_type: Option<Value>,
    strategy: Option<Value>,
    platform_version: Option<Value>,
    platform_family: Option<Value>,
}

impl Launch {
    fn apply(&self, view: &mut Value) {
        for (member, value) in [
            ("launchType", &self.launch_type),
            ("capacityProviderStrategy", &self.strategy),
            ("platformVersion", &self.platform_version),
            ("platformFamily", &self.platform_family),
        ] {
            if let Some(value) = value {
                view[member] = value.clone();
            }
        }
    }
}

/// A capacity-provider strategy replaces the launch type (and so does being `unplaced`);
/// Fargate tasks run on a platform version, `LATEST` unless one was asked for.
fn launch_of(map: &mut Map<String, Value>, unplaced: bool) -> Launch {
    let strategy = map
        .get("capacityProviderStrategy")
        .filter(|s| s.as_array().is_some_and(|a| !a.is_empty()))
        .cloned();
    if strategy.is_some() || unplaced {
        map.remove("launchType");
    } else if map.get("launchType").is_none_or(Value::is_null) {
        map.insert("launchType".into(), json!("EC2"));
    }
    let fargate = map.get("launchType").and_then(Value::as_str) == Some("FARGATE")
        || strategy
            .as_ref()
            .is_some_and(|s| s.to_string().contains("\"FARGATE"));
    if fargate {
        if map.get("platformVersion").is_none_or(Value::is_null) {
            map.insert("platformVersion".into(), json!("LATEST"));
        }
        map.insert("platformFamily".into(), json!("Linux"));
    } else {
        map.remove("platformVersion");
        map.remove("platformFamily");
    }
    Launch {
        launch_type: map.get("launchType").cloned(),
        strategy,
        platform_version: map.get("platformVersion").cloned(),
        platform_family: map.get("platformFamily").cloned(),
    }
}

/// What ECS fills in when a member was not sent.
fn apply_defaults(map: &mut Map<String, Value>) {
    let mut config = map
        .get("deploymentConfiguration")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    config
        .entry("deploymentCircuitBreaker")
        .or_insert_with(|| json!({ "enable": false, "rollback": false }));
    config.entry("maximumPercent").or_insert(json!(200));
    config.entry("minimumHealthyPercent").or_insert(json!(100));
    map.insert("deploymentConfiguration".into(), Value::Object(config));
    for (member, default) in [
        ("propagateTags", json!("NONE")),
        ("enableECSManagedTags", json!(false)),
        ("enableExecuteCommand", json!(false)),
        ("schedulingStrategy", json!("REPLICA")),
        ("deploymentController", json!({ "type": "ECS" })),
        ("loadBalancers", json!([])),
        ("serviceRegistries", json!([])),
        ("placementConstraints", json!([])),
        ("placementStrategy", json!([])),
    ] {
        if map.get(member).is_none_or(Value::is_null) {
            map.insert(member.to_string(), default);
        }
    }
    // moto's placeholders that ECS does not return.
    if map
        .get("networkConfiguration")
        .is_some_and(|n| n.as_object().is_some_and(|o| o.is_empty()))
    {
        map.remove("networkConfiguration");
    }
    let mut value = Value::Object(std::mem::take(map));
    strip_nulls(&mut value);
    if let Value::Object(cleaned) = value {
        *map = cleaned;
    }
}

fn controller_of(request: &Value) -> &str {
    request
        .pointer("/deploymentController/type")
        .and_then(Value::as_str)
        .unwrap_or("ECS")
}

/// The cluster's default capacity-provider strategy, if it has one.
async fn default_strategy(call: &Call, up: &Upstream, cluster: &str) -> Option<Value> {
    let answer = up
        .ask(&call.sibling("DescribeClusters", json!({ "clusters": [cluster] })))
        .await;
    answer
        .json
        .pointer("/clusters/0/defaultCapacityProviderStrategy")
        .filter(|s| s.as_array().is_some_and(|a| !a.is_empty()))
        .cloned()
}

/// CodeDeploy's first task set, which ECS creates with a CODE_DEPLOY service, made PRIMARY.
async fn start_primary_task_set(call: &Call, up: &Upstream, service: &Value, request: &Value) {
    let mut ask = json!({
        "cluster": str_of(service, "clusterArn"),
        "service": str_of(service, "serviceArn"),
        "taskDefinition": str_of(service, "taskDefinition"),
    });
    for member in [
        "launchType",
        "capacityProviderStrategy",
        "platformVersion",
        "networkConfiguration",
        "loadBalancers",
        "serviceRegistries",
    ] {
        if let Some(v) = request.get(member).filter(|v| !v.is_null()) {
            ask[member] = v.clone();
        }
    }
    if ask.get("launchType").is_none() && ask.get("capacityProviderStrategy").is_none() {
        ask["launchType"] = json!("EC2");
    }
    let created = up.ask(&call.sibling("CreateTaskSet", ask)).await;
    if let Some(arn) = created
        .json
        .pointer("/taskSet/taskSetArn")
        .and_then(Value::as_str)
    {
        let primary = json!({
            "cluster": str_of(service, "clusterArn"),
            "service": str_of(service, "serviceArn"),
            "primaryTaskSet": arn,
        });
        up.ask(&call.sibling("UpdateServicePrimaryTaskSet", primary))
            .await;
    }
}

fn str_of<'a>(value: &'a Value, member: &str) -> &'a str {
    value.get(member).and_then(Value::as_str).unwrap_or("")
}

/// The service ARN moto uses for `service` (name or ARN) in `cluster`.
async fn moto_service(call: &Call, up: &Upstream, cluster: &str, service: &str) -> Option<Value> {
    let answer = up
        .ask(&call.sibling(
            "DescribeServices",
            json!({ "cluster": cluster, "services": [service] }),
        ))
        .await;
    answer
        .json
        .get("services")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .cloned()
}

fn cluster_of(call: &Call) -> String {
    call.str("cluster").unwrap_or("default").to_string()
}

fn not_active() -> Reply {
    client_error("ServiceNotActiveException", "Service was not ACTIVE.")
}

pub async fn create(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let cluster = cluster_of(call);
    let Some(name) = call.str("serviceName").map(str::to_string) else {
        return client_error("InvalidParameterException", "Service name cannot be empty.");
    };
    let now = Instant::now();
    if let Some(refusal) = deployments::refusal(&call.json, None) {
        return refusal;
    }
    if let Some(existing) = moto_service(call, up, &cluster, &name).await {
        let arn = str_of(&existing, "serviceArn").to_string();
        let status = match fidelity.state().services.get(&arn) {
            Some(record) => record.status(now, &fidelity.options),
            None => match str_of(&existing, "status") {
                "ACTIVE" => "ACTIVE",
                _ => "INACTIVE",
            },
        };
        match status {
            "ACTIVE" => {
                return client_error(
                    "InvalidParameterException",
                    "Creation of service was not idempotent.",
                );
            }
            "DRAINING" => {
                return client_error(
                    "InvalidParameterException",
                    "Unable to Start a service that is still Draining.",
                );
            }
            _ => {}
        }
    }
    if let Some(refusal) = placement::refuse_create(&call.json) {
        return refusal;
    }
    // moto fails internally on an awsvpc configuration without security groups, which AWS
    // accepts (the VPC's default group is used).
    let mut request = call.json.clone();
    placement::prepare_create(call, up, &cluster, &mut request).await;
    // Neither a launch type nor a strategy: ECS places the service with the cluster's default
    // strategy and reports that strategy on the service, with no launch type (ECS API
    // reference, CreateService `capacityProviderStrategy`; terraform-provider-aws #11351).
    let placed = ["launchType", "capacityProviderStrategy"].iter().any(|m| {
        request
            .get(*m)
            .is_some_and(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
    });
    if !placed
        && controller_of(&request) != "EXTERNAL"
        && let Some(strategy) = default_strategy(call, up, &cluster).await
    {
        request["capacityProviderStrategy"] = strategy;
    }
    let kept = request.clone();
    let definition = call.str("taskDefinition").unwrap_or_default().to_string();
    let carried = match service_connect::carried(call, up, &kept, &cluster, &definition).await {
        Ok(carried) => carried,
        Err(refusal) => return refusal,
    };
    if let Some(awsvpc) = request.pointer_mut("/networkConfiguration/awsvpcConfiguration")
        && let Some(map) = awsvpc.as_object_mut()
    {
        map.entry("securityGroups").or_insert(json!([]));
    }
    let answer = up.ask(&call.with_json(request)).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut service = answer.json.get("service").cloned().unwrap_or(Value::Null);
    let arn = str_of(&service, "serviceArn").to_string();
    let mut record = ServiceRecord::new(&name, &kept, &service, now);
    placement::keep_created(&mut record.settings, &kept, account_of(&arn));
    record.carried = carried;
    if let Some(first) = record.deployments.first_mut() {
        first.carried = record.carried.clone();
    }
    let doomed = runs_failing_image(&fidelity.options, call, up, &record.task_definition).await;
    if let Some(first) = record.deployments.first_mut() {
        first.doomed = doomed;
    }
    if record.controller == "CODE_DEPLOY" {
        start_primary_task_set(call, up, &service, &kept).await;
        record.scaled_at = now + fidelity.options.steady;
        if let Some(fresh) = moto_service(call, up, &cluster, &arn).await {
            service = fresh;
        }
    }
    record.shape(&mut service, now, &fidelity.options);
    fidelity.state().services.insert(arn, record);
    json_reply(answer.status, &json!({ "service": service }))
}

pub async fn update(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let cluster = cluster_of(call);
    let Some(name) = call.str("service").map(str::to_string) else {
        return client_error("InvalidParameterException", "Service cannot be empty.");
    };
    let now = Instant::now();
    let Some(existing) = moto_service(call, up, &cluster, &name).await else {
        return client_error("ServiceNotFoundException", "Service not found.");
    };
    let arn = str_of(&existing, "serviceArn").to_string();
    if let Some(record) = fidelity.state().services.get_mut(&arn) {
        if record.status(now, &fidelity.options) != "ACTIVE" {
            return not_active();
        }
        record.settle(now, &fidelity.options);
        if let Some(refusal) = deployments::refusal(&call.json, Some(record)) {
            return refusal;
        }
    }
    if let Some(record) = fidelity.state().services.get(&arn)
        && let Some(refusal) = placement::refuse_update(&call.json, &record.settings)
    {
        return refusal;
    }
    let new_task_definition = match call.str("taskDefinition") {
        Some(td) => match resolve_task_definition(call, up, td).await {
            Ok(arn) => Some(arn),
            Err(refusal) => return refusal,
        },
        None => None,
    };
    // What the next deployment would run: the new task definition, or the current one.
    let next_definition = new_task_definition
        .clone()
        .unwrap_or_else(|| str_of(&existing, "taskDefinition").to_string());
    let doomed = runs_failing_image(&fidelity.options, call, up, &next_definition).await;
    let carried =
        match service_connect::carried(call, up, &call.json, &cluster, &next_definition).await {
            Ok(carried) => carried,
            Err(refusal) => return refusal,
        };
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut service = answer.json.get("service").cloned().unwrap_or(Value::Null);
    let options = &fidelity.options;
    let mut state = fidelity.state();
    let record = state
        .services
        .entry(arn)
        .or_insert_with(|| ServiceRecord::new(&name, &Value::Null, &existing, now));
    record.settle(now, options);
    let changed_settings = DEPLOYING
        .iter()
        .filter(|m| !service_connect::CARRIED.contains(m))
        .any(|member| {
            call.json
                .get(*member)
                .is_some_and(|v| !v.is_null() && record.settings.get(*member) != Some(v))
        })
        || service_connect::changes(&record.carried, &carried);
    let changed_definition = new_task_definition
        .as_ref()
        .is_some_and(|td| *td != record.task_definition);
    let forced = call
        .json
        .get("forceNewDeployment")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    record.keep(&call.json);
    record.carried.extend(carried);
    // ECS takes the deployments over from CodeDeploy or an external controller.
    let new_controller = call
        .json
        .pointer("/deploymentController/type")
        .and_then(Value::as_str)
        .filter(|c| *c != record.controller)
        .map(str::to_string);
    let to_ecs = new_controller.as_deref() == Some("ECS");
    if let Some(controller) = new_controller {
        record.controller = controller;
    }
    if let Some(td) = new_task_definition {
        record.task_definition = td;
    }
    if let Some(desired) = call.json.get("desiredCount").and_then(Value::as_i64)
        && desired != record.desired
    {
        record.desired = desired;
        record.scaled_at = now + options.steady;
    }
    if changed_definition || changed_settings || forced || to_ecs {
        record.deploy(now, false);
        if let Some(first) = record.deployments.first_mut() {
            first.doomed = doomed;
        }
    }
    record.shape(&mut service, now, options);
    json_reply(answer.status, &json!({ "service": service }))
}

/// Whether the task definition `td` runs an image matching `--fail-image`.
async fn runs_failing_image(options: &Options, call: &Call, up: &Upstream, td: &str) -> bool {
    let Some(needle) = options.fail_image.as_deref() else {
        return false;
    };
    let answer = up
        .ask(&call.sibling("DescribeTaskDefinition", json!({ "taskDefinition": td })))
        .await;
    answer
        .json
        .pointer("/taskDefinition/containerDefinitions")
        .and_then(Value::as_array)
        .is_some_and(|containers| {
            containers
                .iter()
                .any(|c| str_of(c, "image").contains(needle))
        })
}

/// The ARN of a task definition given as family, `family:revision` or ARN (moto stores the
/// text it was given; ECS stores the ARN).
async fn resolve_task_definition(call: &Call, up: &Upstream, td: &str) -> Result<String, Reply> {
    let answer = up
        .ask(&call.sibling("DescribeTaskDefinition", json!({ "taskDefinition": td })))
        .await;
    answer
        .json
        .pointer("/taskDefinition/taskDefinitionArn")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| client_error("ClientException", "TaskDefinition not found.".to_string()))
}

pub async fn delete(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let cluster = cluster_of(call);
    let name = call.str("service").unwrap_or_default().to_string();
    let now = Instant::now();
    if let Some(existing) = moto_service(call, up, &cluster, &name).await {
        let arn = str_of(&existing, "serviceArn");
        let inactive = match fidelity.state().services.get(arn) {
            Some(record) => record.status(now, &fidelity.options) != "ACTIVE",
            None => str_of(&existing, "status") != "ACTIVE",
        };
        if inactive {
            return not_active();
        }
    }
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut service = answer.json.get("service").cloned().unwrap_or(Value::Null);
    let arn = str_of(&service, "serviceArn").to_string();
    let options = &fidelity.options;
    let mut state = fidelity.state();
    let record = state
        .services
        .entry(arn)
        .or_insert_with(|| ServiceRecord::new(&name, &Value::Null, &service, now));
    record.settle(now, options);
    record.deleted = Some(now);
    record.desired = 0;
    record.shape(&mut service, now, options);
    json_reply(answer.status, &json!({ "service": service }))
}

pub async fn describe(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    if let Some(refusal) = limits::batch(call, "services", 10) {
        return refusal;
    }
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    let now = Instant::now();
    let instances = daemon_instances(fidelity, call, up, &body).await;
    let mut state = fidelity.state();
    if let Some(services) = body.get_mut("services").and_then(Value::as_array_mut) {
        for service in services {
            let arn = str_of(service, "serviceArn").to_string();
            if let Some(record) = state.services.get_mut(&arn) {
                if let Some((_, count)) = instances.iter().find(|(a, _)| *a == arn) {
                    record.follow_instances(*count, now, &fidelity.options);
                }
                record.settle(now, &fidelity.options);
                record.shape(service, now, &fidelity.options);
            }
        }
    }
    json_reply(answer.status, &body)
}

/// The container-instance count of each DAEMON service in a DescribeServices answer.
async fn daemon_instances(
    fidelity: &Fidelity,
    call: &Call,
    up: &Upstream,
    body: &Value,
) -> Vec<(String, i64)> {
    let daemons: Vec<(String, String)> = {
        let state = fidelity.state();
        let services = body.get("services").and_then(Value::as_array);
        services
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let arn = str_of(s, "serviceArn");
                let record = state.services.get(arn)?;
                placement::daemon_settings(&record.settings)
                    .then(|| (arn.to_string(), str_of(s, "clusterArn").to_string()))
            })
            .collect()
    };
    let mut counts = Vec::with_capacity(daemons.len());
    for (arn, cluster) in daemons {
        counts.push((arn, placement::instance_count(call, up, &cluster).await));
    }
    counts
}

/// ListServices names ACTIVE and DRAINING services only (moto lists INACTIVE ones too).
pub async fn list(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let now = Instant::now();
    let inactive: Vec<String> = fidelity
        .state()
        .services
        .iter()
        .filter(|(_, r)| r.status(now, &fidelity.options) == "INACTIVE")
        .map(|(arn, _)| arn.clone())
        .collect();
    limits::paginated_list(call, up, "serviceArns", 10, |arn| {
        !inactive.iter().any(|i| i == arn)
    })
    .await
}

/// True while `cluster` has a service that is ACTIVE or DRAINING.
pub async fn cluster_has_live_services(
    fidelity: &Fidelity,
    call: &Call,
    up: &Upstream,
    cluster: &str,
) -> bool {
    let listed = up
        .ask(&call.sibling("ListServices", json!({ "cluster": cluster })))
        .await;
    let arns: Vec<Value> = listed
        .json
        .get("serviceArns")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let now = Instant::now();
    for batch in arns.chunks(10) {
        let described = up
            .ask(&call.sibling(
                "DescribeServices",
                json!({ "cluster": cluster, "services": batch }),
            ))
            .await;
        let services = described
            .json
            .get("services")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let state = fidelity.state();
        let live = services
            .iter()
            .any(|s| match state.services.get(str_of(s, "serviceArn")) {
                Some(record) => record.status(now, &fidelity.options) != "INACTIVE",
                None => matches!(str_of(s, "status"), "ACTIVE" | "DRAINING"),
            });
        if live {
            return true;
        }
    }
    false
}
