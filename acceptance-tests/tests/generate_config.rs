//! `terraform plan -generate-config-out`: for each resource, an object made outside the
//! configuration (applied, then removed from state) is named by an `import` block; the plan
//! writes its configuration (Terraform asks the provider through GenerateResourceConfig,
//! OpenTofu derives it from the state itself), imports it with no change, and once applied
//! the next plan is empty.

#[path = "support/auto_scaling.rs"]
mod auto_scaling;

use acceptance_tests::env::{self, Cli};
use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{Terraform, endpoint_url, real_aws, skip_without_acc, unique_name};
use serde_json::Value;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

const GENERATED: &str = "generated.tf";

/// The text with runs of spaces squeezed: the CLI aligns the `=` of neighbouring attributes.
fn squeezed(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the provider wrote the configuration: Terraform asks it through
/// GenerateResourceConfig; OpenTofu writes every argument the state holds, defaults included.
fn by_provider() -> bool {
    env::cli() == Cli::Terraform
}

fn skip(test: &str) -> bool {
    skip_without_acc(test) || real_aws()
}

/// One object to adopt: the configuration that stays managed (`base`), the resource block that
/// makes the object (`target`, at `address`) and the import ID read from its state.
struct Adopt<'a> {
    base: String,
    target: String,
    address: &'a str,
    id: fn(&Value) -> String,
}

fn attr(values: &Value, name: &str) -> String {
    values[name]
        .as_str()
        .unwrap_or_else(|| panic!("no string {name} in {values}"))
        .to_string()
}

async fn state_values(tf: &Terraform, address: &str) -> Value {
    let state = tf.show_state_json().await.unwrap_or_else(|o| panic!("{o}"));
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("{address} not in state: {state}"))
}

/// Creates the object, forgets it, generates its configuration with an import block and returns
/// the runner and the generated file's text, after checking that the plan imports it without
/// a change. `edit` may change the generated text before the plan that must import cleanly.
async fn generate(
    test: &str,
    adopt: &Adopt<'_>,
    edit: impl Fn(String) -> String,
) -> (Terraform, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join(test);
    let tf = Terraform::new(&work, Some(&endpoint_url())).unwrap();
    tf.write_config(&format!("{HEADER}{}{}", adopt.base, adopt.target))
        .unwrap();
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));
    let id = (adopt.id)(&state_values(&tf, adopt.address).await);
    tf.state_rm(adopt.address)
        .await
        .unwrap_or_else(|o| panic!("{o}"));

    tf.write_config(&format!(
        "{HEADER}{}\nimport {{\n  to = {}\n  id = \"{id}\"\n}}\n",
        adopt.base, adopt.address
    ))
    .unwrap();
    let planned = tf.plan_generate_config(GENERATED).await;
    let text = std::fs::read_to_string(work.join(GENERATED))
        .unwrap_or_else(|e| panic!("{GENERATED} not written ({e}): {planned:?}"));
    let edited = edit(text.clone());
    if edited != text {
        tf.write_file(GENERATED, &edited).unwrap();
    }
    let planned = tf
        .plan(None)
        .await
        .unwrap_or_else(|o| panic!("generated:\n{edited}\n{o}"));
    assert!(
        planned
            .stdout
            .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "the generated configuration imports without a change:\n{edited}\n{planned}"
    );
    (tf, squeezed(&edited), dir)
}

/// Applies the import, checks the next plan is empty, destroys.
async fn adopt_and_destroy(tf: &Terraform, generated: &str) {
    tf.apply()
        .await
        .unwrap_or_else(|o| panic!("generated:\n{generated}\n{o}"));
    let after = tf.plan(None).await.unwrap_or_else(|o| panic!("{o}"));
    assert_eq!(
        after.status, 0,
        "empty plan after the import:\n{generated}\n{after}"
    );
    tf.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

fn cluster_block(name: &str) -> String {
    format!("\nresource \"ecs_cluster\" \"c\" {{\n  name = \"{name}\"\n}}\n")
}

fn task_definition_block(family: &str) -> String {
    format!(
        r#"
resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name         = "app"
    image        = "nginx:1.27"
    essential    = true
    portMappings = [{{ containerPort = 80, protocol = "tcp" }}]
    environment  = [{{ name = "MODE", value = "blue" }}]
  }}])
  tags = {{ team = "web" }}
}}
"#
    )
}

#[tokio::test]
async fn an_imported_cluster_gets_configuration_that_plans_no_change() {
    let test = "an_imported_cluster_gets_configuration_that_plans_no_change";
    if skip(test) {
        return;
    }
    let name = unique_name("acc-gen-cluster");
    let adopt = Adopt {
        base: String::new(),
        target: format!(
            r#"
resource "ecs_cluster" "c" {{
  name               = "{name}"
  container_insights = "enhanced"
  tags               = {{ team = "web" }}
}}
"#
        ),
        address: "ecs_cluster.c",
        id: |v| attr(v, "name"),
    };
    let (tf, generated, _dir) = generate(test, &adopt, |t| t).await;
    assert!(
        generated.contains(&format!("name = \"{name}\"")),
        "{generated}"
    );
    for read_only in ["arn ", "id ", "force_destroy"] {
        assert!(
            !by_provider() || !generated.contains(&format!("\n{read_only}")),
            "{read_only} is not written:\n{generated}"
        );
    }
    adopt_and_destroy(&tf, &generated).await;
}

