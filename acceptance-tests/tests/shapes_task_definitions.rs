//! Response shapes: task definitions come back from the local endpoint the way real ECS returns
//! them (the rows of the harness README and `aws-taskdef-shapes`). One test per row: register
//! a JSON request, read it back with DescribeTaskDefinition, and compare the members the row is
//! about with ECS's answer written out, exactly. Each test names the row and its evidence.
//! Rows marked R or N need `--strict-shapes`, which the shared endpoint has by default.
//! Run with `TF_ACC=1`.

mod ecs_json;

use acceptance_tests::{Endpoint, local_endpoint, real_aws, skip_without_acc, unique_name};
use ecs_json::{ACCOUNT, call, now, pick, same, stamp};
use serde_json::{Value, json};

/// What RegisterTaskDefinition answered, and when it was sent.
struct Registered {
    family: String,
    def: Value,
    from: f64,
    to: f64,
}

impl Registered {
    /// The definition's only container.
    fn container(&self) -> &Value {
        let containers = self.def["containerDefinitions"].as_array().unwrap();
        assert_eq!(containers.len(), 1, "{:#}", self.def);
        &containers[0]
    }

    fn arn(&self, revision: u32) -> String {
        format!(
            "arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{}:{revision}",
            self.family
        )
    }

    /// `members` of the definition, as ECS returns them; a member it leaves out is absent.
    fn pick(&self, members: &[&str]) -> Value {
        pick(&self.def, members)
    }
}

/// Registers `request` (with a fresh `family`), checks that DescribeTaskDefinition answers the
/// same definition, and returns it.
async fn register(url: &str, mut request: Value) -> Registered {
    let family = unique_name("shape");
    request["family"] = json!(family);
    let from = now();
    let registered = call(url, "RegisterTaskDefinition", &request).await;
    let to = now();
    let def = registered["taskDefinition"].clone();
    let described = call(
        url,
        "DescribeTaskDefinition",
        &json!({ "taskDefinition": def["taskDefinitionArn"] }),
    )
    .await;
    same(
        &described["taskDefinition"],
        &def,
        "DescribeTaskDefinition answers what RegisterTaskDefinition answered",
    );
    Registered {
        family,
        def,
        from,
        to,
    }
}

/// One container named `app` with `members` besides its name, image and memory.
fn app(members: Value) -> Value {
    let mut container = json!({ "name": "app", "image": "nginx", "memory": 128 });
    for (k, v) in members.as_object().unwrap() {
        container[k] = v.clone();
    }
    json!({ "containerDefinitions": [container] })
}

fn url(test: &str) -> Option<&'static str> {
    Some(local_endpoint(test)?.url())
}

#[tokio::test]
async fn omitted_container_lists_come_back_empty() {
    let Some(url) = url("omitted_container_lists_come_back_empty") else {
        return;
    };
    // Row "container environment, mountPoints, volumesFrom, portMappings, systemControls []
    // when omitted" (C): aws-cli register-task-definition.rst registers this container (sleep360)
    // and ECS answers with `portMappings`, `environment`, `mountPoints`, `volumesFrom` as [];
    // reads since 2023 also carry `systemControls: []` (hashicorp/terraform-aws-consul-ecs#318).
    let sleep = json!({ "name": "sleep", "image": "busybox", "cpu": 10,
                        "command": ["sleep", "360"], "memory": 10, "essential": true });
    let r = register(url, json!({ "containerDefinitions": [sleep] })).await;
    same(
        r.container(),
        &json!({
            "name": "sleep", "image": "busybox", "cpu": 10, "memory": 10,
            "portMappings": [], "essential": true, "command": ["sleep", "360"],
            "environment": [], "mountPoints": [], "volumesFrom": [], "systemControls": []
        }),
        "omitted lists come back as []",
    );
}

