//! `ecs_service` placement and scheduling end to end with the CLI against the fidelity layer:
//! ordered placement strategies, placement constraints, a Cloud Map registry, AZ rebalancing
//! and the IAM role create on an EC2 service, re-plan empty although ECS reports `MEMORY` and
//! `instanceId` and the role as an ARN, change in place (the role replaces), import and clear;
//! a DAEMON service has no desired count, waits steady with no container instance and is
//! replaced when the scheduling strategy changes; every rule ECS enforces fails the plan before
//! any AWS call.

use acceptance_tests::{
    Action, Ctx, Endpoint, ImportId, ImportStep, StateCheck, Step, Terraform, TestCase, real_aws,
    skip_without_acc, unique_name,
};
use serde_json::json;

const REGISTRY: &str = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web";

fn config(cluster: &str, family: &str, service_body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([{{
    name         = "web"
    image        = "nginx:1.25"
    memory       = 128
    portMappings = [{{ containerPort = 80 }}]
  }}])
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  launch_type     = "EC2"
  {service_body}
}}
"#
    )
}

type Check = acceptance_tests::CheckResult;

async fn described(ctx: &Ctx, cluster: &str) -> Result<aws_sdk_ecs::types::Service, String> {
    let out = ctx
        .ecs()
        .await
        .describe_services()
        .cluster(cluster)
        .services("web")
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    out.services()
        .first()
        .cloned()
        .ok_or_else(|| "service not found".to_string())
}

/// What ECS holds: each strategy as `type:field`, constraints, registries, rebalancing, role.
async fn ecs_placement(ctx: Ctx, cluster: String, expected: serde_json::Value) -> Check {
    let s = described(&ctx, &cluster).await?;
    let strategies: Vec<String> = s
        .placement_strategy()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p.r#type().map(|t| t.as_str()).unwrap_or(""),
                p.field().unwrap_or("")
            )
        })
        .collect();
    let constraints: Vec<String> = s
        .placement_constraints()
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c.r#type().map(|t| t.as_str()).unwrap_or(""),
                c.expression().unwrap_or("")
            )
        })
        .collect();
    let got = json!({
        "strategies": strategies,
        "constraints": constraints,
        "registries": s.service_registries().iter().map(|r| json!([r.registry_arn(), r.port(), r.container_name(), r.container_port()])).collect::<Vec<_>>(),
        "rebalancing": s.availability_zone_rebalancing().map(|r| r.as_str()),
        "role": s.role_arn(),
    });
    if got == expected {
        Ok(())
    } else {
        Err(format!("ECS has {got}, expected {expected}").into())
    }
}

const PLACED: &str = r#"iam_role = "ecs-elb"
  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }
  ordered_placement_strategy {
    type  = "binpack"
    field = "memory"
  }
  placement_constraints {
    type = "distinctInstance"
  }
  service_registries {
    registry_arn   = "REGISTRY"
    container_name = "web"
    container_port = 80
  }"#;

const CHANGED: &str = r#"iam_role = "ecs-elb"
  availability_zone_rebalancing = "DISABLED"
  ordered_placement_strategy {
    type  = "spread"
    field = "host"
  }
  ordered_placement_strategy {
    type = "random"
  }
  placement_constraints {
    type       = "memberOf"
    expression = "attribute:ecs.instance-type =~ t3.*"
  }
  placement_constraints {
    type = "distinctInstance"
  }
  service_registries {
    registry_arn = "REGISTRY"
    port         = 8080
  }"#;

