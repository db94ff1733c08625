//! Plan-time validation: each rule AWS would enforce at apply fails `terraform plan` with a
//! message naming the attribute (and container) and what is allowed, before any AWS call is
//! made (a dedicated endpoint's call counts stay empty).

use acceptance_tests::{Endpoint, Terraform, real_aws, skip_without_acc};

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

fn task(attrs: &str, containers: &str) -> String {
    format!(
        r#"resource "ecs_task_definition" "t" {{
  family = "plan-rules"
  {attrs}
  container_definitions = jsonencode({containers})
}}"#
    )
}

const FARGATE: &str = r#"requires_compatibilities = ["FARGATE"]
  network_mode = "awsvpc"
  cpu = "256"
  memory = "512""#;

fn service(attrs: &str) -> String {
    format!(
        r#"resource "ecs_service" "s" {{
  cluster         = "c"
  task_definition = "web:1"
  {attrs}
}}"#
    )
}

/// (rule, configuration, pattern the error must match)
fn rules() -> Vec<(&'static str, String, &'static str)> {
    let app = r#"[{ name = "web", image = "nginx", memory = 128 }]"#;
    vec![
        (
            "family characters",
            task("", app).replace("plan-rules", "plan rules!"),
            r#"letters, digits, hyphens"#,
        ),
        (
            "unknown container member",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, enviroment = [] }]"#,
            ),
            "Did you mean `environment`",
        ),
        (
            "wrong member type",
            task("", r#"[{ name = "web", image = "nginx", memory = "128" }]"#),
            "`memory` must be a whole number, not a string",
        ),
        (
            "container required members",
            task("", r#"[{ name = "web", memory = 128 }]"#),
            "`image` is required",
        ),
        (
            "fargate network mode",
            task(
                &FARGATE.replace(r#"network_mode = "awsvpc""#, ""),
                r#"[{ name = "web", image = "nginx" }]"#,
            ),
            r#"Fargate needs network_mode = "awsvpc""#,
        ),
        (
            "fargate task size required",
            task(
                r#"requires_compatibilities = ["FARGATE"]
  network_mode = "awsvpc""#,
                r#"[{ name = "web", image = "nginx" }]"#,
            ),
            "Fargate needs a task cpu",
        ),
        (
            "fargate cpu/memory table",
            task(
                &FARGATE.replace(r#"memory = "512""#, r#"memory = "4096""#),
                r#"[{ name = "web", image = "nginx" }]"#,
            ),
            "256 CPU units take 512, 1024 or 2048",
        ),
        (
            "fargate 8 vCPU memory steps",
            task(
                &FARGATE
                    .replace(r#"cpu = "256""#, r#"cpu = "8 vCPU""#)
                    .replace(r#"memory = "512""#, r#"memory = "18432""#),
                r#"[{ name = "web", image = "nginx" }]"#,
            ),
            "steps of 4096 MiB.*1.4.0",
        ),
        (
            "fargate log drivers",
            task(
                FARGATE,
                r#"[{ name = "web", image = "nginx", logConfiguration = { logDriver = "syslog" } }]"#,
            ),
            "Fargate supports awslogs, splunk and awsfirelens",
        ),
        (
            "log driver names",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, logConfiguration = { logDriver = "awslog" } }]"#,
            ),
            r#"Did you mean "awslogs""#,
        ),
        (
            "fargate privileged",
            task(
                FARGATE,
                r#"[{ name = "web", image = "nginx", privileged = true }]"#,
            ),
            "Fargate does not support",
        ),
        (
            "at most 10 containers",
            task(
                "",
                &format!(
                    "[{}]",
                    (0..11)
                        .map(|i| format!(r#"{{ name = "c{i}", image = "nginx", memory = 64 }}"#))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            "at most 10 per task definition",
        ),
        (
            "unique container names",
            task(
                "",
                r#"[{ name = "web", image = "a", memory = 64 }, { name = "web", image = "b", memory = 64 }]"#,
            ),
            r#""web" is used more than once"#,
        ),
        (
            "an essential container",
            task(
                "",
                r#"[{ name = "web", image = "a", memory = 64, essential = false }]"#,
            ),
            "at least one essential container",
        ),
        (
            "container memory",
            task("", r#"[{ name = "web", image = "nginx" }]"#),
            "neither `memory` nor `memoryReservation`",
        ),
        (
            "memory reservation",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, memoryReservation = 256 }]"#,
            ),
            "must not exceed `memory`",
        ),
        (
            "ephemeral storage",
            task(
                r#"ephemeral_storage {
    size_in_gib = 300
  }"#,
                app,
            ),
            "size_in_gib",
        ),
        (
            "secret sources",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, secrets = [{ name = "DB", valueFrom = "arn:aws:s3:::bucket/key" }] }]"#,
            ),
            "neither an SSM parameter ARN",
        ),
        (
            "dependsOn target",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, dependsOn = [{ containerName = "db", condition = "START" }] }]"#,
            ),
            r#"containerName` is "db", which is not another container"#,
        ),
        (
            "dependsOn condition",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, dependsOn = [{ containerName = "init", condition = "STARTED" }] }, { name = "init", image = "busybox", memory = 64, essential = false }]"#,
            ),
            r#"container "web": `dependsOn\[0\]\.condition` is "STARTED"; allowed: START, COMPLETE, SUCCESS, HEALTHY\. Did you mean "START"\?"#,
        ),
        (
            "HEALTHY needs a health check",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, dependsOn = [{ containerName = "db", condition = "HEALTHY" }] }, { name = "db", image = "postgres", memory = 128 }]"#,
            ),
            "has no `healthCheck`",
        ),
        (
            "port ranges",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, portMappings = [{ containerPort = 70000 }] }]"#,
            ),
            "ports are 1 to 65535",
        ),
        (
            "awsvpc host ports",
            task(
                FARGATE,
                r#"[{ name = "web", image = "nginx", portMappings = [{ containerPort = 80, hostPort = 8080 }] }]"#,
            ),
            "in awsvpc mode they must be equal",
        ),
        (
            "port protocol",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, portMappings = [{ containerPort = 80, protocol = "TCP" }] }]"#,
            ),
            r#"container "web": `portMappings\[0\]\.protocol` is "TCP"; allowed: tcp, udp\. Did you mean "tcp"\?"#,
        ),
        (
            "versionConsistency values",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, versionConsistency = "invalid" }]"#,
            ),
            r#"container "web": `versionConsistency` is "invalid"; allowed: enabled, disabled\."#,
        ),
        (
            "ulimit names",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, ulimits = [{ name = "nofiles", softLimit = 1024, hardLimit = 4096 }] }]"#,
            ),
            r#"container "web": `ulimits\[0\]\.name` is "nofiles"; allowed: core, cpu, .*stack\. Did you mean "nofile"\?"#,
        ),
        (
            "kernel capabilities",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, linuxParameters = { capabilities = { add = ["sys_ptrace"] } } }]"#,
            ),
            r#"container "web": `linuxParameters\.capabilities\.add\[0\]` is "sys_ptrace"; allowed: ALL, .*WAKE_ALARM\. Did you mean "SYS_PTRACE"\?"#,
        ),
        (
            "health check bounds",
            task(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, healthCheck = { command = ["CMD", "true"], interval = 1 } }]"#,
            ),
            r#"container "web": `healthCheck\.interval` is 1; allowed: 5 to 300\."#,
        ),
        (
            "network mode values",
            task(r#"network_mode = "awsvcp""#, app),
            r#"Did you mean "awsvpc""#,
        ),
        (
            "launch type vs strategy",
            service(
                r#"name = "web"
  launch_type = "FARGATE"
  network_configuration {
    subnets = ["subnet-1"]
  }
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
  }"#,
            ),
            "exclude each other",
        ),
        (
            "fargate services need network_configuration",
            service(
                r#"name = "web"
  launch_type = "FARGATE""#,
            ),
            "Fargate services need network_configuration",
        ),
        (
            "service names",
            service(r#"name = "web service""#),
            "letters, digits, hyphens",
        ),
        (
            "platform versions",
            service(
                r#"name = "web"
  launch_type = "FARGATE"
  platform_version = "latest-ish"
  network_configuration {
    subnets = ["subnet-1"]
  }"#,
            ),
            "not a Fargate platform version",
        ),
        (
            "one base per strategy",
            service(
                r#"name = "web"
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base = 1
  }
  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    base = 1
  }
  network_configuration {
    subnets = ["subnet-1"]
  }"#,
            ),
            "Only one capacity provider may have a base",
        ),
        (
            "capacity provider strategy providers",
            r#"resource "ecs_cluster_capacity_providers" "p" {
  cluster_name       = "c"
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
  }
}"#
            .to_string(),
            r#""FARGATE_SPOT" is not in `capacity_providers`"#,
        ),
        (
            "cluster names",
            r#"resource "ecs_cluster" "c" {
  name = "my cluster"
}"#
            .to_string(),
            "letters, digits, hyphens",
        ),
        (
            "secret names",
            r#"resource "ecs_secret" "s" {
  name  = "/aws/reserved"
  value = "x"
}"#
            .to_string(),
            r#"may not begin with "aws""#,
        ),
        (
            "secret value or value_wo",
            r#"resource "ecs_secret" "s" {
  name = "/app/x"
}"#
            .to_string(),
            "Set exactly one of `value`",
        ),
    ]
}

