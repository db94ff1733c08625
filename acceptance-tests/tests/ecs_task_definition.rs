//! `ecs_task_definition` end to end with the real Terraform CLI against the fidelity layer (which
//! answers in real ECS's shape, with `--strict-shapes`): create → empty plan → in-place update
//! registering a new revision and deregistering the old → tag-only update → the same containers
//! spelled differently plan nothing → import by ARN and by `family:revision` → drift →
//! replacement → destroy → every revision INACTIVE.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, PlanCheck, StateCheck, Step, TestCase, unique_name,
};
use serde_json::json;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

/// A Fargate task definition written the way users write it: few members, ECS's defaults left
/// out, variables in no particular order.
fn fargate(family: &str, image: &str, extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    {{
      name  = "web"
      image = "{image}"
      portMappings = [{{ containerPort = 8080 }}]
      environment = [
        {{ name = "Z_LAST", value = "z" }},
        {{ name = "A_FIRST", value = "a" }},
        {{ name = "MIDDLE", value = "m" }},
      ]
      healthCheck = {{ command = ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"] }}
      linuxParameters = {{ capabilities = {{ drop = ["ALL"] }} }}
    }},
    {{
      name      = "sidecar"
      image     = "envoy:1"
      essential = false
    }},
  ])
  {extra}
}}
"#
    )
}

/// The same containers with members in another order and case, containers swapped, defaults
/// written out: no diff.
fn fargate_respelled(family: &str, image: &str, extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "0.25 vCPU"
  memory                   = "512"
  container_definitions = jsonencode([
    {{
      Essential = false
      Image     = "envoy:1"
      Name      = "sidecar"
      cpu       = 0
    }},
    {{
      environment = [
        {{ name = "A_FIRST", value = "a" }},
        {{ name = "MIDDLE", value = "m" }},
        {{ name = "Z_LAST", value = "z" }},
      ]
      essential    = true
      image        = "{image}"
      name         = "web"
      portmappings = [{{ containerPort = 8080, hostPort = 8080, protocol = "tcp" }}]
      mountPoints  = []
      healthCheck  = {{ command = ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"], interval = 30, retries = 3, timeout = 5 }}
      linuxParameters = {{ capabilities = {{ add = [], drop = ["ALL"] }} }}
      user         = null
    }},
  ])
  {extra}
}}
"#
    )
}

async fn revision_status(ctx: &Ctx, arn: &str) -> Result<String, acceptance_tests::BoxError> {
    let out = ctx
        .ecs()
        .await
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await?;
    Ok(out
        .task_definition()
        .and_then(|t| t.status())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default())
}

