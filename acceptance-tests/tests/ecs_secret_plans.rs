//! `ecs_secret` plans that must be empty: a `String` or `StringList` parameter with a write-only
//! value has nothing to change after its apply (no "known after apply", no new version), and a
//! parameter imported into a `value_wo` configuration keeps no value in state after its apply.

use acceptance_tests::{Action, Ctx, StateCheck, Step, TestCase, unique_name};
use aws_sdk_ssm::types::ParameterType;
use serde_json::json;

fn config(name: &str, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_secret" "s" {{
  name = "{name}"
  {body}
}}
"#
    )
}

async fn version_is(ctx: &Ctx, name: &str, wanted: i64) -> acceptance_tests::CheckResult {
    let out = ctx.ssm().await.get_parameter().name(name).send().await?;
    let version = out.parameter().map(|p| p.version()).unwrap_or_default();
    if version == wanted {
        Ok(())
    } else {
        Err(format!("parameter {name} is at version {version}, expected {wanted}").into())
    }
}

async fn write_only_plain_parameter_plans_no_change(test: &str, kind: &str) {
    let name = format!("/acc/{}", unique_name("wo-plain"));
    let body = format!(
        r#"type             = "{kind}"
  value_wo         = "plain,write-only"
  value_wo_version = 1"#
    );
    let (n1, gone) = (name.clone(), name.clone());
    TestCase::new(test)
        .step(
            Step::new(config(&name, &body))
                .expect("ecs_secret.s", Action::Create)
                .check(StateCheck::attr_null("ecs_secret.s", "key_id")),
        )
        // The runner's re-plan after each apply must be empty; a second apply must not write.
        .step(
            Step::new(config(&name, &body))
                .expect("ecs_secret.s", Action::NoOp)
                .check(StateCheck::custom(
                    "no new version was written",
                    move |ctx| {
                        let name = n1.clone();
                        async move { version_is(&ctx, &name, 1).await }
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

#[tokio::test]
async fn string_parameter_with_a_write_only_value_plans_no_change() {
    write_only_plain_parameter_plans_no_change(
        "string_parameter_with_a_write_only_value_plans_no_change",
        "String",
    )
    .await;
}

#[tokio::test]
async fn string_list_parameter_with_a_write_only_value_plans_no_change() {
    write_only_plain_parameter_plans_no_change(
        "string_list_parameter_with_a_write_only_value_plans_no_change",
        "StringList",
    )
    .await;
}

#[tokio::test]
async fn parameter_imported_into_a_write_only_configuration_keeps_no_value_in_state() {
    let test = "parameter_imported_into_a_write_only_configuration_keeps_no_value_in_state";
    let name = format!("/acc/{}", unique_name("wo-import"));
    let secret = "imported-secret-5d1e";
    let with_import = format!(
        r#"{}
import {{
  to = ecs_secret.s
  id = "{name}"
}}
"#,
        config(&name, &format!(r#"value_wo = "{secret}""#))
    );
    let (n1, n2, n3, gone) = (name.clone(), name.clone(), name.clone(), name.clone());
    TestCase::new(test)
        .step(
            Step::new(with_import)
                .pre_step(move |ctx| {
                    let name = n1.clone();
                    async move {
                        ctx.ssm()
                            .await
                            .put_parameter()
                            .name(&name)
                            .value(secret)
                            .r#type(ParameterType::SecureString)
                            .send()
                            .await?;
                        Ok(())
                    }
                })
                .check(StateCheck::attr_null("ecs_secret.s", "value"))
                .check(StateCheck::custom(
                    "the state file does not hold the value",
                    move |ctx| async move {
                        let state =
                            std::fs::read_to_string(ctx.workdir().join("terraform.tfstate"))?;
                        if state.contains(secret) {
                            Err("the imported value is in the state file".into())
                        } else {
                            Ok(())
                        }
                    },
                ))
                .check(StateCheck::custom(
                    "AWS keeps the imported version: nothing was rewritten",
                    move |ctx| {
                        let name = n2.clone();
                        async move { version_is(&ctx, &name, 1).await }
                    },
                )),
        )
        .step(
            Step::new(config(&n3, &format!(r#"value_wo = "{secret}""#)))
                .expect("ecs_secret.s", Action::NoOp)
                .check(StateCheck::attr_eq("ecs_secret.s", "version", json!(1))),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.parameter_gone(&name).await }
        })
        .run()
        .await;
}
