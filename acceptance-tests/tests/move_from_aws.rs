//! Moving state from the real hashicorp/aws provider (`moved { from = aws_ecs_cluster.c
//! to = ecs_cluster.c }`, MoveResourceState): six AWS resources (cluster, cluster capacity
//! providers, capacity provider, task definition, service, SSM parameter) are applied with the
//! AWS provider against the local endpoint; their configuration is then replaced by the
//! translated one for this provider with `moved` blocks. The plan shows only the moves (no
//! create, update or destroy), the apply and the next plan change nothing, and the SDK sees the
//! same objects (same ARNs, creation and registration times, parameter version). A source
//! attribute ours has no place for fails the move naming it.
//!
//! The v6 AWS provider is built once by `tools/setup-go-peers aws` (a long Go build on a cold
//! machine); 5.100.0 is used from a filesystem mirror at `/opt/tf-plugins` when there is one.

#[path = "support/auto_scaling.rs"]
mod auto_scaling;

use std::path::{Path, PathBuf};

use acceptance_tests::env::{self, Cli};
use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{BoxError, Ctx, Terraform, endpoint_url, skip_without_acc, unique_name};
use serde_json::Value;

const AWS_SOURCE: &str = "hashicorp/aws";
const V5_MIRROR: &str = "/opt/tf-plugins";

/// Whether the test is skipped: `scripts/test` with `MOVE_FROM_AWS=0` leaves the AWS provider
/// unbuilt. Printed, never silent.
fn skipped(test: &str) -> bool {
    if skip_without_acc(test) {
        return true;
    }
    let skip = std::env::var_os("ECS_ACC_SKIP_MOVE_FROM_AWS").is_some_and(|v| v == "1");
    if skip {
        eprintln!(
            "{test}: skipped: ECS_ACC_SKIP_MOVE_FROM_AWS=1 (the hashicorp/aws provider is not built)"
        );
    }
    skip
}

/// The directory of the v6 AWS provider binary, built or found by `tools/setup-go-peers aws`.
fn aws_provider_dir() -> PathBuf {
    match env::go_peer("aws") {
        Ok(bin) => bin.parent().map(Path::to_path_buf).unwrap_or_default(),
        Err(e) => panic!(
            "the hashicorp/aws provider these tests move state from could not be built or found \
             (tools/setup-go-peers aws needs Go and network access to its module proxy on first use): {e}"
        ),
    }
}

struct Names {
    cluster: String,
    family: String,
    service: String,
    parameter: String,
    capacity_provider: String,
    group_arn: String,
    subnet: String,
}

impl Names {
    async fn new(url: &str) -> Names {
        let capacity_provider = unique_name("mv-cp");
        let group_arn = auto_scaling::auto_scaling_group(url, &unique_name("mv-asg"))
            .await
            .expect("an Auto Scaling group");
        Names {
            cluster: unique_name("mv-cluster"),
            family: unique_name("mv-td"),
            service: unique_name("mv-svc"),
            parameter: format!("/{}/secret", unique_name("mv")),
            capacity_provider,
            group_arn,
            subnet: default_subnet(url).await.expect("a subnet"),
        }
    }
}

/// The AWS provider pointed at the local endpoint, as its own acceptance tests run offline.
fn aws_provider(url: &str) -> String {
    format!(
        r#"
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
    ecs         = "{url}"
    ssm         = "{url}"
    sts         = "{url}"
    ec2         = "{url}"
    autoscaling = "{url}"
  }}
}}
"#
    )
}

const CONTAINERS: &str = r#"jsonencode([{
    name         = "app"
    image        = "busybox"
    essential    = true
    cpu          = 10
    memory       = 10
    command      = ["sleep", "360"]
    portMappings = [{ containerPort = 8000, protocol = "tcp" }]
  }])"#;

fn aws_config(n: &Names, url: &str, version: &str) -> String {
    let Names {
        cluster,
        family,
        service,
        parameter,
        capacity_provider,
        group_arn,
        subnet,
    } = n;
    format!(
        r#"
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{version}"
    }}
  }}
}}
{provider}
resource "aws_ecs_cluster" "c" {{
  name = "{cluster}"
  setting {{
    name  = "containerInsights"
    value = "enabled"
  }}
  tags = {{ env = "dev" }}
}}

resource "aws_ecs_cluster_capacity_providers" "p" {{
  cluster_name       = aws_ecs_cluster.c.name
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 100
  }}
}}

resource "aws_ecs_capacity_provider" "cp" {{
  name = "{capacity_provider}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{group_arn}"
    managed_termination_protection = "DISABLED"
  }}
}}

resource "aws_ecs_task_definition" "t" {{
  family                   = "{family}"
  cpu                      = "256"
  memory                   = "512"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  container_definitions    = {CONTAINERS}
}}

