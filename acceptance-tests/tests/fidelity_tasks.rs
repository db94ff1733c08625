//! Fidelity of one-off tasks (RunTask, DescribeTasks): the lifecycle PROVISIONING → PENDING →
//! RUNNING → DEPROVISIONING → STOPPED, exit codes decided by the command, the stop code and
//! reason of a task whose essential container exited, tasks that fail to start
//! (`--tasks-fail-to-start`), RunTask `failures` (`--run-task-failure`) and RunTask's refusals.
//! Each test uses the AWS SDK against a dedicated endpoint. Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::{Endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, ContainerOverride,
    LaunchType, NetworkConfiguration, NetworkMode, Task, TaskOverride, TaskStopCode,
};

fn endpoint(test: &str, flags: &[&str]) -> Option<Endpoint> {
    if skip_without_acc(test) || real_aws() {
        return None;
    }
    let mut all = vec!["--task-seconds", "1"];
    all.extend_from_slice(flags);
    Some(Endpoint::start(&all).unwrap())
}

/// A cluster and a Fargate task definition with one essential container.
async fn setup(ecs: &Client, prefix: &str) -> (String, String) {
    let cluster = unique_name(prefix);
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name(&format!("{prefix}-td"));
    ecs.register_task_definition()
        .family(&family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("busybox")
                .essential(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (cluster, family)
}

fn network() -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .subnets("subnet-12345678")
                .assign_public_ip(AssignPublicIp::Disabled)
                .build()
                .unwrap(),
        )
        .build()
}

fn command(cmd: &str) -> TaskOverride {
    TaskOverride::builder()
        .container_overrides(
            ContainerOverride::builder()
                .name("app")
                .command("sh")
                .command("-c")
                .command(cmd)
                .build(),
        )
        .build()
}

async fn run(ecs: &Client, cluster: &str, family: &str, cmd: &str) -> Task {
    let out = ecs
        .run_task()
        .cluster(cluster)
        .task_definition(family)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network())
        .overrides(command(cmd))
        .started_by("migrations")
        .send()
        .await
        .unwrap();
    assert!(out.failures().is_empty(), "{:?}", out.failures());
    out.tasks()[0].clone()
}

