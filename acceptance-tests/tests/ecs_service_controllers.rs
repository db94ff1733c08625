//! `ecs_service` with each deployment controller, as ECS runs them: CODE_DEPLOY services report
//! task sets and no deployments (steady when the PRIMARY task set is), EXTERNAL services have no
//! task definition (steady when ACTIVE). Both apply in seconds with default settings; a short
//! create timeout makes a wait that never ends fail the test instead of hanging it.

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, StateCheck, Step, TestCase, endpoint_url, real_aws, skip_without_acc, unique_name,
};
use serde_json::json;

fn config(cluster: &str, family: &str, subnet: &str, service: &str) -> String {
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
    name  = "web"
    image = "nginx:1.25"
  }}])
}}

resource "ecs_service" "s" {{
  name          = "web"
  cluster       = ecs_cluster.c.name
  desired_count = 2
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  timeouts {{
    create = "90s"
  }}
  {service}
}}
"#
    )
}

async fn names(prefix: &str) -> (String, String, String) {
    let subnet = if real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        default_subnet(&endpoint_url())
            .await
            .expect("a default subnet")
    };
    (unique_name(prefix), unique_name("acc-ctl-td"), subnet)
}

#[tokio::test]
async fn code_deploy_service_is_steady_when_its_primary_task_set_is() {
    let name = "code_deploy_service_is_steady_when_its_primary_task_set_is";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = names("acc-cd").await;
    let body = r#"task_definition = ecs_task_definition.t.arn
  launch_type     = "FARGATE"
  deployment_controller {
    type = "CODE_DEPLOY"
  }"#;
    let (c1, c2) = (cluster.clone(), cluster.clone());
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, &subnet, body))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "deployment_controller.type",
                    json!("CODE_DEPLOY"),
                ))
                .check(StateCheck::custom(
                    "the PRIMARY task set runs every task when the apply returns",
                    move |ctx| {
                        let cluster = c1.clone();
                        async move {
                            let out = ctx
                                .ecs()
                                .await
                                .describe_services()
                                .cluster(&cluster)
                                .services("web")
                                .send()
                                .await?;
                            let s = out.services().first().ok_or("no service")?;
                            let set = s
                                .task_sets()
                                .iter()
                                .find(|t| t.status() == Some("PRIMARY"))
                                .ok_or("no PRIMARY task set")?;
                            let stable = set.stability_status().map(|s| s.as_str());
                            if stable == Some("STEADY_STATE") && set.running_count() == 2 {
                                Ok(())
                            } else {
                                Err(format!("{stable:?}, {} running", set.running_count()).into())
                            }
                        }
                    },
                )),
        )
        .check_destroy(move |ctx| {
            let cluster = c2.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn external_service_runs_without_a_task_definition() {
    let name = "external_service_runs_without_a_task_definition";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = names("acc-ext").await;
    let body = r#"deployment_controller {
    type = "EXTERNAL"
  }"#;
    let gone = cluster.clone();
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, &subnet, body))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_null("ecs_service.s", "task_definition"))
                .check(StateCheck::attr_null("ecs_service.s", "launch_type")),
        )
        .step(
            Step::new(
                config(&cluster, &family, &subnet, body)
                    .replace("desired_count = 2", "desired_count = 3"),
            )
            .expect("ecs_service.s", Action::Update),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn service_without_a_task_definition_fails_at_plan_unless_external() {
    let name = "service_without_a_task_definition_fails_at_plan_unless_external";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = names("acc-notd").await;
    let body = r#"launch_type = "FARGATE"
  deployment_controller {
    type = "CODE_DEPLOY"
  }"#;
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, &subnet, body))
                .expect_plan_error("task_definition is required"),
        )
        .run()
        .await;
}