resource "aws_ecs_service" "s" {{
  name            = "{service}"
  cluster         = aws_ecs_cluster.c.id
  task_definition = aws_ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {{
    subnets          = ["{subnet}"]
    assign_public_ip = true
  }}
  tags = {{ app = "web" }}
}}

resource "aws_ssm_parameter" "p" {{
  name  = "{parameter}"
  type  = "SecureString"
  value = "moved-s3cr3t"
  tags  = {{ env = "dev" }}
}}
"#,
        provider = aws_provider(url)
    )
}

/// The same objects in this provider's terms, as the straightforward translation writes them
/// (`setting { containerInsights }` → `container_insights`, every other argument as it was),
/// with one `moved` block per resource. The AWS provider stays required: `init` installs the
/// providers the state names.
fn ecs_config(n: &Names, url: &str, version: &str) -> String {
    let Names {
        cluster,
        family,
        service,
        parameter,
        capacity_provider,
        group_arn,
        subnet,
    } = n;
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
    aws = {{
      source  = "hashicorp/aws"
      version = "{version}"
    }}
  }}
}}
{provider}
resource "ecs_cluster" "c" {{
  name               = "{cluster}"
  container_insights = "enabled"
  tags               = {{ env = "dev" }}
}}

resource "ecs_cluster_capacity_providers" "p" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 100
  }}
}}

resource "ecs_capacity_provider" "cp" {{
  name = "{capacity_provider}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{group_arn}"
    managed_termination_protection = "DISABLED"
  }}
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  cpu                      = "256"
  memory                   = "512"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  container_definitions    = {CONTAINERS}
}}

resource "ecs_service" "s" {{
  name            = "{service}"
  cluster         = ecs_cluster.c.id
  task_definition = ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {{
    subnets          = ["{subnet}"]
    assign_public_ip = true
  }}
  tags = {{ app = "web" }}
}}

resource "ecs_secret" "p" {{
  name  = "{parameter}"
  type  = "SecureString"
  value = "moved-s3cr3t"
  tags  = {{ env = "dev" }}
}}
{moves}"#,
        provider = aws_provider(url),
        moves = MOVES
            .iter()
            .map(|(from, to)| format!("moved {{\n  from = {from}\n  to   = {to}\n}}\n"))
            .collect::<String>()
    )
}

const MOVES: [(&str, &str); 6] = [
    ("aws_ecs_cluster.c", "ecs_cluster.c"),
    (
        "aws_ecs_cluster_capacity_providers.p",
        "ecs_cluster_capacity_providers.p",
    ),
    ("aws_ecs_capacity_provider.cp", "ecs_capacity_provider.cp"),
    ("aws_ecs_task_definition.t", "ecs_task_definition.t"),
    ("aws_ecs_service.s", "ecs_service.s"),
    ("aws_ssm_parameter.p", "ecs_secret.p"),
];

/// What tells one object from a re-created one: ARNs, creation and registration times, the
/// parameter's version and modification time, the cluster's capacity providers.
async fn fingerprint(n: &Names) -> Result<Vec<String>, BoxError> {
    let ecs = acceptance_tests::ecs_client().await;
    let ssm = acceptance_tests::ssm_client().await;
    let mut out = Vec::new();
    let clusters = ecs.describe_clusters().clusters(&n.cluster).send().await?;
    let c = clusters.clusters().first().ok_or("no cluster")?;
    out.push(format!(
        "cluster {:?} {:?} providers {:?} strategy {:?}",
        c.cluster_arn(),
        c.status(),
        c.capacity_providers(),
        c.default_capacity_provider_strategy()
    ));
    let services = ecs
        .describe_services()
        .cluster(&n.cluster)
        .services(&n.service)
        .send()
        .await?;
    let s = services.services().first().ok_or("no service")?;
    out.push(format!(
        "service {:?} created {:?} status {:?}",
        s.service_arn(),
        s.created_at(),
        s.status()
    ));
    let td = ecs
        .describe_task_definition()
        .task_definition(&n.family)
        .send()
        .await?;
    let td = td.task_definition().ok_or("no task definition")?;
    out.push(format!(
        "task definition {:?} registered {:?}",
        td.task_definition_arn(),
        td.registered_at()
    ));
    let cps = ecs
        .describe_capacity_providers()
        .capacity_providers(&n.capacity_provider)
        .send()
        .await?;
    let cp = cps
        .capacity_providers()
        .first()
        .ok_or("no capacity provider")?;
    out.push(format!(
        "capacity provider {:?} {:?}",
        cp.capacity_provider_arn(),
        cp.status()
    ));
    let p = ssm.get_parameter().name(&n.parameter).send().await?;
    let p = p.parameter().ok_or("no parameter")?;
    out.push(format!(
        "parameter {:?} version {} modified {:?}",
        p.arn(),
        p.version(),
        p.last_modified_date()
    ));
    Ok(out)
}

