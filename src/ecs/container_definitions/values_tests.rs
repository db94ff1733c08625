//! The value table: for each member with values ECS restricts, a value ECS refuses is reported
//! with the container, the member's path, what is allowed and a suggestion where one is close,
//! and the values ECS accepts are not.

use serde_json::{Value, json};

use super::{Problem, for_request, value_problems};

fn problems_of(extra: Value) -> Vec<String> {
    let mut container = json!({ "name": "web", "image": "nginx", "memory": 128 });
    for (k, v) in extra.as_object().unwrap() {
        container[k] = v.clone();
    }
    let parsed = for_request(&json!([container]).to_string())
        .unwrap_or_else(|p| panic!("shape problems in {extra}: {p:?}"));
    value_problems(&parsed)
        .iter()
        .map(Problem::to_string)
        .collect()
}

/// (member, members to add, every fragment the one problem must contain)
fn refused() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    vec![
        (
            "versionConsistency",
            json!({ "versionConsistency": "invalid" }),
            vec![
                "`versionConsistency`",
                "\"invalid\"",
                "allowed: enabled, disabled.",
            ],
        ),
        (
            "portMappings[].protocol",
            json!({ "portMappings": [{ "containerPort": 80, "protocol": "sctp" }] }),
            vec!["`portMappings[0].protocol`", "allowed: tcp, udp."],
        ),
        (
            "portMappings[].appProtocol",
            json!({ "portMappings": [{ "containerPort": 80 }, { "containerPort": 81, "appProtocol": "htttp" }] }),
            vec![
                "`portMappings[1].appProtocol`",
                "allowed: http, http2, grpc.",
                "Did you mean \"http\"?",
            ],
        ),
        (
            "logConfiguration.logDriver",
            json!({ "logConfiguration": { "logDriver": "awslog" } }),
            vec![
                "`logConfiguration.logDriver`",
                "awsfirelens.",
                "Did you mean \"awslogs\"?",
            ],
        ),
        (
            "firelensConfiguration.type",
            json!({ "firelensConfiguration": { "type": "fluent-bit" } }),
            vec![
                "`firelensConfiguration.type`",
                "allowed: fluentd, fluentbit.",
                "Did you mean \"fluentbit\"?",
            ],
        ),
        (
            "dependsOn[].condition",
            json!({ "dependsOn": [{ "containerName": "db", "condition": "STARTED" }] }),
            vec![
                "`dependsOn[0].condition`",
                "allowed: START, COMPLETE, SUCCESS, HEALTHY.",
                "Did you mean \"START\"?",
            ],
        ),
        (
            "ulimits[].name",
            json!({ "ulimits": [{ "name": "nofiles", "softLimit": 1, "hardLimit": 2 }] }),
            vec![
                "`ulimits[0].name`",
                "allowed: core, cpu,",
                "stack.",
                "Did you mean \"nofile\"?",
            ],
        ),
        (
            "linuxParameters.capabilities.add",
            json!({ "linuxParameters": { "capabilities": { "add": ["NET_ADMIN", "SYS_PTRAC"] } } }),
            vec![
                "`linuxParameters.capabilities.add[1]`",
                "allowed: ALL, AUDIT_CONTROL,",
                "WAKE_ALARM.",
                "Did you mean \"SYS_PTRACE\"?",
            ],
        ),
        (
            "linuxParameters.capabilities.drop",
            json!({ "linuxParameters": { "capabilities": { "drop": ["CAP_NET_RAW"] } } }),
            vec![
                "`linuxParameters.capabilities.drop[0]`",
                "Did you mean \"NET_RAW\"?",
            ],
        ),
        (
            "linuxParameters.devices[].permissions",
            json!({ "linuxParameters": { "devices": [{ "hostPath": "/dev/fuse", "permissions": ["read", "execute"] }] } }),
            vec![
                "`linuxParameters.devices[0].permissions[1]`",
                "allowed: read, write, mknod.",
            ],
        ),
        (
            "linuxParameters.tmpfs[].mountOptions",
            json!({ "linuxParameters": { "tmpfs": [{ "containerPath": "/tmp", "size": 64, "mountOptions": ["noexe"] }] } }),
            vec![
                "`linuxParameters.tmpfs[0].mountOptions[0]`",
                "allowed: defaults, ro, rw,",
                "Did you mean \"noexec\"?",
            ],
        ),
        (
            "linuxParameters.tmpfs[].mountOptions with a value",
            json!({ "linuxParameters": { "tmpfs": [{ "containerPath": "/tmp", "size": 64, "mountOptions": ["noexec=1"] }] } }),
            vec![
                "`linuxParameters.tmpfs[0].mountOptions[0]`",
                "only mode, uid, gid, nr_inodes, nr_blocks, mpol take a value",
            ],
        ),
        (
            "linuxParameters.swappiness",
            json!({ "linuxParameters": { "maxSwap": 0, "swappiness": 101 } }),
            vec!["`linuxParameters.swappiness`", "is 101; allowed: 0 to 100."],
        ),
        (
            "environmentFiles[].type",
            json!({ "environmentFiles": [{ "value": "arn:aws:s3:::b/k.env", "type": "S3" }] }),
            vec![
                "`environmentFiles[0].type`",
                "allowed: s3.",
                "Did you mean \"s3\"?",
            ],
        ),
        (
            "resourceRequirements[].type",
            json!({ "resourceRequirements": [{ "value": "1", "type": "gpu" }] }),
            vec![
                "`resourceRequirements[0].type`",
                "allowed: GPU, InferenceAccelerator, NeuronDevice.",
                "Did you mean \"GPU\"?",
            ],
        ),
        (
            "restartPolicy.restartAttemptPeriod",
            json!({ "restartPolicy": { "enabled": true, "restartAttemptPeriod": 30 } }),
            vec![
                "`restartPolicy.restartAttemptPeriod`",
                "is 30; allowed: 60 to 1800.",
            ],
        ),
        (
            "restartPolicy.enabled",
            json!({ "restartPolicy": { "ignoredExitCodes": [0] } }),
            vec!["`restartPolicy.enabled`", "is required."],
        ),
        (
            "restartPolicy.ignoredExitCodes",
            json!({ "restartPolicy": { "enabled": true, "ignoredExitCodes": (0..51).collect::<Vec<i32>>() } }),
            vec![
                "`restartPolicy.ignoredExitCodes`",
                "has 51 entries; ECS allows at most 50.",
            ],
        ),
        (
            "credentialSpecs without a prefix",
            json!({ "credentialSpecs": ["arn:aws:ssm:us-east-1:123456789012:parameter/spec"] }),
            vec![
                "`credentialSpecs[0]`",
                "credentialspecdomainless:ARN or credentialspec:ARN",
            ],
        ),
        (
            "credentialSpecs with a prefix in the wrong case",
            json!({ "credentialSpecs": ["CredentialSpec:arn:aws:s3:::bucket/spec.json"] }),
            vec!["`credentialSpecs[0]`", "Did you mean \"credentialspec\"?"],
        ),
        (
            "credentialSpecs with an ARN of another service",
            json!({ "credentialSpecs": ["credentialspec:arn:aws:secretsmanager:us-east-1:123456789012:secret:x"] }),
            vec!["`credentialSpecs[0]`", "the ARN of an SSM parameter"],
        ),
        (
            "credentialSpecs with two entries",
            json!({ "credentialSpecs": [
                "credentialspec:arn:aws:s3:::bucket/a.json",
                "credentialspec:arn:aws:s3:::bucket/b.json"] }),
            vec!["`credentialSpecs`", "has 2 entries; ECS allows at most 1."],
        ),
        (
            "healthCheck.interval",
            json!({ "healthCheck": { "command": ["CMD", "true"], "interval": 1 } }),
            vec!["`healthCheck.interval`", "is 1; allowed: 5 to 300."],
        ),
        (
            "healthCheck.timeout",
            json!({ "healthCheck": { "command": ["CMD", "true"], "timeout": 61 } }),
            vec!["`healthCheck.timeout`", "allowed: 2 to 60."],
        ),
        (
            "healthCheck.retries",
            json!({ "healthCheck": { "command": ["CMD", "true"], "retries": 0 } }),
            vec!["`healthCheck.retries`", "allowed: 1 to 10."],
        ),
        (
            "healthCheck.startPeriod",
            json!({ "healthCheck": { "command": ["CMD", "true"], "startPeriod": 301 } }),
            vec!["`healthCheck.startPeriod`", "allowed: 0 to 300."],
        ),
        (
            "healthCheck.command",
            json!({ "healthCheck": { "interval": 10 } }),
            vec!["`healthCheck.command`", "is required."],
        ),
        (
            "systemControls[].namespace",
            json!({ "systemControls": [{ "namespace": "kernel.shmmax", "value": "1" }, { "namespace": "vm.max_map_count", "value": "262144" }] }),
            vec![
                "`systemControls[1].namespace`",
                "kernel.shm_rmid_forced, fs.mqueue.* or net.*",
            ],
        ),
        (
            "repositoryCredentials.credentialsParameter",
            json!({ "repositoryCredentials": { "credentialsParameter": "arn:aws:ssm:us-east-1:123456789012:parameter/registry" } }),
            vec![
                "`repositoryCredentials.credentialsParameter`",
                "Secrets Manager secret ARN",
            ],
        ),
        (
            "repositoryCredentials without credentialsParameter",
            json!({ "repositoryCredentials": {} }),
            vec![
                "`repositoryCredentials.credentialsParameter`",
                "is required.",
            ],
        ),
        (
            "dependsOn[] without condition",
            json!({ "dependsOn": [{ "containerName": "db" }] }),
            vec![
                "`dependsOn[0].condition`",
                "is required; allowed: START, COMPLETE, SUCCESS, HEALTHY.",
            ],
        ),
        (
            "ulimits[] without limits",
            json!({ "ulimits": [{ "name": "nofile", "softLimit": 1024 }] }),
            vec!["`ulimits[0].hardLimit`", "is required."],
        ),
        (
            "firelensConfiguration without type",
            json!({ "firelensConfiguration": { "options": { "enable-ecs-log-metadata": "true" } } }),
            vec![
                "`firelensConfiguration.type`",
                "is required; allowed: fluentd, fluentbit.",
            ],
        ),
        (
            "logConfiguration without logDriver",
            json!({ "logConfiguration": { "options": { "awslogs-group": "g" } } }),
            vec![
                "`logConfiguration.logDriver`",
                "is required; allowed: awslogs,",
            ],
        ),
        (
            "linuxParameters.tmpfs[] without size",
            json!({ "linuxParameters": { "tmpfs": [{ "containerPath": "/tmp" }] } }),
            vec!["`linuxParameters.tmpfs[0].size`", "is required."],
        ),
    ]
}

