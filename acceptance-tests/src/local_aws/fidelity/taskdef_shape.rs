//! The task definition real ECS returns for a registration: what was sent (known members only),
//! plus the defaults and rewrites ECS applies, in ECS's order. Rows of
//! `aws-taskdef-shapes` marked confirmed (C) or documented (D) always apply; rows marked
//! reported (R) or inferred (N) apply with `strict` (the worst case the provider must absorb).

use serde_json::{Map, Value, json};

use super::fnv;

/// When things happened to a revision.
#[derive(Debug, Clone)]
pub struct Meta {
    pub registered_at: f64,
    pub registered_by: String,
    pub deregistered_at: Option<f64>,
    pub delete_requested_at: Option<f64>,
}

/// The members of ContainerDefinition in the ECS API model; others are not echoed.
const CONTAINER_MEMBERS: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "restartPolicy",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "versionConsistency",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
];

/// Task-level members echoed as sent.
const ECHOED_TASK_MEMBERS: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "requiresCompatibilities",
    "runtimePlatform",
    "inferenceAccelerators",
    "pidMode",
    "ipcMode",
    "ephemeralStorage",
];

/// `"1 vCPU"` → `"1024"`; numbers pass unchanged.
pub fn cpu_units(text: &str) -> String {
    scaled(text, &["vcpu"]).unwrap_or_else(|| text.trim().to_string())
}

/// `"2 GB"` → `"2048"` (MiB); numbers pass unchanged.
pub fn memory_mib(text: &str) -> String {
    scaled(text, &["gb"]).unwrap_or_else(|| text.trim().to_string())
}

fn scaled(text: &str, units: &[&str]) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let number = units.iter().find_map(|u| lower.strip_suffix(u))?.trim();
    let value: f64 = number.parse().ok()?;
    Some(format!("{}", (value * 1024.0).round() as u64))
}

/// Fargate's task sizes: cpu units and the memory (MiB) each allows.
pub fn fargate_size_valid(cpu: u64, memory: u64) -> bool {
    let gib = |n: u64| n * 1024;
    let steps = |from: u64, to: u64, step: u64| {
        (gib(from)..=gib(to)).contains(&memory) && memory.is_multiple_of(gib(step))
    };
    match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => steps(1, 4, 1),
        1024 => steps(2, 8, 1),
        2048 => steps(4, 16, 1),
        4096 => steps(8, 30, 1),
        8192 => steps(16, 60, 4),
        16384 => steps(32, 120, 8),
        _ => false,
    }
}

/// ECS does not keep the order of containers, environment variables or secrets. Return them in
/// an order that is stable for the same input and never the order sent (when it can differ).
pub fn reordered(mut items: Vec<Value>, key: &str) -> Vec<Value> {
    let sent: Vec<Value> = items.clone();
    items.sort_by_key(|item| fnv(item.get(key).and_then(Value::as_str).unwrap_or("")));
    if items == sent && items.len() > 1 {
        items.reverse();
    }
    items
}

