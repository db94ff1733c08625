//! `ecs_capacity_provider` end to end: an Auto Scaling group provider (a real group in the
//! endpoint's moto) created, changed in place, imported and replaced when its group changes;
//! a managed-instances provider in its cluster, held by `ecs_cluster_capacity_providers`
//! together with an Auto Scaling group provider and FARGATE; plan-time refusals; destroying a
//! provider a cluster still holds fails at once naming the cluster; `force_destroy` of a
//! cluster with a registered container instance and a managed-instances provider; the data
//! source.

#[path = "support/auto_scaling.rs"]
mod auto_scaling;

use acceptance_tests::fixtures::container_instance;
use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, endpoint_url, real_aws,
    skip_without_acc, unique_name,
};
use serde_json::json;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

fn skip(test: &str) -> bool {
    skip_without_acc(test) || real_aws()
}

async fn group(name: &str) -> String {
    auto_scaling::auto_scaling_group(&endpoint_url(), name)
        .await
        .unwrap_or_else(|e| panic!("creating the Auto Scaling group {name}: {e}"))
}

fn asg_provider(name: &str, group: &str, scaling: &str) -> String {
    asg_provider_tagged(name, group, scaling, "web")
}

fn asg_provider_tagged(name: &str, group: &str, scaling: &str, team: &str) -> String {
    format!(
        r#"{HEADER}
resource "ecs_capacity_provider" "p" {{
  name = "{name}"
  tags = {{ team = "{team}" }}

  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{group}"
    managed_termination_protection = "DISABLED"
    {scaling}
  }}
}}
"#
    )
}

/// Nothing is left of the provider: ECS describes it as INACTIVE (or not at all).
async fn provider_gone(ctx: &Ctx, name: &str) -> acceptance_tests::CheckResult {
    let out = ctx
        .ecs()
        .await
        .describe_capacity_providers()
        .capacity_providers(name)
        .send()
        .await?;
    match out.capacity_providers().first().and_then(|p| p.status()) {
        None | Some(aws_sdk_ecs::types::CapacityProviderStatus::Inactive) => Ok(()),
        Some(status) => Err(format!("{name} is still {status:?}").into()),
    }
}

#[tokio::test]
async fn auto_scaling_group_provider_changes_in_place_and_replaces_with_its_group() {
    let test = "auto_scaling_group_provider_changes_in_place_and_replaces_with_its_group";
    if skip(test) {
        return;
    }
    let name = unique_name("acc-asg-cp");
    let (first, second) = (
        group(&format!("{name}-a")).await,
        group(&format!("{name}-b")).await,
    );
    let gone = name.clone();
    let scaling = |target: u32| {
        format!(
            r#"managed_scaling {{
      status          = "ENABLED"
      target_capacity = {target}
    }}"#
        )
    };
    // Step 2 turns on termination protection (managed scaling is on) and off draining.
    let protected = |group: &str| {
        asg_provider_tagged(&name, group, &scaling(70), "api").replace(
            r#"managed_termination_protection = "DISABLED""#,
            r#"managed_termination_protection = "ENABLED"
    managed_draining               = "DISABLED""#,
        )
    };
    let addr = "ecs_capacity_provider.p";
    TestCase::new(test)
        .step(
            Step::new(asg_provider(&name, &first, &scaling(90)))
                .expect(addr, Action::Create)
                .check(StateCheck::attr_regex(
                    addr,
                    "arn",
                    &format!(":capacity-provider/{name}$"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.managed_draining",
                    json!("ENABLED"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.managed_scaling.instance_warmup_period",
                    json!(300),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "tags_all",
                    json!({ "team": "web" }),
                )),
        )
        .step(
            Step::new(protected(&first))
                .expect(addr, Action::Update)
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.managed_termination_protection",
                    json!("ENABLED"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.managed_draining",
                    json!("DISABLED"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.managed_scaling.target_capacity",
                    json!(70),
                ))
                .check(StateCheck::custom("ECS has the new tag", move |ctx| {
                    let arn = ctx.attr_string("ecs_capacity_provider.p", "arn");
                    async move {
                        let arn = arn?;
                        let out = ctx
                            .ecs()
                            .await
                            .list_tags_for_resource()
                            .resource_arn(&arn)
                            .send()
                            .await?;
                        let team = out
                            .tags()
                            .iter()
                            .find(|t| t.key() == Some("team"))
                            .and_then(|t| t.value());
                        if team == Some("api") {
                            Ok(())
                        } else {
                            Err(format!("team tag is {team:?}").into())
                        }
                    }
                })),
        )
        .step(Step::import(ImportStep::command(
            addr,
            ImportId::Fixed(name.clone()),
        )))
        .step(Step::import(ImportStep::block(
            addr,
            ImportId::Fixed(name.clone()),
        )))
        .step(
            Step::new(protected(&second))
                .expect(addr, Action::Replace)
                .check(StateCheck::attr_eq(
                    addr,
                    "auto_scaling_group_provider.auto_scaling_group_arn",
                    json!(second),
                )),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { provider_gone(&ctx, &name).await }
        })
        .run()
        .await;
}