#[tokio::test]
async fn task_definition_lifecycle() {
    let family = unique_name("acc-td");
    let renamed = format!("{family}-2");
    let first_arn = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (remember, check_old) = (first_arn.clone(), first_arn.clone());
    let family_for_destroy = family.clone();
    let renamed_for_destroy = renamed.clone();
    TestCase::new("task_definition_lifecycle")
        .step(
            Step::new(fargate(&family, "nginx:1.25", ""))
                .expect("ecs_task_definition.t", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(1),
                ))
                .check(StateCheck::attr_regex(
                    "ecs_task_definition.t",
                    "arn",
                    &format!("task-definition/{family}:1$"),
                ))
                .check(StateCheck::attr_regex(
                    "ecs_task_definition.t",
                    "arn_without_revision",
                    &format!("task-definition/{family}$"),
                ))
                .check(StateCheck::custom(
                    "remember the first revision",
                    move |ctx| {
                        let remember = remember.clone();
                        async move {
                            *remember.lock().unwrap() =
                                ctx.attr_string("ecs_task_definition.t", "arn")?;
                            Ok(())
                        }
                    },
                )),
        )
        .step(
            Step::new(fargate(&family, "nginx:1.27", ""))
                .expect("ecs_task_definition.t", Action::Update)
                .plan_check(PlanCheck::unknown("ecs_task_definition.t", "arn"))
                .plan_check(PlanCheck::unknown("ecs_task_definition.t", "revision"))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(2),
                ))
                .check(StateCheck::custom(
                    "the old revision is deregistered",
                    move |ctx| {
                        let old = check_old.lock().unwrap().clone();
                        async move {
                            match revision_status(&ctx, &old).await?.as_str() {
                                "INACTIVE" => Ok(()),
                                other => Err(format!("old revision is {other}").into()),
                            }
                        }
                    },
                )),
        )
        .step(
            Step::new(fargate(&family, "nginx:1.27", r#"tags = { team = "web" }"#))
                .expect("ecs_task_definition.t", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(2),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "tags",
                    json!({"team": "web"}),
                )),
        )
        .step(
            Step::new(fargate_respelled(
                &family,
                "nginx:1.27",
                r#"tags = { team = "web" }"#,
            ))
            .expect("ecs_task_definition.t", Action::NoOp),
        )
        .step(Step::import(
            ImportStep::command("ecs_task_definition.t", ImportId::FromState("arn".into()))
                .ignore(&["container_definitions", "cpu"]),
        ))
        .step(Step::import(
            ImportStep::block(
                "ecs_task_definition.t",
                ImportId::Fixed(format!("{family}:2")),
            )
            .ignore(&["container_definitions", "cpu"]),
        ))
        .step(
            Step::new(fargate(&family, "nginx:1.27", r#"tags = { team = "web" }"#))
                .pre_step(move |ctx| async move {
                    // Drift: somebody deregisters the revision Terraform manages.
                    let arn = ctx.attr_string("ecs_task_definition.t", "arn")?;
                    ctx.ecs()
                        .await
                        .deregister_task_definition()
                        .task_definition(arn)
                        .send()
                        .await?;
                    Ok(())
                })
                .expect("ecs_task_definition.t", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(3),
                )),
        )
        .step(
            Step::new(fargate(&renamed, "nginx:1.27", ""))
                .expect("ecs_task_definition.t", Action::Replace)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(1),
                )),
        )
        .check_destroy(move |ctx| {
            let families = [family_for_destroy.clone(), renamed_for_destroy.clone()];
            async move {
                for family in families {
                    let active = ctx
                        .ecs()
                        .await
                        .list_task_definitions()
                        .family_prefix(&family)
                        .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
                        .send()
                        .await?;
                    let left: Vec<&String> = active
                        .task_definition_arns()
                        .iter()
                        .filter(|a| a.contains(&format!("/{family}:")))
                        .collect();
                    if !left.is_empty() {
                        return Err(format!("still ACTIVE: {left:?}").into());
                    }
                }
                Ok(())
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn task_definition_unknown_image_at_plan_time() {
    let family = unique_name("acc-td-unknown");
    let config = |version: &str| {
        format!(
            r#"{HEADER}
resource "terraform_data" "release" {{
  input = "{version}"
}}

resource "ecs_task_definition" "t" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "web", image = "nginx:${{terraform_data.release.output}}", memory = 128 }}])
}}
"#
        )
    };
    TestCase::new("task_definition_unknown_image")
        .step(Step::new(config("1.25")).expect("ecs_task_definition.t", Action::Create))
        .step(
            Step::new(config("1.27"))
                .expect("ecs_task_definition.t", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(2),
                )),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

