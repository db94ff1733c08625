//! `ecs_service`'s Service Connect, VPC Lattice and EBS volume configuration with the real
//! Terraform CLI against the fidelity layer, which keeps them on the deployment they start, as
//! ECS does: create → empty plan → change in place (a new deployment) → import → remove. The
//! namespace keeps the user's spelling while ECS reports its ARN; the cluster's default
//! namespace applies when the service names none. ECS's EBS rules and the pairing with the task
//! definition's `configure_at_launch` volumes are plan errors naming the attribute.

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, endpoint_url, real_aws,
    skip_without_acc, unique_name,
};
use aws_sdk_ecs::types::Deployment;
use serde_json::json;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-infrastructure";
const TARGET_GROUP: &str = "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789";
const CA: &str = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/ca-1";

async fn subnet() -> String {
    if real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        default_subnet(&endpoint_url())
            .await
            .expect("a default subnet")
    }
}

/// A Fargate service in its own cluster; `cluster_body` and `volume` go into the cluster and
/// the task definition, `service_body` into the service.
fn config(
    cluster: &str,
    family: &str,
    subnet: &str,
    cluster_body: &str,
    volume: &str,
    service_body: &str,
) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
  {cluster_body}
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name         = "web"
    image        = "nginx:1.27"
    portMappings = [{{ name = "http", containerPort = 80 }}]
  }}])
  {volume}
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  {service_body}
}}
"#
    )
}

fn connect(port: u32, lattice_port: &str) -> String {
    format!(
        r#"
  service_connect_configuration {{
    enabled   = true
    namespace = "internal"
    log_configuration {{
      log_driver = "awslogs"
      options = {{
        awslogs-group  = "/ecs/web"
        awslogs-region = "us-east-1"
      }}
    }}
    access_log_configuration {{
      format = "JSON"
    }}
    service {{
      port_name      = "http"
      discovery_name = "web"
      client_alias {{
        port     = {port}
        dns_name = "web.internal"
        test_traffic_rules {{
          header {{
            name = "x-canary"
            value {{
              exact = "1"
            }}
          }}
        }}
      }}
      timeout {{
        idle_timeout_seconds = 60
      }}
      tls {{
        issuer_cert_authority {{
          aws_pca_authority_arn = "{CA}"
        }}
        role_arn = "{ROLE}"
      }}
    }}
  }}
  vpc_lattice_configurations {{
    role_arn         = "{ROLE}"
    target_group_arn = "{TARGET_GROUP}"
    port_name        = "{lattice_port}"
  }}
"#
    )
}

/// The PRIMARY deployment of the service "web" in `cluster`, as ECS reports it.
async fn primary(ctx: &Ctx, cluster: &str) -> Result<Deployment, acceptance_tests::BoxError> {
    let out = ctx
        .ecs()
        .await
        .describe_services()
        .cluster(cluster)
        .services("web")
        .send()
        .await?;
    let service = out.services().first().ok_or("service not found")?;
    service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .cloned()
        .ok_or_else(|| "no PRIMARY deployment".into())
}

async fn gone(ctx: Ctx, cluster: String) -> acceptance_tests::CheckResult {
    ctx.service_gone(&cluster, "web").await?;
    ctx.cluster_gone(&cluster).await
}

