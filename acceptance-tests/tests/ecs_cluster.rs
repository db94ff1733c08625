//! `ecs_cluster` end to end with the real Terraform CLI: create → empty plan → in-place update →
//! import by name and by ARN → drift → replacement → destroy → nothing left.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, skip_without_acc, unique_name,
};
use aws_sdk_ecs::types::Tag;
use serde_json::json;

fn config(name: &str, tags: &str, extra: &str) -> String {
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

resource "ecs_cluster" "c" {{
  name               = "{name}"
  container_insights = "enabled"
  tags               = {{ {tags} }}
  {extra}
}}
"#
    )
}

#[tokio::test]
async fn cluster_lifecycle() {
    if skip_without_acc("cluster_lifecycle") {
        return;
    }
    let name = unique_name("acc-cluster");
    let renamed = format!("{name}-b");
    let destroyed = renamed.clone();
    TestCase::new("cluster_lifecycle")
        .step(
            Step::new(config(&name, r#"team = "web""#, ""))
                .expect("ecs_cluster.c", Action::Create)
                .check(StateCheck::attr_eq("ecs_cluster.c", "name", json!(name)))
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "container_insights",
                    json!("enabled"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "tags_all",
                    json!({"suite": "acceptance", "team": "web"}),
                ))
                .check(StateCheck::attr_regex(
                    "ecs_cluster.c",
                    "arn",
                    r"^arn:aws:ecs:[a-z0-9-]+:\d{12}:cluster/",
                ))
                .check(StateCheck::attr_regex(
                    "ecs_cluster.c",
                    "id",
                    r"^arn:aws:ecs:",
                )),
        )
        .step(
            Step::new(config(&name, r#"team = "api", env = "dev""#, ""))
                .expect("ecs_cluster.c", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "tags",
                    json!({"env": "dev", "team": "api"}),
                )),
        )
        .step(Step::import(ImportStep::command(
            "ecs_cluster.c",
            ImportId::FromState("name".into()),
        )))
        .step(Step::import(ImportStep::block(
            "ecs_cluster.c",
            ImportId::FromState("arn".into()),
        )))
        .step(
            // A tag changed outside Terraform shows as drift and is put back in place.
            Step::new(config(&name, r#"team = "api", env = "dev""#, ""))
                .pre_step(|ctx: Ctx| async move {
                    let arn = ctx.attr_string("ecs_cluster.c", "arn")?;
                    let tag = Tag::builder().key("team").value("changed-by-hand").build();
                    ctx.ecs()
                        .await
                        .tag_resource()
                        .resource_arn(arn)
                        .tags(tag)
                        .send()
                        .await?;
                    Ok(())
                })
                .expect("ecs_cluster.c", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "tags",
                    json!({"env": "dev", "team": "api"}),
                )),
        )
        .step(
            Step::new(config(&renamed, r#"team = "api""#, ""))
                .expect("ecs_cluster.c", Action::Replace)
                .check(StateCheck::attr_eq("ecs_cluster.c", "name", json!(renamed))),
        )
        .check_destroy(move |ctx| {
            let name = destroyed.clone();
            async move { ctx.cluster_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn cluster_settings_update_in_place() {
    if skip_without_acc("cluster_settings_update_in_place") {
        return;
    }
    let name = unique_name("acc-settings");
    let exec = r#"
  execute_command_configuration {
    logging = "OVERRIDE"
    log_configuration {
      cloud_watch_log_group_name = "/ecs/exec"
    }
  }
"#;
    let gone = name.clone();
    TestCase::new("cluster_settings_update_in_place")
        .step(Step::new(config(&name, "", "")).expect("ecs_cluster.c", Action::Create))
        .step(
            Step::new(config(&name, "", exec))
                .expect("ecs_cluster.c", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "execute_command_configuration.logging",
                    json!("OVERRIDE"),
                )),
        )
        .step(
            Step::new(config(&name, "", "").replace(r#""enabled""#, r#""disabled""#))
                .expect("ecs_cluster.c", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_cluster.c",
                    "container_insights",
                    json!("disabled"),
                )),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.cluster_gone(&name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn cluster_invalid_input_fails_at_plan() {
    if skip_without_acc("cluster_invalid_input_fails_at_plan") {
        return;
    }
    TestCase::new("cluster_invalid_input_fails_at_plan")
        .step(
            Step::new(config("has spaces", "", ""))
                .expect_plan_error(r"(?s)Invalid character.*name"),
        )
        .step(
            Step::new(
                config(&unique_name("acc-bad"), "", "").replace(r#""enabled""#, r#""enabeld""#),
            )
            .expect_plan_error(r#"(?s)container_insights.*Did you mean "enabled"\?"#),
        )
        .run()
        .await;
}

/// Without `force_destroy`, a destroy waits while the cluster still has a service Terraform does
/// not manage, then fails naming it; once the service is gone the destroy succeeds. Relies on the
/// local endpoint refusing DeleteCluster while services are active, as ECS does.
#[tokio::test]
async fn cluster_destroy_names_what_blocks_it() {
    if skip_without_acc("cluster_destroy_names_what_blocks_it") {
        return;
    }
    use acceptance_tests::{Endpoint, Terraform};

    let endpoint = Endpoint::start(&[]).expect("local endpoint");
    let name = unique_name("acc-blocked");
    let dir = tempfile::tempdir().unwrap();
    let tf = Terraform::new(dir.path(), Some(endpoint.url())).unwrap();
    tf.write_config(&config(&name, "", r#"timeouts { delete = "3s" }"#))
        .unwrap();
    tf.apply().await.expect("apply");

    let ecs = endpoint.ecs_client().await;
    acceptance_tests::fixtures::unmanaged_service(&ecs, &name, "unmanaged-web")
        .await
        .unwrap();

    let failed = tf
        .destroy()
        .await
        .expect_err("destroy must fail while a service remains");
    let text = failed.combined();
    assert!(
        text.contains("still holds resources") && text.contains("unmanaged-web"),
        "{text}"
    );

    ecs.delete_service()
        .cluster(&name)
        .service("unmanaged-web")
        .force(true)
        .send()
        .await
        .unwrap();
    tf.destroy()
        .await
        .expect("destroy once the service is gone");
    let out = ecs
        .describe_clusters()
        .clusters(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.clusters().first().and_then(|c| c.status()),
        Some("INACTIVE")
    );
}

/// A step whose expectation is wrong fails with a report that names the step, the expectation,
/// the command and Terraform's output; the cluster is still destroyed afterwards.
#[tokio::test]
async fn cluster_wrong_expectation_gives_a_readable_report() {
    if skip_without_acc("cluster_wrong_expectation_gives_a_readable_report") {
        return;
    }
    let name = unique_name("acc-report");
    let gone = name.clone();
    let failure = TestCase::new("cluster_wrong_expectation")
        .step(Step::new(config(&name, r#"team = "a""#, "")).expect("ecs_cluster.c", Action::Create))
        .step(
            Step::new(config(&name, r#"team = "b""#, "")).expect("ecs_cluster.c", Action::Replace),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { ctx.cluster_gone(&name).await }
        })
        .try_run()
        .await
        .expect_err("the plan is an in-place update, not a replacement");
    let report = failure.to_string();
    for wanted in [
        "failed at step 2 of 2 (config step)",
        "ecs_cluster.c",
        "update",
        &format!("command: {}", acceptance_tests::env::cli().name()),
    ] {
        assert!(
            report.contains(wanted),
            "{wanted:?} missing from:\n{report}"
        );
    }
    assert!(
        !report.contains("then:"),
        "destroy after the failure succeeded:\n{report}"
    );
}
