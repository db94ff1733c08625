//! `ecs_service` with ECS's 2025 deployments, end to end with the CLI: a BLUE_GREEN service
//! created and updated (the apply ends when ECS reports the service deployment SUCCESSFUL), an
//! alarm that goes off during the bake fails the apply naming it while ECS rolls back, a wait cut
//! short by the update timeout is resumed by the next apply on the same deployment, and the
//! plan-time rules for what ECS refuses.

use std::sync::Arc;

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, Ctx, Endpoint, StateCheck, Step, TestCase, real_aws, skip_without_acc, unique_name,
};
use serde_json::json;

const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1";
const TG2: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2";
const RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/l/1/2/3";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-deploy";

fn config(cluster: &str, family: &str, subnet: &str, image: &str, service: &str) -> String {
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
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name         = "web"
    image        = "{image}"
    portMappings = [{{ containerPort = 80 }}]
  }}])
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  {service}
}}
"#
    )
}

fn blue_green(bake: u32, extra: &str) -> String {
    format!(
        r#"load_balancer {{
    target_group_arn = "{TG}"
    container_name   = "web"
    container_port   = 80
    advanced_configuration {{
      alternate_target_group_arn = "{TG2}"
      production_listener_rule   = "{RULE}"
      role_arn                   = "{ROLE}"
    }}
  }}
  deployment_configuration {{
    strategy             = "BLUE_GREEN"
    bake_time_in_minutes = {bake}
  }}
  {extra}"#
    )
}

