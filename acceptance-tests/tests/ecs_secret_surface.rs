//! `ecs_secret` arguments from the AWS provider's `aws_ssm_parameter`: `insecure_value` (shown
//! in plans, only for unencrypted types), `allowed_pattern` (checked at plan time when the value
//! is known, by Parameter Store otherwise), `data_type` (replaces; an AMI ID for
//! `aws:ec2:image`), and `overwrite` (adopts an existing parameter on create). A sensitive value
//! never appears in plan output or diagnostics.

use acceptance_tests::{
    Action, ImportId, ImportStep, StateCheck, Step, Terraform, TestCase, endpoint_url, real_aws,
    skip_without_acc, unique_name,
};
use serde_json::json;

fn config(name: &str, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

provider "ecs" {{
  default_tags {{
    tags = {{ suite = "acceptance" }}
  }}
}}

resource "ecs_secret" "s" {{
  name = "{name}"
  {body}
}}
"#
    )
}

#[tokio::test]
async fn secret_insecure_value_pattern_and_data_type_lifecycle() {
    if skip_without_acc("secret_insecure_value_pattern_and_data_type_lifecycle") {
        return;
    }
    let name = format!("/acc/{}", unique_name("surface"));
    let gone = name.clone();
    let plain = |value: &str, pattern: &str| {
        format!(
            r#"type            = "String"
  insecure_value  = "{value}"
  allowed_pattern = "{pattern}""#
        )
    };
    TestCase::new("secret_surface_lifecycle")
        .step(
            Step::new(config(&name, &plain("v1", r"^v\\d+$")))
                .expect("ecs_secret.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "insecure_value",
                    json!("v1"),
                ))
                .check(StateCheck::attr_null("ecs_secret.s", "value"))
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "data_type",
                    json!("text"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "allowed_pattern",
                    json!(r"^v\d+$"),
                ))
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(1))),
        )
        .step(
            Step::new(config(&name, &plain("v2", r"^v\\d+$")))
                .expect("ecs_secret.s", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "insecure_value",
                    json!("v2"),
                ))
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2))),
        )
        .step(
            Step::new(config(&name, &plain("v2", "^v[0-9]+$")))
                .expect("ecs_secret.s", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "allowed_pattern",
                    json!("^v[0-9]+$"),
                ))
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(3))),
        )
        .step(
            // The same text moved to `value` is no new version.
            Step::new(config(
                &name,
                r#"type = "String"
  value = "v2"
  allowed_pattern = "^v[0-9]+$""#,
            ))
            .expect("ecs_secret.s", Action::Update)
            .check(StateCheck::attr_null("ecs_secret.s", "insecure_value"))
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(3))),
        )
        // Import cannot see which value argument the configuration uses: it fills `value`.
        .step(Step::import(ImportStep::block(
            "ecs_secret.s",
            ImportId::Fixed(name.clone()),
        )))
        .step(
            Step::new(config(
                &name,
                r#"type           = "String"
  data_type      = "aws:ec2:image"
  insecure_value = "ami-0123456789abcdef0""#,
            ))
            .expect("ecs_secret.s", Action::Replace)
            .check(StateCheck::attr_eq(
                "ecs_secret.s",
                "data_type",
                json!("aws:ec2:image"),
            ))
            .check(StateCheck::attr_null("ecs_secret.s", "allowed_pattern")),
        )
        .step(Step::import(
            ImportStep::command("ecs_secret.s", ImportId::Fixed(name.clone()))
                .ignore(&["value", "insecure_value"]),
        ))
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.parameter_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn secret_overwrite_adopts_an_existing_parameter_on_create() {
    if skip_without_acc("secret_overwrite_adopts_an_existing_parameter_on_create") {
        return;
    }
    let name = format!("/acc/{}", unique_name("adopt"));
    let made = name.clone();
    let gone = name.clone();
    let body = |overwrite: &str| {
        format!(
            r#"value = "managed-now"
  tags  = {{ team = "web" }}
  {overwrite}"#
        )
    };
    TestCase::new("secret_overwrite_adopts")
        .step(
            Step::new(config(&name, &body("")))
                .pre_step(move |ctx| {
                    let name = made.clone();
                    async move {
                        let tag = aws_sdk_ssm::types::Tag::builder()
                            .key("made-by")
                            .value("hand")
                            .build()?;
                        ctx.ssm()
                            .await
                            .put_parameter()
                            .name(&name)
                            .value("made-by-hand")
                            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                            .tags(tag)
                            .send()
                            .await?;
                        Ok(())
                    }
                })
                .expect_error(r"(?s)ParameterAlreadyExists.*set `overwrite = true` to adopt it"),
        )
        .step(
            Step::new(config(&name, &body("overwrite = true")))
                .expect("ecs_secret.s", Action::Create)
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2)))
                .check(StateCheck::attr_eq(
                    "ecs_secret.s",
                    "tags_all",
                    json!({"suite": "acceptance", "team": "web"}),
                )),
        )
        .step(
            // After create, `overwrite` changes nothing in AWS.
            Step::new(config(&name, &body("overwrite = false")))
                .expect("ecs_secret.s", Action::Update)
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2))),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.parameter_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn secret_surface_invalid_input_fails_at_plan() {
    if skip_without_acc("secret_surface_invalid_input_fails_at_plan") {
        return;
    }
    let name = unique_name("bad-surface");
    TestCase::new("secret_surface_invalid_input")
        .step(
            Step::new(config(
                &name,
                r#"type = "String"
  value = "a"
  insecure_value = "a""#,
            ))
            .expect_plan_error(r"Set exactly one of `value` and `insecure_value`"),
        )
        .step(
            Step::new(config(&name, r#"insecure_value = "a""#))
                .expect_plan_error(r"(?s)`insecure_value` needs an unencrypted type"),
        )
        .step(
            Step::new(config(
                &name,
                r#"type = "String"
  data_type = "aws:ec2:image"
  value = "not-an-image""#,
            ))
            .expect_plan_error(r"(?s)Not an AMI ID.*sensitive, not shown"),
        )
        .step(
            Step::new(config(
                &name,
                r#"type = "String"
  data_type = "aws:s3:object"
  value = "a""#,
            ))
            .expect_plan_error(r"(?s)data_type.*aws:ec2:image"),
        )
        .step(
            Step::new(config(
                &name,
                r#"type = "String"
  insecure_value = "abc"
  allowed_pattern = "^[0-9]+$""#,
            ))
            .expect_plan_error(r#"(?s)"abc" does not match `allowed_pattern`"#),
        )
        .run()
        .await;
}

/// A value known only at apply passes the plan and is refused before anything is written: Terraform
/// validates the configuration again once the value is known (and Parameter Store would refuse it
/// too, naming the pattern: see `fidelity_parameters`). The refusal never shows the value.
#[tokio::test]
async fn secret_value_known_only_at_apply_is_refused_then() {
    if skip_without_acc("secret_value_known_only_at_apply_is_refused_then") || real_aws() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = endpoint_url();
    let tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    let name = format!("/acc/{}", unique_name("late"));
    let with_pattern = |pattern: &str| {
        config(
            &name,
            &format!(
                r#"value           = "late-${{ecs_secret.first.version}}"
  allowed_pattern = "{pattern}"
}}

resource "ecs_secret" "first" {{
  name  = "{name}-first"
  value = "first""#
            ),
        )
    };
    tf.write_config(&with_pattern("^[0-9]+$")).unwrap();
    let plan = tf.plan(None).await.expect("the value is unknown at plan");
    assert!(plan.combined().contains("2 to add"), "{}", plan.combined());
    let failed = tf
        .apply()
        .await
        .expect_err("refused once the value is known");
    let text = failed.combined();
    assert!(
        text.contains("does not match `allowed_pattern`") && !text.contains("late-1"),
        "{text}"
    );
    let ssm = acceptance_tests::ssm_client().await;
    let missing = ssm.get_parameter().name(&name).send().await.unwrap_err();
    assert!(missing.into_service_error().is_parameter_not_found());
    tf.write_config(&with_pattern("^late-[0-9]+$")).unwrap();
    tf.destroy().await.expect("destroy");
    let missing = ssm
        .get_parameter()
        .name(format!("{name}-first"))
        .send()
        .await
        .unwrap_err();
    assert!(missing.into_service_error().is_parameter_not_found());
}

/// The plan shows `insecure_value` and never a sensitive value, even when a diagnostic is about
/// it; the state holds `insecure_value` in the clear.
#[tokio::test]
async fn secret_plan_shows_insecure_value_and_never_a_sensitive_one() {
    if skip_without_acc("secret_plan_shows_insecure_value_and_never_a_sensitive_one") || real_aws()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = endpoint_url();
    let mut tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    let shown = "shown-in-plan-5b2e";
    let hidden = "hidden-secret-91d4";
    let name = unique_name("shown");
    let resources = |pattern: &str| {
        format!(
            r#"{}
variable "hidden" {{
  type      = string
  sensitive = true
}}

resource "ecs_secret" "h" {{
  name            = "{name}-h"
  value           = var.hidden
  allowed_pattern = "{pattern}"
}}"#,
            config(
                &format!("{name}-s"),
                &format!(
                    r#"type = "String"
  insecure_value = "{shown}""#
                )
            )
        )
    };
    // Given from outside the configuration, so no source line Terraform quotes can hold it.
    tf.set_env("TF_VAR_hidden", Some(hidden));
    tf.write_config(&resources("^hidden-.*$")).unwrap();
    let plan = tf.plan(None).await.expect("plan");
    assert!(plan.combined().contains(shown), "insecure_value is shown");
    assert!(
        !plan.combined().contains(hidden),
        "the sensitive value is not"
    );
    let applied = tf.apply().await.expect("apply");
    assert!(!applied.combined().contains(hidden));
    let state = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap();
    assert!(state.contains(&format!(r#""insecure_value": "{shown}""#)));

    tf.write_config(&resources("^[0-9]+$")).unwrap();
    let refused = tf
        .plan(None)
        .await
        .expect_err("the value does not match the new pattern");
    let text = refused.combined();
    assert!(text.contains("does not match `allowed_pattern`"), "{text}");
    assert!(
        !text.contains(hidden),
        "the diagnostic hides the value: {text}"
    );
    tf.write_config(&resources("^hidden-.*$")).unwrap();
    tf.destroy().await.expect("destroy");
}

/// The data source reports `data_type`, and `insecure_value` for unencrypted types only.
#[tokio::test]
async fn secret_data_source_reports_data_type_and_insecure_value() {
    if skip_without_acc("secret_data_source_reports_data_type_and_insecure_value") {
        return;
    }
    let name = format!("/acc/{}", unique_name("data"));
    let gone = name.clone();
    let body = format!(
        r#"type           = "String"
  data_type      = "aws:ec2:image"
  insecure_value = "ami-0123456789abcdef0"
}}

resource "ecs_secret" "secure" {{
  name  = "{name}-secure"
  value = "kept-secret"
}}

data "ecs_secret" "plain" {{
  name = ecs_secret.s.name
}}

data "ecs_secret" "secure" {{
  name            = ecs_secret.secure.name
  with_decryption = true"#
    );
    TestCase::new("secret_data_source_surface")
        .step(
            Step::new(config(&name, &body))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.plain",
                    "insecure_value",
                    json!("ami-0123456789abcdef0"),
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.plain",
                    "data_type",
                    json!("aws:ec2:image"),
                ))
                .check(StateCheck::attr_null(
                    "data.ecs_secret.secure",
                    "insecure_value",
                ))
                .check(StateCheck::attr_eq(
                    "data.ecs_secret.secure",
                    "data_type",
                    json!("text"),
                )),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move {
                ctx.parameter_gone(&name).await?;
                ctx.parameter_gone(&format!("{name}-secure")).await
            }
        })
        .run()
        .await;
}
