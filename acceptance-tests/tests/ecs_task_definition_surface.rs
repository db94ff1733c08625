//! `ecs_task_definition`'s task-level arguments beyond containers and sizes, end to end with the
//! CLI against the fidelity layer: placement constraints, IPC and PID modes, the App Mesh proxy,
//! FSx for Windows File Server volumes and fault injection register, plan empty, change into new
//! revisions, import and destroy; `track_latest` adopts revisions registered outside Terraform;
//! ECS's refusals are plan-time errors; the data source `ecs_container_definition` reads one
//! container.

use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, PlanCheck, StateCheck, Step, TestCase, unique_name,
};
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinition, TaskDefinitionStatus};
use serde_json::json;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

/// A Linux EC2 definition with an Envoy proxy in namespaces shared by the task, placed on
/// instances in given zones, and a Windows definition mounting an FSx share. `v` varies what a
/// new revision changes.
fn surface(family: &str, v: &Variant) -> String {
    format!("{HEADER}{}{}", linux(family, v), windows(family, v))
}

fn linux(family: &str, v: &Variant) -> String {
    let Variant {
        ipc_mode,
        app_ports,
        zones,
        fault_injection,
        ..
    } = v;
    format!(
        r#"
resource "ecs_task_definition" "t" {{
  family       = "{family}"
  network_mode = "awsvpc"
  ipc_mode     = "{ipc_mode}"
  pid_mode     = "task"
  {fault_injection}
  container_definitions = jsonencode([
    {{ name = "app", image = "nginx:1.27", memory = 256, portMappings = [{{ containerPort = 8080 }}] }},
    {{ name = "envoy", image = "envoyproxy/envoy:v1.31", memory = 128, user = "1337" }},
  ])

  placement_constraints {{
    type       = "memberOf"
    expression = "attribute:ecs.availability-zone in [{zones}]"
  }}
  placement_constraints {{
    type       = "memberOf"
    expression = "attribute:ecs.os-type == linux"
  }}

  proxy_configuration {{
    container_name = "envoy"
    properties = {{
      AppPorts         = "{app_ports}"
      EgressIgnoredIPs = "169.254.170.2,169.254.169.254"
      IgnoredUID       = "1337"
      ProxyEgressPort  = 15001
      ProxyIngressPort = 15000
    }}
  }}
}}
"#
    )
}

fn windows(family: &str, v: &Variant) -> String {
    let root = v.root;
    format!(
        r#"
resource "ecs_task_definition" "win" {{
  family                   = "{family}-win"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([
    {{ name = "iis", image = "mcr.microsoft.com/windows/servercore/iis", memory = 1024,
       mountPoints = [{{ sourceVolume = "share", containerPath = "C:\\share" }}] }},
  ])
  runtime_platform {{
    operating_system_family = "WINDOWS_SERVER_2022_CORE"
    cpu_architecture        = "X86_64"
  }}
  volume {{
    name = "share"
    fsx_windows_file_server_volume_configuration {{
      file_system_id = "fs-0123456789abcdef0"
      root_directory = "{root}"
      authorization_config {{
        credentials_parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/fsx-credentials"
        domain                = "corp.example.com"
      }}
    }}
  }}
}}
"#
    )
}

struct Variant {
    ipc_mode: &'static str,
    app_ports: &'static str,
    zones: &'static str,
    fault_injection: &'static str,
    root: &'static str,
}

const FIRST: Variant = Variant {
    ipc_mode: "task",
    app_ports: "8080",
    zones: "us-east-1a, us-east-1b",
    fault_injection: "enable_fault_injection = true",
    root: "data",
};

async fn described(ctx: &Ctx, arn: &str) -> Result<TaskDefinition, acceptance_tests::BoxError> {
    let out = ctx
        .ecs()
        .await
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await?;
    out.task_definition()
        .cloned()
        .ok_or_else(|| format!("{arn}: no task definition").into())
}

fn registered(ctx: &Ctx, address: &str) -> String {
    ctx.attr_string(address, "arn").unwrap_or_default()
}