#[tokio::test]
async fn every_rule_fails_the_plan_before_any_aws_call() {
    if skip_without_acc("every_rule_fails_the_plan_before_any_aws_call") || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (rule, body, pattern)) in rules().into_iter().enumerate() {
        let tf = Terraform::new(
            scratch.path().join(format!("rule-{i}")),
            Some(endpoint.url()),
        )
        .unwrap();
        tf.write_config(&format!("{HEADER}\n{body}")).unwrap();
        match tf.plan(None).await {
            Ok(_) => failures.push(format!("{rule}: the plan succeeded")),
            Err(output) => match acceptance_tests::steps::error_matches(pattern, &output) {
                Ok(true) => {}
                _ => failures.push(format!(
                    "{rule}: expected /{pattern}/ in:\n{}",
                    output.combined()
                )),
            },
        }
        let calls = endpoint.stats().await.unwrap();
        if !calls.is_empty() {
            failures.push(format!("{rule}: AWS was called: {calls:?}"));
            endpoint.reset_stats().await.unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A timeout longer than any clock fails `terraform validate` and `terraform plan` with a
/// diagnostic at `timeouts.create` that says what is allowed; the provider answers (it does not
/// crash), and AWS is never called.
#[tokio::test]
async fn timeouts_beyond_a_year_fail_validation_naming_the_attribute() {
    if skip_without_acc("timeouts_beyond_a_year_fail_validation_naming_the_attribute") || real_aws()
    {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let configs = [
        r#"resource "ecs_cluster" "c" {
  name = "too-long"
  timeouts {
    create = "99999999999999999999h"
  }
}"#
        .to_string(),
        service(
            r#"name = "web"
  timeouts {
    create = "99999999999999999999h"
  }"#,
        ),
    ];
    for (i, body) in configs.iter().enumerate() {
        let tf = Terraform::new(
            scratch.path().join(format!("case-{i}")),
            Some(endpoint.url()),
        )
        .unwrap();
        tf.write_config(&format!("{HEADER}\n{body}")).unwrap();
        let validate = tf.run(&["validate", "-no-color"]).await;
        let plan = tf.run(&["plan", "-no-color", "-input=false"]).await;
        for out in [validate, plan] {
            let text = out.combined();
            assert_ne!(out.status, 0, "{} must fail:\n{text}", out.command);
            for crash in ["panicked", "Plugin did not respond", "plugin crashed"] {
                assert!(
                    !text.contains(crash),
                    "{} crashed the provider:\n{text}",
                    out.command
                );
            }
            let named = acceptance_tests::steps::error_matches(
                r#"timeouts\.create is "99999999999999999999h", which is longer than the maximum of 8760h"#,
                &out,
            );
            assert_eq!(named, Ok(true), "{}:\n{text}", out.command);
        }
    }
    let calls = endpoint.stats().await.unwrap();
    assert!(calls.is_empty(), "AWS was called: {calls:?}");
}

/// The Fargate platform rule needs the task definition the service runs, so the plan looks it
/// up: the plan fails naming the container and the secret, and the lookup is the only call
/// (no CreateService, nothing written). The task definition is registered with the SDK first.
#[tokio::test]
async fn fargate_platform_too_old_for_ssm_secrets_fails_the_plan_after_one_lookup() {
    let test = "fargate_platform_too_old_for_ssm_secrets_fails_the_plan_after_one_lookup";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let family = acceptance_tests::unique_name("plan-pv");
    let secret = aws_sdk_ecs::types::Secret::builder()
        .name("DB")
        .value_from("arn:aws:ssm:us-east-1:123456789012:parameter/db")
        .build()
        .unwrap();
    ecs.register_task_definition()
        .family(&family)
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("web")
                .image("nginx:1")
                .secrets(secret)
                .build(),
        )
        .send()
        .await
        .unwrap();
    endpoint.reset_stats().await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let tf = Terraform::new(scratch.path().join("work"), Some(endpoint.url())).unwrap();
    tf.write_config(&format!(
        r#"{HEADER}
resource "ecs_service" "s" {{
  name             = "web"
  cluster          = "c"
  task_definition  = "{family}:1"
  launch_type      = "FARGATE"
  platform_version = "1.2.0"
  network_configuration {{
    subnets = ["subnet-1"]
  }}
}}
"#
    ))
    .unwrap();
    let output = tf.plan(None).await.expect_err("the plan must fail");
    let pattern = r#"cannot inject secrets from Parameter Store, and container "web" reads"#;
    assert!(
        acceptance_tests::steps::error_matches(pattern, &output).unwrap(),
        "expected /{pattern}/ in:\n{}",
        output.combined()
    );
    let calls = endpoint.calls().await.unwrap();
    assert_eq!(
        calls,
        vec!["ecs:DescribeTaskDefinition".to_string()],
        "only the lookup may reach AWS"
    );
}
