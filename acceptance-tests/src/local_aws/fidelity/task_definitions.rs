//! Task definitions: the registration rules AWS enforces and moto does not (Fargate network
//! mode and cpu/memory pairs, container memory, unique container names, family characters),
//! and every task definition read back in the shape real ECS returns ([`super::taskdef_shape`]).

use serde_json::{Value, json};

use super::taskdef_shape::{self, Meta};
use super::{Fidelity, account_of, limits, reply_of};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, epoch_now, json_reply};

/// What was registered, as sent, and when things happened to it.
#[derive(Debug, Clone)]
pub struct Registration {
    request: Value,
    meta: Meta,
}

/// The refusal AWS gives for `request`, if any.
pub fn registration_refusal(request: &Value) -> Option<String> {
    let family = request.get("family").and_then(Value::as_str).unwrap_or("");
    let family_ok = !family.is_empty()
        && family.len() <= 255
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !family_ok {
        return Some(
            "Family name must be 1-255 letters (uppercase and lowercase), numbers, hyphens and \
             underscores."
                .to_string(),
        );
    }
    let containers = request
        .get("containerDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Some(format!(
            "Container names must be unique within a task definition: '{}' appears more than once.",
            pair[0]
        ));
    }
    let task_cpu = request
        .get("cpu")
        .and_then(Value::as_str)
        .map(taskdef_shape::cpu_units);
    let task_memory = request
        .get("memory")
        .and_then(Value::as_str)
        .map(taskdef_shape::memory_mib);
    let fargate = request
        .get("requiresCompatibilities")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|v| v == "FARGATE"));
    if fargate {
        if request.get("networkMode").and_then(Value::as_str) != Some("awsvpc") {
            return Some("Fargate only supports network mode \u{2018}awsvpc\u{2019}.".to_string());
        }
        let Some(cpu) = task_cpu.clone() else {
            return Some("Fargate requires that 'cpu' be defined at the task level.".to_string());
        };
        let Some(memory) = task_memory.clone() else {
            return Some(
                "Fargate requires that 'memory' be defined at the task level.".to_string(),
            );
        };
        let numbers = (cpu.parse::<u64>(), memory.parse::<u64>());
        let valid = matches!(numbers, (Ok(c), Ok(m)) if taskdef_shape::fargate_size_valid(c, m));
        if !valid {
            return Some(format!(
                "No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. \
                 See the Amazon ECS documentation for the valid values."
            ));
        }
    }
    if let Some(refusal) = isolation_refusal(request, fargate) {
        return Some(refusal);
    }
    // ContainerDefinition.memoryReservation (ECS API reference): "If a task-level memory value is
    // not specified, you must specify a non-zero integer for one or both of memory or
    // memoryReservation in a container definition." The message is ECS's (quoted in the AWS
    // provider issue hashicorp/terraform#8389).
    if task_memory.is_none() {
        for container in &containers {
            let set = |member: &str| {
                container
                    .get(member)
                    .and_then(Value::as_i64)
                    .is_some_and(|n| n != 0)
            };
            if !set("memory") && !set("memoryReservation") {
                let name = container.get("name").and_then(Value::as_str).unwrap_or("");
                return Some(format!(
                    "Invalid setting for container '{name}'. At least one of 'memory' or \
                     'memoryReservation' must be specified."
                ));
            }
        }
    }
    None
}

