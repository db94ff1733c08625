//! `ecs_service` end to end with the real Terraform CLI against the fidelity layer (services
//! that deploy, drain and fail like ECS's): create and wait for steady state → empty plan → a
//! new task-definition revision updates the service in place in the same apply → the cluster
//! spelled as name or ARN is no change → desired_count drift → import by `cluster/name` and ARN
//! → capacity-provider strategy deploys in place → destroy drains the service before the cluster
//! goes. A failing deployment fails the apply at once with the circuit breaker's reason.

use std::sync::Arc;

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, Ctx, Endpoint, ImportId, ImportStep, StateCheck, Step, TestCase, endpoint_url,
    real_aws, skip_without_acc, unique_name,
};
use serde_json::json;

struct Names {
    cluster: String,
    family: String,
    subnet: String,
}

fn config(n: &Names, image: &str, cluster_ref: &str, service_body: &str) -> String {
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
  cluster         = {cluster_ref}
  task_definition = ecs_task_definition.t.arn
  desired_count   = 2
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}
  {service_body}
  depends_on = [ecs_cluster_capacity_providers.c]
}}
"#,
        cluster = n.cluster,
        family = n.family,
        subnet = n.subnet,
    )
}

fn service_only(n: &Names) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = "{cluster}"
  task_definition = "{family}:2"
  desired_count   = 2
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}
}}
"#,
        cluster = n.cluster,
        family = n.family,
        subnet = n.subnet,
    )
}

async fn service_gone(ctx: Ctx, cluster: String) -> acceptance_tests::CheckResult {
    // Every test runs a service "web"; only the lifecycle test renames it to "web-v2".
    ctx.service_gone(&cluster, "web").await?;
    match ctx.service_gone(&cluster, "web-v2").await {
        Err(e) if e.to_string().contains("knows no service") => {}
        other => other?,
    }
    ctx.cluster_gone(&cluster).await
}

async fn names(prefix: &str) -> Names {
    let subnet = if real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        default_subnet(&endpoint_url())
            .await
            .expect("a default subnet")
    };
    Names {
        cluster: unique_name(prefix),
        family: unique_name("acc-svc-td"),
        subnet,
    }
}

#[tokio::test]
async fn service_lifecycle() {
    if skip_without_acc("service_lifecycle") {
        return;
    }
    let n = names("acc-svc").await;
    let fargate = r#"launch_type = "FARGATE""#;
    let cluster = n.cluster.clone();
    let drift_cluster = n.cluster.clone();
    let gone = n.cluster.clone();
    TestCase::new("service_lifecycle")
        .step(
            Step::new(config(&n, "nginx:1.25", "ecs_cluster.c.arn", fargate))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_regex(
                    "ecs_service.s",
                    "arn",
                    &format!("service/{cluster}/web$"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "platform_version",
                    json!("LATEST"),
                ))
                .check(StateCheck::custom("the service is steady", move |ctx| {
                    let cluster = drift_cluster.clone();
                    async move {
                        let out = ctx
                            .ecs()
                            .await
                            .describe_services()
                            .cluster(&cluster)
                            .services("web")
                            .send()
                            .await?;
                        let s = &out.services()[0];
                        if s.running_count() == 2 && s.deployments().len() == 1 {
                            Ok(())
                        } else {
                            Err(format!(
                                "running {} with {} deployments",
                                s.running_count(),
                                s.deployments().len()
                            )
                            .into())
                        }
                    }
                })),
        )
        .step(
            Step::new(config(&n, "nginx:1.27", "ecs_cluster.c.arn", fargate))
                .expect("ecs_task_definition.t", Action::Update)
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::attr_regex(
                    "ecs_service.s",
                    "task_definition",
                    ":2$",
                )),
        )
        .step(
            Step::new(config(&n, "nginx:1.27", "ecs_cluster.c.name", fargate))
                .expect("ecs_service.s", Action::NoOp),
        )
        .step(
            Step::new(config(&n, "nginx:1.27", "ecs_cluster.c.name", fargate))
                .pre_step(move |ctx| async move {
                    let cluster = ctx.attr_string("ecs_cluster.c", "name")?;
                    ctx.ecs()
                        .await
                        .update_service()
                        .cluster(&cluster)
                        .service("web")
                        .desired_count(5)
                        .send()
                        .await?;
                    Ok(())
                })
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "desired_count",
                    json!(2),
                )),
        )
        .step(Step::import(
            // State keeps the cluster's first spelling (its ARN); import reads the name. Both
            // are the same cluster: the plan after importing is empty (checked by the block
            // import below, whose plan must be a no-op).
            ImportStep::command(
                "ecs_service.s",
                ImportId::Fixed(format!("{}/web", n.cluster)),
            )
            .ignore(&["timeouts", "cluster"]),
        ))
        .step(
            // Only the service, referring to the cluster by name and to the revision as
            // `family:2`: the import plans no change.
            Step::import(
                ImportStep::block("ecs_service.s", ImportId::FromState("arn".into())).ignore(&[
                    "timeouts",
                    "cluster",
                    "task_definition",
                ]),
            )
            .with_config(service_only(&n)),
        )
        .step(
            Step::new(config(
                &n,
                "nginx:1.27",
                "ecs_cluster.c.name",
                r#"capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }"#,
            ))
            .expect("ecs_service.s", Action::Update)
            .check(StateCheck::attr_null("ecs_service.s", "launch_type")),
        )
        .step(
            Step::new(
                config(
                    &n,
                    "nginx:1.27",
                    "ecs_cluster.c.name",
                    r#"capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }"#,
                )
                .replace(
                    r#"name            = "web""#,
                    r#"name            = "web-v2""#,
                ),
            )
            .expect("ecs_service.s", Action::Replace)
            .check(StateCheck::attr_regex(
                "ecs_service.s",
                "arn",
                "service/.*/web-v2$",
            )),
        )
        .check_destroy(move |ctx| service_gone(ctx, gone.clone()))
        .run()
        .await;
}

