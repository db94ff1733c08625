//! Where a service runs, as real ECS decides it: a service with neither `launch_type` nor a
//! strategy inherits the cluster's default capacity-provider strategy (never a diff, never a
//! replacement), and moving a service to a cluster that is being replaced replaces the service
//! in the same apply, with or without `create_before_destroy`, leaving nothing behind.

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, endpoint_url, real_aws,
    skip_without_acc, unique_name,
};
use serde_json::json;

async fn subnet() -> String {
    if real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        default_subnet(&endpoint_url())
            .await
            .expect("a default subnet")
    }
}

fn inherit_config(cluster: &str, family: &str, subnet: &str, image: &str, count: u32) -> String {
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

resource "ecs_cluster_capacity_providers" "c" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    weight            = 1
  }}
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name  = "web"
    image = "{image}"
  }}])
}}

# Neither launch_type nor capacity_provider_strategy: the cluster's default strategy applies.
resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  desired_count   = {count}
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  depends_on = [ecs_cluster_capacity_providers.c]
}}
"#
    )
}

async fn runs_on_the_cluster_default(ctx: Ctx, cluster: String) -> acceptance_tests::CheckResult {
    let out = ctx
        .ecs()
        .await
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await?;
    let s = out.services().first().ok_or("service not found")?;
    let providers: Vec<&str> = s
        .capacity_provider_strategy()
        .iter()
        .map(|i| i.capacity_provider())
        .collect();
    if providers == ["FARGATE"] && s.launch_type().is_none() {
        Ok(())
    } else {
        Err(format!(
            "ECS reports strategy {providers:?} and launch type {:?}",
            s.launch_type()
        )
        .into())
    }
}

#[tokio::test]
async fn service_on_the_cluster_default_strategy_has_no_diff_and_updates_in_place() {
    let name = "service_on_the_cluster_default_strategy_has_no_diff_and_updates_in_place";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = (
        unique_name("acc-inherit"),
        unique_name("acc-inherit-td"),
        subnet().await,
    );
    let cfg = |image: &str, count: u32| inherit_config(&cluster, &family, &subnet, image, count);
    let (c1, c2) = (cluster.clone(), cluster.clone());
    TestCase::new(name)
        .step(
            Step::new(cfg("nginx:1.25", 1))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_null("ecs_service.s", "launch_type"))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "capacity_provider_strategy",
                    json!([]),
                ))
                .check(StateCheck::custom(
                    "ECS placed the service with the cluster's default strategy",
                    move |ctx| runs_on_the_cluster_default(ctx, c1.clone()),
                )),
        )
        .step(Step::new(cfg("nginx:1.25", 2)).expect("ecs_service.s", Action::Update))
        .step(
            Step::new(cfg("nginx:1.27", 2))
                .expect("ecs_task_definition.t", Action::Update)
                .expect("ecs_service.s", Action::Update),
        )
        .step(Step::import(
            // Imported, the strategy ECS reports equals the cluster's default: it is the
            // cluster's, and the imported state matches the one created here.
            ImportStep::command("ecs_service.s", ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts"]),
        ))
        .check_destroy(move |ctx| {
            let cluster = c2.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

fn rename_config(cluster: &str, family: &str, subnet: &str, cbd: bool) -> String {
    let lifecycle = if cbd {
        "lifecycle {\n    create_before_destroy = true\n  }"
    } else {
        ""
    };
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

# The cluster ARN is unknown while the renamed cluster is planned: the service must be
# planned for replacement then, not for an update that the cluster's delete would wait on.
resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.arn
  task_definition = ecs_task_definition.t.arn
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  {lifecycle}
}}
"#
    )
}

async fn renaming_the_cluster_replaces_the_service(name: &str, cbd: bool) {
    if skip_without_acc(name) {
        return;
    }
    let (old, new, family, subnet) = (
        unique_name("acc-ren"),
        unique_name("acc-ren"),
        unique_name("acc-ren-td"),
        subnet().await,
    );
    let (old1, old2, new1) = (old.clone(), old.clone(), new.clone());
    TestCase::new(name)
        .step(Step::new(rename_config(&old, &family, &subnet, cbd)))
        .step(
            Step::new(rename_config(&new, &family, &subnet, cbd))
                .expect("ecs_cluster.c", Action::Replace)
                .expect("ecs_service.s", Action::Replace)
                .check(StateCheck::attr_regex(
                    "ecs_service.s",
                    "arn",
                    &format!("service/{new}/web$"),
                ))
                .check(StateCheck::custom(
                    "the old cluster and its service are gone",
                    move |ctx| {
                        let old = old1.clone();
                        async move {
                            let out = ctx
                                .ecs()
                                .await
                                .describe_services()
                                .cluster(&old)
                                .services("web")
                                .send()
                                .await;
                            if let Ok(out) = out
                                && let Some(s) = out
                                    .services()
                                    .iter()
                                    .find(|s| s.status() != Some("INACTIVE"))
                            {
                                return Err(format!("old service is {:?}", s.status()).into());
                            }
                            ctx.cluster_gone(&old).await
                        }
                    },
                )),
        )
        .check_destroy(move |ctx| {
            let (old, new) = (old2.clone(), new1.clone());
            async move {
                ctx.cluster_gone(&old).await?;
                ctx.cluster_gone(&new).await
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn renaming_the_cluster_of_a_running_service_replaces_both_in_one_apply() {
    renaming_the_cluster_replaces_the_service(
        "renaming_the_cluster_of_a_running_service_replaces_both_in_one_apply",
        false,
    )
    .await;
}

#[tokio::test]
async fn renaming_the_cluster_with_create_before_destroy_replaces_both_in_one_apply() {
    renaming_the_cluster_replaces_the_service(
        "renaming_the_cluster_with_create_before_destroy_replaces_both_in_one_apply",
        true,
    )
    .await;
}
