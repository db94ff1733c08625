//! Self-tests of the step runner with `terraform_data` (built into Terraform, no provider
//! process, no AWS). Run with `TF_ACC=1`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use acceptance_tests::{
    Action, ImportId, ImportStep, PlanCheck, StateCheck, Step, TestCase, skip_without_acc,
    unique_name,
};
use serde_json::json;

fn data(input: &str, trigger: &str) -> String {
    format!(
        r#"
resource "terraform_data" "a" {{
  input            = "{input}"
  triggers_replace = ["{trigger}"]
}}
"#
    )
}

#[tokio::test]
async fn create_update_replace_import() {
    let value = unique_name("v");
    let destroyed = Arc::new(AtomicUsize::new(0));
    let seen = destroyed.clone();
    TestCase::new("create_update_replace_import")
        .without_aws()
        .step(
            Step::new(data(&value, "t1"))
                .expect("terraform_data.a", Action::Create)
                .plan_check(PlanCheck::unknown("terraform_data.a", "output"))
                .plan_check(PlanCheck::after_eq(
                    "terraform_data.a",
                    "input",
                    json!(value),
                ))
                .check(StateCheck::attr_eq(
                    "terraform_data.a",
                    "output",
                    json!(value),
                ))
                .check(StateCheck::attr_set("terraform_data.a", "id"))
                .check(StateCheck::attr_eq(
                    "terraform_data.a",
                    "triggers_replace.0",
                    json!("t1"),
                )),
        )
        .step(
            Step::new(data("two", "t1"))
                .expect("terraform_data.a", Action::Update)
                .check(StateCheck::attr_eq(
                    "terraform_data.a",
                    "output",
                    json!("two"),
                )),
        )
        .step(
            Step::new(data("two", "t2"))
                .expect("terraform_data.a", Action::Replace)
                .check(StateCheck::attr_regex(
                    "terraform_data.a",
                    "id",
                    "^[0-9a-f-]{36}$",
                )),
        )
        .step(
            Step::new(data("two", "t2"))
                .plan_only()
                .expect("terraform_data.a", Action::NoOp),
        )
        .step(
            Step::import(
                ImportStep::command("terraform_data.a", ImportId::FromState("id".into()))
                    // Only the ID survives an import of terraform_data.
                    .ignore(&["input", "output", "triggers_replace"]),
            )
            .check(StateCheck::attr_null("terraform_data.a", "input")),
        )
        .step(
            // With a configuration the imported object satisfies, the import block must plan
            // as a no-op import (the default expectation of block imports).
            Step::import(
                ImportStep::block("terraform_data.a", ImportId::FromState("id".into())).ignore(&[
                    "input",
                    "output",
                    "triggers_replace",
                ]),
            )
            .with_config(r#"resource "terraform_data" "a" {}"#),
        )
        .check_destroy(move |ctx| {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                // The context holds the state from before the destroy.
                ctx.attr_string("terraform_data.a", "id")?;
                Ok(())
            }
        })
        .run()
        .await;
    if acceptance_tests::acc_enabled() {
        assert_eq!(destroyed.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn failing_step_produces_a_readable_report() {
    if skip_without_acc("failing_step_produces_a_readable_report") {
        return;
    }
    let failure = TestCase::new("failing_step")
        .without_aws()
        .step(Step::new(data("one", "t")))
        .step(Step::new(
            r#"resource "terraform_data" "a" { input = var.missing }"#,
        ))
        .try_run()
        .await
        .expect_err("step 2 must fail");
    let report = failure.to_string();
    assert!(
        report.contains("failed at step 2 of 2 (config step)"),
        "{report}"
    );
    assert!(
        report.contains("expectation: plan must succeed"),
        "{report}"
    );
    let command = format!(
        "command: {} plan -no-color -input=false -detailed-exitcode -out=tfplan",
        acceptance_tests::env::cli().name()
    );
    assert!(report.contains(&command), "{report}");
    assert!(report.contains("exit code: 1"), "{report}");
    assert!(
        report.contains("Reference to undeclared input variable"),
        "{report}"
    );
    // The destroy after the failure used the last good configuration and succeeded.
    assert!(!report.contains("then:"), "{report}");
    assert!(!report.contains("development overrides"), "{report}");
}

#[tokio::test]
async fn expected_errors_and_non_empty_plans() {
    TestCase::new("expected_errors")
        .without_aws()
        .step(
            Step::new(r#"resource "terraform_data" "a" { input = var.missing }"#)
                // Matched across Terraform's line wrapping and box frame.
                .expect_error(
                    r"An input variable with the name \x22missing\x22 has not been declared",
                ),
        )
        .step(
            // timestamp() is unknown at every plan: the configuration never converges.
            Step::new(r#"resource "terraform_data" "a" { triggers_replace = [timestamp()] }"#)
                .expect("terraform_data.a", Action::Create)
                .expect_non_empty_plan(),
        )
        .step(
            Step::new(r#"resource "terraform_data" "a" { triggers_replace = [timestamp()] }"#)
                .plan_only()
                .expect("terraform_data.a", Action::Replace)
                .expect_non_empty_plan(),
        )
        .run()
        .await;
}

#[tokio::test]
async fn broken_expectations_fail() {
    if skip_without_acc("broken_expectations_fail") {
        return;
    }
    // A perpetual diff without expect_non_empty_plan.
    let report = TestCase::new("perpetual_diff")
        .without_aws()
        .step(Step::new(
            r#"resource "terraform_data" "a" { triggers_replace = [timestamp()] }"#,
        ))
        .try_run()
        .await
        .expect_err("a non-converging config must fail")
        .to_string();
    assert!(report.contains("a second plan must be empty"), "{report}");
    assert!(
        report.contains("terraform_data.a must be replaced"),
        "{report}"
    );

    // Wrong expected action, failing state check, an error that never comes, a panicking hook.
    let cases: Vec<(Step, &str)> = vec![
        (
            Step::new(data("x", "t")).expect("terraform_data.a", Action::Update),
            "terraform_data.a: expected update, planned create",
        ),
        (
            Step::new(data("x", "t")).check(StateCheck::attr_eq(
                "terraform_data.a",
                "output",
                json!("y"),
            )),
            "terraform_data.a.output == \"y\": got \"x\"",
        ),
        (
            Step::new(data("x", "t")).expect_error("never"),
            "expected an error matching /never/, but plan and apply succeeded",
        ),
        (
            // Fails only when applied: a plan-error expectation must not accept it.
            Step::new(
                r#"resource "terraform_data" "a" {
  provisioner "local-exec" {
    command = "exit 3"
  }
}"#,
            )
            .expect_plan_error("exit status 3|exit 3"),
            "expected an error matching /exit status 3|exit 3/, but the plan succeeded",
        ),
        (
            Step::new(data("x", "t")).pre_step(|_ctx| async { panic!("boom") }),
            "pre_step hook failed: panicked: boom",
        ),
        (
            Step::new(data("x", "t")).check(StateCheck::custom("async check", |ctx| async move {
                let id = ctx.attr_string("terraform_data.nope", "id")?;
                Err(format!("unreachable {id}").into())
            })),
            "async check: resource terraform_data.nope is not in the state (state has: terraform_data.a)",
        ),
    ];
    for (i, (step, expected)) in cases.into_iter().enumerate() {
        let report = TestCase::new(&format!("broken_{i}"))
            .without_aws()
            .step(step)
            .try_run()
            .await
            .expect_err("must fail")
            .to_string();
        assert!(report.contains(expected), "case {i}: {report}");
        assert!(
            report.contains("failed at step 1 of 1"),
            "case {i}: {report}"
        );
    }
}

/// The destroy check fails for objects that are still there, for objects AWS never knew (a
/// deleted cluster reads INACTIVE), and passes for deleted ones.
#[tokio::test]
async fn all_destroyed_fails_for_what_is_left_and_what_never_existed() {
    let Some(endpoint) = acceptance_tests::local_endpoint(
        "all_destroyed_fails_for_what_is_left_and_what_never_existed",
    ) else {
        return;
    };
    let (kept, deleted, never) = (
        unique_name("left"),
        unique_name("gone"),
        unique_name("never"),
    );
    let ecs = endpoint.ecs_client().await;
    for name in [&kept, &deleted] {
        ecs.create_cluster()
            .cluster_name(name)
            .send()
            .await
            .unwrap();
    }
    ecs.delete_cluster().cluster(&deleted).send().await.unwrap();
    let parameter = format!("/{kept}");
    endpoint
        .ssm_client()
        .await
        .put_parameter()
        .name(&parameter)
        .value("v")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap();
    let state = |resources: serde_json::Value| json!({ "values": { "root_module": { "resources": resources } } });
    let cluster = |name: &str| json!({ "address": format!("ecs_cluster.{name}"), "mode": "managed", "type": "ecs_cluster", "values": { "name": name } });
    let ctx =
        |s| acceptance_tests::Ctx::new("t", 0, std::path::Path::new("."), s, Some(endpoint.url()));

    let left = ctx(state(json!([
        cluster(&kept),
        { "address": "ecs_secret.s", "mode": "managed", "type": "ecs_secret", "values": { "name": parameter } },
    ])))
    .all_destroyed()
    .await
    .unwrap_err()
    .to_string();
    assert!(left.contains("is still ACTIVE"), "{left}");
    assert!(left.contains("still exists"), "{left}");
    let unknown = ctx(state(json!([cluster(&never)])))
        .all_destroyed()
        .await
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("knows no cluster"), "{unknown}");
    ctx(state(json!([cluster(&deleted)])))
        .all_destroyed()
        .await
        .expect("a deleted cluster is gone");
}