#[tokio::test]
async fn service_failed_deployment_fails_the_apply_with_the_reason() {
    if skip_without_acc("service_failed_deployment_fails_the_apply_with_the_reason") || real_aws() {
        return;
    }
    let endpoint =
        Arc::new(Endpoint::start(&["--fail-deployments", "--steady-seconds", "0.5"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let n = Names {
        cluster: unique_name("acc-svc-fail"),
        family: unique_name("acc-svc-fail-td"),
        subnet,
    };
    let gone = n.cluster.clone();
    TestCase::new("service_failed_deployment")
        .endpoint(endpoint)
        .step(
            Step::new(config(
                &n,
                "nginx:broken",
                "ecs_cluster.c.name",
                r#"launch_type = "FARGATE""#,
            ))
            .expect_error("ECS deployment circuit breaker: tasks failed to start"),
        )
        .check_destroy(move |ctx| service_gone(ctx, gone.clone()))
        .run()
        .await;
}

#[tokio::test]
async fn service_invalid_input_fails_at_plan() {
    if skip_without_acc("service_invalid_input_fails_at_plan") {
        return;
    }
    let n = names("acc-svc-bad").await;
    TestCase::new("service_invalid_input")
        .step(
            Step::new(config(
                &n,
                "nginx:1",
                "ecs_cluster.c.name",
                r#"launch_type = "FARGATE"
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }"#,
            ))
            .expect_plan_error("launch_type and capacity_provider_strategy exclude each other"),
        )
        .run()
        .await;
}

/// A Fargate platform older than 1.3.0 cannot inject Parameter Store secrets: the plan fails
/// once the task definition is known (it is looked up), naming the container and the secret.
#[tokio::test]
async fn service_platform_too_old_for_ssm_secrets_fails_at_plan() {
    if skip_without_acc("service_platform_too_old_for_ssm_secrets_fails_at_plan") {
        return;
    }
    let n = names("acc-svc-pv").await;
    let base = format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_secret" "db" {{
  name  = "/{cluster}/db"
  value = "secret"
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name    = "web"
    image   = "nginx:1"
    secrets = [{{ name = "DB", valueFrom = ecs_secret.db.arn }}]
  }}])
}}
"#,
        cluster = n.cluster,
        family = n.family,
    );
    let with_service = format!(
        r#"{base}
resource "ecs_service" "s" {{
  name             = "web"
  cluster          = ecs_cluster.c.name
  task_definition  = ecs_task_definition.t.arn
  launch_type      = "FARGATE"
  platform_version = "1.2.0"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
}}
"#,
        subnet = n.subnet
    );
    TestCase::new("service_platform_too_old")
        .step(Step::new(base.clone()))
        .step(Step::new(with_service).expect_plan_error(
            r#"cannot inject secrets from Parameter Store, and container "web" reads"#,
        ))
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// The cluster is deleted outside Terraform, and ECS no longer knows it: DescribeServices
/// answers `ClusterNotFoundException`, which means the service is gone too. Refresh removes it
/// from state and the plan creates it again, without an error.
#[tokio::test]
async fn service_whose_cluster_is_gone_is_planned_for_creation() {
    if skip_without_acc("service_whose_cluster_is_gone_is_planned_for_creation") || real_aws() {
        return;
    }
    let endpoint =
        Arc::new(Endpoint::start(&["--forget-deleted-clusters", "--drain-seconds", "0"]).unwrap());
    let cluster = unique_name("acc-svc-gone");
    let config = format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_task_definition" "t" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "app", image = "nginx", memory = 64 }}])
}}

