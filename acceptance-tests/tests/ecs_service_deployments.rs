//! `ecs_service` with ECS's 2025 deployments, end to end with the CLI: a BLUE_GREEN service
//! created and updated (the apply ends when ECS reports the service deployment SUCCESSFUL), an
//! alarm that goes off during the bake fails the apply naming it while ECS rolls back, a wait cut
//! short by the update timeout is resumed by the next apply on the same deployment, and the
//! plan-time rules for what ECS refuses.

use std::sync::Arc;

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, Ctx, Endpoint, ImportId, ImportStep, StateCheck, Step, Terraform, TestCase, real_aws,
    skip_without_acc, unique_name,
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
    listed(&ctx.ecs().await, cluster).await
}

/// The service deployments of service `web` as (ARN, status), newest first.
async fn listed(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
) -> Result<Vec<(String, String)>, acceptance_tests::BoxError> {
    let out = ecs
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

/// Poll until `web` has `count` service deployments and the newest is in its bake; its ARN.
async fn newest_baking(ecs: &aws_sdk_ecs::Client, cluster: &str, count: usize) -> Option<String> {
    for _ in 0..600 {
        let newest = listed(ecs, cluster)
            .await
            .ok()
            .filter(|l| l.len() == count)
            .and_then(|l| l.first().map(|(arn, _)| arn.clone()));
        if let Some(arn) = newest {
            let d = ecs
                .describe_service_deployments()
                .service_deployment_arns(&arn)
                .send()
                .await
                .ok()?;
            let stage = d.service_deployments().first()?.lifecycle_stage();
            if stage.map(|s| s.as_str()) == Some("BAKE_TIME") {
                return Some(arn);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
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
        .step(Step::import(
            ImportStep::command("ecs_service.s", ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts", "cluster"]),
        ))
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
    let (reset, counted) = (endpoint.clone(), endpoint.clone());
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(c("nginx:1.25", &quick)))
        .step(Step::new(c("nginx:1.27", &short)).expect_error("did not reach a steady state"))
        .step(
            Step::new(c("nginx:1.27", &long))
                .pre_step(move |_| {
                    let endpoint = reset.clone();
                    async move { Ok(endpoint.reset_stats().await?) }
                })
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::custom(
                    "the resumed wait polls with back-off: few DescribeServiceDeployments for ~15 s of bake",
                    move |_| {
                        let endpoint = counted.clone();
                        async move {
                            let stats = endpoint.stats().await?;
                            let polls = stats.get("ecs:DescribeServiceDeployments").copied().unwrap_or(0);
                            let updates = stats.get("ecs:UpdateService").copied().unwrap_or(0);
                            if (1..=10).contains(&polls) && updates == 0 {
                                Ok(())
                            } else {
                                Err(format!("{polls} DescribeServiceDeployments, {updates} UpdateService: {stats:?}").into())
                            }
                        }
                    },
                ))
                .check(count_is(&c1, 2, &["SUCCESSFUL", "SUCCESSFUL"]))
                .check(StateCheck::attr_null(
                    "ecs_service.s",
                    "pending_deployment_arn",
                )),
        )
        .step(
            // Back to a plain rolling service: the removed blocks return to ECS's defaults and
            // the next plan is empty.
            Step::new(c("nginx:1.27", ""))
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::attr_null("ecs_service.s", "deployment_configuration"))
                .check(count_is(&c2, 3, &["SUCCESSFUL"])),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
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

const HOOK: &str = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";

fn traffic_shifting(strategy: &str, steps: &str, extra: &str) -> String {
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
    strategy = "{strategy}"
    {steps}
    {extra}
  }}"#
    )
}

const DATA: &str = r#"
data "ecs_service" "d" {
  cluster    = ecs_cluster.c.name
  name       = "web"
  depends_on = [ecs_service.s]
}
"#;

/// LINEAR and CANARY services deploy step by step and apply when ECS reports SUCCESSFUL (the
/// data source then shows the current deployment); a lifecycle hook that fails rolls the
/// deployment back and fails the apply naming the hook.
#[tokio::test]
async fn linear_and_canary_services_deploy_in_steps_and_a_failing_hook_fails_naming_it() {
    let test = "linear_and_canary_services_deploy_in_steps_and_a_failing_hook_fails_naming_it";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &[
            "--steady-seconds",
            "0.4",
            "--bake-seconds-per-minute",
            "0.2",
            "--fail-hook",
            HOOK,
        ],
        "acc-lc",
    )
    .await;
    let linear = traffic_shifting(
        "LINEAR",
        "linear_configuration {\n      step_percent              = 50\n      step_bake_time_in_minutes = 1\n    }",
        "",
    );
    let canary_steps = "canary_configuration {\n      canary_percent              = 10.5\n      canary_bake_time_in_minutes = 1\n    }";
    let canary = traffic_shifting("CANARY", canary_steps, "");
    let hooked = traffic_shifting(
        "CANARY",
        canary_steps,
        &format!(
            "lifecycle_hook {{\n      hook_target_arn  = \"{HOOK}\"\n      role_arn         = \"{ROLE}\"\n      lifecycle_stages = [\"POST_SCALE_UP\"]\n      hook_details     = jsonencode({{ check = \"smoke\" }})\n    }}"
        ),
    );
    let c = |image: &str, body: &str| config(&cluster, &family, &subnet, image, body);
    let (c1, gone) = (cluster.clone(), cluster.clone());
    TestCase::new(test)
        .endpoint(endpoint)
        .step(
            Step::new(c("nginx:1.25", &linear))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "deployment_configuration.linear_configuration.step_percent",
                    json!(50),
                ))
                .check(count_is(&cluster, 1, &["SUCCESSFUL"])),
        )
        .step(
            Step::new(c("nginx:1.27", &linear))
                .expect("ecs_service.s", Action::Update)
                .check(count_is(&cluster, 2, &["SUCCESSFUL", "SUCCESSFUL"])),
        )
        .step(
            Step::new(c("nginx:1.29", &canary) + DATA)
                .expect("ecs_service.s", Action::Update)
                .check(count_is(
                    &cluster,
                    3,
                    &["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"],
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.d",
                    "current_deployment.strategy",
                    json!("CANARY"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.d",
                    "current_deployment.status",
                    json!("SUCCESSFUL"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.d",
                    "current_deployment.stage",
                    json!("CLEAN_UP"),
                )),
        )
        .step(Step::new(c("nginx:1.29", &hooked)).expect("ecs_service.s", Action::Update))
        .step(
            Step::new(c("nginx:1.31", &hooked))
                .expect_error(&format!(r#"{HOOK}[\s\S]*ROLLBACK_SUCCESSFUL"#))
                .check(count_is(&c1, 5, &["ROLLBACK_SUCCESSFUL"])),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

/// A CODE_DEPLOY service whose task definition would change to a revision known at plan time:
/// the plan fails naming `task_definition` (ECS refuses the update).
#[tokio::test]
async fn a_code_deploy_service_refuses_a_new_task_definition_at_plan() {
    let test = "a_code_deploy_service_refuses_a_new_task_definition_at_plan";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(&[], "acc-cd-new").await;
    let cd = "deployment_controller {\n    type = \"CODE_DEPLOY\"\n  }";
    let second = format!(
        r#"
resource "ecs_task_definition" "t2" {{
  family                   = "{family}-b"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{{ name = "web", image = "nginx:2" }}])
}}
"#
    );
    let base = config(&cluster, &family, &subnet, "nginx:1.25", cd) + &second;
    let moved = base.replace(
        "task_definition = ecs_task_definition.t.arn",
        "task_definition = ecs_task_definition.t2.arn",
    );
    assert_ne!(base, moved);
    let gone = cluster.clone();
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(base))
        .step(Step::new(moved).expect_plan_error(
            r#"CODE_DEPLOY service cannot change its task definition in place[\s\S]*ignore_changes"#,
        ))
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

/// `force_delete`: destroy deletes at once, without scaling the service to zero first.
#[tokio::test]
async fn force_delete_deletes_without_scaling_to_zero() {
    let test = "force_delete_deletes_without_scaling_to_zero";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(&["--drain-seconds", "0.5"], "acc-fd").await;
    let body = "force_delete    = true\n  sigint_rollback = true";
    let (stats, gone) = (endpoint.clone(), cluster.clone());
    TestCase::new(test)
        .endpoint(endpoint.clone())
        .step(
            Step::new(config(&cluster, &family, &subnet, "nginx:1.25", body))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "force_delete",
                    json!(true),
                ))
                .check(StateCheck::custom(
                    "count the destroy's calls from here",
                    move |_| {
                        let endpoint = stats.clone();
                        async move { Ok(endpoint.reset_stats().await?) }
                    },
                )),
        )
        .check_destroy(move |ctx| {
            let (cluster, endpoint) = (gone.clone(), endpoint.clone());
            async move {
                ctx.cluster_gone(&cluster).await?;
                let calls = endpoint.calls().await?;
                if calls.iter().any(|c| c == "ecs:UpdateService") {
                    return Err(format!("destroy scaled the service first: {calls:?}").into());
                }
                if !calls.iter().any(|c| c == "ecs:DeleteService") {
                    return Err(format!("no DeleteService: {calls:?}").into());
                }
                Ok(())
            }
        })
        .run()
        .await;
}

/// `sigint_rollback`: Ctrl-C during a bake asks ECS to roll the deployment back; the apply ends
/// once ECS has, and the service runs the previous revision again.
#[tokio::test]
async fn sigint_rollback_rolls_an_interrupted_deployment_back() {
    let test = "sigint_rollback_rolls_an_interrupted_deployment_back";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &["--steady-seconds", "0.5", "--bake-seconds-per-minute", "1"],
        "acc-sigint",
    )
    .await;
    let body = blue_green(60, "sigint_rollback = true");
    let ecs = endpoint.ecs_client().await;
    let work = tempfile::tempdir().unwrap();
    let tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    tf.write_config(&config(
        &cluster,
        &family,
        &subnet,
        "nginx:1.25",
        &blue_green(0, "sigint_rollback = true"),
    ))
    .unwrap();
    tf.apply().await.expect("apply");
    let running = |ecs: aws_sdk_ecs::Client, cluster: String| async move {
        let out = ecs
            .describe_services()
            .cluster(&cluster)
            .services("web")
            .send()
            .await
            .unwrap();
        out.services()[0]
            .task_definition()
            .unwrap_or_default()
            .to_string()
    };
    let before = running(ecs.clone(), cluster.clone()).await;
    tf.write_config(&config(&cluster, &family, &subnet, "nginx:1.27", &body))
        .unwrap();
    let mut apply = tf.spawn(&["apply", "-auto-approve", "-no-color"]).unwrap();
    let baking = newest_baking(&ecs, &cluster, 2).await;
    let arn = baking.unwrap_or_else(|| panic!("the update never baked:\n{}", tf.spawned_output()));
    let pid = apply.id().expect("running") as i32;
    // SAFETY: sends SIGINT to our own child, as Ctrl-C in a terminal would.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = tokio::time::timeout(std::time::Duration::from_secs(120), apply.wait())
        .await
        .unwrap()
        .unwrap();
    let output = tf.spawned_output();
    assert!(
        !status.success(),
        "the interrupted apply must fail:\n{output}"
    );
    assert!(output.contains("rolled back"), "{output}");
    let d = ecs
        .describe_service_deployments()
        .service_deployment_arns(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.service_deployments()[0].status().map(|s| s.as_str()),
        Some("ROLLBACK_SUCCESSFUL"),
        "{output}"
    );
    assert_eq!(
        running(ecs.clone(), cluster.clone()).await,
        before,
        "back on the previous revision"
    );
    tf.destroy()
        .await
        .unwrap_or_else(|out| panic!("destroy failed:\n{}", out.combined()));
}

