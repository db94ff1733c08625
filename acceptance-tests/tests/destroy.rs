//! Destruction in the order ECS demands, against the fidelity layer's deletion preconditions:
//! a full stack destroys on the first try (services, then capacity providers, then the
//! cluster); `force_destroy` empties a cluster of what Terraform does not manage; a destroy
//! interrupted while a service drains is finished by a second one; throttling and injected
//! faults do not break apply or destroy.

use std::sync::Arc;
use std::time::Duration;

use acceptance_tests::fixtures::{default_subnet, unmanaged_service};
use acceptance_tests::{
    Ctx, Endpoint, StateCheck, Step, Terraform, TestCase, real_aws, skip_without_acc, unique_name,
};

fn skip(test: &str) -> bool {
    skip_without_acc(test) || real_aws()
}

/// A cluster with capacity providers, two secrets, three task definitions reading them, and
/// three services.
fn stack(cluster: &str, subnet: &str) -> String {
    let mut out = format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_cluster_capacity_providers" "c" {{
  cluster_name       = ecs_cluster.c.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
}}

resource "ecs_secret" "db" {{
  name  = "/{cluster}/db"
  value = "db-secret"
}}

resource "ecs_secret" "api_key" {{
  name             = "/{cluster}/api-key"
  value_wo         = "api-secret"
  value_wo_version = 1
}}
"#
    );
    for name in ["web", "api", "worker"] {
        out.push_str(&format!(
            r#"
resource "ecs_task_definition" "{name}" {{
  family                   = "{cluster}-{name}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name  = "{name}"
    image = "nginx:1"
    secrets = [
      {{ name = "DB", valueFrom = ecs_secret.db.arn }},
      {{ name = "API_KEY", valueFrom = ecs_secret.api_key.arn }},
    ]
  }}])
}}

resource "ecs_service" "{name}" {{
  name            = "{name}"
  cluster         = ecs_cluster.c.arn
  task_definition = ecs_task_definition.{name}.arn
  desired_count   = 2
  capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    weight            = 1
  }}
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  depends_on = [ecs_cluster_capacity_providers.c]
}}
"#
        ));
    }
    out
}

async fn nothing_left(ctx: Ctx, cluster: String) -> acceptance_tests::CheckResult {
    let ecs = ctx.ecs().await;
    ctx.cluster_gone(&cluster).await?;
    let services = ecs
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .services("api")
        .services("worker")
        .send()
        .await?;
    if let Some(s) = services
        .services()
        .iter()
        .find(|s| s.status() != Some("INACTIVE"))
    {
        return Err(format!("service {:?} is {:?}", s.service_name(), s.status()).into());
    }
    Ok(())
}

/// Index of the first and last call named `action` in the call log.
fn span(calls: &[String], action: &str) -> Option<(usize, usize)> {
    let first = calls.iter().position(|c| c == action)?;
    let last = calls.iter().rposition(|c| c == action)?;
    Some((first, last))
}