#[tokio::test]
async fn an_imported_task_definition_gets_its_container_definitions_as_json() {
    let test = "an_imported_task_definition_gets_its_container_definitions_as_json";
    if skip(test) {
        return;
    }
    let family = unique_name("acc-gen-td");
    let adopt = Adopt {
        base: String::new(),
        target: task_definition_block(&family),
        address: "ecs_task_definition.t",
        id: |v| attr(v, "arn"),
    };
    let (tf, generated, _dir) = generate(test, &adopt, |t| t).await;
    assert!(
        generated.contains("container_definitions = jsonencode("),
        "{generated}"
    );
    // ECS's additions to every container are left out of the JSON.
    assert!(
        !by_provider() || !generated.contains("mountPoints"),
        "{generated}"
    );
    for read_only in ["arn ", "revision ", "arn_without_revision", "skip_destroy"] {
        assert!(
            !by_provider() || !generated.contains(&format!("\n{read_only}")),
            "{read_only} is not written:\n{generated}"
        );
    }
    adopt_and_destroy(&tf, &generated).await;
}

#[tokio::test]
async fn an_imported_service_gets_configuration_that_plans_no_change() {
    let test = "an_imported_service_gets_configuration_that_plans_no_change";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-gen-svc");
    let family = unique_name("acc-gen-svc-td");
    let subnet = default_subnet(&endpoint_url()).await.unwrap();
    let adopt = Adopt {
        base: format!(
            "{}{}",
            cluster_block(&cluster),
            task_definition_block(&family)
        ),
        target: format!(
            r#"
resource "ecs_service" "s" {{
  name                  = "web"
  cluster               = ecs_cluster.c.name
  task_definition       = ecs_task_definition.t.arn
  desired_count         = 0
  launch_type           = "FARGATE"
  wait_for_steady_state = false
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}
  tags = {{ team = "web" }}
}}
"#
        ),
        address: "ecs_service.s",
        id: |v| format!("{}/{}", attr(v, "cluster"), attr(v, "name")),
    };
    let (tf, generated, _dir) = generate(test, &adopt, |t| t).await;
    assert!(generated.contains(&subnet), "{generated}");
    // What ECS picks for a service that does not say.
    for default in ["availability_zone_rebalancing", "platform_version"] {
        assert!(
            !by_provider() || !generated.contains(&format!("\n{default} ")),
            "{default} is not written:\n{generated}"
        );
    }
    adopt_and_destroy(&tf, &generated).await;
}

#[tokio::test]
async fn an_imported_secret_gets_configuration_without_its_value() {
    let test = "an_imported_secret_gets_configuration_without_its_value";
    if skip(test) {
        return;
    }
    let name = format!("/{}/db-password", unique_name("acc-gen-secret"));
    let adopt = Adopt {
        base: String::new(),
        target: format!(
            r#"
resource "ecs_secret" "p" {{
  name        = "{name}"
  value       = "hunter2-generated"
  description = "database password"
}}
"#
        ),
        address: "ecs_secret.p",
        id: |v| attr(v, "name"),
    };
    // Terraform never writes a sensitive value into generated configuration: the user fills
    // it in, as they would from their secret store.
    let (tf, generated, _dir) = generate(test, &adopt, |t| {
        assert!(!t.contains("hunter2"), "the secret is not written:\n{t}");
        let t = squeezed(&t);
        assert!(t.contains("value = null # sensitive"), "{t}");
        t.replace("value = null # sensitive", "value = \"hunter2-generated\"")
    })
    .await;
    assert!(
        generated.contains("description = \"database password\""),
        "{generated}"
    );
    // The AWS-managed key and the standard tier are what Parameter Store picks by itself.
    for default in ["key_id", "tier"] {
        assert!(
            !by_provider() || !generated.contains(&format!("\n{default} ")),
            "{default} is not written:\n{generated}"
        );
    }
    adopt_and_destroy(&tf, &generated).await;
}

#[tokio::test]
async fn imported_cluster_capacity_providers_get_configuration_that_plans_no_change() {
    let test = "imported_cluster_capacity_providers_get_configuration_that_plans_no_change";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-gen-ccp");
    let adopt = Adopt {
        base: cluster_block(&cluster),
        target: r#"
resource "ecs_cluster_capacity_providers" "p" {
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
}
"#
        .into(),
        address: "ecs_cluster_capacity_providers.p",
        id: |v| attr(v, "cluster_name"),
    };
    let (tf, generated, _dir) = generate(test, &adopt, |t| t).await;
    assert!(generated.contains("FARGATE_SPOT"), "{generated}");
    adopt_and_destroy(&tf, &generated).await;
}

#[tokio::test]
async fn an_imported_capacity_provider_gets_configuration_that_plans_no_change() {
    let test = "an_imported_capacity_provider_gets_configuration_that_plans_no_change";
    if skip(test) {
        return;
    }
    let name = unique_name("acc-gen-cp");
    let group = auto_scaling::auto_scaling_group(&endpoint_url(), &name)
        .await
        .unwrap_or_else(|e| panic!("creating the Auto Scaling group {name}: {e}"));
    let adopt = Adopt {
        base: String::new(),
        target: format!(
            r#"
resource "ecs_capacity_provider" "p" {{
  name = "{name}"
  tags = {{ team = "web" }}
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{group}"
    managed_termination_protection = "DISABLED"
    managed_scaling {{
      status          = "ENABLED"
      target_capacity = 80
    }}
  }}
}}
"#
        ),
        address: "ecs_capacity_provider.p",
        id: |v| attr(v, "name"),
    };
    let (tf, generated, _dir) = generate(test, &adopt, |t| t).await;
    assert!(generated.contains("target_capacity"), "{generated}");
    for default in [
        "managed_draining",
        "instance_warmup_period",
        "maximum_scaling_step_size",
    ] {
        assert!(
            !by_provider() || !generated.contains(&format!("\n{default} ")),
            "{default} is not written:\n{generated}"
        );
    }
    adopt_and_destroy(&tf, &generated).await;
}