async fn deployments(
    ctx: &Ctx,
    cluster: &str,
) -> Result<Vec<(String, String)>, acceptance_tests::BoxError> {
    let out = ctx
        .ecs()
        .await
        .list_service_deployments()
        .cluster(cluster)
        .service("web")
        .send()
        .await?;
    Ok(out
        .service_deployments()
        .iter()
        .map(|b| {
            (
                b.service_deployment_arn().unwrap_or_default().to_string(),
                b.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect())
}

fn count_is(cluster: &str, n: usize, statuses: &'static [&'static str]) -> StateCheck {
    let cluster = cluster.to_string();
    StateCheck::custom("ListServiceDeployments", move |ctx| {
        let cluster = cluster.clone();
        async move {
            let listed = deployments(&ctx, &cluster).await?;
            let got: Vec<&str> = listed.iter().map(|(_, s)| s.as_str()).collect();
            if listed.len() == n && got.iter().zip(statuses).all(|(a, b)| a == b) {
                Ok(())
            } else {
                Err(format!("expected {n} deployments {statuses:?}, found {got:?}").into())
            }
        }
    })
}

async fn setup(flags: &[&str], prefix: &str) -> (Arc<Endpoint>, String, String, String) {
    let endpoint = Arc::new(Endpoint::start(flags).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    (
        endpoint,
        unique_name(prefix),
        unique_name("acc-dep-td"),
        subnet,
    )
}

#[tokio::test]
async fn blue_green_service_applies_when_ecs_reports_success_and_a_firing_alarm_fails_naming_it() {
    let test =
        "blue_green_service_applies_when_ecs_reports_success_and_a_firing_alarm_fails_naming_it";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &[
            "--steady-seconds",
            "0.5",
            "--bake-seconds-per-minute",
            "0.5",
            "--fire-alarm",
            "latency-high",
        ],
        "acc-bg",
    )
    .await;
    let plain = blue_green(2, "");
    let alarmed = blue_green(
        2,
        r#"alarms {
    alarm_names = ["latency-high"]
    enable      = true
    rollback    = true
  }"#,
    );
    let c = |image: &str, body: &str| config(&cluster, &family, &subnet, image, body);
    let gone = cluster.clone();
    TestCase::new(test)
        .endpoint(endpoint)
        .step(
            Step::new(c("nginx:1.25", &plain))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "deployment_configuration.strategy",
                    json!("BLUE_GREEN"),
                ))
                .check(StateCheck::attr_null(
                    "ecs_service.s",
                    "pending_deployment_arn",
                ))
                .check(count_is(&cluster, 1, &["SUCCESSFUL"])),
        )
        .step(
            Step::new(c("nginx:1.27", &plain))
                .expect("ecs_service.s", Action::Update)
                .check(count_is(&cluster, 2, &["SUCCESSFUL", "SUCCESSFUL"])),
        )
        .step(Step::new(c("nginx:1.27", &alarmed)).expect("ecs_service.s", Action::Update))
        .step(
            Step::new(c("nginx:1.29", &alarmed))
                .expect_error(r#"latency-high[\s\S]*ROLLBACK_SUCCESSFUL"#),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn a_wait_cut_short_resumes_on_the_same_deployment() {
    let test = "a_wait_cut_short_resumes_on_the_same_deployment";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    // 20 "minutes" of bake last 20 s; the update timeout gives up after 5 s.
    let (endpoint, cluster, family, subnet) = setup(
        &["--steady-seconds", "0.5", "--bake-seconds-per-minute", "1"],
        "acc-resume",
    )
    .await;
    let short = blue_green(20, "timeouts {\n    update = \"5s\"\n  }");
    let long = blue_green(20, "timeouts {\n    update = \"2m\"\n  }");
    let quick = blue_green(0, "");
    let c = |image: &str, body: &str| config(&cluster, &family, &subnet, image, body);
    let (c1, c2, gone) = (cluster.clone(), cluster.clone(), cluster.clone());
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(c("nginx:1.25", &quick)))
        .step(Step::new(c("nginx:1.27", &short)).expect_error("did not reach a steady state"))
        .step(
            Step::new(c("nginx:1.27", &long))
                .expect("ecs_service.s", Action::Update)
                .check(count_is(&c1, 2, &["SUCCESSFUL", "SUCCESSFUL"]))
                .check(StateCheck::attr_null(
                    "ecs_service.s",
                    "pending_deployment_arn",
                )),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
    let _ = c2;
}

#[tokio::test]
async fn deployment_settings_ecs_refuses_fail_at_plan() {
    let test = "deployment_settings_ecs_refuses_fail_at_plan";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(&[], "acc-dep-bad").await;
    let c = |body: &str| config(&cluster, &family, &subnet, "nginx:1", body);
    let cd = "deployment_controller {\n    type = \"CODE_DEPLOY\"\n  }";
    TestCase::new(test)
        .endpoint(endpoint)
        .step(
            Step::new(c("deployment_configuration {\n    strategy = \"BLUE_GREEN\"\n  }"))
                .expect_plan_error("BLUE_GREEN strategy needs a second target group"),
        )
        .step(
            Step::new(c("deployment_configuration {\n    strategy = \"ROLLING\"\n    canary_configuration {\n      canary_percent = 10\n    }\n  }"))
                .expect_plan_error("canary_configuration needs strategy CANARY"),
        )
        .step(
            Step::new(c("deployment_configuration {\n    strategy = \"LINEAR\"\n    linear_configuration {\n      step_percent = 2\n    }\n  }"))
                .expect_plan_error("3 to 100"),
        )
        .step(
            Step::new(c("deployment_configuration {\n    strategy = \"CANARY\"\n    bake_time_in_minutes = 1441\n  }"))
                .expect_plan_error("0 to 1440"),
        )
        .step(
            Step::new(c(&blue_green(1, cd)))
                .expect_plan_error("needs the ECS deployment controller"),
        )
        .run()
        .await;
}

#[tokio::test]
async fn a_code_deploy_service_moves_to_ecs_in_place_and_back_by_replacement() {
    let test = "a_code_deploy_service_moves_to_ecs_in_place_and_back_by_replacement";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(&[], "acc-cd-td").await;
    let c = |image: &str, body: &str| config(&cluster, &family, &subnet, image, body);
    let cd = "deployment_controller {\n    type = \"CODE_DEPLOY\"\n  }";
    let ecs = "deployment_controller {\n    type = \"ECS\"\n  }";
    let gone = cluster.clone();
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(c("nginx:1.25", cd)))
        .step(
            Step::new(c("nginx:1.25", ecs))
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "deployment_controller.type",
                    json!("ECS"),
                )),
        )
        .step(
            Step::new(c("nginx:1.25", cd))
                .plan_only()
                .expect_non_empty_plan()
                .expect("ecs_service.s", Action::Replace),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}
