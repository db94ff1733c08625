//! Data sources `ecs_cluster` and `ecs_secret` read what resources (or anybody) made; a missing
//! object is an error naming the attribute; secret values stay out unless asked for.

use acceptance_tests::{StateCheck, Step, TestCase, unique_name};
use serde_json::json;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

#[tokio::test]
async fn data_sources_read_clusters_and_secrets() {
    let cluster = unique_name("acc-data");
    let secret = format!("/acc/{}", unique_name("data"));
    let config = format!(
        r#"{HEADER}
resource "ecs_cluster" "c" {{
  name               = "{cluster}"
  container_insights = "enabled"
  tags               = {{ team = "web" }}
}}

resource "ecs_cluster_capacity_providers" "p" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    weight            = 1
  }}
}}

resource "ecs_secret" "s" {{
  name  = "{secret}"
  value = "data-source-secret"
}}

data "ecs_cluster" "by_name" {{
  name       = ecs_cluster.c.name
  depends_on = [ecs_cluster_capacity_providers.p]
}}

data "ecs_cluster" "by_arn" {{
  name       = ecs_cluster.c.arn
  depends_on = [ecs_cluster_capacity_providers.p]
}}

data "ecs_secret" "meta" {{
  name = ecs_secret.s.name
}}

data "ecs_secret" "decrypted" {{
  name            = ecs_secret.s.name
  with_decryption = true
}}
"#
    );
    TestCase::new("data_sources_read")
        .step(
            Step::new(config)
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "status",
                    json!("ACTIVE"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "container_insights",
                    json!("enabled"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "capacity_providers",
                    json!(["FARGATE"]),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "tags",
                    json!({"team": "web"}),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "active_services_count",
                    json!(0),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_cluster.by_name",
                    "default_capacity_provider_strategy",
                    json!([{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]),
                ))
                .check(StateCheck::attr_regex(
                    "data.ecs_cluster.by_arn",
                    "arn",
                    &format!("cluster/{cluster}$"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.meta",
                    "type",
                    json!("SecureString"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.meta",
                    "version",
                    json!(1),
                ))
                .check(StateCheck::attr_null("data.ecs_secret.meta", "value"))
                .check(StateCheck::attr_regex(
                    "data.ecs_secret.meta",
                    "arn",
                    "^arn:aws:ssm:",
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.decrypted",
                    "value",
                    json!("data-source-secret"),
                )),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

#[tokio::test]
async fn data_sources_report_missing_objects() {
    let missing = unique_name("missing");
    TestCase::new("data_sources_missing")
        .step(
            Step::new(format!(
                r#"{HEADER}
data "ecs_cluster" "c" {{
  name = "{missing}"
}}"#
            ))
            .expect_error(&format!(r#"No ACTIVE ECS cluster named "{missing}""#)),
        )
        .step(
            Step::new(format!(
                r#"{HEADER}
data "ecs_secret" "s" {{
  name = "/{missing}"
}}"#
            ))
            .expect_error(&format!(r#"No parameter named "/{missing}""#)),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

#[tokio::test]
async fn data_sources_read_services_and_task_definitions() {
    if acceptance_tests::skip_without_acc("data_sources_read_services_and_task_definitions") {
        return;
    }
    let cluster = unique_name("acc-data-svc");
    let family = unique_name("acc-data-td");
    let subnet = acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
        .await
        .unwrap();
    let config = format!(
        r#"{HEADER}
resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{{ name = "web", image = "nginx:1", portMappings = [{{ containerPort = 80 }}] }}])
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  launch_type     = "FARGATE"
  desired_count   = 2
  network_configuration {{
    subnets = ["{subnet}"]
  }}
}}

data "ecs_service" "s" {{
  cluster = ecs_cluster.c.name
  name    = ecs_service.s.name
}}

data "ecs_task_definition" "latest" {{
  task_definition = ecs_task_definition.t.family
  depends_on      = [ecs_task_definition.t]
}}
"#
    );
    TestCase::new("data_sources_services")
        .step(
            Step::new(config)
                .check(StateCheck::attr_eq(
                    "data.ecs_service.s",
                    "status",
                    json!("ACTIVE"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.s",
                    "desired_count",
                    json!(2),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.s",
                    "running_count",
                    json!(2),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_service.s",
                    "launch_type",
                    json!("FARGATE"),
                ))
                .check(StateCheck::attr_regex(
                    "data.ecs_service.s",
                    "task_definition",
                    &format!("{family}:1$"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_task_definition.latest",
                    "revision",
                    json!(1),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_task_definition.latest",
                    "status",
                    json!("ACTIVE"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_task_definition.latest",
                    "cpu",
                    json!("256"),
                ))
                .check(StateCheck::attr_regex(
                    "data.ecs_task_definition.latest",
                    "container_definitions",
                    r#""containerPort":80"#,
                )),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}