#[tokio::test]
async fn task_definition_skip_destroy_keeps_revisions() {
    let family = unique_name("acc-td-keep");
    let config = |image: &str| {
        format!(
            r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  skip_destroy          = true
  container_definitions = jsonencode([{{ name = "web", image = "{image}", memory = 128 }}])
}}
"#
        )
    };
    let kept = family.clone();
    TestCase::new("task_definition_skip_destroy")
        .step(Step::new(config("nginx:1")))
        .step(Step::new(config("nginx:2")).expect("ecs_task_definition.t", Action::Update))
        .check_destroy(move |ctx| {
            let family = kept.clone();
            async move {
                for revision in [1, 2] {
                    let status = revision_status(&ctx, &format!("{family}:{revision}")).await?;
                    if status != "ACTIVE" {
                        return Err(
                            format!("{family}:{revision} is {status}, expected ACTIVE").into()
                        );
                    }
                }
                Ok(())
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn task_definition_invalid_input_fails_at_plan() {
    let family = unique_name("acc-td-bad");
    let with = |attrs: &str, containers: &str| {
        format!(
            r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  {attrs}
  container_definitions = jsonencode({containers})
}}
"#
        )
    };
    TestCase::new("task_definition_invalid_input")
        .step(
            Step::new(with(
                "",
                r#"[{ name = "web", image = "nginx", memory = 128, enviroment = [] }]"#,
            ))
            .expect_plan_error(
                r#"container "web": `enviroment` is not a member.*Did you mean `environment`"#,
            ),
        )
        .step(
            Step::new(with(
                "",
                r#"[{ name = "web", image = "nginx", memory = "lots" }]"#,
            ))
            .expect_plan_error(r#"container "web": `memory` must be a whole number, not a string"#),
        )
        .step(
            Step::new(with(
                r#"requires_compatibilities = ["FARGATE"]
  cpu = "256"
  memory = "4096""#,
                r#"[{ name = "web", image = "nginx" }]"#,
            ))
            .expect_plan_error(r#"Fargate needs network_mode = "awsvpc""#),
        )
        .step(
            Step::new(with(
                r#"requires_compatibilities = ["FARGATE"]
  network_mode = "awsvpc"
  cpu = "256"
  memory = "4096""#,
                r#"[{ name = "web", image = "nginx" }]"#,
            ))
            .expect_plan_error("256 CPU units take 512, 1024 or 2048"),
        )
        .step(
            Step::new(with("", r#"[{ name = "web", image = "nginx" }]"#)).expect_plan_error(
                r#"Container "web" sets neither `memory` nor `memoryReservation`"#,
            ),
        )
        .run()
        .await;
}

#[tokio::test]
async fn task_definition_delete_revisions_deletes_what_it_deregisters() {
    let family = unique_name("acc-td-delete");
    let config = |image: &str| {
        format!(
            r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  delete_revisions      = true
  container_definitions = jsonencode([{{ name = "web", image = "{image}", memory = 128 }}])
}}
"#
        )
    };
    let (after_update, after_destroy) = (family.clone(), family.clone());
    TestCase::new("task_definition_delete_revisions")
        .step(Step::new(config("nginx:1")))
        .step(
            Step::new(config("nginx:2"))
                .expect("ecs_task_definition.t", Action::Update)
                .check(StateCheck::custom(
                    "revision 1 is being deleted",
                    move |ctx| {
                        let family = after_update.clone();
                        async move {
                            match revision_status(&ctx, &format!("{family}:1"))
                                .await?
                                .as_str()
                            {
                                "DELETE_IN_PROGRESS" => Ok(()),
                                other => Err(format!("revision 1 is {other}").into()),
                            }
                        }
                    },
                )),
        )
        .check_destroy(move |ctx| {
            let family = after_destroy.clone();
            async move {
                match revision_status(&ctx, &format!("{family}:2"))
                    .await?
                    .as_str()
                {
                    "DELETE_IN_PROGRESS" => Ok(()),
                    other => Err(format!("revision 2 is {other}").into()),
                }
            }
        })
        .run()
        .await;
}

/// EC2 containers may set only the soft limit `memoryReservation` (ContainerDefinition.memory and
/// .memoryReservation, ECS API reference): it registers, reads back without `memory`, and plans
/// nothing afterwards.
#[tokio::test]
async fn task_definition_ec2_with_only_memory_reservation_applies_and_plans_empty() {
    let family = unique_name("acc-td-soft");
    let config = format!(
        r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([
    {{ name = "web", image = "nginx:1", memoryReservation = 128 }},
    {{ name = "log", image = "fluent-bit:1", memoryReservation = 32, essential = false }},
  ])
}}
"#
    );
    let registered = family.clone();
    TestCase::new("task_definition_ec2_with_only_memory_reservation")
        .step(
            Step::new(config)
                .expect("ecs_task_definition.t", Action::Create)
                .check(StateCheck::custom(
                    "registered with memoryReservation and no memory",
                    move |ctx| {
                        let family = registered.clone();
                        async move {
                            let out = ctx
                                .ecs()
                                .await
                                .describe_task_definition()
                                .task_definition(&family)
                                .send()
                                .await?;
                            let containers = out
                                .task_definition()
                                .map(|t| t.container_definitions().to_vec())
                                .unwrap_or_default();
                            let soft_only = containers
                                .iter()
                                .all(|c| c.memory().is_none() && c.memory_reservation().is_some());
                            if containers.len() == 2 && soft_only {
                                Ok(())
                            } else {
                                Err(format!("registered containers: {containers:?}").into())
                            }
                        }
                    },
                )),
        )
        .run()
        .await;
}