#[test]
fn each_refused_value_names_the_container_the_member_and_what_is_allowed() {
    for (member, extra, fragments) in refused() {
        let problems = problems_of(extra);
        assert_eq!(problems.len(), 1, "{member}: {problems:?}");
        let text = &problems[0];
        assert!(text.starts_with("container \"web\", "), "{member}: {text}");
        for fragment in fragments {
            assert!(
                text.contains(fragment),
                "{member}: {fragment:?} not in {text}"
            );
        }
    }
}

/// Members to add that ECS accepts: every documented value of every restricted member.
fn accepted() -> Vec<Value> {
    let conditions: Vec<Value> = super::fields::CONDITIONS
        .iter()
        .map(|c| json!({ "containerName": "db", "condition": c }))
        .collect();
    let mut rows = vec![
        json!({ "versionConsistency": "enabled" }),
        json!({ "versionConsistency": "disabled" }),
        json!({ "portMappings": [
            { "containerPort": 80, "protocol": "tcp", "appProtocol": "http" },
            { "containerPort": 81, "protocol": "udp" },
            { "containerPort": 82, "appProtocol": "http2" },
            { "containerPort": 83, "appProtocol": "grpc" }] }),
        json!({ "firelensConfiguration": { "type": "fluentd" } }),
        json!({ "firelensConfiguration": { "type": "fluentbit", "options": {} } }),
        json!({ "dependsOn": conditions }),
        json!({ "linuxParameters": {
            "capabilities": { "add": ["SYS_PTRACE", "NET_ADMIN"], "drop": ["ALL"] },
            "devices": [{ "hostPath": "/dev/fuse", "permissions": ["read", "write", "mknod"] }],
            "tmpfs": [{ "containerPath": "/tmp", "size": 64,
                        "mountOptions": ["rw", "noexec", "nosuid", "mode=1777", "uid=1000", "mode"] }],
            "maxSwap": 0, "swappiness": 60 } }),
        json!({ "environmentFiles": [{ "value": "arn:aws:s3:::bucket/app.env", "type": "s3" }] }),
        json!({ "resourceRequirements": [
            { "value": "1", "type": "GPU" },
            { "value": "device_1", "type": "InferenceAccelerator" },
            { "value": "ALL", "type": "NeuronDevice" }] }),
        json!({ "restartPolicy": { "enabled": true, "ignoredExitCodes": [0, 137], "restartAttemptPeriod": 60 } }),
        json!({ "restartPolicy": { "enabled": false } }),
        json!({ "credentialSpecs": ["credentialspecdomainless:arn:aws:ssm:us-east-1:123456789012:parameter/spec"] }),
        json!({ "credentialSpecs": ["credentialspec:arn:aws:s3:::bucket/spec.json"] }),
        json!({ "healthCheck": { "command": ["CMD", "true"], "interval": 5, "timeout": 60, "retries": 10, "startPeriod": 0 } }),
        json!({ "healthCheck": { "command": ["CMD-SHELL", "true"], "interval": 300, "timeout": 2, "retries": 1, "startPeriod": 300 } }),
        json!({ "systemControls": [
            { "namespace": "net.ipv4.tcp_keepalive_time", "value": "500" },
            { "namespace": "kernel.shm_rmid_forced", "value": "1" },
            { "namespace": "fs.mqueue.msg_max", "value": "10" }] }),
        json!({ "repositoryCredentials": { "credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf" } }),
        json!({ "repositoryCredentials": { "credentialsParameter": "team/registry" } }),
        json!({ "extraHosts": [{ "hostname": "db", "ipAddress": "10.0.0.1" }] }),
    ];
    for name in super::fields::ULIMIT_NAMES {
        rows.push(json!({ "ulimits": [{ "name": name, "softLimit": 1, "hardLimit": 2 }] }));
    }
    for driver in super::fields::LOG_DRIVERS {
        rows.push(json!({ "logConfiguration": { "logDriver": driver } }));
    }
    rows
}