#[tokio::test]
async fn service_connect_and_vpc_lattice_deploy_in_place_read_back_from_the_deployment_and_import()
{
    let name =
        "service_connect_and_vpc_lattice_deploy_in_place_read_back_from_the_deployment_and_import";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = (
        unique_name("acc-sc"),
        unique_name("acc-sc-td"),
        subnet().await,
    );
    let cfg = |body: &str| config(&cluster, &family, &subnet, "", "", body);
    let (c1, c2, c3, c4) = (
        cluster.clone(),
        cluster.clone(),
        cluster.clone(),
        cluster.clone(),
    );
    let addr = "ecs_service.s";
    TestCase::new(name)
        .step(
            Step::new(cfg(&connect(80, "http")))
                .expect(addr, Action::Create)
                .check(StateCheck::attr_eq(
                    addr,
                    "service_connect_configuration.namespace",
                    json!("internal"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "service_connect_configuration.access_log_configuration.include_query_parameters",
                    json!("DISABLED"),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "vpc_lattice_configurations.0.port_name",
                    json!("http"),
                ))
                .check(StateCheck::custom(
                    "ECS runs the deployment with Service Connect in the namespace's ARN",
                    move |ctx| {
                        let cluster = c1.clone();
                        async move {
                            let d = primary(&ctx, &cluster).await?;
                            let sc = d
                                .service_connect_configuration()
                                .ok_or("no Service Connect on the deployment")?;
                            let ns = sc.namespace().unwrap_or_default();
                            if !ns.starts_with("arn:aws:servicediscovery:") {
                                return Err(format!("namespace {ns}").into());
                            }
                            if d.vpc_lattice_configurations().len() != 1 {
                                return Err("no VPC Lattice on the deployment".into());
                            }
                            Ok(())
                        }
                    },
                )),
        )
        .step(
            Step::new(cfg(&connect(8080, "http")))
                .expect(addr, Action::Update)
                .check(StateCheck::attr_eq(
                    addr,
                    "service_connect_configuration.service.0.client_alias.port",
                    json!(8080),
                ))
                .check(StateCheck::custom(
                    "the new alias port runs in the PRIMARY deployment",
                    move |ctx| {
                        let cluster = c2.clone();
                        async move {
                            let d = primary(&ctx, &cluster).await?;
                            let port = d
                                .service_connect_configuration()
                                .and_then(|c| c.services().first())
                                .and_then(|s| s.client_aliases().first())
                                .map(|a| a.port());
                            if port == Some(8080) {
                                Ok(())
                            } else {
                                Err(format!("alias port {port:?}").into())
                            }
                        }
                    },
                )),
        )
        .step(Step::import(
            // Imported, the namespace is what ECS reports: its ARN.
            ImportStep::command(addr, ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts", "service_connect_configuration.namespace"]),
        ))
        // The task definition is known now: port names are checked against it at plan time.
        .step(
            Step::new(cfg(&connect(8080, "http").replace(
                r#"port_name      = "http""#,
                r#"port_name      = "grpc""#,
            )))
            .expect_plan_error(
                r#"(?s)Service Connect names no port mapping of the task definition.*no port mapping named "grpc" \(it names "http"\)"#,
            ),
        )
        .step(
            Step::new(cfg(&connect(8080, "admin"))).expect_plan_error(
                r#"(?s)VPC Lattice names no port mapping of the task definition.*"admin""#,
            ),
        )
        .step(
            Step::new(cfg(""))
                .expect(addr, Action::Update)
                .check(StateCheck::attr_null(addr, "service_connect_configuration"))
                .check(StateCheck::attr_eq(
                    addr,
                    "vpc_lattice_configurations",
                    json!([]),
                ))
                .check(StateCheck::custom(
                    "Service Connect is off and VPC Lattice gone in the PRIMARY deployment",
                    move |ctx| {
                        let cluster = c3.clone();
                        async move {
                            let d = primary(&ctx, &cluster).await?;
                            let on = d.service_connect_configuration().is_some_and(|c| c.enabled());
                            if on || !d.vpc_lattice_configurations().is_empty() {
                                Err(format!("deployment {d:?}").into())
                            } else {
                                Ok(())
                            }
                        }
                    },
                )),
        )
        .check_destroy(move |ctx| gone(ctx, c4.clone()))
        .run()
        .await;
}

#[tokio::test]
async fn service_connect_without_a_namespace_uses_the_cluster_default() {
    let name = "service_connect_without_a_namespace_uses_the_cluster_default";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = (
        unique_name("acc-sc-def"),
        unique_name("acc-sc-def-td"),
        subnet().await,
    );
    let default = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-clusterdefault";
    let body = r#"
  service_connect_configuration {
    enabled = true
  }
"#;
    let with_default = format!(r#"service_connect_namespace = "{default}""#);
    let c = cluster.clone();
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, &subnet, &with_default, "", body))
                .expect("ecs_service.s", Action::Create)
                .check(StateCheck::attr_eq(
                    "ecs_service.s",
                    "service_connect_configuration.namespace",
                    json!(default),
                )),
        )
        // Unrelated changes leave the namespace ECS filled in as it is.
        .step(
            Step::new(config(
                &cluster,
                &family,
                &subnet,
                &with_default,
                "",
                &format!("{body}\n  enable_execute_command = true"),
            ))
            .expect("ecs_service.s", Action::Update)
            .check(StateCheck::attr_eq(
                "ecs_service.s",
                "service_connect_configuration.namespace",
                json!(default),
            )),
        )
        .check_destroy(move |ctx| gone(ctx, c.clone()))
        .run()
        .await;
}