/// The namespace modes and placement constraints ECS refuses; moto checks only `pidMode` on
/// Fargate. ECS API reference, RegisterTaskDefinition: `ipcMode` "is not supported for Windows
/// containers or tasks run on Fargate"; `pidMode` "is not supported for Windows containers", and
/// "On Fargate for Linux containers, the only valid value is task" (ECS's refusal text quoted in
/// aws/aws-cdk#29995); `placementConstraints` "a maximum of 10 constraints for each task", of
/// the one type TaskDefinitionPlacementConstraint has, `memberOf`, whose expression the AWS
/// provider requires before calling ECS (`validPlacementConstraint`).
fn isolation_refusal(request: &Value, fargate: bool) -> Option<String> {
    let windows = request
        .pointer("/runtimePlatform/operatingSystemFamily")
        .and_then(Value::as_str)
        .is_some_and(|family| family.starts_with("WINDOWS"));
    let ipc = request.get("ipcMode").and_then(Value::as_str);
    let pid = request.get("pidMode").and_then(Value::as_str);
    if let Some(mode) = ipc {
        if fargate {
            return Some(format!(
                "Tasks using the Fargate launch type do not support ipcMode '{mode}'."
            ));
        }
        if windows {
            return Some(format!(
                "Windows containers do not support ipcMode '{mode}'."
            ));
        }
    }
    if let Some(mode) = pid {
        if windows {
            return Some(format!(
                "Windows containers do not support pidMode '{mode}'."
            ));
        }
        if fargate && mode != "task" {
            return Some(format!(
                "Tasks using the Fargate launch type do not support pidMode '{mode}'. The \
                 supported value for pidMode is 'task'."
            ));
        }
    }
    let constraints = request
        .get("placementConstraints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if constraints.len() > 10 {
        return Some(format!(
            "Too many placement constraints: {} were given; a task definition takes at most 10.",
            constraints.len()
        ));
    }
    for constraint in &constraints {
        let kind = constraint.get("type").and_then(Value::as_str).unwrap_or("");
        if kind != "memberOf" {
            return Some(format!(
                "Invalid placement constraint type '{kind}': task definitions take only 'memberOf'."
            ));
        }
        let expression = constraint.get("expression").and_then(Value::as_str);
        if expression.is_none_or(|e| e.trim().is_empty()) {
            return Some(
                "A placement constraint of type 'memberOf' requires an expression.".to_string(),
            );
        }
    }
    None
}

pub async fn register(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    if let Some(message) = registration_refusal(&call.json) {
        return client_error("ClientException", message);
    }
    let answer = up.ask(&call.with_json(for_moto(&call.json))).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    let Some(moto_def) = body.get("taskDefinition").cloned() else {
        return reply_of(&answer);
    };
    let arn = str_member(&moto_def, "taskDefinitionArn").to_string();
    let registration = Registration {
        request: call.json.clone(),
        meta: Meta {
            registered_at: epoch_now(),
            registered_by: format!("arn:aws:iam::{}:root", account_of(&arn)),
            deregistered_at: None,
            delete_requested_at: None,
        },
    };
    body["taskDefinition"] = registration.shape(&moto_def, fidelity.options.strict_shapes);
    fidelity.state().task_definitions.insert(arn, registration);
    json_reply(answer.status, &body)
}

/// The request as moto must see it to store what ECS would. The registration keeps the request
/// as sent, so answers still carry what was registered.
fn for_moto(request: &Value) -> Value {
    let mut request = request.clone();
    // moto stores "1 vCPU" verbatim: give it the numbers AWS would store.
    for (member, convert) in [
        ("cpu", taskdef_shape::cpu_units as fn(&str) -> String),
        ("memory", taskdef_shape::memory_mib),
    ] {
        if let Some(text) = request.get(member).and_then(Value::as_str) {
            request[member] = Value::String(convert(text));
        }
    }
    // moto refuses EC2 containers without a hard `memory` when the task sets none; ECS takes
    // `memoryReservation` alone (ContainerDefinition.memory and .memoryReservation, ECS API
    // reference). moto counts either one the same way when placing tasks, so the reservation
    // stands in for it.
    let task_memory = request.get("memory").is_some_and(|m| !m.is_null());
    if !task_memory
        && let Some(containers) = request
            .get_mut("containerDefinitions")
            .and_then(Value::as_array_mut)
    {
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            if container.get("memory").is_none_or(Value::is_null)
                && let Some(reservation) = container.get("memoryReservation").cloned()
            {
                container.insert("memory".into(), reservation);
            }
        }
    }
    request
}

impl Registration {
    fn shape(&self, moto_def: &Value, strict: bool) -> Value {
        taskdef_shape::shape(&self.request, moto_def, &self.meta, strict)
    }
}

fn str_member<'a>(value: &'a Value, member: &str) -> &'a str {
    value.get(member).and_then(Value::as_str).unwrap_or("")
}

/// Rewrite the task definition at `pointer` in `body` from its registration.
fn reshape(fidelity: &Fidelity, body: &mut Value, pointer: &str) {
    let Some(def) = body.pointer_mut(pointer) else {
        return;
    };
    let arn = str_member(def, "taskDefinitionArn").to_string();
    if let Some(registration) = fidelity.state().task_definitions.get(&arn) {
        *def = registration.shape(def, fidelity.options.strict_shapes);
    }
}

