//! `ecs_cluster_capacity_providers` end to end: create → empty plan → strategy change in place →
//! import by cluster name (command and block) → drift → invalid strategies fail at plan →
//! destroy in the order ECS demands (a custom provider blocks the cluster's deletion until it is
//! detached, a local-endpoint fidelity behaviour) → nothing left.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, unique_name,
};
use serde_json::json;

fn config(cluster: &str, providers: &str, strategy: &str) -> String {
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

resource "ecs_cluster_capacity_providers" "p" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = [{providers}]
  {strategy}
}}
"#
    )
}

const FARGATE_FIRST: &str = r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 4
  }"#;

#[tokio::test]
async fn capacity_providers_lifecycle() {
    let cluster = unique_name("acc-cp");
    let custom = unique_name("acc-asg-cp");
    let (drift_cluster, gone, custom_for_setup, custom_for_cleanup) = (
        cluster.clone(),
        cluster.clone(),
        custom.clone(),
        custom.clone(),
    );
    let providers = format!(r#""FARGATE", "FARGATE_SPOT", "{custom}""#);
    TestCase::new("capacity_providers_lifecycle")
        .step(
            Step::new(config(&cluster, &providers, FARGATE_FIRST))
                .pre_step(move |ctx| {
                    let name = custom_for_setup.clone();
                    async move { create_custom_provider(&ctx, &name).await }
                })
                .expect("ecs_cluster_capacity_providers.p", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_cluster_capacity_providers.p",
                    "id",
                    json!(cluster),
                ))
                .check(StateCheck::attr_set_eq(
                    "ecs_cluster_capacity_providers.p",
                    "default_capacity_provider_strategy",
                    json!([
                        {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
                        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 4}
                    ]),
                )),
        )
        .step(
            Step::new(config(
                &cluster,
                &providers,
                r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }"#,
            ))
            .expect("ecs_cluster_capacity_providers.p", Action::Update),
        )
        .step(Step::import(ImportStep::command(
            "ecs_cluster_capacity_providers.p",
            ImportId::Fixed(cluster.clone()),
        )))
        .step(Step::import(ImportStep::block(
            "ecs_cluster_capacity_providers.p",
            ImportId::Fixed(cluster.clone()),
        )))
        .step(
            Step::new(config(
                &cluster,
                &providers,
                r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }"#,
            ))
            .pre_step(move |ctx| {
                let cluster = drift_cluster.clone();
                async move {
                    ctx.ecs()
                        .await
                        .put_cluster_capacity_providers()
                        .cluster(&cluster)
                        .capacity_providers("FARGATE")
                        .set_default_capacity_provider_strategy(Some(vec![]))
                        .send()
                        .await?;
                    Ok(())
                }
            })
            .expect("ecs_cluster_capacity_providers.p", Action::Update),
        )
        .step(
            Step::new(config(
                &cluster,
                r#""FARGATE""#,
                r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }"#,
            ))
            .expect_plan_error(r#""FARGATE_SPOT" is not in `capacity_providers`"#),
        )
        .step(
            Step::new(config(
                &cluster,
                r#""FARGATE", "FARGATE_SPOT""#,
                r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
  }
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    base              = 2
  }"#,
            ))
            .expect_plan_error("Only one capacity provider may have a base"),
        )
        .step(
            // Another cluster: the association moves with it (replacement).
            Step::new(config(&format!("{cluster}-b"), r#""FARGATE""#, ""))
                .expect("ecs_cluster.c", Action::Replace)
                .expect("ecs_cluster_capacity_providers.p", Action::Replace)
                .check(StateCheck::attr_eq(
                    "ecs_cluster_capacity_providers.p",
                    "id",
                    json!(format!("{cluster}-b")),
                )),
        )
        .check_destroy(move |ctx| {
            let (cluster, custom) = (gone.clone(), custom_for_cleanup.clone());
            async move {
                ctx.cluster_gone(&cluster).await?;
                ctx.cluster_gone(&format!("{cluster}-b")).await?;
                ctx.ecs()
                    .await
                    .delete_capacity_provider()
                    .capacity_provider(&custom)
                    .send()
                    .await?;
                Ok(())
            }
        })
        .run()
        .await;
}

async fn create_custom_provider(ctx: &Ctx, name: &str) -> acceptance_tests::CheckResult {
    let group = aws_sdk_ecs::types::AutoScalingGroupProvider::builder()
        .auto_scaling_group_arn(format!(
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{name}"
        ))
        .build()?;
    ctx.ecs()
        .await
        .create_capacity_provider()
        .name(name)
        .auto_scaling_group_provider(group)
        .send()
        .await?;
    Ok(())
}

/// Removing `weight` from a strategy block plans its default (0) again. Terraform proposes the
/// prior weight for the matching set element; the plan must compare after applying defaults.
#[tokio::test]
async fn removing_a_weight_restores_its_default() {
    let cluster = unique_name("acc-cp-w");
    let gone = cluster.clone();
    let with_weight = r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 5
  }"#;
    let without_weight = r#"
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
  }"#;
    let providers = r#""FARGATE""#;
    TestCase::new("removing_a_weight_restores_its_default")
        .step(
            Step::new(config(&cluster, providers, with_weight)).check(StateCheck::attr_eq(
                "ecs_cluster_capacity_providers.p",
                "default_capacity_provider_strategy",
                json!([{ "capacity_provider": "FARGATE", "base": 1, "weight": 5 }]),
            )),
        )
        .step(
            Step::new(config(&cluster, providers, without_weight))
                .expect("ecs_cluster_capacity_providers.p", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_cluster_capacity_providers.p",
                    "default_capacity_provider_strategy",
                    json!([{ "capacity_provider": "FARGATE", "base": 1, "weight": 0 }]),
                )),
        )
        .check_destroy(move |ctx| {
            let cluster = gone.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}
