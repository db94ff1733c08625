//! Destruction in the order ECS demands, against the fidelity layer's deletion preconditions:
//! a full stack destroys on the first try (services, then capacity providers, then the
//! cluster); `force_destroy` empties a cluster of everything Terraform does not manage
//! (services, more than a page of tasks and of container instances, capacity providers) in
//! ECS's order; a destroy interrupted while a service drains is finished by a second one;
//! throttled and failed calls are retried until apply and destroy succeed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use acceptance_tests::fixtures::{default_subnet, unmanaged_service};
use acceptance_tests::{
    BoxError, Endpoint, StateCheck, Step, Terraform, TestCase, real_aws, skip_without_acc,
    unique_name,
};
use aws_sdk_ecs::types::{AutoScalingGroupProvider, DesiredStatus};

#[path = "support/crowded_cluster.rs"]
mod crowded_cluster;

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

/// An ECS client for checks that retries as patiently as the provider (the throttling test's
/// endpoint refuses and fails calls of the checks too).
async fn patient_ecs(endpoint_url: &str) -> aws_sdk_ecs::Client {
    let sdk = acceptance_tests::clients::sdk_config(Some(endpoint_url)).await;
    let config = aws_sdk_ecs::config::Builder::from(&sdk)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(26))
        .build();
    aws_sdk_ecs::Client::from_conf(config)
}