/// A bare family names its latest ACTIVE revision (DescribeTaskDefinition API reference,
/// `taskDefinition`: "The family for the latest ACTIVE revision"); moto takes the latest
/// revision whatever its status. With none ACTIVE, ECS answers "Unable to describe task
/// definition." (quoted in terraform-aws-modules/terraform-aws-atlantis#59).
async fn latest_active(call: &Call, up: &Upstream) -> Result<Option<Call>, Reply> {
    let family = call.str("taskDefinition").unwrap_or_default();
    // Only a bare family; an ARN or `family:revision` names its revision itself.
    if family.is_empty() || family.contains(':') || family.contains('/') {
        return Ok(None);
    }
    let listed = up
        .ask(&call.sibling(
            "ListTaskDefinitions",
            json!({ "familyPrefix": family, "status": "ACTIVE" }),
        ))
        .await;
    if !listed.ok() {
        return Ok(None);
    }
    let latest = listed
        .json
        .get("taskDefinitionArns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|arn| {
            let (f, revision) = super::last_segment(arn).rsplit_once(':')?;
            (f == family)
                .then(|| revision.parse::<u64>().ok())
                .flatten()
        })
        .max();
    match latest {
        Some(revision) => {
            let mut json = call.json.clone();
            json["taskDefinition"] = json!(format!("{family}:{revision}"));
            Ok(Some(call.with_json(json)))
        }
        None => Err(client_error(
            "ClientException",
            "Unable to describe task definition.".to_string(),
        )),
    }
}

