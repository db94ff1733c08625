//! Provider functions through the real CLI: each function's result read back with
//! `terraform output -json`, the errors of a malformed ARN and of invalid JSON shown at the
//! argument with the provider's message, and `container_definitions_equal` agreeing with the plan
//! of `ecs_task_definition`. Functions exist in OpenTofu since 1.7, so everything runs under both.

use acceptance_tests::{Action, StateCheck, Step, Terraform, TestCase, env, skip_without_acc};
use serde_json::{Value, json};

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

/// A working directory with `outputs` as its configuration (no AWS needed).
fn runner(test: &str, outputs: &str) -> (tempfile::TempDir, Terraform) {
    env::check_provider_bin().unwrap_or_else(|e| panic!("{test}: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let tf = Terraform::new(dir.path(), None).unwrap();
    tf.write_config(&format!("{HEADER}\n{outputs}")).unwrap();
    (dir, tf)
}

/// `terraform apply`, then the outputs' values from `terraform output -json`.
async fn outputs(test: &str, config: &str) -> Value {
    let (_dir, tf) = runner(test, config);
    tf.apply()
        .await
        .unwrap_or_else(|out| panic!("{test}: {out}"));
    let all = tf
        .output_json()
        .await
        .unwrap_or_else(|out| panic!("{test}: {out}"));
    let values: serde_json::Map<String, Value> = all
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    Value::Object(values)
}

/// `terraform apply` must fail; the output with Terraform's box frame and wrapping removed.
async fn failure(test: &str, config: &str) -> String {
    let (_dir, tf) = runner(test, config);
    let out = tf.apply().await.expect_err("apply must fail");
    out.combined()
        .lines()
        .map(|l| l.trim_start_matches(['│', '╷', '╵']).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn arn_parse_splits_ecs_and_parameter_arns() {
    let test = "arn_parse_splits_ecs_and_parameter_arns";
    if skip_without_acc(test) {
        return;
    }
    let p = "arn:aws:ecs:us-east-1:123456789012";
    let config = format!(
        r#"
output "new_service" {{ value = provider::ecs::arn_parse("{p}:service/web/api") }}
output "old_service" {{ value = provider::ecs::arn_parse("{p}:service/api") }}
output "task_definition" {{ value = provider::ecs::arn_parse("{p}:task-definition/web:7") }}
output "task_set" {{ value = provider::ecs::arn_parse("{p}:task-set/web/api/ecs-svc/42") }}
output "parameter" {{ value = provider::ecs::arn_parse("arn:aws:ssm:us-east-1:123456789012:parameter/app/db") }}
"#
    );
    let out = outputs(test, &config).await;
    assert_eq!(
        out["new_service"],
        json!({
            "partition": "aws", "service": "ecs", "region": "us-east-1",
            "account_id": "123456789012", "resource_type": "service",
            "resource": "service/web/api", "cluster": "web", "name": "api", "revision": null
        })
    );
    assert_eq!(out["old_service"]["cluster"], Value::Null);
    assert_eq!(out["old_service"]["name"], "api");
    assert_eq!(out["task_definition"]["name"], "web");
    assert_eq!(out["task_definition"]["revision"], 7);
    assert_eq!(out["task_set"]["cluster"], "web");
    assert_eq!(out["task_set"]["name"], "ecs-svc/42");
    assert_eq!(out["parameter"]["service"], "ssm");
    assert_eq!(out["parameter"]["name"], "/app/db");
}

#[tokio::test]
async fn a_malformed_arn_fails_at_the_argument_saying_what_is_expected() {
    let test = "a_malformed_arn_fails_at_the_argument_saying_what_is_expected";
    if skip_without_acc(test) {
        return;
    }
    let text = failure(
        test,
        r#"output "x" { value = provider::ecs::arn_parse("arn:aws:ecs:us-east-1:123456789012:task-definition/web") }"#,
    )
    .await;
    assert!(text.contains("Invalid function argument"), "{text}");
    assert!(
        text.contains(r#"Invalid value for "arn" parameter"#),
        "{text}"
    );
    assert!(text.contains("is not FAMILY:REVISION"), "{text}");
    assert!(
        text.contains("Expected arn:PARTITION:ecs:REGION:ACCOUNT"),
        "{text}"
    );
}

#[tokio::test]
async fn container_definitions_functions_compare_and_normalise() {
    let test = "container_definitions_functions_compare_and_normalise";
    if skip_without_acc(test) {
        return;
    }
    let config = r#"
locals {
  written  = jsonencode([{ name = "web", image = "nginx", portMappings = [{ containerPort = 80 }] }])
  answered = jsonencode([{ Name = "web", Image = "nginx", essential = true, cpu = 0, portMappings = [{ containerPort = 80, hostPort = 80, protocol = "tcp" }] }])
}
output "equal_awsvpc" { value = provider::ecs::container_definitions_equal(local.written, local.answered, "awsvpc") }
output "equal_bridge" { value = provider::ecs::container_definitions_equal(local.written, local.answered) }
output "normalized" { value = provider::ecs::container_definitions_normalize(local.written, "awsvpc") }
output "normalized_answer" { value = provider::ecs::container_definitions_normalize(local.answered, "awsvpc") }
"#;
    let out = outputs(test, config).await;
    assert_eq!(out["equal_awsvpc"], true);
    // Without awsvpc an omitted hostPort is dynamic, so 80 differs.
    assert_eq!(out["equal_bridge"], false);
    assert_eq!(out["normalized"], out["normalized_answer"]);
    assert_eq!(
        out["normalized"],
        r#"[{"cpu":0,"essential":true,"image":"nginx","name":"web","portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}]}]"#
    );
}

#[tokio::test]
async fn invalid_container_json_fails_at_the_argument_with_the_parse_error() {
    let test = "invalid_container_json_fails_at_the_argument_with_the_parse_error";
    if skip_without_acc(test) {
        return;
    }
    let text = failure(
        test,
        r#"output "x" { value = provider::ecs::container_definitions_equal("[]", "[{\"name\": ") }"#,
    )
    .await;
    assert!(
        text.contains(r#"Invalid value for "b" parameter"#),
        "{text}"
    );
    assert!(
        text.contains("argument 1: container_definitions: is not valid JSON"),
        "{text}"
    );
}

#[tokio::test]
async fn fargate_sizes_lists_the_plan_rule_table() {
    let test = "fargate_sizes_lists_the_plan_rule_table";
    if skip_without_acc(test) {
        return;
    }
    let config = r#"
output "all" { value = provider::ecs::fargate_sizes() }
output "one_vcpu" { value = [for s in provider::ecs::fargate_sizes() : s.memory if s.cpu == 1024] }
"#;
    let out = outputs(test, config).await;
    assert_eq!(out["all"].as_array().unwrap().len(), 74);
    assert_eq!(out["all"][0], json!({ "cpu": 256, "memory": 512 }));
    assert_eq!(
        out["one_vcpu"],
        json!([2048, 3072, 4096, 5120, 6144, 7168, 8192])
    );
}

/// A module's variable validation with `fargate_sizes` refuses at plan what the task definition
/// would refuse.
#[tokio::test]
async fn a_size_outside_fargate_sizes_fails_a_variable_validation() {
    let test = "a_size_outside_fargate_sizes_fails_a_variable_validation";
    if skip_without_acc(test) {
        return;
    }
    let text = failure(
        test,
        r#"
variable "size" {
  type    = object({ cpu = number, memory = number })
  default = { cpu = 256, memory = 4096 }
  validation {
    condition     = contains(provider::ecs::fargate_sizes(), var.size)
    error_message = "Not a Fargate size."
  }
}
"#,
    )
    .await;
    assert!(text.contains("Not a Fargate size."), "{text}");
}

fn task_definition(family: &str, containers: &str, check: &str) -> String {
    format!(
        r#"{HEADER}
locals {{
  containers = jsonencode({containers})
  first      = jsonencode([{{ name = "web", image = "nginx:1", portMappings = [{{ containerPort = 8080 }}] }}])
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = local.containers
}}

output "equal_to_first" {{
  value = provider::ecs::container_definitions_equal(local.first, {check}, "awsvpc")
}}
"#
    )
}

fn output_is(name: &'static str, expected: bool) -> StateCheck {
    StateCheck::custom(
        &format!("output {name} is {expected}"),
        move |ctx| async move {
            let got = &ctx.state()["values"]["outputs"][name]["value"];
            if *got == json!(expected) {
                Ok(())
            } else {
                Err(format!("output {name} is {got}").into())
            }
        },
    )
}

/// The spelling the resource plans as no change compares equal; the one it updates for does not.
#[tokio::test]
async fn container_definitions_equal_agrees_with_the_task_definition_plan() {
    let family = acceptance_tests::unique_name("fn-equal");
    let first =
        r#"[{ name = "web", image = "nginx:1", portMappings = [{ containerPort = 8080 }] }]"#;
    let respelled = r#"[{ Image = "nginx:1", Name = "web", essential = true, cpu = 0, portMappings = [{ containerPort = 8080, hostPort = 8080, protocol = "tcp" }] }]"#;
    let changed =
        r#"[{ name = "web", image = "nginx:2", portMappings = [{ containerPort = 8080 }] }]"#;
    TestCase::new("container_definitions_equal_agrees_with_the_task_definition_plan")
        .step(
            Step::new(task_definition(&family, first, "local.containers"))
                .expect("ecs_task_definition.t", Action::Create)
                .check(output_is("equal_to_first", true)),
        )
        .step(
            Step::new(task_definition(&family, respelled, "local.containers"))
                .expect("ecs_task_definition.t", Action::NoOp)
                .check(output_is("equal_to_first", true)),
        )
        .step(
            Step::new(task_definition(&family, changed, "local.containers"))
                .expect("ecs_task_definition.t", Action::Update)
                .check(output_is("equal_to_first", false)),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}