/// The task definition ECS returns for `request`; identity and status come from `moto_def`.
pub fn shape(request: &Value, moto_def: &Value, meta: &Meta, strict: bool) -> Value {
    let mode = request.get("networkMode").and_then(Value::as_str);
    let mut out = Map::new();
    out.insert(
        "taskDefinitionArn".into(),
        moto_def
            .get("taskDefinitionArn")
            .cloned()
            .unwrap_or(Value::Null),
    );
    let containers: Vec<Value> = list(request, "containerDefinitions")
        .iter()
        .map(|c| container(c, mode, strict))
        .collect();
    out.insert(
        "containerDefinitions".into(),
        Value::Array(reordered(containers, "name")),
    );
    for member in ECHOED_TASK_MEMBERS {
        if let Some(value) = request.get(*member).filter(|v| !v.is_null()) {
            out.insert(member.to_string(), value.clone());
        }
    }
    out.insert(
        "revision".into(),
        moto_def.get("revision").cloned().unwrap_or(json!(1)),
    );
    let volumes: Vec<Value> = list(request, "volumes")
        .iter()
        .map(|v| volume(v, strict))
        .collect();
    out.insert("volumes".into(), Value::Array(volumes));
    let status = if meta.delete_requested_at.is_some() {
        "DELETE_IN_PROGRESS"
    } else if meta.deregistered_at.is_some() {
        "INACTIVE"
    } else {
        moto_def
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("ACTIVE")
    };
    out.insert("status".into(), json!(status));
    let attributes = requires_attributes(request, mode);
    if !attributes.is_empty() {
        out.insert("requiresAttributes".into(), Value::Array(attributes));
    }
    out.insert(
        "placementConstraints".into(),
        Value::Array(list(request, "placementConstraints")),
    );
    out.insert(
        "compatibilities".into(),
        json!(compatibilities(request, mode)),
    );
    if let Some(cpu) = request.get("cpu").and_then(Value::as_str) {
        out.insert("cpu".into(), json!(cpu_units(cpu)));
    }
    if let Some(memory) = request.get("memory").and_then(Value::as_str) {
        out.insert("memory".into(), json!(memory_mib(memory)));
    }
    if let Some(proxy) = request.get("proxyConfiguration").filter(|v| !v.is_null()) {
        let mut proxy = proxy.clone();
        if strict && let Some(properties) = proxy.get("properties").and_then(Value::as_array) {
            proxy["properties"] = Value::Array(reordered(properties.clone(), "name"));
        }
        out.insert("proxyConfiguration".into(), proxy);
    }
    out.insert("registeredAt".into(), json!(meta.registered_at));
    if let Some(at) = meta.deregistered_at {
        out.insert("deregisteredAt".into(), json!(at));
    }
    if let Some(at) = meta.delete_requested_at {
        out.insert("deleteRequestedAt".into(), json!(at));
    }
    out.insert("registeredBy".into(), json!(meta.registered_by));
    out.insert(
        "enableFaultInjection".into(),
        request
            .get("enableFaultInjection")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!(false)),
    );
    Value::Object(out)
}