#[tokio::test]
async fn full_stack_destroys_in_order_on_the_first_try() {
    if skip("full_stack_destroys_in_order_on_the_first_try") {
        return;
    }
    let endpoint = Arc::new(Endpoint::start(&["--drain-seconds", "5"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let cluster = unique_name("acc-stack");
    let (for_reset, for_check, gone) = (endpoint.clone(), endpoint.clone(), cluster.clone());
    TestCase::new("full_stack_destroy")
        .endpoint(endpoint.clone())
        .step(Step::new(stack(&cluster, &subnet)).check(StateCheck::custom(
            "start the call log afresh before the destroy",
            move |_ctx| {
                let endpoint = for_reset.clone();
                async move { Ok(endpoint.reset_stats().await?) }
            },
        )))
        .check_destroy(move |ctx| {
            let (endpoint, cluster) = (for_check.clone(), gone.clone());
            async move {
                nothing_left(ctx, cluster).await?;
                let calls = endpoint.calls().await?;
                let services = span(&calls, "ecs:DeleteService").ok_or("no DeleteService call")?;
                let providers = span(&calls, "ecs:PutClusterCapacityProviders")
                    .ok_or("no PutClusterCapacityProviders call")?;
                let cluster = span(&calls, "ecs:DeleteCluster").ok_or("no DeleteCluster call")?;
                let deletes = calls.iter().filter(|c| *c == "ecs:DeleteCluster").count();
                if services.1 > providers.0 || providers.1 > cluster.0 {
                    return Err(format!("wrong order: services {services:?}, capacity providers {providers:?}, cluster {cluster:?}").into());
                }
                if deletes != 1 {
                    return Err(format!("DeleteCluster was called {deletes} times; the first try must succeed").into());
                }
                Ok(())
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn force_destroy_empties_a_cluster_of_unmanaged_services() {
    if skip("force_destroy_empties_a_cluster_of_unmanaged_services") {
        return;
    }
    let cluster = unique_name("acc-force");
    let (setup, gone) = (cluster.clone(), cluster.clone());
    let config = format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name          = "{cluster}"
  force_destroy = true
  timeouts {{
    delete = "2m"
  }}
}}
"#
    );
    TestCase::new("force_destroy")
        .step(Step::new(config).check(StateCheck::custom(
            "a service Terraform does not manage runs in the cluster",
            move |ctx| {
                let cluster = setup.clone();
                async move {
                    let ecs = ctx.ecs().await;
                    unmanaged_service(&ecs, &cluster, "web").await?;
                    ecs.update_service()
                        .cluster(&cluster)
                        .service("web")
                        .desired_count(2)
                        .send()
                        .await?;
                    Ok(())
                }
            },
        )))
        .check_destroy(move |ctx| nothing_left(ctx, gone.clone()))
        .run()
        .await;
}

#[tokio::test]
async fn a_destroy_interrupted_while_draining_is_finished_by_the_next() {
    if skip("a_destroy_interrupted_while_draining_is_finished_by_the_next") {
        return;
    }
    let endpoint = Endpoint::start(&["--drain-seconds", "8"]).unwrap();
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("acc-int");
    let work = tempfile::tempdir().unwrap();
    let tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    tf.write_config(&stack(&cluster, &subnet)).unwrap();
    tf.apply().await.expect("apply");

    let mut destroy = tf
        .spawn(&["destroy", "-auto-approve", "-no-color"])
        .unwrap();
    let mut draining = false;
    for _ in 0..300 {
        let out = ecs
            .describe_services()
            .cluster(&cluster)
            .services("web")
            .send()
            .await
            .unwrap();
        if out.services().first().and_then(|s| s.status()) == Some("DRAINING") {
            draining = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        draining,
        "the service never started draining:\n{}",
        tf.spawned_output()
    );
    let pid = destroy.id().expect("running") as i32;
    // SAFETY: sends SIGINT to our own child, as Ctrl-C in a terminal would.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = tokio::time::timeout(Duration::from_secs(120), destroy.wait())
        .await
        .unwrap()
        .unwrap();
    let first = tf.spawned_output();
    assert!(
        !status.success(),
        "the interrupted destroy must report failure:\n{first}"
    );
    assert!(first.contains("Interrupt received"), "{first}");

    let second = tf
        .destroy()
        .await
        .unwrap_or_else(|out| panic!("the second destroy failed:\n{}", out.combined()));
    assert!(
        second.stdout.contains("Destroy complete"),
        "{}",
        second.stdout
    );
    let state = tf.show_state_json().await.unwrap();
    assert!(
        state.get("values").is_none_or(|v| v.is_null()),
        "state still holds resources: {state}"
    );
    let clusters = ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
        .unwrap();
    assert!(
        clusters
            .clusters()
            .iter()
            .all(|c| c.status() == Some("INACTIVE"))
    );
}

#[tokio::test]
async fn throttling_and_faults_do_not_break_apply_or_destroy() {
    if skip("throttling_and_faults_do_not_break_apply_or_destroy") {
        return;
    }
    let endpoint = Arc::new(Endpoint::start(&["--throttle", "--fault-rate", "0.05"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let cluster = unique_name("acc-faults");
    let gone = cluster.clone();
    let counter = endpoint.clone();
    TestCase::new("throttling_and_faults")
        .endpoint(endpoint.clone())
        .step(Step::new(stack(&cluster, &subnet)))
        .check_destroy(move |ctx| {
            let (cluster, endpoint) = (gone.clone(), counter.clone());
            async move {
                nothing_left(ctx, cluster).await?;
                let stats = endpoint.stats().await?;
                let calls: u64 = stats.values().sum();
                eprintln!("throttling_and_faults: {calls} calls in all");
                Ok(())
            }
        })
        .run()
        .await;
}