#[tokio::test]
async fn task_definition_surface_arguments_register_change_import_and_destroy() {
    let family = unique_name("acc-td-surface");
    let second = Variant {
        ipc_mode: "none",
        app_ports: "8080,9090",
        zones: "us-east-1a, us-east-1c",
        ..FIRST
    };
    let third = Variant {
        fault_injection: "",
        root: "archive",
        ..second
    };
    TestCase::new("task_definition_surface_arguments")
        .step(
            Step::new(surface(&family, &FIRST))
                .expect("ecs_task_definition.t", Action::Create)
                .expect("ecs_task_definition.win", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "enable_fault_injection",
                    json!(true),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "proxy_configuration.type",
                    json!("APPMESH"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "proxy_configuration.properties.ProxyEgressPort",
                    json!("15001"),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.win",
                    "enable_fault_injection",
                    json!(false),
                ))
                .check(StateCheck::custom(
                    "ECS holds what was configured",
                    |ctx| async move {
                        let t = described(&ctx, &registered(&ctx, "ecs_task_definition.t")).await?;
                        let modes = (
                            t.ipc_mode().map(|m| m.as_str()),
                            t.pid_mode().map(|m| m.as_str()),
                        );
                        if modes != (Some("task"), Some("task"))
                            || t.enable_fault_injection() != Some(true)
                        {
                            return Err(format!(
                                "modes {modes:?}, fault injection {:?}",
                                t.enable_fault_injection()
                            )
                            .into());
                        }
                        let mut expressions: Vec<&str> = t
                            .placement_constraints()
                            .iter()
                            .filter_map(|c| c.expression())
                            .collect();
                        expressions.sort_unstable();
                        if expressions
                            != [
                                "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
                                "attribute:ecs.os-type == linux",
                            ]
                        {
                            return Err(format!("constraints {expressions:?}").into());
                        }
                        let proxy = t.proxy_configuration().ok_or("no proxy configuration")?;
                        let mut pairs: Vec<(&str, &str)> = proxy
                            .properties()
                            .iter()
                            .map(|p| (p.name().unwrap_or(""), p.value().unwrap_or("")))
                            .collect();
                        pairs.sort_unstable();
                        if proxy.container_name() != "envoy"
                            || pairs.len() != 5
                            || pairs[0] != ("AppPorts", "8080")
                        {
                            return Err(format!("proxy {proxy:?}").into());
                        }
                        let win =
                            described(&ctx, &registered(&ctx, "ecs_task_definition.win")).await?;
                        let fsx = win
                            .volumes()
                            .first()
                            .and_then(|v| v.fsx_windows_file_server_volume_configuration())
                            .ok_or("no FSx volume")?;
                        let auth = fsx.authorization_config().ok_or("no authorization")?;
                        if fsx.root_directory() != "data" || auth.domain() != "corp.example.com" {
                            return Err(format!("FSx volume {fsx:?}").into());
                        }
                        Ok(())
                    },
                )),
        )
        .step(
            Step::new(surface(&family, &second))
                .expect("ecs_task_definition.t", Action::Update)
                .expect("ecs_task_definition.win", Action::NoOp)
                .plan_check(PlanCheck::unknown("ecs_task_definition.t", "revision"))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(2),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "ipc_mode",
                    json!("none"),
                ))
                .check(StateCheck::custom(
                    "the new revision has the new mode and properties",
                    |ctx| async move {
                        let t = described(&ctx, &registered(&ctx, "ecs_task_definition.t")).await?;
                        let ports = t
                            .proxy_configuration()
                            .map(|p| p.properties().to_vec())
                            .unwrap_or_default()
                            .into_iter()
                            .find(|p| p.name() == Some("AppPorts"))
                            .and_then(|p| p.value().map(str::to_string));
                        match (t.ipc_mode().map(|m| m.as_str()), ports.as_deref()) {
                            (Some("none"), Some("8080,9090")) => Ok(()),
                            other => Err(format!("revision 2 has {other:?}").into()),
                        }
                    },
                )),
        )
        .step(Step::import(
            ImportStep::command("ecs_task_definition.t", ImportId::FromState("arn".into()))
                .ignore(&["container_definitions"]),
        ))
        .step(
            Step::import(
                ImportStep::block(
                    "ecs_task_definition.win",
                    ImportId::Fixed(format!("{family}-win:1")),
                )
                .ignore(&["container_definitions"]),
            )
            .with_config(format!("{HEADER}{}", windows(&family, &second))),
        )
        .step(
            Step::new(surface(&family, &third))
                .expect("ecs_task_definition.t", Action::Update)
                .expect("ecs_task_definition.win", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(3),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "enable_fault_injection",
                    json!(false),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.win",
                    "revision",
                    json!(2),
                )),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

fn tracked(family: &str, image: &str, track_latest: bool) -> String {
    format!(
        r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  track_latest          = {track_latest}
  container_definitions = jsonencode([{{ name = "web", image = "{image}", memory = 128 }}])
}}
"#
    )
}