#[tokio::test]
async fn container_cpu_zero_and_essential_true_when_omitted() {
    let Some(url) = url("container_cpu_zero_and_essential_true_when_omitted") else {
        return;
    };
    // Row "container cpu: 0, essential: true when omitted" (C): `cpu = 0 -> null` in the plans of
    // hashicorp/terraform-aws-consul-ecs#318 and `"cpu": 0` in aws-cli
    // delete-task-definitions.rst; "If this parameter is omitted, a container is assumed to be
    // essential" (ContainerDefinition.essential) and ansible#22547.
    let r = register(url, app(json!({}))).await;
    same(
        r.container(),
        &json!({
            "name": "app", "image": "nginx", "memory": 128, "cpu": 0, "essential": true,
            "environment": [], "mountPoints": [], "volumesFrom": [], "portMappings": [],
            "systemControls": []
        }),
        "cpu 0 and essential true added",
    );
    let r = register(url, app(json!({ "essential": false, "cpu": 64 }))).await;
    same(
        &pick(r.container(), &["cpu", "essential"]),
        &json!({ "cpu": 64, "essential": false }),
        "sent values kept",
    );
}

#[tokio::test]
async fn port_protocol_defaults_to_tcp() {
    let Some(url) = url("port_protocol_defaults_to_tcp") else {
        return;
    };
    // Row "portMappings[].protocol: tcp" (C): hashicorp/terraform#17737, a mapping sent without
    // a protocol is stored with `"protocol": "tcp"`; a sent hostPort is kept.
    let r = register(
        url,
        app(json!({ "portMappings": [{ "containerPort": 8080, "hostPort": 80 }] })),
    )
    .await;
    same(
        &r.container()["portMappings"],
        &json!([{ "containerPort": 8080, "hostPort": 80, "protocol": "tcp" }]),
        "protocol tcp added",
    );
}

#[tokio::test]
async fn host_port_follows_container_port_under_awsvpc_and_host() {
    let Some(url) = url("host_port_follows_container_port_under_awsvpc_and_host") else {
        return;
    };
    // Row "hostPort = containerPort under awsvpc and host" (C): hashicorp/terraform#17737 sent
    // `{"containerPort":4360}` and AWS stored `{"containerPort":4360,"hostPort":4360,
    // "protocol":"tcp"}`; for host mode amazon-ecs-agent#185 ("the host port will be same as
    // container port").
    for mode in ["awsvpc", "host"] {
        let mut request = app(json!({ "portMappings": [{ "containerPort": 4360 }] }));
        request["networkMode"] = json!(mode);
        let r = register(url, request).await;
        same(
            &r.container()["portMappings"],
            &json!([{ "containerPort": 4360, "hostPort": 4360, "protocol": "tcp" }]),
            mode,
        );
    }
}