#[tokio::test]
async fn service_connect_with_no_namespace_anywhere_fails_with_ecs_words() {
    let name = "service_connect_with_no_namespace_anywhere_fails_with_ecs_words";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = (
        unique_name("acc-sc-none"),
        unique_name("acc-sc-none-td"),
        subnet().await,
    );
    let body = "service_connect_configuration {\n    enabled = true\n  }";
    let c = cluster.clone();
    TestCase::new(name)
        .step(
            Step::new(config(&cluster, &family, &subnet, "", "", body))
                .expect_error("Service Connect requires a namespace"),
        )
        .check_destroy(move |ctx| {
            let cluster = c.clone();
            async move { ctx.cluster_gone(&cluster).await }
        })
        .run()
        .await;
}

const LAUNCH_VOLUME: &str = r#"
  volume {
    name                 = "data"
    configure_at_launch = true
  }
"#;

fn ebs(name: &str, size: u32) -> String {
    format!(
        r#"
  volume_configuration {{
    name = "{name}"
    managed_ebs_volume {{
      role_arn    = "{ROLE}"
      size_in_gb  = {size}
      volume_type = "gp3"
      iops        = 3000
      throughput  = 125
      tag_specifications {{
        resource_type  = "volume"
        propagate_tags = "SERVICE"
        tags = {{
          team = "web"
        }}
      }}
    }}
  }}
"#
    )
}

#[tokio::test]
async fn volume_configuration_deploys_in_place_imports_and_must_pair_with_a_volume_configured_at_launch()
 {
    let name = "volume_configuration_deploys_in_place_imports_and_must_pair_with_a_volume_configured_at_launch";
    if skip_without_acc(name) {
        return;
    }
    let (cluster, family, subnet) = (
        unique_name("acc-vol"),
        unique_name("acc-vol-td"),
        subnet().await,
    );
    let cfg = |body: &str| config(&cluster, &family, &subnet, "", LAUNCH_VOLUME, body);
    let (c1, c2) = (cluster.clone(), cluster.clone());
    let addr = "ecs_service.s";
    TestCase::new(name)
        .step(
            Step::new(cfg(&ebs("data", 20)))
                .expect(addr, Action::Create)
                .check(StateCheck::attr_eq(
                    addr,
                    "volume_configuration.managed_ebs_volume.encrypted",
                    json!(true),
                ))
                .check(StateCheck::attr_eq(
                    addr,
                    "volume_configuration.managed_ebs_volume.file_system_type",
                    json!("xfs"),
                ))
                .check(StateCheck::custom(
                    "ECS runs the deployment with the volume configuration",
                    move |ctx| {
                        let cluster = c1.clone();
                        async move {
                            let d = primary(&ctx, &cluster).await?;
                            let size = d
                                .volume_configurations()
                                .first()
                                .and_then(|v| v.managed_ebs_volume())
                                .and_then(|e| e.size_in_gib());
                            if size == Some(20) {
                                Ok(())
                            } else {
                                Err(format!("size {size:?}").into())
                            }
                        }
                    },
                )),
        )
        .step(
            Step::new(cfg(&ebs("data", 30)))
                .expect(addr, Action::Update)
                .check(StateCheck::attr_eq(
                    addr,
                    "volume_configuration.managed_ebs_volume.size_in_gb",
                    json!(30),
                )),
        )
        .step(Step::import(
            ImportStep::command(addr, ImportId::Fixed(format!("{cluster}/web")))
                .ignore(&["timeouts"]),
        ))
        // The task definition is known now: the pairing is checked at plan time.
        .step(Step::new(cfg(&ebs("other", 30))).expect_plan_error(
            r#"(?s)volume_configuration names no volume configured at launch.*no volume "other""#,
        ))
        .step(Step::new(cfg("")).expect_plan_error(
            r#"(?s)The task definition needs a volume_configuration.*"data" has configure_at_launch = true"#,
        ))
        .check_destroy(move |ctx| gone(ctx, c2.clone()))
        .run()
        .await;
}