/// The cluster is INACTIVE and the stack's services are INACTIVE.
async fn nothing_left(ecs: &aws_sdk_ecs::Client, cluster: &str) -> acceptance_tests::CheckResult {
    let clusters = ecs.describe_clusters().clusters(cluster).send().await?;
    let status = clusters.clusters().first().and_then(|c| c.status());
    if status != Some("INACTIVE") {
        return Err(format!("cluster {cluster} is {status:?}, not INACTIVE").into());
    }
    let services = ecs
        .describe_services()
        .cluster(cluster)
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
        .check_destroy(move |_ctx| {
            let (endpoint, cluster) = (for_check.clone(), gone.clone());
            async move {
                nothing_left(&endpoint.ecs_client().await, &cluster).await?;
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

/// What the force_destroy test put into the cluster behind Terraform's back.
#[derive(Default)]
struct Unmanaged {
    tasks: Vec<String>,
    instances: Vec<String>,
}

/// The services the force_destroy test creates outside Terraform.
const UNMANAGED_SERVICES: [&str; 2] = ["web", "worker"];

/// Runs of consecutive calls among `actions`, as `Action ×count`.
fn runs(calls: &[String], actions: &[&str]) -> Vec<String> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for call in calls.iter().filter(|c| actions.contains(&c.as_str())) {
        let action = call.trim_start_matches("ecs:").to_string();
        match runs.last_mut() {
            Some((last, n)) if *last == action => *n += 1,
            _ => runs.push((action, 1)),
        }
    }
    runs.into_iter()
        .map(|(action, n)| format!("{action} ×{n}"))
        .collect()
}

/// The call log of a force_destroy, in ECS's order: each service scaled to 0 and deleted, the
/// wait until they are INACTIVE, every page of tasks listed then each task stopped, every page
/// of container instances listed then each deregistered, the capacity providers detached, and
/// one DeleteCluster that succeeds.
fn in_ecs_order(calls: &[String], tasks: usize, instances: usize) -> Result<(), BoxError> {
    const CLEANUP: [&str; 9] = [
        "ecs:UpdateService",
        "ecs:DeleteService",
        "ecs:DescribeServices",
        "ecs:ListTasks",
        "ecs:StopTask",
        "ecs:ListContainerInstances",
        "ecs:DeregisterContainerInstance",
        "ecs:PutClusterCapacityProviders",
        "ecs:DeleteCluster",
    ];
    let mut actual = runs(calls, &CLEANUP);
    // How often the drain is polled depends on timing; that it is polled does not.
    for run in actual.iter_mut() {
        if run.starts_with("DescribeServices ×") {
            *run = "DescribeServices ×n".into();
        }
    }
    let pages = |n: usize| n.div_ceil(100);
    let mut expected: Vec<String> = Vec::new();
    for _ in UNMANAGED_SERVICES {
        expected.push("UpdateService ×1".into());
        expected.push("DeleteService ×1".into());
    }
    expected.extend([
        "DescribeServices ×n".to_string(),
        format!("ListTasks ×{}", pages(tasks)),
        format!("StopTask ×{tasks}"),
        format!("ListContainerInstances ×{}", pages(instances)),
        format!("DeregisterContainerInstance ×{instances}"),
        "PutClusterCapacityProviders ×1".into(),
        "DeleteCluster ×1".into(),
    ]);
    if actual != expected {
        return Err(format!(
            "force_destroy called ECS out of order:\n  expected {}\n  called   {}",
            expected.join(" → "),
            actual.join(" → ")
        )
        .into());
    }
    Ok(())
}

/// Nothing the force_destroy test put into the cluster is left: the cluster is INACTIVE with
/// no capacity providers, the services INACTIVE, every task STOPPED, no instance registered.
async fn emptied(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    unmanaged: &Unmanaged,
) -> acceptance_tests::CheckResult {
    let clusters = ecs.describe_clusters().clusters(cluster).send().await?;
    let found = clusters
        .clusters()
        .first()
        .ok_or("the cluster is unknown")?;
    if found.status() != Some("INACTIVE") || !found.capacity_providers().is_empty() {
        return Err(format!(
            "cluster {cluster} is {:?} with capacity providers {:?}",
            found.status(),
            found.capacity_providers()
        )
        .into());
    }
    let services = ecs
        .describe_services()
        .cluster(cluster)
        .set_services(Some(UNMANAGED_SERVICES.map(String::from).to_vec()))
        .send()
        .await?;
    let inactive = services
        .services()
        .iter()
        .filter(|s| s.status() == Some("INACTIVE"))
        .count();
    if inactive != UNMANAGED_SERVICES.len() {
        return Err(format!("services left: {:?}", services.services()).into());
    }
    for batch in unmanaged.tasks.chunks(100) {
        let described = ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .send()
            .await?;
        let stopped = described
            .tasks()
            .iter()
            .filter(|t| t.desired_status() == Some("STOPPED"))
            .count();
        if stopped != batch.len() {
            return Err(format!("{} of {} tasks stopped", stopped, batch.len()).into());
        }
    }
    let running = ecs
        .list_tasks()
        .cluster(cluster)
        .desired_status(DesiredStatus::Running)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    let registered = ecs
        .list_container_instances()
        .cluster(cluster)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    if !running.is_empty() || !registered.is_empty() {
        return Err(format!(
            "{} tasks still run and {} of {} container instances are still registered",
            running.len(),
            registered.len(),
            unmanaged.instances.len()
        )
        .into());
    }
    Ok(())
}

#[tokio::test]
async fn force_destroy_empties_services_tasks_instances_and_capacity_providers_in_ecs_order() {
    if skip("force_destroy_empties_services_tasks_instances_and_capacity_providers_in_ecs_order") {
        return;
    }
    // Draining takes longer than stopping the tasks and deregistering the instances, so a
    // cleanup that did not wait for it would see DeleteCluster refused.
    let endpoint =
        Arc::new(Endpoint::start(&["--drain-seconds", "5", "--task-seconds", "600"]).unwrap());
    let cluster = unique_name("acc-force");
    let unmanaged = Arc::new(Mutex::new(Unmanaged::default()));
    let (setup, put, for_setup) = (cluster.clone(), unmanaged.clone(), endpoint.clone());
    let (gone, left, for_check) = (cluster.clone(), unmanaged.clone(), endpoint.clone());
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
    delete = "1m"
  }}
}}
"#
    );
    TestCase::new("force_destroy")
        .endpoint(endpoint.clone())
        .step(Step::new(config).check(StateCheck::custom(
            "services, more than a page of tasks and of container instances, and a capacity \
             provider that Terraform does not manage are in the cluster",
            move |ctx| {
                let (cluster, unmanaged, endpoint) = (setup.clone(), put.clone(), for_setup.clone());
                async move {
                    let ecs = ctx.ecs().await;
                    for name in UNMANAGED_SERVICES {
                        unmanaged_service(&ecs, &cluster, name).await?;
                        ecs.update_service()
                            .cluster(&cluster)
                            .service(name)
                            .desired_count(2)
                            .send()
                            .await?;
                    }
                    let instances = crowded_cluster::register_container_instances(
                        &ecs,
                        endpoint.url(),
                        &cluster,
                        crowded_cluster::MORE_THAN_A_PAGE,
                    )
                    .await?;
                    let tasks = crowded_cluster::run_tasks(
                        &ecs,
                        &cluster,
                        crowded_cluster::MORE_THAN_A_PAGE + 9,
                    )
                    .await?;
                    let provider = unique_name("acc-force-cp");
                    ecs.create_capacity_provider()
                        .name(&provider)
                        .auto_scaling_group_provider(
                            AutoScalingGroupProvider::builder()
                                .auto_scaling_group_arn(format!(
                                    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{provider}"
                                ))
                                .build()?,
                        )
                        .send()
                        .await?;
                    ecs.put_cluster_capacity_providers()
                        .cluster(&cluster)
                        .capacity_providers(&provider)
                        .capacity_providers("FARGATE")
                        .set_default_capacity_provider_strategy(Some(vec![]))
                        .send()
                        .await?;
                    *unmanaged.lock().unwrap_or_else(|e| e.into_inner()) =
                        Unmanaged { tasks, instances };
                    Ok(endpoint.reset_stats().await?)
                }
            },
        )))
        .check_destroy(move |_ctx| {
            let (cluster, unmanaged, endpoint) = (gone.clone(), left.clone(), for_check.clone());
            async move {
                let calls = endpoint.calls().await?;
                let unmanaged = std::mem::take(&mut *unmanaged.lock().unwrap_or_else(|e| e.into_inner()));
                in_ecs_order(&calls, unmanaged.tasks.len(), unmanaged.instances.len())?;
                emptied(&endpoint.ecs_client().await, &cluster, &unmanaged).await
            }
        })
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