fn list(value: &Value, member: &str) -> Vec<Value> {
    value
        .get(member)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn container(sent: &Value, mode: Option<&str>, strict: bool) -> Value {
    let mut c: Map<String, Value> = sent
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| CONTAINER_MEMBERS.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    for member in [
        "environment",
        "mountPoints",
        "volumesFrom",
        "portMappings",
        "systemControls",
    ] {
        c.entry(member).or_insert(json!([]));
    }
    c.entry("cpu").or_insert(json!(0));
    c.entry("essential").or_insert(json!(true));

    let mut environment = list(&Value::Object(c.clone()), "environment");
    if strict {
        // Reported: entries without a value, or with an empty one, do not come back.
        environment.retain(|e| {
            e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
        });
    }
    c.insert(
        "environment".into(),
        Value::Array(reordered(environment, "name")),
    );
    if let Some(secrets) = c.get("secrets").and_then(Value::as_array).cloned() {
        c.insert("secrets".into(), Value::Array(reordered(secrets, "name")));
    }

    let host_port_follows = matches!(mode, Some("awsvpc" | "host"));
    if let Some(mappings) = c.get_mut("portMappings").and_then(Value::as_array_mut) {
        for mapping in mappings.iter_mut().filter_map(Value::as_object_mut) {
            mapping.entry("protocol").or_insert(json!("tcp"));
            if !mapping.contains_key("hostPort")
                && let Some(port) = mapping.get("containerPort").cloned()
            {
                if host_port_follows {
                    mapping.insert("hostPort".into(), port);
                } else if strict {
                    mapping.insert("hostPort".into(), json!(0));
                }
            }
        }
    }
    if let Some(check) = c.get_mut("healthCheck").and_then(Value::as_object_mut) {
        check.entry("interval").or_insert(json!(30));
        check.entry("timeout").or_insert(json!(5));
        check.entry("retries").or_insert(json!(3));
    }
    if strict
        && let Some(linux) = c.get_mut("linuxParameters").and_then(Value::as_object_mut)
        && let Some(caps) = linux
            .get("capabilities")
            .and_then(Value::as_object)
            .cloned()
    {
        if caps.is_empty() {
            linux.remove("capabilities");
        } else {
            let mut caps = caps;
            caps.entry("add").or_insert(json!([]));
            caps.entry("drop").or_insert(json!([]));
            linux.insert("capabilities".into(), Value::Object(caps));
        }
    }
    Value::Object(c)
}

fn volume(sent: &Value, strict: bool) -> Value {
    let mut v = sent.clone();
    if strict && let Some(map) = v.as_object_mut() {
        if let Some(docker) = map
            .get_mut("dockerVolumeConfiguration")
            .and_then(Value::as_object_mut)
        {
            docker.entry("scope").or_insert(json!("task"));
            docker.entry("driver").or_insert(json!("local"));
        }
        map.entry("configuredAtLaunch").or_insert(json!(false));
    }
    v
}

/// What ECS derives from the features a task definition uses (by co-occurrence in AWS reads).
fn requires_attributes(request: &Value, mode: Option<&str>) -> Vec<Value> {
    let containers = list(request, "containerDefinitions");
    let has_execution_role = request
        .get("executionRoleArn")
        .is_some_and(|v| v.is_string());
    let mut names: Vec<&str> = Vec::new();
    let any = |pred: &dyn Fn(&Value) -> bool| containers.iter().any(pred);
    if any(&|c| {
        c.pointer("/logConfiguration/logDriver")
            .and_then(Value::as_str)
            == Some("awslogs")
    }) {
        names.push("com.amazonaws.ecs.capability.logging-driver.awslogs");
        names.push("com.amazonaws.ecs.capability.docker-remote-api.1.19");
        if has_execution_role {
            names.push("ecs.capability.execution-role-awslogs");
        }
    }
    if any(&|c| {
        c.get("image")
            .and_then(Value::as_str)
            .is_some_and(|i| i.contains(".dkr.ecr."))
    }) {
        names.push("com.amazonaws.ecs.capability.ecr-auth");
        if has_execution_role {
            names.push("ecs.capability.execution-role-ecr-pull");
        }
    }
    if request.get("taskRoleArn").is_some_and(|v| v.is_string()) {
        names.push("com.amazonaws.ecs.capability.task-iam-role");
    }
    if mode == Some("awsvpc") {
        names.push("com.amazonaws.ecs.capability.docker-remote-api.1.18");
        names.push("ecs.capability.task-eni");
    }
    let secret_sources: Vec<String> = containers
        .iter()
        .flat_map(|c| list(c, "secrets"))
        .filter_map(|s| {
            s.get("valueFrom")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    if secret_sources
        .iter()
        .any(|s| s.contains(":secretsmanager:"))
    {
        names.push("ecs.capability.secrets.asm.environment-variables");
    }
    if secret_sources
        .iter()
        .any(|s| !s.contains(":secretsmanager:"))
    {
        names.push("ecs.capability.secrets.ssm.environment-variables");
    }
    if list(request, "volumes")
        .iter()
        .any(|v| v.get("efsVolumeConfiguration").is_some())
    {
        names.push("ecs.capability.efs");
    }
    if any(&|c| c.get("dependsOn").is_some()) {
        names.push("ecs.capability.container-ordering");
    }
    if any(&|c| c.get("firelensConfiguration").is_some()) {
        names.push("ecs.capability.firelens.fluentbit");
    }
    if any(&|c| c.get("healthCheck").is_some()) {
        names.push("ecs.capability.container-health-check");
        names.push("com.amazonaws.ecs.capability.docker-remote-api.1.24");
    }
    names.sort_unstable();
    names.dedup();
    let attributes = names.into_iter().map(|n| json!({ "name": n })).collect();
    reordered(attributes, "name")
}

/// Where the task definition can run, as ECS computes it.
fn compatibilities(request: &Value, mode: Option<&str>) -> Vec<&'static str> {
    if mode != Some("awsvpc") {
        return vec!["EXTERNAL", "EC2"];
    }
    let size = |member: &str, convert: fn(&str) -> String| {
        request
            .get(member)
            .and_then(Value::as_str)
            .and_then(|t| convert(t).parse::<u64>().ok())
    };
    let fargate = matches!(
        (size("cpu", cpu_units), size("memory", memory_mib)),
        (Some(c), Some(m)) if fargate_size_valid(c, m)
    );
    if fargate {
        vec!["EC2", "FARGATE", "MANAGED_INSTANCES"]
    } else {
        vec!["EC2", "MANAGED_INSTANCES"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            registered_at: 1.0,
            registered_by: "arn:aws:iam::123456789012:root".into(),
            deregistered_at: None,
            delete_requested_at: None,
        }
    }

    fn moto() -> Value {
        json!({ "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
                "revision": 1, "status": "ACTIVE", "volumes": [], "junk": "moto only" })
    }

    #[test]
    fn sizes_convert_as_ecs_converts_them() {
        assert_eq!(cpu_units("1 vCPU"), "1024");
        assert_eq!(cpu_units("0.25 vcpu"), "256");
        assert_eq!(cpu_units("512"), "512");
        assert_eq!(memory_mib("2 GB"), "2048");
        assert_eq!(memory_mib("0.5GB"), "512");
        assert_eq!(memory_mib("1024"), "1024");
    }

    #[test]
    fn reordering_is_stable_and_never_the_order_sent() {
        let items: Vec<Value> = ["A", "B", "C", "D"]
            .iter()
            .map(|n| json!({ "name": n }))
            .collect();
        let once = reordered(items.clone(), "name");
        assert_ne!(once, items);
        assert_eq!(once, reordered(items.clone(), "name"));
        assert_eq!(reordered(vec![json!({"name": "x"})], "name").len(), 1);
    }

    #[test]
    fn a_minimal_definition_gets_ecs_defaults_and_loses_moto_extras() {
        let request = json!({ "family": "web", "containerDefinitions": [
            { "name": "app", "image": "nginx", "memory": 128, "portMappings": [{ "containerPort": 80 }],
              "unknownMember": 1 }
        ]});
        let out = shape(&request, &moto(), &meta(), false);
        let c = &out["containerDefinitions"][0];
        assert_eq!(c["cpu"], 0);
        assert_eq!(c["essential"], true);
        for member in [
            "environment",
            "mountPoints",
            "volumesFrom",
            "systemControls",
        ] {
            assert_eq!(c[member], json!([]), "{member}");
        }
        assert_eq!(
            c["portMappings"],
            json!([{ "containerPort": 80, "protocol": "tcp" }])
        );
        assert!(c.get("unknownMember").is_none());
        assert!(out.get("junk").is_none());
        assert!(out.get("networkMode").is_none());
        assert_eq!(out["compatibilities"], json!(["EXTERNAL", "EC2"]));
        assert_eq!(out["enableFaultInjection"], false);
        assert_eq!(out["placementConstraints"], json!([]));
    }

    #[test]
    fn strict_rows_only_with_strict() {
        let request = json!({ "family": "web", "containerDefinitions": [
            { "name": "app", "image": "nginx", "memory": 128,
              "portMappings": [{ "containerPort": 80 }],
              "environment": [{ "name": "EMPTY", "value": "" }, { "name": "SET", "value": "1" }],
              "linuxParameters": { "capabilities": { "drop": ["ALL"] } } }
        ]});
        let lenient = shape(&request, &moto(), &meta(), false);
        let strict = shape(&request, &moto(), &meta(), true);
        let (l, s) = (
            &lenient["containerDefinitions"][0],
            &strict["containerDefinitions"][0],
        );
        assert!(l["portMappings"][0].get("hostPort").is_none());
        assert_eq!(s["portMappings"][0]["hostPort"], 0);
        assert_eq!(l["environment"].as_array().unwrap().len(), 2);
        assert_eq!(s["environment"], json!([{ "name": "SET", "value": "1" }]));
        assert_eq!(
            s["linuxParameters"]["capabilities"],
            json!({ "drop": ["ALL"], "add": [] })
        );
    }
}