/// Every lastStatus seen until STOPPED, and the stopped task.
async fn follow(ecs: &Client, cluster: &str, arn: &str) -> (Vec<String>, Task) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let out = ecs
            .describe_tasks()
            .cluster(cluster)
            .tasks(arn)
            .send()
            .await
            .unwrap();
        let task = out.tasks()[0].clone();
        let status = task.last_status().unwrap_or_default().to_string();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "STOPPED" {
            return (seen, task);
        }
        assert!(Instant::now() < deadline, "never stopped: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_task_moves_through_its_lifecycle_and_reports_exit_codes() {
    let Some(endpoint) = endpoint(
        "a_task_moves_through_its_lifecycle_and_reports_exit_codes",
        &[],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-life").await;
    let started = run(&ecs, &cluster, &family, "exit 0").await;
    assert_eq!(started.last_status(), Some("PROVISIONING"));
    assert_eq!(started.desired_status(), Some("RUNNING"));
    assert_eq!(started.started_by(), Some("migrations"));
    let (seen, ok) = follow(&ecs, &cluster, started.task_arn().unwrap()).await;
    assert_eq!(
        seen,
        [
            "PROVISIONING",
            "PENDING",
            "RUNNING",
            "DEPROVISIONING",
            "STOPPED"
        ]
    );
    assert_eq!(
        ok.stop_code(),
        Some(&TaskStopCode::EssentialContainerExited)
    );
    assert_eq!(
        ok.stopped_reason(),
        Some("Essential container in task exited")
    );
    assert_eq!(ok.containers()[0].exit_code(), Some(0));
    assert!(ok.stopped_at().is_some() && ok.started_at().is_some());

    let failing = run(&ecs, &cluster, &family, "exit 3").await;
    let (_, failed) = follow(&ecs, &cluster, failing.task_arn().unwrap()).await;
    assert_eq!(failed.containers()[0].exit_code(), Some(3));
    assert_eq!(failed.containers()[0].name(), Some("app"));

    let missing = ecs
        .describe_tasks()
        .cluster(&cluster)
        .tasks("0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert!(missing.tasks().is_empty());
    assert_eq!(missing.failures()[0].reason(), Some("MISSING"));
}

#[tokio::test]
async fn a_task_that_fails_to_start_stops_with_task_failed_to_start() {
    let Some(endpoint) = endpoint(
        "a_task_that_fails_to_start_stops_with_task_failed_to_start",
        &["--tasks-fail-to-start"],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-start").await;
    let task = run(&ecs, &cluster, &family, "exit 0").await;
    let (seen, stopped) = follow(&ecs, &cluster, task.task_arn().unwrap()).await;
    assert!(!seen.contains(&"RUNNING".to_string()), "{seen:?}");
    assert_eq!(stopped.stop_code(), Some(&TaskStopCode::TaskFailedToStart));
    assert!(
        stopped
            .stopped_reason()
            .unwrap()
            .starts_with("CannotPullContainerError")
    );
    let container = &stopped.containers()[0];
    assert_eq!(container.exit_code(), None);
    assert!(
        container
            .reason()
            .unwrap()
            .starts_with("CannotPullContainerError")
    );
}

#[tokio::test]
async fn run_task_reports_placement_failures() {
    let Some(endpoint) = endpoint(
        "run_task_reports_placement_failures",
        &["--run-task-failure", "RESOURCE:MEMORY"],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-fail").await;
    let out = ecs
        .run_task()
        .cluster(&cluster)
        .task_definition(&family)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network())
        .send()
        .await
        .unwrap();
    assert!(out.tasks().is_empty());
    assert_eq!(out.failures()[0].reason(), Some("RESOURCE:MEMORY"));
}

#[tokio::test]
async fn run_task_refuses_what_ecs_refuses() {
    let Some(endpoint) = endpoint("run_task_refuses_what_ecs_refuses", &[]) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-refuse").await;
    let code = |e: aws_sdk_ecs::error::SdkError<_>| {
        use aws_sdk_ecs::error::ProvideErrorMetadata;
        let e: aws_sdk_ecs::operation::run_task::RunTaskError = e.into_service_error();
        format!("{}: {}", e.code().unwrap_or(""), e.message().unwrap_or(""))
    };
    let base = || {
        ecs.run_task()
            .cluster(&cluster)
            .task_definition(&family)
            .launch_type(LaunchType::Fargate)
    };
    let no_network = base().send().await.map(|_| ()).map_err(code);
    assert!(
        no_network
            .unwrap_err()
            .contains("Network Configuration must be provided")
    );
    let eleven = base()
        .network_configuration(network())
        .count(11)
        .send()
        .await
        .map(|_| ())
        .map_err(code);
    assert!(eleven.unwrap_err().starts_with("InvalidParameterException"));
    let unknown = ecs
        .run_task()
        .cluster(&cluster)
        .task_definition("no-such-family")
        .launch_type(LaunchType::Fargate)
        .network_configuration(network())
        .send()
        .await
        .map(|_| ())
        .map_err(code);
    assert!(unknown.unwrap_err().starts_with("ClientException"));
    let no_cluster = ecs
        .run_task()
        .cluster("no-such-cluster")
        .task_definition(&family)
        .network_configuration(network())
        .send()
        .await
        .map(|_| ())
        .map_err(code);
    assert!(
        no_cluster
            .unwrap_err()
            .starts_with("ClusterNotFoundException")
    );
    let empty_subnets = base()
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .set_subnets(Some(vec![]))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(code);
    assert!(empty_subnets.unwrap_err().contains("subnets"));
}