#[tokio::test]
async fn placement_on_ec2_replans_empty_changes_in_place_imports_and_clears() {
    let name = "placement_on_ec2_replans_empty_changes_in_place_imports_and_clears";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family) = (unique_name("acc-surf"), unique_name("acc-surf-td"));
    let cfg = |body: &str| config(&cluster, &family, &body.replace("REGISTRY", REGISTRY));
    let role_arn = "arn:aws:iam::123456789012:role/ecs-elb";
    let check = |expected: serde_json::Value| {
        let cluster = cluster.clone();
        StateCheck::custom("ECS holds the placement", move |ctx| {
            ecs_placement(ctx, cluster.clone(), expected.clone())
        })
    };
    let c2 = cluster.clone();
    TestCase::new(name)
        .step(
            Step::new(cfg(PLACED))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "ordered_placement_strategy",
                    json!([
                        { "type": "spread", "field": "attribute:ecs.availability-zone" },
                        { "type": "binpack", "field": "memory" },
                    ]),
                ))
                .check(StateCheck::attr_eq("ecs_service.s", "iam_role", json!("ecs-elb")))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "availability_zone_rebalancing",
                    json!("ENABLED"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "scheduling_strategy",
                    json!("REPLICA"),
                ))
                // ECS capitalises MEMORY and answers with the role's ARN.
                .check(check(json!({
                    "strategies": ["spread:attribute:ecs.availability-zone", "binpack:MEMORY"],
                    "constraints": ["distinctInstance:"],
                    "registries": [[REGISTRY, null, "web", 80]],
                    "rebalancing": "ENABLED",
                    "role": role_arn,
                }))),
        )
        .step(
            Step::new(cfg(CHANGED))
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "ordered_placement_strategy",
                    json!([
                        { "type": "spread", "field": "host" },
                        { "type": "random", "field": null },
                    ]),
                ))
                .check(check(json!({
                    "strategies": ["spread:instanceId", "random:"],
                    "constraints": ["memberOf:attribute:ecs.instance-type =~ t3.*", "distinctInstance:"],
                    "registries": [[REGISTRY, 8080, null, null]],
                    "rebalancing": "DISABLED",
                    "role": role_arn,
                }))),
        )
        // The role's ARN is the same role as its name: no change.
        .step(
            Step::new(cfg(&CHANGED.replace("\"ecs-elb\"", &format!("\"{role_arn}\""))))
                .expect("ecs_service.s", Action::NoOp),
        )
        // An import knows only ECS's spellings (the role's ARN, `instanceId` for `host`); a plan
        // keeps a prior spelling of the same role or field, so the configuration's spellings
        // plan no change against them.
        .step(Step::import(
            ImportStep::command("ecs_service.s", ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts", "iam_role", "ordered_placement_strategy.0.field"]),
        ))
        // Another role replaces the service (ECS cannot change it in place).
        .step(
            Step::new(cfg(&CHANGED.replace("\"ecs-elb\"", "\"ecs-elb-2\"")))
                .expect("ecs_service.s", Action::Replace)
                .check(StateCheck::attr_eq("ecs_service.s", "iam_role", json!("ecs-elb-2"))),
        )
        // Without the blocks, UpdateService clears them; rebalancing and the role stay as ECS has
        // them (an update that does not name them keeps them).
        .step(
            Step::new(cfg(r#"iam_role = "ecs-elb-2""#))
                .expect("ecs_service.s", Action::Update)
                .check(check(json!({
                    "strategies": [],
                    "constraints": [],
                    "registries": [],
                    "rebalancing": "DISABLED",
                    "role": "arn:aws:iam::123456789012:role/ecs-elb-2",
                }))),
        )
        .check_destroy(move |ctx| {
            let cluster = c2.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

const DAEMON: &str = r#"scheduling_strategy = "DAEMON"
  deployment_minimum_healthy_percent = 50
  placement_constraints {
    type       = "memberOf"
    expression = "attribute:ecs.os-type == linux"
  }
  timeouts {
    create = "60s"
  }"#;

#[tokio::test]
async fn daemon_service_has_no_desired_count_waits_steady_and_replaces_on_a_new_strategy() {
    let name = "daemon_service_has_no_desired_count_waits_steady_and_replaces_on_a_new_strategy";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family) = (unique_name("acc-dmn"), unique_name("acc-dmn-td"));
    let c1 = cluster.clone();
    let c2 = cluster.clone();
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, DAEMON))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "scheduling_strategy",
                    json!("DAEMON"),
                ))
                .check(StateCheck::attr_null("ecs_service.s", "desired_count"))
                .check(StateCheck::attr_null(
                    "ecs_service.s",
                    "deployment_maximum_percent",
                ))
                .check(StateCheck::custom(
                    "ECS runs it as a steady DAEMON service with no instance to run on",
                    move |ctx| {
                        let cluster = c1.clone();
                        async move {
                            let s = described(&ctx, &cluster).await?;
                            let daemon = s.scheduling_strategy().map(|s| s.as_str());
                            if daemon == Some("DAEMON")
                                && s.desired_count() == 0
                                && s.deployments().len() == 1
                            {
                                Ok(())
                            } else {
                                Err(format!("ECS reports {s:?}").into())
                            }
                        }
                    },
                )),
        )
        .step(Step::import(
            ImportStep::command("ecs_service.s", ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts"]),
        ))
        .step(
            Step::new(config(&cluster, &family, "desired_count = 1"))
                .expect("ecs_service.s", Action::Replace)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "scheduling_strategy",
                    json!("REPLICA"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "desired_count",
                    json!(1),
                )),
        )
        .check_destroy(move |ctx| {
            let cluster = c2.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

fn service(body: &str) -> String {
    format!(
        r#"resource "ecs_service" "s" {{
  name            = "web"
  cluster         = "c"
  task_definition = "web:1"
  {body}
}}"#
    )
}

