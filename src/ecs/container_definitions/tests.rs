//! The normalisation table: for each thing ECS adds or rewrites, the configuration without it
//! and ECS's answer with it are equivalent, and a real change next to it is not.

use serde_json::{Value, json};

use super::{NetworkMode, equivalent};

struct Row {
    what: &'static str,
    mode: NetworkMode,
    config: Value,
    aws: Value,
    /// The AWS answer with one real change made next to the default.
    changed: Value,
}

fn base() -> Value {
    json!({ "name": "web", "image": "nginx:1", "memory": 512 })
}

fn with(extra: Value) -> Value {
    let mut c = base();
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn rows() -> Vec<Row> {
    use NetworkMode::*;
    vec![
        Row {
            what: "essential true, cpu 0 and the empty lists ECS adds",
            mode: Dynamic,
            config: json!([base()]),
            aws: json!([with(
                json!({ "essential": true, "cpu": 0, "portMappings": [], "environment": [],
                "mountPoints": [], "volumesFrom": [], "systemControls": [] })
            )]),
            changed: json!([with(
                json!({ "essential": true, "cpu": 0, "image": "nginx:2" })
            )]),
        },
        Row {
            what: "protocol tcp",
            mode: Dynamic,
            config: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 8080 }] })
            )]),
            aws: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 8080, "protocol": "tcp" }] })
            )]),
            changed: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 8080, "protocol": "udp" }] })
            )]),
        },
        Row {
            what: "hostPort = containerPort under awsvpc",
            mode: HostPortFollows,
            config: json!([with(json!({ "portMappings": [{ "containerPort": 80 }] }))]),
            aws: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 80, "protocol": "tcp" }] })
            )]),
            changed: json!([with(
                json!({ "portMappings": [{ "containerPort": 81, "hostPort": 81, "protocol": "tcp" }] })
            )]),
        },
        Row {
            what: "hostPort 0 in bridge mode",
            mode: Dynamic,
            config: json!([with(json!({ "portMappings": [{ "containerPort": 80 }] }))]),
            aws: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 0, "protocol": "tcp" }] })
            )]),
            changed: json!([with(
                json!({ "portMappings": [{ "containerPort": 80, "hostPort": 80, "protocol": "tcp" }] })
            )]),
        },
        Row {
            what: "health-check interval, timeout and retries",
            mode: Dynamic,
            config: json!([with(
                json!({ "healthCheck": { "command": ["CMD", "true"] } })
            )]),
            aws: json!([with(
                json!({ "healthCheck": { "command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3 } })
            )]),
            changed: json!([with(
                json!({ "healthCheck": { "command": ["CMD", "true"], "interval": 10, "timeout": 5, "retries": 3 } })
            )]),
        },
        Row {
            what: "linuxParameters.capabilities empty counterpart",
            mode: Dynamic,
            config: json!([with(
                json!({ "linuxParameters": { "capabilities": { "drop": ["ALL"] } } })
            )]),
            aws: json!([with(
                json!({ "linuxParameters": { "capabilities": { "add": [], "drop": ["ALL"] } } })
            )]),
            changed: json!([with(
                json!({ "linuxParameters": { "capabilities": { "add": ["SYS_PTRACE"], "drop": ["ALL"] } } })
            )]),
        },
        Row {
            what: "an empty capabilities object dropped",
            mode: Dynamic,
            config: json!([with(
                json!({ "linuxParameters": { "capabilities": {}, "initProcessEnabled": true } })
            )]),
            aws: json!([with(
                json!({ "linuxParameters": { "initProcessEnabled": true } })
            )]),
            changed: json!([with(
                json!({ "linuxParameters": { "initProcessEnabled": false } })
            )]),
        },
        Row {
            what: "restartPolicy defaults",
            mode: Dynamic,
            config: json!([with(json!({ "restartPolicy": { "enabled": true } }))]),
            aws: json!([with(
                json!({ "restartPolicy": { "enabled": true, "restartAttemptPeriod": 300, "ignoredExitCodes": [] } })
            )]),
            changed: json!([with(
                json!({ "restartPolicy": { "enabled": false, "restartAttemptPeriod": 300 } })
            )]),
        },
        Row {
            what: "empty maps",
            mode: Dynamic,
            config: json!([with(
                json!({ "dockerLabels": {}, "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "g" } } })
            )]),
            aws: json!([with(
                json!({ "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "g" }, "secretOptions": [] } })
            )]),
            changed: json!([with(
                json!({ "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "h" } } })
            )]),
        },
        Row {
            what: "order of environment and secrets",
            mode: Dynamic,
            config: json!([with(json!({
                "environment": [{ "name": "B", "value": "2" }, { "name": "A", "value": "1" }],
                "secrets": [{ "name": "Y", "valueFrom": "y" }, { "name": "X", "valueFrom": "x" }] }))]),
            aws: json!([with(json!({
                "environment": [{ "name": "A", "value": "1" }, { "name": "B", "value": "2" }],
                "secrets": [{ "name": "X", "valueFrom": "x" }, { "name": "Y", "valueFrom": "y" }] }))]),
            changed: json!([with(json!({
                "environment": [{ "name": "A", "value": "1" }, { "name": "B", "value": "3" }],
                "secrets": [{ "name": "X", "valueFrom": "x" }, { "name": "Y", "valueFrom": "y" }] }))]),
        },
        Row {
            what: "environment entries without a value",
            mode: Dynamic,
            config: json!([with(
                json!({ "environment": [{ "name": "EMPTY", "value": "" }, { "name": "SET", "value": "1" }] })
            )]),
            aws: json!([with(
                json!({ "environment": [{ "name": "SET", "value": "1" }] })
            )]),
            changed: json!([with(
                json!({ "environment": [{ "name": "SET", "value": "2" }] })
            )]),
        },
        Row {
            what: "order of containers",
            mode: Dynamic,
            config: json!([base(), { "name": "sidecar", "image": "envoy", "memory": 64 }]),
            aws: json!([{ "name": "sidecar", "image": "envoy", "memory": 64 }, base()]),
            changed: json!([{ "name": "sidecar", "image": "envoy", "memory": 128 }, base()]),
        },
        Row {
            what: "key order and spelling, JSON null",
            mode: Dynamic,
            config: json!([{ "Memory": 512, "IMAGE": "nginx:1", "name": "web", "entrypoint": ["sh"], "user": null }]),
            aws: json!([{ "name": "web", "image": "nginx:1", "memory": 512, "entryPoint": ["sh"] }]),
            changed: json!([{ "name": "web", "image": "nginx:1", "memory": 512, "entryPoint": ["bash"] }]),
        },
        Row {
            what: "readOnly false on mount points",
            mode: Dynamic,
            config: json!([with(
                json!({ "mountPoints": [{ "sourceVolume": "data", "containerPath": "/d", "readOnly": false }] })
            )]),
            aws: json!([with(
                json!({ "mountPoints": [{ "sourceVolume": "data", "containerPath": "/d" }] })
            )]),
            changed: json!([with(
                json!({ "mountPoints": [{ "sourceVolume": "data", "containerPath": "/d", "readOnly": true }] })
            )]),
        },
    ]
}

#[test]
fn every_default_is_no_diff_and_a_real_change_next_to_it_is() {
    for row in rows() {
        let (config, aws, changed) = (
            row.config.to_string(),
            row.aws.to_string(),
            row.changed.to_string(),
        );
        assert!(
            equivalent(&config, &aws, row.mode),
            "{}: should be no diff",
            row.what
        );
        assert!(
            equivalent(&aws, &config, row.mode),
            "{}: symmetric",
            row.what
        );
        assert!(
            !equivalent(&config, &changed, row.mode),
            "{}: a real change must show",
            row.what
        );
    }
}

#[test]
fn network_mode_matters_for_host_ports() {
    let config = json!([with(json!({ "portMappings": [{ "containerPort": 80 }] }))]).to_string();
    let awsvpc = json!([with(
        json!({ "portMappings": [{ "containerPort": 80, "hostPort": 80 }] })
    )])
    .to_string();
    assert!(equivalent(&config, &awsvpc, NetworkMode::HostPortFollows));
    assert!(!equivalent(&config, &awsvpc, NetworkMode::Dynamic));
}