pub async fn describe(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let by_family = match latest_active(call, up).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let call = by_family.as_ref().unwrap_or(call);
    let answer = up.ask(call).await;
    if !answer.ok() {
        // moto forgets revisions once their deletion was requested; AWS shows them with status
        // DELETE_IN_PROGRESS until they are purged.
        let wanted = call.str("taskDefinition").unwrap_or_default();
        let state = fidelity.state();
        let found = state.task_definitions.iter().find(|(arn, r)| {
            r.meta.delete_requested_at.is_some()
                && (arn.as_str() == wanted || arn.ends_with(&format!("/{wanted}")))
        });
        if let Some((arn, registration)) = found {
            let moto_def = deleted_placeholder(arn);
            let def = registration.shape(&moto_def, fidelity.options.strict_shapes);
            return json_reply(hyper::StatusCode::OK, &json!({ "taskDefinition": def }));
        }
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    reshape(fidelity, &mut body, "/taskDefinition");
    json_reply(answer.status, &body)
}

/// The identity members of a revision moto no longer knows.
fn deleted_placeholder(arn: &str) -> Value {
    let tail = super::last_segment(arn);
    let (family, revision) = tail.rsplit_once(':').unwrap_or((tail, "0"));
    json!({
        "taskDefinitionArn": arn,
        "family": family,
        "revision": revision.parse::<i64>().unwrap_or(0),
        "status": "DELETE_IN_PROGRESS",
    })
}

pub async fn deregister(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    if let Some(arn) = body
        .pointer("/taskDefinition/taskDefinitionArn")
        .and_then(Value::as_str)
        && let Some(registration) = fidelity.state().task_definitions.get_mut(arn)
    {
        registration
            .meta
            .deregistered_at
            .get_or_insert_with(epoch_now);
    }
    reshape(fidelity, &mut body, "/taskDefinition");
    json_reply(answer.status, &body)
}

pub async fn delete(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    if let Some(refusal) = limits::delete_task_definitions(call) {
        return refusal;
    }
    let answer = up.ask(call).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let mut body = answer.json.clone();
    let count = body
        .get("taskDefinitions")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for i in 0..count {
        let pointer = format!("/taskDefinitions/{i}");
        if let Some(arn) = body
            .pointer(&format!("{pointer}/taskDefinitionArn"))
            .and_then(Value::as_str)
            && let Some(registration) = fidelity.state().task_definitions.get_mut(arn)
        {
            registration
                .meta
                .delete_requested_at
                .get_or_insert_with(epoch_now);
        }
        reshape(fidelity, &mut body, &pointer);
    }
    json_reply(answer.status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fargate(cpu: &str, memory: &str) -> Value {
        json!({
            "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu, "memory": memory,
            "containerDefinitions": [{ "name": "app", "image": "nginx" }],
        })
    }

    #[test]
    fn fargate_pairs_follow_the_published_table() {
        for (cpu, memory) in [
            ("256", "512"),
            ("512", "4096"),
            ("1 vCPU", "2 GB"),
            ("16384", "122880"),
        ] {
            assert_eq!(
                registration_refusal(&fargate(cpu, memory)),
                None,
                "{cpu}/{memory}"
            );
        }
        for (cpu, memory) in [
            ("256", "4096"),
            ("3", "7"),
            ("8192", "18432"),
            ("1024", "1536"),
        ] {
            let refusal = registration_refusal(&fargate(cpu, memory)).expect("refused");
            assert!(refusal.contains("No Fargate configuration"), "{refusal}");
        }
    }

    #[test]
    fn fargate_needs_awsvpc_and_task_size() {
        let mut bridge = fargate("256", "512");
        bridge["networkMode"] = json!("bridge");
        assert!(registration_refusal(&bridge).unwrap().contains("awsvpc"));
        let mut no_cpu = fargate("256", "512");
        no_cpu.as_object_mut().unwrap().remove("cpu");
        assert!(registration_refusal(&no_cpu).unwrap().contains("'cpu'"));
    }

    #[test]
    fn ec2_containers_need_memory_without_task_memory() {
        let request = json!({
            "family": "web",
            "containerDefinitions": [{ "name": "app", "image": "nginx" }],
        });
        assert!(registration_refusal(&request).unwrap().contains("'app'"));
    }

    #[test]
    fn memory_reservation_alone_is_enough_and_reaches_moto_as_memory() {
        let request = json!({
            "family": "web", "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                { "name": "soft", "image": "nginx", "memoryReservation": 128 },
                { "name": "hard", "image": "nginx", "memory": 256, "memoryReservation": 64 },
            ],
        });
        assert_eq!(registration_refusal(&request), None);
        let moto = for_moto(&request);
        assert_eq!(moto["containerDefinitions"][0]["memory"], 128);
        assert_eq!(moto["containerDefinitions"][1]["memory"], 256);
        assert_eq!(request["containerDefinitions"][0].get("memory"), None);
        let mut zero = request.clone();
        zero["containerDefinitions"][0]["memoryReservation"] = json!(0);
        assert!(registration_refusal(&zero).unwrap().contains("'soft'"));
    }

    #[test]
    fn namespace_modes_and_placement_constraints_follow_ecs() {
        let mut ipc = fargate("256", "512");
        ipc["ipcMode"] = json!("task");
        assert!(registration_refusal(&ipc).unwrap().contains("ipcMode"));
        let mut pid = fargate("256", "512");
        pid["pidMode"] = json!("host");
        assert!(registration_refusal(&pid).unwrap().contains("'task'"));
        pid["pidMode"] = json!("task");
        assert_eq!(registration_refusal(&pid), None);
        let mut windows = json!({
            "family": "win", "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE" },
            "pidMode": "task", "containerDefinitions": [{ "name": "a", "memory": 64 }],
        });
        assert!(registration_refusal(&windows).unwrap().contains("Windows"));
        windows.as_object_mut().unwrap().remove("pidMode");
        assert_eq!(registration_refusal(&windows), None);
        let constrained = |constraints: Value| {
            json!({ "family": "c", "placementConstraints": constraints,
                    "containerDefinitions": [{ "name": "a", "memory": 64 }] })
        };
        let member = json!({ "type": "memberOf", "expression": "attribute:ecs.os-type == linux" });
        assert_eq!(registration_refusal(&constrained(json!([member]))), None);
        let eleven = Value::Array(vec![member; 11]);
        assert!(
            registration_refusal(&constrained(eleven))
                .unwrap()
                .contains("at most 10")
        );
        let distinct = json!([{ "type": "distinctInstance" }]);
        assert!(
            registration_refusal(&constrained(distinct))
                .unwrap()
                .contains("memberOf")
        );
        let bare = json!([{ "type": "memberOf" }]);
        assert!(
            registration_refusal(&constrained(bare))
                .unwrap()
                .contains("expression")
        );
    }

    #[test]
    fn duplicate_names_and_bad_families_are_refused() {
        let mut request = fargate("256", "512");
        request["containerDefinitions"] = json!([{ "name": "a" }, { "name": "a" }]);
        assert!(registration_refusal(&request).unwrap().contains("unique"));
        let mut request = fargate("256", "512");
        request["family"] = json!("bad name!");
        assert!(registration_refusal(&request).unwrap().contains("Family"));
    }
}