#[tokio::test]
async fn what_ecs_refuses_fails_at_plan_naming_the_attribute() {
    let test = "what_ecs_refuses_fails_at_plan_naming_the_attribute";
    if skip(test) {
        return;
    }
    let arn =
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/g";
    let protected = format!(
        r#"{HEADER}
resource "ecs_capacity_provider" "p" {{
  name = "web"
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{arn}"
    managed_termination_protection = "ENABLED"
  }}
}}
"#
    );
    let neither = format!(
        r#"{HEADER}
resource "ecs_capacity_provider" "p" {{
  name = "web"
}}
"#
    );
    let mixed_strategy = format!(
        r#"{HEADER}
resource "ecs_cluster_capacity_providers" "c" {{
  cluster_name       = "web"
  capacity_providers = ["FARGATE", "web-asg"]

  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
  }}
  default_capacity_provider_strategy {{
    capacity_provider = "web-asg"
  }}
}}
"#
    );
    TestCase::new(test)
        .step(
            Step::new(asg_provider("ecs-web", arn, ""))
                .expect_plan_error(r#"name "ecs-web" starts with "ecs""#),
        )
        .step(
            Step::new(protected)
                .expect_plan_error(r#"requires managed_scaling \{ status = "ENABLED" \}"#),
        )
        .step(
            Step::new(mixed_strategy)
                .expect_plan_error("Strategy mixes Fargate and other capacity providers"),
        )
        .step(Step::new(neither).expect_plan_error(
            "Exactly one of `auto_scaling_group_provider` and `managed_instances_provider`",
        ))
        .run()
        .await;
}

fn mixed(cluster: &str, asg: &str, group: &str, mi: &str, storage: u32) -> String {
    format!(
        r#"{HEADER}
resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_capacity_provider" "asg" {{
  name = "{asg}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn = "{group}"
  }}
}}

resource "ecs_capacity_provider" "mi" {{
  name    = "{mi}"
  cluster = ecs_cluster.c.name

  managed_instances_provider {{
    infrastructure_role_arn = "arn:aws:iam::123456789012:role/ecsInfrastructure"
    propagate_tags          = "CAPACITY_PROVIDER"

    instance_launch_template {{
      ec2_instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/ecsInstance"
      monitoring               = "BASIC"

      network_configuration {{
        subnets         = ["subnet-0a1b2c3d"]
        security_groups = ["sg-0a1b2c3d"]
      }}

      storage_configuration {{
        storage_size_gib = {storage}
      }}

      instance_requirements {{
        cpu_manufacturers = ["intel", "amd"]
        vcpu_count {{
          min = 1
          max = 4
        }}
        memory_mib {{
          min = 1024
        }}
      }}
    }}
  }}
}}