resource "ecs_service" "s" {{
  name                  = "web"
  cluster               = "{cluster}"
  task_definition       = ecs_task_definition.t.arn
  desired_count         = 0
  wait_for_steady_state = false
}}
"#,
        family = unique_name("acc-svc-gone-td"),
    );
    let (create, remove) = (cluster.clone(), cluster.clone());
    TestCase::new("service_whose_cluster_is_gone")
        .endpoint(endpoint)
        .step(
            Step::new(config.clone())
                .pre_step(move |ctx| {
                    let cluster = create.clone();
                    async move {
                        ctx.ecs()
                            .await
                            .create_cluster()
                            .cluster_name(cluster)
                            .send()
                            .await?;
                        Ok(())
                    }
                })
                .expect("ecs_service.s", Action::Create),
        )
        .step(
            Step::new(config)
                .pre_step(move |ctx| {
                    let cluster = remove.clone();
                    async move {
                        let ecs = ctx.ecs().await;
                        ecs.delete_service()
                            .cluster(&cluster)
                            .service("web")
                            .force(true)
                            .send()
                            .await?;
                        ecs.delete_cluster().cluster(&cluster).send().await?;
                        Ok(())
                    }
                })
                .plan_only()
                .expect_non_empty_plan()
                .expect("ecs_service.s", Action::Create)
                .expect("ecs_task_definition.t", Action::NoOp),
        )
        .run()
        .await;
}

/// The state of service "web" in `cluster` as ECS reports it: one COMPLETED deployment with
/// every desired task running, or why not.
async fn steady_now(ctx: &Ctx, cluster: &str) -> acceptance_tests::CheckResult {
    let out = ctx
        .ecs()
        .await
        .describe_services()
        .cluster(cluster)
        .services("web")
        .send()
        .await?;
    let s = out.services().first().ok_or("service not found")?;
    let rollouts: Vec<&str> = s
        .deployments()
        .iter()
        .map(|d| d.rollout_state().map(|r| r.as_str()).unwrap_or("?"))
        .collect();
    if rollouts == ["COMPLETED"] && s.running_count() == s.desired_count() {
        Ok(())
    } else {
        Err(format!(
            "not steady when the apply returned: deployments {rollouts:?}, {} of {} running",
            s.running_count(),
            s.desired_count()
        )
        .into())
    }
}

/// An update that deploys (a new image) returns only once ECS reports the service steady:
/// with deployments taking 4 s, a provider that did not wait would be seen mid-deployment.
#[tokio::test]
async fn service_update_returns_when_the_new_deployment_is_steady() {
    let test = "service_update_returns_when_the_new_deployment_is_steady";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Arc::new(Endpoint::start(&["--steady-seconds", "4"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let n = Names {
        cluster: unique_name("acc-svc-upd"),
        family: unique_name("acc-svc-upd-td"),
        subnet,
    };
    let fargate = r#"launch_type = "FARGATE""#;
    let (c1, c2, gone) = (n.cluster.clone(), n.cluster.clone(), n.cluster.clone());
    TestCase::new(test)
        .endpoint(endpoint)
        .step(
            Step::new(config(&n, "nginx:1.25", "ecs_cluster.c.name", fargate)).check(
                StateCheck::custom("steady after create", move |ctx| {
                    let cluster = c1.clone();
                    async move { steady_now(&ctx, &cluster).await }
                }),
            ),
        )
        .step(
            Step::new(config(&n, "nginx:1.27", "ecs_cluster.c.name", fargate))
                .expect("ecs_service.s", Action::Update)
                .check(StateCheck::custom("steady after the update", move |ctx| {
                    let cluster = c2.clone();
                    async move { steady_now(&ctx, &cluster).await }
                })),
        )
        .check_destroy(move |ctx| service_gone(ctx, gone.clone()))
        .run()
        .await;
}

/// A deployment started by an update that trips the circuit breaker fails the apply at once
/// with ECS's reason (not after the update timeout).
#[tokio::test]
async fn service_update_fails_at_once_when_its_deployment_fails() {
    let test = "service_update_fails_at_once_when_its_deployment_fails";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint =
        Arc::new(Endpoint::start(&["--fail-image", "broken", "--steady-seconds", "0.5"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let n = Names {
        cluster: unique_name("acc-svc-updfail"),
        family: unique_name("acc-svc-updfail-td"),
        subnet,
    };
    // A generous timeout: a wait that ignored the failure would end with "did not reach a
    // steady state" after 10 minutes, not with the breaker's reason.
    let body = r#"launch_type = "FARGATE"
  timeouts {
    update = "10m"
  }"#;
    let gone = n.cluster.clone();
    let started = std::time::Instant::now();
    TestCase::new(test)
        .endpoint(endpoint)
        .step(Step::new(config(&n, "nginx:1.25", "ecs_cluster.c.name", body)))
        .step(
            Step::new(config(&n, "nginx:broken", "ecs_cluster.c.name", body)).expect_error(
                r#"The deployment of service "web" failed[\s\S]*ECS deployment circuit breaker: tasks failed to start"#,
            ),
        )
        .check_destroy(move |ctx| service_gone(ctx, gone.clone()))
        .run()
        .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "the failed update was not reported at once"
    );
}