/// Every entry of the plan is a no-op; the moved ones name their source as previous address.
fn only_moves(plan: &Value) -> Result<(), String> {
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (mut moved, mut problems) = (Vec::new(), Vec::new());
    for rc in &changes {
        let address = rc["address"].as_str().unwrap_or_default();
        let actions = &rc["change"]["actions"];
        let (before, after) = (&rc["change"]["before"], &rc["change"]["after"]);
        // OpenTofu keeps the source's sensitive paths on the moved object (`value_wo`, which
        // the AWS provider marks sensitive and ours, write-only, does not) and plans an update
        // of the marks alone: no value changes, and the apply of the move settles it.
        let marks_only = env::cli() == Cli::Tofu
            && actions == &serde_json::json!(["update"])
            && before == after
            && rc["change"]["before_sensitive"] != rc["change"]["after_sensitive"];
        if actions != &serde_json::json!(["no-op"]) && !marks_only {
            let changed: Vec<String> = after
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| before.get(k.as_str()) != Some(v))
                .map(|(k, v)| {
                    format!(
                        "{k}: {} -> {v}",
                        before.get(k.as_str()).unwrap_or(&Value::Null)
                    )
                })
                .collect();
            problems.push(format!(
                "{address} plans {actions} instead of only moving: {changed:#?}"
            ));
        }
        if let Some(previous) = rc["previous_address"].as_str() {
            moved.push((previous.to_string(), address.to_string()));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let mut expected: Vec<(String, String)> = MOVES
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    expected.sort();
    moved.sort();
    if moved != expected {
        return Err(format!("the plan moves {moved:?}, expected {expected:?}"));
    }
    Ok(())
}

/// Apply with the AWS provider, move, check, destroy. `mirror`: install hashicorp/aws
/// `version` from that filesystem mirror instead of the v6 build.
async fn move_everything(test: &str, mirror: Option<&Path>, version: &str) {
    let url = endpoint_url();
    let n = Names::new(&url).await;
    let dir = tempfile::Builder::new()
        .prefix(&format!("ecs-acc-{test}-"))
        .tempdir()
        .unwrap();
    let tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    // OpenTofu looks the provider up under its own registry's host, which the mirror lacks.
    // It does not follow a linked directory, so the package directory is made and its files linked.
    let tofu_mirror = mirror.filter(|_| env::cli() == Cli::Tofu).map(|m| {
        let root = dir.path().join("mirror");
        let package = "hashicorp/aws/5.100.0/linux_amd64";
        let (from, to) = (
            m.join("registry.terraform.io").join(package),
            root.join("registry.opentofu.org").join(package),
        );
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap().flatten() {
            std::os::unix::fs::symlink(entry.path(), to.join(entry.file_name())).unwrap();
        }
        root
    });
    match tofu_mirror.as_deref().or(mirror) {
        Some(m) => tf.add_provider(AWS_SOURCE, m, true),
        None => tf.add_provider(AWS_SOURCE, &aws_provider_dir(), false),
    }
    .unwrap();
    let result = async {
        tf.write_config(&aws_config(&n, &url, version))?;
        if mirror.is_some() {
            tf.init().await?;
        }
        tf.apply().await?;
        let before = fingerprint(&n).await?;

        tf.write_config(&ecs_config(&n, &url, version))?;
        let planned = tf.plan(Some("move.tfplan")).await?;
        only_moves(&tf.show_plan_json("move.tfplan").await?)
            .map_err(|e| format!("{e}\n{}", planned.combined()))?;
        tf.apply_plan("move.tfplan").await?;
        let after_move = fingerprint(&n).await?;
        if after_move != before {
            return Err(
                format!("objects changed by the move:\n{before:#?}\n{after_move:#?}").into(),
            );
        }
        let again = tf.plan(None).await?;
        if again.status != 0 {
            return Err(format!(
                "the plan after the move is not empty:\n{}",
                again.combined()
            )
            .into());
        }
        let state = tf.show_state_json().await?;
        let left: Vec<&str> = state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["address"].as_str())
            .filter(|a| a.starts_with("aws_"))
            .collect();
        if !left.is_empty() {
            return Err(format!("AWS provider resources left in state: {left:?}").into());
        }
        let after = fingerprint(&n).await?;
        if after != before {
            return Err(format!("objects re-created:\n{before:#?}\n{after:#?}").into());
        }
        tf.destroy().await?;
        let ctx = Ctx::new(test, 0, tf.dir(), state, Some(&url));
        ctx.all_destroyed().await?;
        let cps = ctx
            .ecs()
            .await
            .describe_capacity_providers()
            .capacity_providers(&n.capacity_provider)
            .send()
            .await?;
        if let Some(status) = cps.capacity_providers().first().and_then(|c| c.status())
            && status.as_str() != "INACTIVE"
        {
            return Err(format!("capacity provider still {status}").into());
        }
        Ok::<_, BoxError>(())
    }
    .await;
    if let Err(e) = result {
        let _ = tf.destroy().await;
        let kept = dir.keep();
        panic!(
            "{test}: {e}\n(working directory kept at {})",
            kept.display()
        );
    }
}

