//! `ecs_secret` end to end with the real Terraform CLI: create → empty plan → value change in
//! place (new version) → import by name (command and block) → drift → replacement → destroy →
//! nothing left; the write-only value never reaches state or plan; no value reaches any log.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, Terraform, TestCase, endpoint_url,
    real_aws, skip_without_acc, unique_name,
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
async fn secret_lifecycle() {
    let name = format!("/acc/{}", unique_name("secret"));
    let renamed = format!("{name}-renamed");
    let gone = renamed.clone();
    let drift_name = name.clone();
    TestCase::new("secret_lifecycle")
        .step(
            Step::new(config(
                &name,
                r#"value = "first-value"
  description = "db password"
  tags = { team = "web" }"#,
            ))
            .expect("ecs_secret.s", Action::Create)
            .check(StateCheck::attr_eq(
                "ecs_secret.s",
                "type",
                json!("SecureString"),
            ))
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(1)))
            .check(StateCheck::attr_eq(
                "ecs_secret.s",
                "tier",
                json!("Standard"),
            ))
            .check(StateCheck::attr_eq(
                "ecs_secret.s",
                "tags_all",
                json!({"suite": "acceptance", "team": "web"}),
            ))
            .check(StateCheck::attr_regex(
                "ecs_secret.s",
                "arn",
                r"^arn:aws:ssm:us-east-1:\d{12}:parameter/acc/secret-",
            )),
        )
        .step(
            Step::new(config(
                &name,
                r#"value = "second-value"
  description = "db password"
  tags = { team = "web" }"#,
            ))
            .expect("ecs_secret.s", Action::Update)
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2))),
        )
        .step(
            Step::new(config(
                &name,
                r#"value = "second-value"
  description = "db password"
  tags = { team = "api" }"#,
            ))
            .expect("ecs_secret.s", Action::Update)
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2))),
        )
        .step(Step::import(ImportStep::command(
            "ecs_secret.s",
            ImportId::Fixed(name.clone()),
        )))
        .step(Step::import(ImportStep::block(
            "ecs_secret.s",
            ImportId::Fixed(name.clone()),
        )))
        .step(
            Step::new(config(
                &name,
                r#"value = "second-value"
  description = "db password"
  tags = { team = "api" }"#,
            ))
            .pre_step(move |ctx| {
                let name = drift_name.clone();
                async move {
                    ctx.ssm()
                        .await
                        .put_parameter()
                        .name(&name)
                        .value("changed-outside")
                        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                        .overwrite(true)
                        .send()
                        .await?;
                    Ok(())
                }
            })
            .expect("ecs_secret.s", Action::Update)
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(4))),
        )
        .step(
            Step::new(config(
                &renamed,
                r#"value = "second-value"
  type = "String""#,
            ))
            .expect("ecs_secret.s", Action::Replace)
            .check(StateCheck::attr_eq("ecs_secret.s", "type", json!("String")))
            .check(StateCheck::attr_null("ecs_secret.s", "key_id")),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.parameter_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn secret_write_only_value_stays_out_of_state_and_plan() {
    let name = format!("/acc/{}", unique_name("wo"));
    let check_name = name.clone();
    let check_name2 = name.clone();
    let gone = name.clone();
    TestCase::new("secret_write_only")
        .step(
            Step::new(config(
                &name,
                r#"value_wo = "write-only-first"
  value_wo_version = 1"#,
            ))
            .expect("ecs_secret.s", Action::Create)
            .check(StateCheck::attr_null("ecs_secret.s", "value"))
            .check(StateCheck::attr_null("ecs_secret.s", "value_wo"))
            .check(StateCheck::custom(
                "AWS holds the write-only value",
                move |ctx| {
                    let name = check_name.clone();
                    async move { expect_remote_value(&ctx, &name, "write-only-first").await }
                },
            )),
        )
        .step(
            Step::new(config(
                &name,
                r#"value_wo = "write-only-second"
  value_wo_version = 2"#,
            ))
            .expect("ecs_secret.s", Action::Update)
            .check(StateCheck::attr_null("ecs_secret.s", "value_wo"))
            .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(2)))
            .check(StateCheck::custom(
                "AWS holds the new write-only value",
                move |ctx| {
                    let name = check_name2.clone();
                    async move { expect_remote_value(&ctx, &name, "write-only-second").await }
                },
            )),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.parameter_gone(&name).await }
        })
        .run()
        .await;
}

async fn expect_remote_value(ctx: &Ctx, name: &str, wanted: &str) -> acceptance_tests::CheckResult {
    let out = ctx
        .ssm()
        .await
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await?;
    let value = out.parameter().and_then(|p| p.value()).unwrap_or_default();
    if value == wanted {
        Ok(())
    } else {
        Err("AWS holds a different value".into())
    }
}

#[tokio::test]
async fn secret_invalid_input_fails_at_plan() {
    let name = unique_name("bad");
    TestCase::new("secret_invalid_input")
        .step(
            Step::new(config(
                &name,
                r#"value = "a"
  value_wo = "b""#,
            ))
            .expect_plan_error(r"Set exactly one of `value` and `value_wo`"),
        )
        .step(
            Step::new(config("aws-reserved", r#"value = "a""#))
                .expect_plan_error(r#"may not begin with "aws""#),
        )
        .step(
            Step::new(config(
                &name,
                r#"value = "a"
  type = "String"
  key_id = "alias/custom""#,
            ))
            .expect_plan_error(r"`key_id` needs a SecureString"),
        )
        .step(
            Step::new(config(
                &name,
                r#"value = "a"
  type = "Secret""#,
            ))
            .expect_plan_error(r#"SecureString"#),
        )
        .run()
        .await;
}

/// No secret value appears in Terraform's output, its TRACE log (which carries the provider's
/// logs) or, for `value_wo`, the state file.
#[tokio::test]
async fn secret_values_never_reach_logs_or_output() {
    if skip_without_acc("secret_values_never_reach_logs_or_output") || real_aws() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    let url = endpoint_url();
    let mut tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    tf.set_env("TF_LOG", Some("TRACE"));
    tf.set_env("TF_LOG_PATH", Some(log.to_str().unwrap()));
    let kept = "kept-secret-3f9a";
    let write_only = "write-only-secret-77c1";
    let name = unique_name("logs");
    let write_only_resource = format!(
        r#"resource "ecs_secret" "w" {{
  name             = "{name}-w"
  value_wo         = "{write_only}"
  value_wo_version = 1
}}"#
    );
    let kept_resource = config(&format!("{name}-a"), &format!(r#"value = "{kept}""#));
    tf.write_config(&format!("{kept_resource}\n{write_only_resource}"))
        .unwrap();
    let mut outputs = Vec::new();
    outputs.push(tf.apply().await.expect("apply"));
    outputs.push(tf.plan(None).await.expect("plan"));
    let state = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap();
    outputs.push(tf.destroy().await.expect("destroy"));
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(trace.contains("ecs_secret"), "the log is a real TRACE log");
    for secret in [kept, write_only] {
        assert!(!trace.contains(secret), "{secret} found in the TRACE log");
        for out in &outputs {
            assert!(
                !out.combined().contains(secret),
                "{secret} found in {}",
                out.command
            );
        }
    }
    assert!(
        !state.contains(write_only),
        "the write-only value reached the state"
    );
    assert!(
        state.contains(kept),
        "`value` is kept in state (sensitive), as documented"
    );
}