/// The refusals (`throttled:Action`) and injected faults (`faulted:ecs:Action`) of a call log,
/// after checking that each refused or failed call was sent again later: its retry.
fn refusals_retried(calls: &[String], phase: &str) -> Result<(Vec<String>, Vec<String>), BoxError> {
    let (mut throttled, mut faulted) = (Vec::new(), Vec::new());
    for (i, call) in calls.iter().enumerate() {
        let retry = if let Some(action) = call.strip_prefix("throttled:") {
            throttled.push(action.to_string());
            format!("ecs:{action}")
        } else if let Some(key) = call.strip_prefix("faulted:") {
            faulted.push(key.to_string());
            key.to_string()
        } else {
            continue;
        };
        if !calls[i + 1..].contains(&retry) {
            return Err(format!("{phase}: {call} (call {i}) was never retried").into());
        }
    }
    Ok((throttled, faulted))
}

#[tokio::test]
async fn throttled_and_failed_calls_are_retried_until_apply_and_destroy_succeed() {
    if skip("throttled_and_failed_calls_are_retried_until_apply_and_destroy_succeed") {
        return;
    }
    // Buckets of one token at ECS's sustained rates: the provider paces itself to ECS's
    // published bursts, so concurrent calls of one family are refused and must be retried.
    let endpoint =
        Arc::new(Endpoint::start(&["--throttle-burst", "2", "--fault-rate", "0.1"]).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let cluster = unique_name("acc-faults");
    let applied = Arc::new(Mutex::new(Vec::<String>::new()));
    let (for_reset, keep) = (endpoint.clone(), applied.clone());
    let (gone, for_check, kept) = (cluster.clone(), endpoint.clone(), applied.clone());
    TestCase::new("throttling_and_faults")
        .endpoint(endpoint.clone())
        .step(Step::new(stack(&cluster, &subnet)).check(StateCheck::custom(
            "keep the apply's call log and start afresh",
            move |_ctx| {
                let (endpoint, keep) = (for_reset.clone(), keep.clone());
                async move {
                    let calls = endpoint.calls().await?;
                    *keep.lock().unwrap_or_else(|e| e.into_inner()) = calls;
                    Ok(endpoint.reset_stats().await?)
                }
            },
        )))
        .check_destroy(move |_ctx| {
            let (cluster, endpoint, kept) = (gone.clone(), for_check.clone(), kept.clone());
            async move {
                let destroyed = endpoint.calls().await?;
                let applied = kept.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let apply = refusals_retried(&applied, "apply")?;
                let destroy = refusals_retried(&destroyed, "plans and destroy")?;
                eprintln!(
                    "throttling_and_faults: apply: {} calls, throttled {:?}, faults {:?}; plans \
                     and destroy: {} calls, throttled {:?}, faults {:?}",
                    applied.len(),
                    apply.0,
                    apply.1,
                    destroyed.len(),
                    destroy.0,
                    destroy.1
                );
                if apply.0.is_empty() || destroy.0.is_empty() {
                    return Err(format!(
                        "the endpoint must have throttled both phases: apply {:?}, plans and destroy {:?}",
                        apply.0, destroy.0
                    )
                    .into());
                }
                if apply.1.is_empty() && destroy.1.is_empty() {
                    return Err("no fault was injected".into());
                }
                nothing_left(&patient_ecs(endpoint.url()).await, &cluster).await
            }
        })
        .run()
        .await;
}