/// A service whose cluster and task definition are literals (nothing is created: every step is
/// a plan error).
fn literal(body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_service" "s" {{
  name            = "web"
  cluster         = "nowhere"
  task_definition = "nothing:1"
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["subnet-1"]
  }}
  {body}
}}
"#
    )
}

fn ebs_with(attrs: &str) -> String {
    format!(
        r#"
  volume_configuration {{
    name = "data"
    managed_ebs_volume {{
      role_arn = "{ROLE}"
      {attrs}
    }}
  }}
"#
    )
}

#[tokio::test]
async fn ecs_volume_and_service_connect_rules_are_plan_errors_naming_the_attribute() {
    let name = "ecs_volume_and_service_connect_rules_are_plan_errors_naming_the_attribute";
    if skip_without_acc(name) {
        return;
    }
    let cases: Vec<(String, &str)> = vec![
        (ebs_with(""), r"(?s)needs a size or a snapshot.*size_in_gb"),
        (
            ebs_with("size_in_gb = 16385"),
            r"(?s)Volume size out of range.*gp3 volumes are 1 to 16384 GiB",
        ),
        (
            ebs_with(
                r#"size_in_gb = 100
      volume_type = "st1""#,
            ),
            r"(?s)Volume size out of range.*st1 volumes are 125 to 16384 GiB",
        ),
        (
            ebs_with(
                r#"size_in_gb = 200
      volume_type = "st1"
      iops = 3000"#,
            ),
            r"(?s)IOPS cannot be set for this volume type.*iops",
        ),
        (
            ebs_with("size_in_gb = 20\n      iops = 20000"),
            r"(?s)IOPS out of range.*gp3 volumes take 3000 to 16000 IOPS",
        ),
        (
            ebs_with(
                r#"size_in_gb = 20
      volume_type = "io2""#,
            ),
            r"(?s)io1 and io2 volumes need iops",
        ),
        (
            ebs_with(
                r#"size_in_gb = 20
      volume_type = "gp2"
      throughput = 200"#,
            ),
            r"(?s)Throughput can only be set for gp3 volumes.*throughput",
        ),
        (
            ebs_with("size_in_gb = 20\n      volume_initialization_rate = 200"),
            r"(?s)volume_initialization_rate needs snapshot_id",
        ),
        (
            ebs_with(
                r#"snapshot_id = "snap-1"
      volume_initialization_rate = 500"#,
            ),
            r"(?s)Volume initialization rate out of range",
        ),
        (
            ebs_with(
                r#"size_in_gb = 20
      volume_type = "gp4""#,
            ),
            r"(?s)volume_type",
        ),
        (
            r#"service_connect_configuration {
    enabled = true
    access_log_configuration {
      format                   = "JSON"
      include_query_parameters = "SOMETIMES"
    }
  }"#
            .to_string(),
            r"(?s)include_query_parameters",
        ),
        (
            r#"service_connect_configuration {
    enabled = true
    service {
      port_name = "http"
      client_alias {
        port = 70000
      }
    }
  }"#
            .to_string(),
            r"(?s)port is 70000",
        ),
        (
            format!(
                r#"vpc_lattice_configurations {{
    role_arn         = "{ROLE}"
    target_group_arn = "{TARGET_GROUP}"
    port_name        = "Web Port"
  }}"#
            ),
            r"(?s)port_name",
        ),
        (
            format!(
                r#"vpc_lattice_configurations {{
    role_arn         = "{ROLE}"
    target_group_arn = "{TARGET_GROUP}"
    port_name        = "-web"
  }}"#
            ),
            r"(?s)Invalid VPC Lattice port name.*starts with a hyphen",
        ),
    ];
    let mut case = TestCase::new(name);
    for (body, pattern) in cases {
        case = case.step(Step::new(literal(&body)).expect_plan_error(pattern));
    }
    case.check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}