resource "ecs_cluster_capacity_providers" "c" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE", ecs_capacity_provider.asg.name, ecs_capacity_provider.mi.name]

  default_capacity_provider_strategy {{
    capacity_provider = ecs_capacity_provider.asg.name
    weight            = 1
  }}
}}
"#
    )
}

#[tokio::test]
async fn a_cluster_holds_managed_instances_auto_scaling_group_and_fargate_providers_together() {
    let test =
        "a_cluster_holds_managed_instances_auto_scaling_group_and_fargate_providers_together";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-mix");
    let (asg, mi) = (unique_name("acc-mix-asg"), unique_name("acc-mix-mi"));
    let arn = group(&asg).await;
    let (gone_cluster, gone_asg, gone_mi) = (cluster.clone(), asg.clone(), mi.clone());
    let held = cluster.clone();
    let (mi_held, asg_held) = (mi.clone(), asg.clone());
    let addr = "ecs_capacity_provider.mi";
    TestCase::new(test)
        .step(
            Step::new(mixed(&cluster, &asg, &arn, &mi, 30))
                .expect(addr, Action::Create)
                .expect("ecs_cluster_capacity_providers.c", Action::Create)
                .check(StateCheck::attr_eq(addr, "cluster", json!(cluster)))
                .check(StateCheck::attr_eq(addr, "managed_instances_provider.instance_launch_template.capacity_option_type", json!("ON_DEMAND")))
                .check(StateCheck::custom("the cluster holds all three providers", move |ctx| {
                    let (cluster, mi, asg) = (held.clone(), mi_held.clone(), asg_held.clone());
                    async move {
                        let out = ctx.ecs().await.describe_clusters().clusters(&cluster).send().await?;
                        let mut got = out.clusters()[0].capacity_providers().to_vec();
                        got.sort();
                        let mut want = vec!["FARGATE".to_string(), asg, mi];
                        want.sort();
                        if got == want { Ok(()) } else { Err(format!("cluster holds {got:?}").into()) }
                    }
                })),
        )
        .step(
            Step::new(mixed(&cluster, &asg, &arn, &mi, 40))
                .expect(addr, Action::Update)
                .check(StateCheck::attr_eq(addr, "managed_instances_provider.instance_launch_template.storage_configuration.storage_size_gib", json!(40))),
        )
        .step(Step::import(ImportStep::command(addr, ImportId::Fixed(mi.clone()))))
        .step(Step::import(ImportStep::command("ecs_cluster_capacity_providers.c", ImportId::Fixed(cluster.clone()))))
        .check_destroy(move |ctx| {
            let (cluster, asg, mi) = (gone_cluster.clone(), gone_asg.clone(), gone_mi.clone());
            async move {
                provider_gone(&ctx, &asg).await?;
                provider_gone(&ctx, &mi).await?;
                ctx.cluster_gone(&cluster).await
            }
        })
        .run()
        .await;
}

fn cluster_and_provider(cluster: &str, provider: Option<(&str, &str)>) -> String {
    let provider = provider.map_or(String::new(), |(name, group)| {
        format!(
            r#"
resource "ecs_capacity_provider" "p" {{
  name = "{name}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn = "{group}"
  }}
}}
"#
        )
    });
    format!(
        r#"{HEADER}
resource "ecs_cluster" "c" {{
  name          = "{cluster}"
  force_destroy = true

  timeouts {{
    delete = "1m"
  }}
}}
{provider}"#
    )
}

