//! `ecs_cluster` arguments of the AWS provider's shape: `configuration.managed_storage_configuration`
//! (created, changed in place, removed), and the AWS provider's spellings
//! `service_connect_defaults { namespace }` and `configuration { execute_command_configuration }`
//! beside this provider's, each kept in state as written, never both.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, skip_without_acc, unique_name,
};
use serde_json::json;

const NAMESPACE: &str = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-surface1";

fn config(name: &str, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{name}"
  {body}
}}
"#
    )
}

fn storage(key: &str) -> String {
    format!(
        r#"
    managed_storage_configuration {{
      kms_key_id                           = "{key}"
      fargate_ephemeral_storage_kms_key_id = "{key}-fargate"
    }}"#
    )
}

/// The managed-storage keys ECS reports (asked with `include: CONFIGURATIONS`).
async fn remote_storage(ctx: &Ctx, name: &str) -> Result<Option<(String, String)>, String> {
    let out = ctx
        .ecs()
        .await
        .describe_clusters()
        .clusters(name)
        .include(aws_sdk_ecs::types::ClusterField::Configurations)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(out
        .clusters()
        .first()
        .and_then(|c| c.configuration())
        .and_then(|c| c.managed_storage_configuration())
        .filter(|m| m.kms_key_id().is_some())
        .map(|m| {
            (
                m.kms_key_id().unwrap_or_default().to_string(),
                m.fargate_ephemeral_storage_kms_key_id()
                    .unwrap_or_default()
                    .to_string(),
            )
        }))
}

fn storage_is(name: &str, wanted: Option<&str>) -> StateCheck {
    let name = name.to_string();
    let wanted = wanted.map(|k| (k.to_string(), format!("{k}-fargate")));
    StateCheck::custom("ECS holds the managed-storage keys", move |ctx| {
        let name = name.clone();
        let wanted = wanted.clone();
        async move {
            let found = remote_storage(&ctx, &name).await?;
            if found == wanted {
                Ok(())
            } else {
                Err(format!("ECS reports {found:?}, expected {wanted:?}").into())
            }
        }
    })
}

#[tokio::test]
async fn cluster_managed_storage_changes_in_place_and_aws_spellings_are_kept() {
    if skip_without_acc("cluster_managed_storage_changes_in_place_and_aws_spellings_are_kept") {
        return;
    }
    let name = unique_name("acc-storage");
    let aws_spelling = |key: &str| {
        format!(
            r#"configuration {{{}
  }}
  service_connect_defaults {{
    namespace = "{NAMESPACE}"
  }}"#,
            storage(key)
        )
    };
    let gone = name.clone();
    TestCase::new("cluster_managed_storage_and_aws_spellings")
        .step(
            Step::new(config(&name, &aws_spelling("key-a")))
                .expect("ecs_cluster.c", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "configuration.managed_storage_configuration.kms_key_id",
                    json!("key-a"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "service_connect_defaults.namespace",
                    json!(NAMESPACE),
                ))
                .check(StateCheck::attr_null(
                    "ecs_cluster.c",
                    "service_connect_namespace",
                ))
                .check(storage_is(&name, Some("key-a"))),
        )
        .step(
            Step::new(config(&name, &aws_spelling("key-b")))
                .expect("ecs_cluster.c", Action::Update)
                .check(storage_is(&name, Some("key-b"))),
        )
        // Import fills in this provider's spelling.
        .step(Step::import(
            ImportStep::command("ecs_cluster.c", ImportId::FromState("name".into()))
                .ignore(&["service_connect_defaults", "service_connect_namespace"]),
        ))
        .step(
            // The same settings in this provider's spelling: only the state's spelling changes.
            Step::new(config(
                &name,
                &format!(
                    r#"service_connect_namespace = "{NAMESPACE}"
  configuration {{{}
    execute_command_configuration {{
      logging = "NONE"
    }}
  }}"#,
                    storage("key-b")
                ),
            ))
            .expect("ecs_cluster.c", Action::Update)
            .check(StateCheck::attr_eq(
                "ecs_cluster.c",
                "service_connect_namespace",
                json!(NAMESPACE),
            ))
            .check(StateCheck::attr_null(
                "ecs_cluster.c",
                "service_connect_defaults",
            ))
            .check(StateCheck::attr_eq(
                "ecs_cluster.c",
                "configuration.execute_command_configuration.logging",
                json!("NONE"),
            ))
            .check(StateCheck::attr_null(
                "ecs_cluster.c",
                "execute_command_configuration",
            )),
        )
        .step(
            Step::new(config(
                &name,
                &format!(r#"service_connect_namespace = "{NAMESPACE}""#),
            ))
            .expect("ecs_cluster.c", Action::Update)
            .check(StateCheck::attr_null("ecs_cluster.c", "configuration"))
            .check(storage_is(&name, None)),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.cluster_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn cluster_both_spellings_of_one_setting_fail_at_plan() {
    if skip_without_acc("cluster_both_spellings_of_one_setting_fail_at_plan") {
        return;
    }
    let name = unique_name("acc-twice");
    TestCase::new("cluster_both_spellings")
        .step(
            Step::new(config(
                &name,
                &format!(
                    r#"service_connect_namespace = "{NAMESPACE}"
  service_connect_defaults {{
    namespace = "{NAMESPACE}"
  }}"#
                ),
            ))
            .expect_plan_error(
                r"(?s)`service_connect_namespace` and\s+`service_connect_defaults.namespace` are the\s+same ECS setting",
            ),
        )
        .step(
            Step::new(config(
                &name,
                r#"execute_command_configuration {
    logging = "NONE"
  }
  configuration {
    execute_command_configuration {
      logging = "NONE"
    }
  }"#,
            ))
            .expect_plan_error(
                r"(?s)`execute_command_configuration` and\s+`configuration.execute_command_configuration`",
            ),
        )
        .run()
        .await;
}