#[test]
fn documented_values_are_accepted() {
    for extra in accepted() {
        let problems = problems_of(extra.clone());
        assert!(problems.is_empty(), "{extra}: {problems:?}");
    }
}

#[test]
fn values_differing_only_in_case_are_refused_and_get_the_right_spelling() {
    for (extra, spelling) in [
        (json!({ "versionConsistency": "Enabled" }), "enabled"),
        (
            json!({ "portMappings": [{ "containerPort": 80, "protocol": "TCP" }] }),
            "tcp",
        ),
        (
            json!({ "portMappings": [{ "containerPort": 80, "appProtocol": "GRPC" }] }),
            "grpc",
        ),
        (
            json!({ "dependsOn": [{ "containerName": "db", "condition": "healthy" }] }),
            "HEALTHY",
        ),
        (
            json!({ "linuxParameters": { "capabilities": { "add": ["sys_ptrace"] } } }),
            "SYS_PTRACE",
        ),
        (
            json!({ "ulimits": [{ "name": "NOFILE", "softLimit": 1, "hardLimit": 2 }] }),
            "nofile",
        ),
        (
            json!({ "resourceRequirements": [{ "value": "x", "type": "inferenceaccelerator" }] }),
            "InferenceAccelerator",
        ),
    ] {
        let problems = problems_of(extra.clone());
        assert_eq!(problems.len(), 1, "{extra}: {problems:?}");
        assert!(
            problems[0].contains(&format!("Did you mean \"{spelling}\"?")),
            "{extra}: {}",
            problems[0]
        );
    }
}

#[test]
fn members_spelled_in_another_case_are_checked_under_the_api_spelling() {
    let problems = problems_of(json!({ "VERSIONCONSISTENCY": "sometimes" }));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`versionConsistency`: is \"sometimes\""));
}

#[test]
fn containers_without_a_name_are_labelled_by_position() {
    let problems = value_problems(&[
        json!({ "name": "web", "image": "nginx" }),
        json!({ "image": "nginx", "versionConsistency": "no" }),
    ]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].container, "container #2");
}