#[tokio::test]
async fn destroying_a_provider_a_cluster_still_holds_fails_at_once_naming_the_cluster() {
    let test = "destroying_a_provider_a_cluster_still_holds_fails_at_once_naming_the_cluster";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-held");
    let provider = unique_name("acc-held-cp");
    let arn = group(&provider).await;
    let (associate, dissociate) = ((cluster.clone(), provider.clone()), cluster.clone());
    let (gone_cluster, gone_provider) = (cluster.clone(), provider.clone());
    let started = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (start, stop) = (started.clone(), started.clone());
    TestCase::new(test)
        .step(Step::new(cluster_and_provider(
            &cluster,
            Some((&provider, &arn)),
        )))
        .step(
            // Held through PutClusterCapacityProviders outside the configuration.
            Step::new(cluster_and_provider(&cluster, None))
                .pre_step(move |ctx| {
                    let (cluster, provider) = associate.clone();
                    let start = start.clone();
                    async move {
                        ctx.ecs()
                            .await
                            .put_cluster_capacity_providers()
                            .cluster(&cluster)
                            .capacity_providers(&provider)
                            .set_default_capacity_provider_strategy(Some(vec![]))
                            .send()
                            .await?;
                        *start.lock().unwrap() = Some(std::time::Instant::now());
                        Ok(())
                    }
                })
                .expect("ecs_capacity_provider.p", Action::Delete)
                .expect_error(&format!(r#"still associated with cluster "{cluster}""#)),
        )
        .step(
            Step::new(cluster_and_provider(&cluster, None)).pre_step(move |ctx| {
                let cluster = dissociate.clone();
                let stop = stop.clone();
                async move {
                    let took = stop
                        .lock()
                        .unwrap()
                        .map(|t| t.elapsed())
                        .unwrap_or_default();
                    if took > std::time::Duration::from_secs(120) {
                        return Err(format!("the failing destroy took {took:?}").into());
                    }
                    ctx.ecs()
                        .await
                        .put_cluster_capacity_providers()
                        .cluster(&cluster)
                        .set_capacity_providers(Some(vec![]))
                        .set_default_capacity_provider_strategy(Some(vec![]))
                        .send()
                        .await?;
                    Ok(())
                }
            }),
        )
        .check_destroy(move |ctx| {
            let (cluster, provider) = (gone_cluster.clone(), gone_provider.clone());
            async move {
                provider_gone(&ctx, &provider).await?;
                ctx.cluster_gone(&cluster).await
            }
        })
        .run()
        .await;
}

/// A managed-instances provider of `cluster`, made outside Terraform.
async fn managed_instances_outside(
    ctx: &Ctx,
    cluster: &str,
    name: &str,
) -> acceptance_tests::CheckResult {
    use aws_sdk_ecs::types::{
        CreateManagedInstancesProviderConfiguration, InstanceLaunchTemplate,
        ManagedInstancesNetworkConfiguration,
    };
    let template = InstanceLaunchTemplate::builder()
        .ec2_instance_profile_arn("arn:aws:iam::123456789012:instance-profile/ecsInstance")
        .network_configuration(
            ManagedInstancesNetworkConfiguration::builder()
                .subnets("subnet-0a1b2c3d")
                .build(),
        )
        .build()?;
    let provider = CreateManagedInstancesProviderConfiguration::builder()
        .infrastructure_role_arn("arn:aws:iam::123456789012:role/ecsInfrastructure")
        .instance_launch_template(template)
        .build()?;
    ctx.ecs()
        .await
        .create_capacity_provider()
        .name(name)
        .cluster(cluster)
        .managed_instances_provider(provider)
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn force_destroy_deregisters_container_instances_and_deletes_managed_instances_providers() {
    let test =
        "force_destroy_deregisters_container_instances_and_deletes_managed_instances_providers";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-ci");
    let provider = unique_name("acc-ci-mi");
    let (fill, gone) = (
        (cluster.clone(), provider.clone()),
        (cluster.clone(), provider.clone()),
    );
    TestCase::new(test)
        .step(
            Step::new(cluster_and_provider(&cluster, None)).check(StateCheck::custom(
                "a container instance registers and a managed-instances provider joins",
                move |ctx| {
                    let (cluster, provider) = fill.clone();
                    async move {
                        let url = ctx.endpoint_url().ok_or("no endpoint")?.to_string();
                        container_instance(&ctx.ecs().await, &url, &cluster).await?;
                        managed_instances_outside(&ctx, &cluster, &provider).await
                    }
                },
            )),
        )
        .check_destroy(move |ctx| {
            let (cluster, provider) = gone.clone();
            async move {
                let left = ctx
                    .ecs()
                    .await
                    .list_container_instances()
                    .cluster(&cluster)
                    .send()
                    .await
                    .map(|o| o.container_instance_arns().len())
                    .unwrap_or(0);
                if left > 0 {
                    return Err(format!("{left} container instances are still registered").into());
                }
                provider_gone(&ctx, &provider).await?;
                ctx.cluster_gone(&cluster).await
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn data_source_reads_a_provider_with_the_defaults_ecs_reports() {
    let test = "data_source_reads_a_provider_with_the_defaults_ecs_reports";
    if skip(test) {
        return;
    }
    let name = unique_name("acc-ds-cp");
    let arn = group(&name).await;
    let gone = name.clone();
    let config = format!(
        r#"{}
data "ecs_capacity_provider" "d" {{
  name = ecs_capacity_provider.p.name
}}
"#,
        asg_provider(&name, &arn, "")
    );
    let data = "data.ecs_capacity_provider.d";
    TestCase::new(test)
        .step(
            Step::new(config)
                .check(StateCheck::attr_eq(data, "status", json!("ACTIVE")))
                .check(StateCheck::attr_regex(
                    data,
                    "arn",
                    &format!(":capacity-provider/{name}$"),
                ))
                .check(StateCheck::attr_eq(
                    data,
                    "auto_scaling_group_provider.auto_scaling_group_arn",
                    json!(arn),
                ))
                .check(StateCheck::attr_eq(
                    data,
                    "auto_scaling_group_provider.managed_scaling.status",
                    json!("DISABLED"),
                ))
                .check(StateCheck::attr_eq(
                    data,
                    "auto_scaling_group_provider.managed_scaling.maximum_scaling_step_size",
                    json!(10000),
                ))
                .check(StateCheck::attr_eq(data, "tags", json!({ "team": "web" }))),
        )
        .check_destroy(move |ctx| {
            let name = gone.clone();
            async move { provider_gone(&ctx, &name).await }
        })
        .run()
        .await;
}

fn either_kind(cluster: &str, name: &str, group: Option<&str>) -> String {
    let provider = match group {
        Some(group) => format!(
            r#"auto_scaling_group_provider {{
    auto_scaling_group_arn = "{group}"
  }}"#
        ),
        None => r#"cluster = ecs_cluster.c.name

  managed_instances_provider {
    infrastructure_role_arn = "arn:aws:iam::123456789012:role/ecsInfrastructure"
    instance_launch_template {
      ec2_instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/ecsInstance"
      network_configuration {
        subnets = ["subnet-0a1b2c3d"]
      }
    }
  }"#
        .to_string(),
    };
    format!(
        r#"{HEADER}
resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_capacity_provider" "p" {{
  name = "{name}"
  {provider}
}}
"#
    )
}

#[tokio::test]
async fn switching_the_provider_kind_replaces_the_provider() {
    let test = "switching_the_provider_kind_replaces_the_provider";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-kind");
    let name = unique_name("acc-kind-cp");
    let arn = group(&name).await;
    let (gone_cluster, gone_name) = (cluster.clone(), name.clone());
    let addr = "ecs_capacity_provider.p";
    TestCase::new(test)
        .step(Step::new(either_kind(&cluster, &name, Some(&arn))).expect(addr, Action::Create))
        .step(
            Step::new(either_kind(&cluster, &name, None))
                .expect(addr, Action::Replace)
                .check(StateCheck::attr_eq(addr, "cluster", json!(cluster)))
                .check(StateCheck::attr_null(addr, "auto_scaling_group_provider")),
        )
        .check_destroy(move |ctx| {
            let (cluster, name) = (gone_cluster.clone(), gone_name.clone());
            async move {
                provider_gone(&ctx, &name).await?;
                ctx.cluster_gone(&cluster).await
            }
        })
        .run()
        .await;
}