#[tokio::test]
async fn health_check_timings_default_to_30_5_3_without_start_period() {
    let Some(url) = url("health_check_timings_default_to_30_5_3_without_start_period") else {
        return;
    };
    // Row "health check interval/timeout/retries 30/5/3, no startPeriod" (C):
    // terraform-aws-modules/terraform-aws-ecs#148 shows `interval = 30`, `retries = 3`,
    // `timeout = 5` coming from AWS, and no startPeriod.
    let r = register(
        url,
        app(json!({ "healthCheck": { "command": ["CMD", "true"] } })),
    )
    .await;
    same(
        &r.container()["healthCheck"],
        &json!({ "command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3 }),
        "timings filled, startPeriod left out",
    );
}

#[tokio::test]
async fn optional_members_are_not_invented() {
    let Some(url) = url("optional_members_are_not_invented") else {
        return;
    };
    // Row "not added: mountPoints[].readOnly, restartPolicy, versionConsistency,
    // logConfiguration.secretOptions, runtimePlatform" (C/N): a real read of
    // `{"sourceVolume":…,"containerPath":…}` has no readOnly (transmission-ssh dump); 2025–2026
    // describe dumps have no restartPolicy or versionConsistency; the read in aws-cli
    // delete-task-definitions.rst has a logConfiguration without secretOptions; the CLI
    // examples have no runtimePlatform. The container comes back with the list defaults only.
    let log = json!({ "logDriver": "awslogs",
                      "options": { "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1" } });
    let mut request = app(json!({
        "mountPoints": [{ "sourceVolume": "data", "containerPath": "/data" }],
        "logConfiguration": log,
    }));
    request["volumes"] = json!([{ "name": "data" }]);
    let r = register(url, request).await;
    same(
        r.container(),
        &json!({
            "name": "app", "image": "nginx", "memory": 128, "cpu": 0, "essential": true,
            "mountPoints": [{ "sourceVolume": "data", "containerPath": "/data" }],
            "logConfiguration": { "logDriver": "awslogs",
                                  "options": { "awslogs-group": "/ecs/app",
                                               "awslogs-region": "us-east-1" } },
            "environment": [], "volumesFrom": [], "portMappings": [], "systemControls": []
        }),
        "nothing added to the container beyond the list defaults",
    );
    same(
        &r.pick(&["runtimePlatform"]),
        &json!({}),
        "no runtimePlatform",
    );
}

#[tokio::test]
async fn task_volumes_and_placement_constraints_default_to_empty() {
    let Some(url) = url("task_volumes_and_placement_constraints_default_to_empty") else {
        return;
    };
    // Row "task volumes, placementConstraints []" (C): the sleep360 answer in aws-cli
    // register-task-definition.rst has `"volumes": []` and `"placementConstraints": []`.
    let r = register(url, app(json!({}))).await;
    same(
        &r.pick(&["volumes", "placementConstraints"]),
        &json!({ "volumes": [], "placementConstraints": [] }),
        "empty task lists",
    );
}

#[tokio::test]
async fn network_mode_is_absent_when_not_sent() {
    let Some(url) = url("network_mode_is_absent_when_not_sent") else {
        return;
    };
    // Row "networkMode absent when not sent" (C): aws/amazon-cloudwatch-agent#330 (code had to
    // handle a nil NetworkMode), the CLI examples without one; a sent mode is echoed.
    let r = register(url, app(json!({}))).await;
    same(
        &r.pick(&["networkMode"]),
        &json!({}),
        "not echoed as bridge",
    );
    let mut request = app(json!({}));
    request["networkMode"] = json!("bridge");
    let r = register(url, request).await;
    same(
        &r.pick(&["networkMode"]),
        &json!({ "networkMode": "bridge" }),
        "sent mode echoed",
    );
}

#[tokio::test]
async fn compatibilities_are_computed() {
    let Some(url) = url("compatibilities_are_computed") else {
        return;
    };
    // Row "compatibilities" (C): a definition without a network mode: `["EXTERNAL","EC2"]`
    // (CLI example, 2024); a Fargate-sized awsvpc definition: `["EC2","FARGATE",
    // "MANAGED_INSTANCES"]` (2026 dumps), next to the echoed requiresCompatibilities.
    let r = register(url, app(json!({}))).await;
    same(
        &r.pick(&["compatibilities", "requiresCompatibilities"]),
        &json!({ "compatibilities": ["EXTERNAL", "EC2"] }),
        "bridge definition",
    );
    let mut request = app(json!({}));
    for (k, v) in [
        ("networkMode", json!("awsvpc")),
        ("requiresCompatibilities", json!(["FARGATE"])),
        ("cpu", json!("256")),
        ("memory", json!("512")),
    ] {
        request[k] = v;
    }
    let r = register(url, request).await;
    same(
        &r.pick(&["compatibilities", "requiresCompatibilities"]),
        &json!({
            "compatibilities": ["EC2", "FARGATE", "MANAGED_INSTANCES"],
            "requiresCompatibilities": ["FARGATE"]
        }),
        "Fargate definition",
    );
}

#[tokio::test]
async fn task_cpu_and_memory_units_are_converted() {
    let Some(url) = url("task_cpu_and_memory_units_are_converted") else {
        return;
    };
    // Row "task cpu/memory 1 vCPU → 1024, 2 GB → 2048" (D): RegisterTaskDefinition.cpu/memory,
    // "String values are converted to an integer indicating the CPU units / MiB".
    let mut request = app(json!({}));
    for (k, v) in [
        ("networkMode", json!("awsvpc")),
        ("requiresCompatibilities", json!(["FARGATE"])),
        ("cpu", json!("1 vCPU")),
        ("memory", json!("2 GB")),
    ] {
        request[k] = v;
    }
    let r = register(url, request).await;
    same(
        &r.pick(&["cpu", "memory"]),
        &json!({ "cpu": "1024", "memory": "2048" }),
        "units converted",
    );
}

/// `{"name": …}` objects, as `requiresAttributes` lists them.
fn attributes(names: &[&str]) -> Value {
    json!(
        names
            .iter()
            .map(|n| json!({ "name": n }))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn requires_attributes_follow_the_features_used() {
    let Some(url) = url("requires_attributes_follow_the_features_used") else {
        return;
    };
    // Row "requiresAttributes from the features used" (C, by co-occurrence in AWS reads):
    // awslogs → logging-driver.awslogs (+ execution-role-awslogs with an execution role), an ECR
    // image → ecr-auth (+ execution-role-ecr-pull), taskRoleArn → task-iam-role, awsvpc →
    // docker-remote-api.1.18 + task-eni, SSM secrets → secrets.ssm.environment-variables,
    // plus the docker-remote-api versions those features need. ECS lists them in an order of its
    // own that looks hash-like (`aws-taskdef-shapes` §3); below in the endpoint's order.
    let mut request = app(json!({
        "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1"),
        "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "g" } },
        "secrets": [{ "name": "DB",
                      "valueFrom": format!("arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/db") }],
    }));
    request["networkMode"] = json!("awsvpc");
    request["executionRoleArn"] = json!(format!("arn:aws:iam::{ACCOUNT}:role/exec"));
    request["taskRoleArn"] = json!(format!("arn:aws:iam::{ACCOUNT}:role/task"));
    let r = register(url, request).await;
    same(
        &r.def["requiresAttributes"],
        &attributes(&[
            "ecs.capability.task-eni",
            "com.amazonaws.ecs.capability.task-iam-role",
            "com.amazonaws.ecs.capability.ecr-auth",
            "com.amazonaws.ecs.capability.docker-remote-api.1.18",
            "com.amazonaws.ecs.capability.docker-remote-api.1.19",
            "ecs.capability.secrets.ssm.environment-variables",
            "ecs.capability.execution-role-awslogs",
            "com.amazonaws.ecs.capability.logging-driver.awslogs",
            "ecs.capability.execution-role-ecr-pull",
        ]),
        "awslogs, execution role, ECR, task role, awsvpc, SSM secrets",
    );

    // Secrets Manager secrets → secrets.asm.environment-variables, an EFS volume → efs,
    // dependsOn → container-ordering, FireLens (fluentbit) → firelens.fluentbit, a health
    // check → container-health-check (+ docker-remote-api.1.24).
    let request = json!({
        "volumes": [{ "name": "fs", "efsVolumeConfiguration": { "fileSystemId": "fs-12345678" } }],
        "containerDefinitions": [
            { "name": "app", "image": "nginx", "memory": 128,
              "secrets": [{ "name": "DB", "valueFrom":
                  format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db") }],
              "dependsOn": [{ "containerName": "log", "condition": "START" }],
              "healthCheck": { "command": ["CMD", "true"] } },
            { "name": "log", "image": "fluent-bit", "memory": 64,
              "firelensConfiguration": { "type": "fluentbit" } }
        ]
    });
    let r = register(url, request).await;
    same(
        &r.def["requiresAttributes"],
        &attributes(&[
            "ecs.capability.efs",
            "ecs.capability.secrets.asm.environment-variables",
            "ecs.capability.container-ordering",
            "com.amazonaws.ecs.capability.docker-remote-api.1.24",
            "ecs.capability.firelens.fluentbit",
            "ecs.capability.container-health-check",
        ]),
        "Secrets Manager, EFS, dependsOn, FireLens, health check",
    );

    // None of them: the member is absent, as in the sleep360 answer of aws-cli
    // register-task-definition.rst.
    let r = register(url, app(json!({}))).await;
    same(
        &r.pick(&["requiresAttributes"]),
        &json!({}),
        "no requiresAttributes without features",
    );
}

#[tokio::test]
async fn registration_metadata_and_status_follow_the_lifecycle() {
    let Some(url) = url("registration_metadata_and_status_follow_the_lifecycle") else {
        return;
    };
    // Rows "registeredAt, registeredBy, status, revision; INACTIVE with deregisteredAt;
    // DELETE_IN_PROGRESS and still describable after DeleteTaskDefinitions" (C: the 2022–2026
    // dumps carry registeredAt (epoch seconds on the wire) and registeredBy, aws-cli
    // delete-task-definitions.rst shows DELETE_IN_PROGRESS with deregisteredAt; the model has
    // deleteRequestedAt) and "enableFaultInjection: false when omitted" (C/N: every 2024-10+
    // dump). The whole definition at each step:
    let r = register(url, app(json!({}))).await;
    let registered_at = stamp(&r.def, "registeredAt", r.from, r.to);
    let mut expected = json!({
        "taskDefinitionArn": r.arn(1),
        "containerDefinitions": [{
            "name": "app", "image": "nginx", "memory": 128, "cpu": 0, "essential": true,
            "environment": [], "mountPoints": [], "volumesFrom": [], "portMappings": [],
            "systemControls": []
        }],
        "family": r.family,
        "revision": 1,
        "volumes": [],
        "status": "ACTIVE",
        "placementConstraints": [],
        "compatibilities": ["EXTERNAL", "EC2"],
        "registeredAt": registered_at,
        "registeredBy": format!("arn:aws:iam::{ACCOUNT}:root"),
        "enableFaultInjection": false
    });
    same(&r.def, &expected, "registered");

    let from = now();
    let out = call(
        url,
        "DeregisterTaskDefinition",
        &json!({ "taskDefinition": r.arn(1) }),
    )
    .await;
    let gone = &out["taskDefinition"];
    expected["status"] = json!("INACTIVE");
    expected["deregisteredAt"] = json!(stamp(gone, "deregisteredAt", from, now()));
    same(gone, &expected, "deregistered");

    let from = now();
    let out = call(
        url,
        "DeleteTaskDefinitions",
        &json!({ "taskDefinitions": [r.arn(1)] }),
    )
    .await;
    let deleted = &out["taskDefinitions"][0];
    expected["status"] = json!("DELETE_IN_PROGRESS");
    expected["deleteRequestedAt"] = json!(stamp(deleted, "deleteRequestedAt", from, now()));
    same(
        &pick(&out, &["taskDefinitions", "failures"]),
        &json!({ "taskDefinitions": [expected.clone()], "failures": [] }),
        "deleted",
    );
    let still = call(
        url,
        "DescribeTaskDefinition",
        &json!({ "taskDefinition": r.arn(1) }),
    )
    .await;
    same(
        &still["taskDefinition"],
        &expected,
        "still describable until purged (moto forgets it at once)",
    );
}

#[tokio::test]
async fn containers_environment_and_secrets_come_back_reordered() {
    let Some(url) = url("containers_environment_and_secrets_come_back_reordered") else {
        return;
    };
    // Row "containers, environment and secrets in a deterministic order different from the one
    // sent" (C for environment, R/N for containers and secrets): ECS keeps neither order but
    // returns the same one for the same definition ("quite random but stable",
    // aws/aws-sdk-java#3043: XAP_T, SE, XAP_E, ST came back as ST, XAP_T, SE, XAP_E;
    // kayac/ecspresso#599 and aws/aws-cdk#20732 for containers; dagster PR #10982 for secrets).
    // For these names the endpoint's stable order is the one below, twice.
    let container = |name: &str| {
        json!({
            "name": name, "image": "nginx", "memory": 64,
            "environment": [{ "name": "A", "value": "v" }, { "name": "B", "value": "v" },
                            { "name": "C", "value": "v" }],
            "secrets": [{ "name": "S1", "valueFrom": "/p/S1" },
                        { "name": "S2", "valueFrom": "/p/S2" },
                        { "name": "S3", "valueFrom": "/p/S3" }]
        })
    };
    let request = json!({
        "containerDefinitions": [container("one"), container("two"), container("three")]
    });
    let order = |c: &Value| pick(c, &["name", "environment", "secrets"]);
    let expected: Vec<Value> = ["three", "two", "one"]
        .iter()
        .map(|name| {
            json!({
                "name": name,
                "environment": [{ "name": "A", "value": "v" }, { "name": "C", "value": "v" },
                                { "name": "B", "value": "v" }],
                "secrets": [{ "name": "S2", "valueFrom": "/p/S2" },
                            { "name": "S3", "valueFrom": "/p/S3" },
                            { "name": "S1", "valueFrom": "/p/S1" }]
            })
        })
        .collect();
    for attempt in ["first registration", "same definition again"] {
        let r = register(url, request.clone()).await;
        let got: Vec<Value> = r.def["containerDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(order)
            .collect();
        same(&json!(got), &json!(expected), attempt);
    }
}

// Rows marked R or N: shared endpoint (`--strict-shapes`).

#[tokio::test]
async fn strict_bridge_host_port_defaults_to_zero() {
    let Some(url) = url("strict_bridge_host_port_defaults_to_zero") else {
        return;
    };
    // Row "bridge/default mode hostPort: 0 when omitted" (N): the AWS-side fixtures of
    // terraform-provider-aws (`TestContainerDefinitionsAreEquivalent_portMappings`) have
    // `"hostPort": 0, "protocol": "tcp"`.
    let r = register(
        url,
        app(json!({ "portMappings": [{ "containerPort": 80 }] })),
    )
    .await;
    same(
        &r.container()["portMappings"],
        &json!([{ "containerPort": 80, "hostPort": 0, "protocol": "tcp" }]),
        "hostPort 0",
    );
}

#[tokio::test]
async fn strict_capabilities_get_their_counterpart_or_vanish_when_empty() {
    let Some(url) = url("strict_capabilities_get_their_counterpart_or_vanish_when_empty") else {
        return;
    };
    // Row "linuxParameters.capabilities: the missing one of add/drop comes back []; {} is
    // dropped" (R): braintrustdata/terraform-aws-braintrust-data-plane PR #335 ("AWS persists
    // linuxParameters.capabilities as {add=[], drop=["ALL"]}"), TerraConstructs/base PR #158
    // ("The ECS API drops an empty capabilities on read-back").
    let r = register(
        url,
        app(json!({ "linuxParameters": { "capabilities": { "drop": ["ALL"] } } })),
    )
    .await;
    same(
        &r.container()["linuxParameters"],
        &json!({ "capabilities": { "add": [], "drop": ["ALL"] } }),
        "add: [] next to drop",
    );
    let r = register(
        url,
        app(json!({ "linuxParameters": { "capabilities": {}, "initProcessEnabled": true } })),
    )
    .await;
    same(
        &r.container()["linuxParameters"],
        &json!({ "initProcessEnabled": true }),
        "an empty capabilities object is dropped",
    );
}

#[tokio::test]
async fn strict_environment_entries_without_value_are_dropped() {
    let Some(url) = url("strict_environment_entries_without_value_are_dropped") else {
        return;
    };
    // Row "environment entries with an empty or missing value dropped" (R):
    // terraform-provider-aws#39533 ("AWS seems to filter out those environment variables"),
    // aws-actions/amazon-ecs-deploy-task-definition PR #224.
    let r = register(
        url,
        app(
            json!({ "environment": [{ "name": "EMPTY", "value": "" }, { "name": "NONE" },
                                    { "name": "SET", "value": "1" }] }),
        ),
    )
    .await;
    same(
        &r.container()["environment"],
        &json!([{ "name": "SET", "value": "1" }]),
        "only the entry with a value",
    );
}

#[tokio::test]
async fn strict_volume_defaults_are_filled() {
    let Some(url) = url("strict_volume_defaults_are_filled") else {
        return;
    };
    // Row "dockerVolumeConfiguration scope task, driver local; configuredAtLaunch false" (N):
    // terraform-provider-aws treats scope "" as "task" and driver "" as "local"; PR #46132:
    // configuredAtLaunch "false (API default)".
    let mut request = app(json!({}));
    request["volumes"] = json!([{ "name": "cache", "dockerVolumeConfiguration": {} }]);
    let r = register(url, request).await;
    same(
        &r.def["volumes"],
        &json!([{
            "name": "cache",
            "dockerVolumeConfiguration": { "scope": "task", "driver": "local" },
            "configuredAtLaunch": false
        }]),
        "volume defaults",
    );
}

#[tokio::test]
async fn strict_proxy_properties_come_back_reordered() {
    let Some(url) = url("strict_proxy_properties_come_back_reordered") else {
        return;
    };
    // Row "proxyConfiguration.properties reordered" (N): kayac/ecspresso sorts them "to reduce
    // diffs" (commit ae06cbb). The endpoint's stable order for these three names:
    let mut request = app(json!({}));
    request["networkMode"] = json!("awsvpc");
    request["proxyConfiguration"] = json!({
        "containerName": "app",
        "properties": [{ "name": "AppPorts", "value": "8080" },
                       { "name": "EgressIgnoredIPs", "value": "169.254.170.2" },
                       { "name": "IgnoredUID", "value": "1337" }]
    });
    let r = register(url, request).await;
    same(
        &r.def["proxyConfiguration"],
        &json!({
            "containerName": "app",
            "properties": [{ "name": "IgnoredUID", "value": "1337" },
                           { "name": "EgressIgnoredIPs", "value": "169.254.170.2" },
                           { "name": "AppPorts", "value": "8080" }]
        }),
        "properties reordered",
    );
}

/// Without `--strict-shapes` only the confirmed and documented rows apply.
#[tokio::test]
async fn lenient_shapes_leave_the_reported_rows_out() {
    let test = "lenient_shapes_leave_the_reported_rows_out";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start_exact(&[]).unwrap();
    // The R and N rows of the tests above, sent to an endpoint without the flag: no bridge
    // hostPort 0, empty values kept, capabilities as sent, no volume defaults; the C rows
    // (cpu 0, essential, the lists, protocol tcp) still apply.
    let mut request = app(json!({
        "portMappings": [{ "containerPort": 80 }],
        "environment": [{ "name": "EMPTY", "value": "" }],
        "linuxParameters": { "capabilities": { "drop": ["ALL"] } },
    }));
    request["volumes"] = json!([{ "name": "cache", "dockerVolumeConfiguration": {} }]);
    let r = register(endpoint.url(), request).await;
    same(
        r.container(),
        &json!({
            "name": "app", "image": "nginx", "memory": 128, "cpu": 0, "essential": true,
            "portMappings": [{ "containerPort": 80, "protocol": "tcp" }],
            "environment": [{ "name": "EMPTY", "value": "" }],
            "linuxParameters": { "capabilities": { "drop": ["ALL"] } },
            "mountPoints": [], "volumesFrom": [], "systemControls": []
        }),
        "container without the reported rows",
    );
    same(
        &r.def["volumes"],
        &json!([{ "name": "cache", "dockerVolumeConfiguration": {} }]),
        "volume as sent",
    );
}

#[tokio::test]
async fn namespaces_constraints_proxy_fsx_and_fault_injection_read_back_as_sent() {
    let Some(url) = url("namespaces_constraints_proxy_fsx_and_fault_injection_read_back_as_sent")
    else {
        return;
    };
    // Row "ephemeralStorage, pidMode, ipcMode, proxyConfiguration … only if sent: echoed" (C/N,
    // the shared task-definition shape reference §2) and the TaskDefinition data type (ECS API
    // reference): `placementConstraints` as TaskDefinitionPlacementConstraint {type,
    // expression}, `proxyConfiguration.properties` as KeyValuePair {name, value},
    // `volumes[].fsxWindowsFileServerVolumeConfiguration`, `enableFaultInjection` a boolean.
    let mut request = app(json!({}));
    for (member, value) in [
        ("networkMode", json!("awsvpc")),
        ("ipcMode", json!("task")),
        ("pidMode", json!("host")),
        ("enableFaultInjection", json!(true)),
        (
            "placementConstraints",
            json!([{ "type": "memberOf", "expression": "attribute:ecs.os-type == linux" }]),
        ),
        (
            "proxyConfiguration",
            json!({ "type": "APPMESH", "containerName": "app",
                    "properties": [{ "name": "AppPorts", "value": "8080" }] }),
        ),
        (
            "volumes",
            json!([{ "name": "share", "fsxWindowsFileServerVolumeConfiguration": {
                "fileSystemId": "fs-0123456789abcdef0", "rootDirectory": "\\data",
                "authorizationConfig": {
                    "credentialsParameter": "arn:aws:ssm:us-east-1:123456789012:parameter/fsx",
                    "domain": "corp.example.com" } } }]),
        ),
    ] {
        request[member] = value;
    }
    let r = register(url, request).await;
    same(
        &r.pick(&[
            "ipcMode",
            "pidMode",
            "enableFaultInjection",
            "placementConstraints",
            "proxyConfiguration",
        ]),
        &json!({
            "ipcMode": "task", "pidMode": "host", "enableFaultInjection": true,
            "placementConstraints": [{ "type": "memberOf", "expression": "attribute:ecs.os-type == linux" }],
            "proxyConfiguration": { "type": "APPMESH", "containerName": "app",
                                    "properties": [{ "name": "AppPorts", "value": "8080" }] },
        }),
        "task members echoed",
    );
    same(
        &pick(
            &r.def["volumes"][0],
            &["name", "fsxWindowsFileServerVolumeConfiguration"],
        ),
        &json!({ "name": "share", "fsxWindowsFileServerVolumeConfiguration": {
            "fileSystemId": "fs-0123456789abcdef0", "rootDirectory": "\\data",
            "authorizationConfig": {
                "credentialsParameter": "arn:aws:ssm:us-east-1:123456789012:parameter/fsx",
                "domain": "corp.example.com" } } }),
        "FSx volume echoed",
    );
}