/// What a CI pipeline does: register a new revision of the family with another image.
async fn register_outside(
    ctx: &Ctx,
    family: &str,
    image: &str,
) -> Result<(), acceptance_tests::BoxError> {
    ctx.ecs()
        .await
        .register_task_definition()
        .family(family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image(image)
                .memory(128)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}

async fn active_revisions(
    ctx: &Ctx,
    family: &str,
) -> Result<Vec<String>, acceptance_tests::BoxError> {
    let out = ctx
        .ecs()
        .await
        .list_task_definitions()
        .family_prefix(family)
        .status(TaskDefinitionStatus::Active)
        .send()
        .await?;
    Ok(out
        .task_definition_arns()
        .iter()
        .filter_map(|arn| Some(arn.rsplit_once(':')?.1.to_string()))
        .collect())
}

#[tokio::test]
async fn task_definition_track_latest_adopts_revisions_registered_outside_terraform() {
    let family = unique_name("acc-td-latest");
    let (ci, ci_untracked, kept) = (family.clone(), family.clone(), family.clone());
    TestCase::new("task_definition_track_latest")
        .step(
            Step::new(tracked(&family, "nginx:1", true))
                .expect("ecs_task_definition.t", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(1),
                )),
        )
        .step(
            // CI deploys revision 2: the plan is empty, the state follows it, nothing is reverted.
            Step::new(tracked(&family, "nginx:1", true))
                .pre_step(move |ctx| {
                    let family = ci.clone();
                    async move { register_outside(&ctx, &family, "nginx:2").await }
                })
                .expect("ecs_task_definition.t", Action::NoOp)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(2),
                ))
                .check(StateCheck::attr_regex(
                    "ecs_task_definition.t",
                    "arn",
                    &format!("task-definition/{family}:2$"),
                ))
                .check(StateCheck::custom(
                    "revision 2 keeps the image CI gave it",
                    |ctx| async move {
                        let t = described(&ctx, &registered(&ctx, "ecs_task_definition.t")).await?;
                        match t.container_definitions().first().and_then(|c| c.image()) {
                            Some("nginx:2") => Ok(()),
                            other => Err(format!("image {other:?}").into()),
                        }
                    },
                )),
        )
        .step(
            // A change to the configuration registers from it and retires the adopted revision.
            Step::new(tracked(&family, "nginx:3", true))
                .expect("ecs_task_definition.t", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(3),
                )),
        )
        .step(
            Step::new(tracked(&family, "nginx:3", false))
                .expect("ecs_task_definition.t", Action::Update)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(3),
                ))
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "track_latest",
                    json!(false),
                )),
        )
        .step(
            // Without tracking, an outside revision is neither adopted nor reverted.
            Step::new(tracked(&family, "nginx:3", false))
                .pre_step(move |ctx| {
                    let family = ci_untracked.clone();
                    async move { register_outside(&ctx, &family, "nginx:4").await }
                })
                .expect("ecs_task_definition.t", Action::NoOp)
                .check(StateCheck::attr_eq(
                    "ecs_task_definition.t",
                    "revision",
                    json!(3),
                )),
        )
        .check_destroy(move |ctx| {
            let family = kept.clone();
            async move {
                ctx.all_destroyed().await?;
                // Revision 1 was superseded by CI's revision 2 and 4 was never adopted: Terraform
                // leaves both as it found them. Remove them so nothing is left.
                let mut left = active_revisions(&ctx, &family).await?;
                left.sort();
                if left != ["1", "4"] {
                    return Err(format!("ACTIVE revisions after destroy: {left:?}").into());
                }
                for revision in left {
                    ctx.ecs()
                        .await
                        .deregister_task_definition()
                        .task_definition(format!("{family}:{revision}"))
                        .send()
                        .await?;
                }
                match active_revisions(&ctx, &family).await?.as_slice() {
                    [] => Ok(()),
                    rest => Err(format!("still ACTIVE: {rest:?}").into()),
                }
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn task_definition_surface_rules_fail_at_plan() {
    let family = unique_name("acc-td-rules");
    let with = |attrs: &str| {
        format!(
            r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "web", image = "nginx", memory = 512 }}])
  {attrs}
}}
"#
        )
    };
    let fargate = r#"requires_compatibilities = ["FARGATE"]
  network_mode = "awsvpc"
  cpu = "256"
  memory = "512""#;
    let windows = r#"runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2019_FULL"
  }"#;
    let constraint = |body: &str| format!("placement_constraints {{\n    {body}\n  }}\n");
    TestCase::new("task_definition_surface_rules")
        .step(
            Step::new(with(&format!("{fargate}\n  ipc_mode = \"task\"")))
                .expect_plan_error(r#"ipc_mode is not supported on Fargate"#),
        )
        .step(
            Step::new(with(&format!("{fargate}\n  pid_mode = \"host\"")))
                .expect_plan_error(r#"Fargate takes only pid_mode = "task""#),
        )
        .step(
            Step::new(with(&format!("{windows}\n  pid_mode = \"task\"")))
                .expect_plan_error("pid_mode is not supported for Windows containers"),
        )
        .step(
            Step::new(with(&format!("{windows}\n  ipc_mode = \"host\"")))
                .expect_plan_error("ipc_mode is not supported for Windows containers"),
        )
        .step(
            Step::new(with(r#"pid_mode = "process""#)).expect_plan_error(
                r#"pid_mode is "process", which is not allowed. Allowed values: "host", "task""#,
            ),
        )
        .step(
            Step::new(with(&constraint(r#"type = "memberOf""#)))
                .expect_plan_error("memberOf needs an expression"),
        )
        .step(
            Step::new(with(&constraint(r#"type = "distinctInstance""#)))
                .expect_plan_error(r#"Allowed values: "memberOf""#),
        )
        .step(
            Step::new(with(
                &constraint(
                    r#"type = "memberOf"
    expression = "attribute:ecs.os-type == linux""#,
                )
                .repeat(11),
            ))
            .expect_plan_error("Too many placement_constraints blocks"),
        )
        .step(
            Step::new(with(
                r#"volume {
    name = "share"
    fsx_windows_file_server_volume_configuration {
      file_system_id = "fs-1"
      root_directory = "share"
    }
  }"#,
            ))
            .expect_plan_error("(Insufficient|Missing) authorization_config block"),
        )
        .step(
            Step::new(with(
                r#"proxy_configuration {
    type           = "ENVOY"
    container_name = "web"
  }"#,
            ))
            .expect_plan_error(r#"Allowed values: "APPMESH""#),
        )
        .run()
        .await;
}

#[tokio::test]
async fn data_source_container_definition_reads_one_container() {
    let family = unique_name("acc-cd");
    let config = |container: &str| {
        format!(
            r#"{HEADER}
resource "ecs_task_definition" "t" {{
  family = "{family}"
  container_definitions = jsonencode([
    {{
      name              = "web"
      image             = "registry.example.com:5000/web@sha256:0123456789abcdef"
      memoryReservation = 256
      disableNetworking = false
      environment       = [{{ name = "B", value = "2" }}, {{ name = "A", value = "1" }}]
      dockerLabels      = {{ team = "web" }}
    }},
    {{ name = "log", image = "fluent-bit:3.1", cpu = 64, memory = 128, essential = false }},
  ])
}}

data "ecs_container_definition" "by_family" {{
  task_definition = ecs_task_definition.t.family
  container_name  = "{container}"
}}

data "ecs_container_definition" "by_arn" {{
  task_definition = ecs_task_definition.t.arn
  container_name  = "log"
}}
"#
        )
    };
    let web = "data.ecs_container_definition.by_family";
    let log = "data.ecs_container_definition.by_arn";
    TestCase::new("data_source_container_definition")
        .step(
            Step::new(config("web"))
                .check(StateCheck::attr_eq(web, "image", json!("registry.example.com:5000/web@sha256:0123456789abcdef")))
                .check(StateCheck::attr_eq(web, "image_digest", json!("sha256:0123456789abcdef")))
                .check(StateCheck::attr_eq(web, "cpu", json!(0)))
                .check(StateCheck::attr_null(web, "memory"))
                .check(StateCheck::attr_eq(web, "memory_reservation", json!(256)))
                .check(StateCheck::attr_eq(web, "environment", json!({ "A": "1", "B": "2" })))
                .check(StateCheck::attr_eq(web, "docker_labels", json!({ "team": "web" })))
                .check(StateCheck::attr_eq(web, "disable_networking", json!(false)))
                .check(StateCheck::attr_regex(web, "id", &format!("^{family}/web$")))
                .check(StateCheck::attr_eq(log, "image_digest", json!("3.1")))
                .check(StateCheck::attr_eq(log, "cpu", json!(64)))
                .check(StateCheck::attr_eq(log, "memory", json!(128)))
                .check(StateCheck::attr_null(log, "memory_reservation"))
                .check(StateCheck::attr_eq(log, "environment", json!({})))
                .check(StateCheck::attr_null(log, "disable_networking")),
        )
        .step(
            Step::new(config("webb")).expect_plan_error(
                r#"(?s)container_name.*has no container named "webb"; its containers are: .*Did you mean "web"\?"#,
            ),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}