/// A service of each strategy watching the same alarm: the image change deploys all four, the
/// alarm goes off in each deployment, and the apply fails for each naming the alarm while ECS
/// rolls each back to the revision before.
#[tokio::test]
async fn every_strategy_fails_naming_the_firing_alarm_and_rolls_back() {
    let test = "every_strategy_fails_naming_the_firing_alarm_and_rolls_back";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &["--steady-seconds", "0.4", "--fire-alarm", "errors-high"],
        "acc-alarm",
    )
    .await;
    let services = |image: &str| {
        let mut text = config(&cluster, &family, &subnet, image, "")
            .split("resource \"ecs_service\"")
            .next()
            .unwrap_or_default()
            .to_string();
        for (name, strategy, steps) in [
            ("rolling", "ROLLING", ""),
            ("bluegreen", "BLUE_GREEN", ""),
            (
                "linear",
                "LINEAR",
                "linear_configuration {\n      step_percent = 25\n    }",
            ),
            (
                "canary",
                "CANARY",
                "canary_configuration {\n      canary_percent = 5\n    }",
            ),
        ] {
            let shifting = if strategy == "ROLLING" {
                "deployment_configuration {\n    strategy = \"ROLLING\"\n  }".to_string()
            } else {
                traffic_shifting(strategy, steps, "")
            };
            text.push_str(&format!(
                r#"
resource "ecs_service" "{name}" {{
  name            = "{name}"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  {shifting}
  alarms {{
    alarm_names = ["errors-high"]
    enable      = true
    rollback    = true
  }}
}}
"#
            ));
        }
        text
    };
    let (first, second) = (services("nginx:1.25"), services("nginx:1.27"));
    // Four failures, in whatever order Terraform reports them.
    let step = Step::new(second.clone()).expect_error(
        r#"(The deployment of service "(rolling|bluegreen|linear|canary)" failed[\s\S]*?errors-high[\s\S]*?ROLLBACK_SUCCESSFUL[\s\S]*?){4}"#,
    );
    let (checked, gone) = (cluster.clone(), cluster.clone());
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(first))
        .step(step)
        .step(
            // ECS rolled every service back to revision 1, which the state now reports; the
            // configuration still asks for revision 2.
            Step::new(second)
                .plan_only()
                .expect_non_empty_plan()
                .pre_step(move |ctx| {
                    let cluster = checked.clone();
                    async move {
                        let out = ctx
                            .ecs()
                            .await
                            .describe_services()
                            .cluster(&cluster)
                            .services("rolling")
                            .services("bluegreen")
                            .services("linear")
                            .services("canary")
                            .send()
                            .await?;
                        for s in out.services() {
                            let td = s.task_definition().unwrap_or_default();
                            if !td.ends_with(":1") {
                                return Err(format!("{:?} runs {td}", s.service_name()).into());
                            }
                        }
                        Ok(())
                    }
                }),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

/// A create whose wait the create timeout cuts short keeps the service in state (with the
/// deployment pending and a warning saying so), but Terraform taints a resource whose create
/// failed: the next apply replaces it rather than resuming the wait (Terraform's rule, not the
/// provider's). Updates resume: `a_wait_cut_short_resumes_on_the_same_deployment`; a create
/// interrupted by Ctrl-C is no failure and resumes too:
/// `ctrl_c_during_a_create_keeps_the_service_and_the_next_apply_resumes_its_deployment`.
#[tokio::test]
async fn a_create_cut_short_is_kept_in_state_and_replaced_as_tainted() {
    let test = "a_create_cut_short_is_kept_in_state_and_replaced_as_tainted";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &["--steady-seconds", "0.5", "--bake-seconds-per-minute", "1"],
        "acc-cresume",
    )
    .await;
    let short = blue_green(12, "timeouts {\n    create = \"3s\"\n  }");
    let long = blue_green(12, "timeouts {\n    create = \"2m\"\n  }");
    let c = |body: &str| config(&cluster, &family, &subnet, "nginx:1.25", body);
    let gone = cluster.clone();
    TestCase::new(test)
        .endpoint(endpoint)
        .step(
            Step::new(c(&short))
                .expect_error(r#"next apply waits for it[\s\S]*did not reach a steady state|did not reach a steady state[\s\S]*next apply waits for it"#),
        )
        .step(
            Step::new(c(&long))
                .expect("ecs_service.s", Action::Replace)
                .check(count_is(&cluster, 1, &["SUCCESSFUL"]))
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
}

/// Ctrl-C while a new service's deployment bakes: the created service is kept in state without
/// a failure (so Terraform does not taint it), and the next apply updates it in place by
/// waiting on the same deployment: ListServiceDeployments shows that one deployment, SUCCESSFUL.
#[tokio::test]
async fn ctrl_c_during_a_create_keeps_the_service_and_the_next_apply_resumes_its_deployment() {
    let test = "ctrl_c_during_a_create_keeps_the_service_and_the_next_apply_resumes_its_deployment";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let (endpoint, cluster, family, subnet) = setup(
        &["--steady-seconds", "0.5", "--bake-seconds-per-minute", "1"],
        "acc-cint",
    )
    .await;
    let ecs = endpoint.ecs_client().await;
    let work = tempfile::tempdir().unwrap();
    let tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    tf.write_config(&config(
        &cluster,
        &family,
        &subnet,
        "nginx:1.25",
        &blue_green(8, ""),
    ))
    .unwrap();
    let mut apply = tf.spawn(&["apply", "-auto-approve", "-no-color"]).unwrap();
    let baking = newest_baking(&ecs, &cluster, 1).await;
    let arn = baking.unwrap_or_else(|| panic!("the create never baked:\n{}", tf.spawned_output()));
    let pid = apply.id().expect("running") as i32;
    // SAFETY: sends SIGINT to our own child, as Ctrl-C in a terminal would.
    unsafe { libc::kill(pid, libc::SIGINT) };
    tokio::time::timeout(std::time::Duration::from_secs(120), apply.wait())
        .await
        .unwrap()
        .unwrap();
    let output = tf.spawned_output();
    assert!(output.contains("interrupted"), "{output}");
    let plan = tf
        .plan(None)
        .await
        .unwrap_or_else(|out| panic!("plan failed:\n{}", out.combined()));
    let text = plan.combined();
    assert!(
        text.contains("ecs_service.s will be updated in-place"),
        "the kept service is resumed in place, not replaced:\n{text}"
    );
    tf.apply()
        .await
        .unwrap_or_else(|out| panic!("the resuming apply failed:\n{}", out.combined()));
    let seen = listed(&ecs, &cluster).await.unwrap();
    assert_eq!(seen, vec![(arn, "SUCCESSFUL".to_string())]);
    tf.destroy()
        .await
        .unwrap_or_else(|out| panic!("destroy failed:\n{}", out.combined()));
}