fn strategies(n: usize) -> String {
    (0..n)
        .map(|_| "ordered_placement_strategy {\n    type  = \"spread\"\n    field = \"instanceId\"\n  }")
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn constraints(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "placement_constraints {{\n    type       = \"memberOf\"\n    expression = \"attribute:n == {i}\"\n  }}"
            )
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// (rule, service body, pattern the error must match)
fn rules() -> Vec<(&'static str, String, &'static str)> {
    let daemon = |rest: &str| format!("scheduling_strategy = \"DAEMON\"\n  {rest}");
    let fargate_net = "network_configuration {\n    subnets = [\"subnet-1\"]\n  }";
    vec![
        (
            "strategy on Fargate",
            format!(
                "launch_type = \"FARGATE\"\n  {fargate_net}\n  {}",
                strategies(1)
            ),
            "ordered_placement_strategy is not supported on Fargate",
        ),
        (
            "more than 5 strategies",
            strategies(6),
            "(?i)too many ordered_placement_strategy blocks|No more than 5",
        ),
        (
            "more than 10 constraints",
            constraints(11),
            "(?i)too many placement_constraints blocks|No more than 10",
        ),
        (
            "two registries",
            "service_registries {\n    registry_arn = \"a\"\n  }\n  service_registries {\n    registry_arn = \"b\"\n  }".to_string(),
            "(?i)too many service_registries blocks|No more than 1",
        ),
        (
            "random with a field",
            "ordered_placement_strategy {\n    type  = \"random\"\n    field = \"cpu\"\n  }".to_string(),
            "random placement takes no field",
        ),
        (
            "binpack by something else",
            "ordered_placement_strategy {\n    type  = \"binpack\"\n    field = \"disk\"\n  }".to_string(),
            "Invalid binpack field",
        ),
        (
            "spread without a field",
            "ordered_placement_strategy {\n    type = \"spread\"\n  }".to_string(),
            "spread placement needs a field",
        ),
        (
            "strategy type",
            "ordered_placement_strategy {\n    type = \"fill\"\n  }".to_string(),
            "binpack",
        ),
        (
            "memberOf without an expression",
            "placement_constraints {\n    type = \"memberOf\"\n  }".to_string(),
            "memberOf needs an expression",
        ),
        (
            "distinctInstance with an expression",
            "placement_constraints {\n    type       = \"distinctInstance\"\n    expression = \"attribute:x == y\"\n  }".to_string(),
            "distinctInstance takes no expression",
        ),
        (
            "scheduling strategy",
            "scheduling_strategy = \"EVERYWHERE\"".to_string(),
            "REPLICA",
        ),
        (
            "availability zone rebalancing",
            "availability_zone_rebalancing = \"ON\"".to_string(),
            "ENABLED",
        ),
        (
            "DAEMON with a desired count",
            daemon("desired_count = 2"),
            r#"desired_count is not allowed with scheduling_strategy = "DAEMON""#,
        ),
        (
            "DAEMON with a maximum percent",
            daemon("deployment_maximum_percent = 150"),
            r#"deployment_maximum_percent is not allowed with scheduling_strategy = "DAEMON""#,
        ),
        (
            "DAEMON with capacity providers",
            daemon("capacity_provider_strategy {\n    capacity_provider = \"cp\"\n    weight = 1\n  }"),
            r#"capacity_provider_strategy is not allowed with scheduling_strategy = "DAEMON""#,
        ),
        (
            "DAEMON with a placement strategy",
            daemon(&strategies(1)),
            r#"ordered_placement_strategy is not allowed with scheduling_strategy = "DAEMON""#,
        ),
        (
            "DAEMON on Fargate",
            daemon(&format!("launch_type = \"FARGATE\"\n  {fargate_net}")),
            r#"launch_type is not allowed with scheduling_strategy = "DAEMON""#,
        ),
        (
            "DAEMON with CODE_DEPLOY",
            daemon("deployment_controller {\n    type = \"CODE_DEPLOY\"\n  }"),
            r#"deployment_controller is not allowed with scheduling_strategy = "DAEMON""#,
        ),
    ]
}

#[tokio::test]
async fn every_placement_and_scheduling_rule_fails_the_plan_before_any_aws_call() {
    let name = "every_placement_and_scheduling_rule_fails_the_plan_before_any_aws_call";
    if skip_without_acc(name) || real_aws() {
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
        tf.write_config(&format!("{HEADER}\n{}", service(&body)))
            .unwrap();
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
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