#[tokio::test]
async fn state_of_the_v6_aws_provider_moves_without_recreating_anything() {
    if skipped("move_from_aws_v6") {
        return;
    }
    // OpenTofu keeps the source's identity on the moved object (it sends none in the request and
    // takes none from the answer), so the v6 provider's identities (`{arn}` of a capacity
    // provider, an empty account of an offline run) meet our identity schemas and fail there.
    // The v5 provider writes no identity: its move runs under OpenTofu below.
    if env::skip_under(
        Cli::Tofu,
        "move_from_aws_v6",
        "OpenTofu 1.12.6 keeps the hashicorp/aws v6 identity on the moved object instead of the target's",
    ) {
        return;
    }
    move_everything("move-v6", None, ">= 6.0").await;
}

#[tokio::test]
async fn state_of_aws_provider_5_100_moves_without_recreating_anything() {
    if skipped("move_from_aws_v5") {
        return;
    }
    let mirror = Path::new(V5_MIRROR);
    if !mirror
        .join("registry.terraform.io/hashicorp/aws/5.100.0")
        .is_dir()
    {
        eprintln!(
            "move_from_aws_v5: skipped: no hashicorp/aws 5.100.0 in the filesystem mirror {V5_MIRROR}"
        );
        return;
    }
    move_everything("move-v5", Some(mirror), "5.100.0").await;
}

/// A task definition whose state sets `inference_accelerator` (removed in v6, absent here):
/// written as a v5 state file by hand, since the local endpoint cannot create one.
#[tokio::test]
async fn a_source_attribute_the_target_lacks_fails_the_move_naming_it() {
    if skipped("move_from_aws_unsupported") {
        return;
    }
    let url = endpoint_url();
    let dir = tempfile::Builder::new()
        .prefix("ecs-acc-move-unsupported-")
        .tempdir()
        .unwrap();
    let tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    tf.add_provider(AWS_SOURCE, &aws_provider_dir(), false)
        .unwrap();
    let family = unique_name("mv-gpu");
    let arn = format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:1");
    let host = match env::cli() {
        Cli::Terraform => "registry.terraform.io",
        Cli::Tofu => "registry.opentofu.org",
    };
    let attributes = serde_json::json!({
        "arn": arn, "arn_without_revision": arn.trim_end_matches(":1"),
        "container_definitions": "[{\"essential\":true,\"image\":\"busybox\",\"memory\":10,\"name\":\"app\"}]",
        "cpu": "", "enable_fault_injection": false, "ephemeral_storage": [], "execution_role_arn": "",
        "family": family, "id": family,
        "inference_accelerator": [{"device_name": "device_1", "device_type": "eia1.medium"}],
        "ipc_mode": "", "memory": "", "network_mode": "bridge", "pid_mode": "", "placement_constraints": [],
        "proxy_configuration": [], "requires_compatibilities": null, "revision": 1, "runtime_platform": [],
        "skip_destroy": false, "tags": {}, "tags_all": {}, "task_role_arn": "", "track_latest": false, "volume": []
    });
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "6b1c6a4e-0000-4000-8000-000000000001",
        "outputs": {},
        "resources": [{
            "mode": "managed", "type": "aws_ecs_task_definition", "name": "t",
            "provider": format!("provider[\"{host}/hashicorp/aws\"]"),
            "instances": [{"schema_version": 1, "attributes": attributes, "sensitive_attributes": [],
                "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="}]
        }]
    });
    tf.write_file("terraform.tfstate", &state.to_string())
        .unwrap();
    tf.write_config(&format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
    aws = {{ source = "hashicorp/aws" }}
  }}
}}
{provider}
resource "ecs_task_definition" "t" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "app", image = "busybox", memory = 10, essential = true }}])
}}

moved {{
  from = aws_ecs_task_definition.t
  to   = ecs_task_definition.t
}}
"#,
        provider = aws_provider(&url)
    ))
    .unwrap();
    let out = tf.plan(None).await;
    let text = match &out {
        Ok(o) | Err(o) => o.combined(),
    };
    assert!(
        out.is_err(),
        "the move of a state with inference_accelerator succeeded:\n{text}"
    );
    assert!(
        text.contains("inference_accelerator") && text.contains("ecs_task_definition cannot hold"),
        "the error does not name the attribute:\n{text}"
    );
}
