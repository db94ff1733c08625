//! Fidelity of one-off tasks (RunTask, DescribeTasks): the lifecycle PROVISIONING → PENDING →
//! RUNNING → DEPROVISIONING → STOPPED, exit codes decided by the command, the stop code and
//! reason of a task whose essential container exited, tasks that fail to start
//! (`--tasks-fail-to-start`), RunTask `failures` (`--run-task-failure`), RunTask's refusals,
//! StopTask, ListTasks of these tasks and DeleteCluster refused while one has not stopped.
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

/// Follow `arn` until `status`, failing after 20 s.
async fn until(ecs: &Client, cluster: &str, arn: &str, status: &str) -> Task {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = ecs
            .describe_tasks()
            .cluster(cluster)
            .tasks(arn)
            .send()
            .await
            .unwrap();
        let task = out.tasks()[0].clone();
        if task.last_status() == Some(status) {
            return task;
        }
        assert!(Instant::now() < deadline, "never {status}: {task:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn stop_task_stops_a_task_user_initiated_with_its_reason() {
    let Some(endpoint) = endpoint(
        "stop_task_stops_a_task_user_initiated_with_its_reason",
        &["--task-seconds", "10"],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-stop").await;
    let early = run(&ecs, &cluster, &family, "exit 0").await;
    let late = run(&ecs, &cluster, &family, "exit 0").await;
    let stop = |arn: String, reason: &'static str| {
        let (ecs, cluster) = (ecs.clone(), cluster.clone());
        async move {
            ecs.stop_task()
                .cluster(cluster)
                .task(arn)
                .reason(reason)
                .send()
                .await
                .unwrap()
                .task()
                .unwrap()
                .clone()
        }
    };
    let stopped = stop(early.task_arn().unwrap().into(), "not needed").await;
    assert_eq!(stopped.desired_status(), Some("STOPPED"));
    assert_eq!(stopped.stop_code(), Some(&TaskStopCode::UserInitiated));
    assert_eq!(stopped.stopped_reason(), Some("not needed"));
    assert!(stopped.stopping_at().is_some());
    let (seen, early) = follow(&ecs, &cluster, early.task_arn().unwrap()).await;
    assert_eq!(seen, ["PROVISIONING", "DEPROVISIONING", "STOPPED"]);
    assert_eq!(
        early.containers()[0].exit_code(),
        None,
        "a container that never started has no exit code"
    );

    let arn = late.task_arn().unwrap().to_string();
    until(&ecs, &cluster, &arn, "RUNNING").await;
    stop(arn.clone(), "rolling back").await;
    let (seen, late) = follow(&ecs, &cluster, &arn).await;
    assert_eq!(seen, ["RUNNING", "DEPROVISIONING", "STOPPED"]);
    assert_eq!(late.stop_code(), Some(&TaskStopCode::UserInitiated));
    assert_eq!(late.containers()[0].exit_code(), Some(137));
    assert_eq!(late.containers()[0].last_status(), Some("STOPPED"));

    let again = stop(arn.clone(), "a second time").await;
    assert_eq!(again.last_status(), Some("STOPPED"));
    assert_eq!(
        again.stopped_reason(),
        Some("rolling back"),
        "stopping a stopped task changes nothing"
    );
}

#[tokio::test]
async fn list_tasks_lists_run_tasks_by_cluster_status_family_started_by_and_launch_type() {
    let Some(endpoint) = endpoint(
        "list_tasks_lists_run_tasks_by_cluster_status_family_started_by_and_launch_type",
        &["--task-seconds", "600"],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-list").await;
    let (other, _) = setup(&ecs, "ft-list-other").await;
    let first = run(&ecs, &cluster, &family, "exit 0").await;
    ecs.run_task()
        .cluster(&cluster)
        .task_definition(&family)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network())
        .started_by("someone-else")
        .send()
        .await
        .unwrap();
    let list = || ecs.list_tasks().cluster(&cluster);
    let count = |out: aws_sdk_ecs::operation::list_tasks::ListTasksOutput| out.task_arns().len();
    assert_eq!(count(list().send().await.unwrap()), 2);
    assert_eq!(count(list().family(&family).send().await.unwrap()), 2);
    assert_eq!(count(list().family("no-such").send().await.unwrap()), 0);
    let by = list().started_by("migrations").send().await.unwrap();
    assert_eq!(by.task_arns(), [first.task_arn().unwrap()]);
    let fargate = list()
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .unwrap();
    assert_eq!(count(fargate), 2);
    assert_eq!(
        count(list().launch_type(LaunchType::Ec2).send().await.unwrap()),
        0
    );
    assert_eq!(count(list().service_name("web").send().await.unwrap()), 0);
    let other_cluster = ecs.list_tasks().cluster(&other).send().await.unwrap();
    assert_eq!(count(other_cluster), 0);

    let page = list().max_results(1).send().await.unwrap();
    assert_eq!(page.task_arns().len(), 1);
    let next = list()
        .max_results(1)
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(next.task_arns().len(), 1);
    assert_ne!(next.task_arns(), page.task_arns());
    assert!(next.next_token().is_none());

    ecs.stop_task()
        .cluster(&cluster)
        .task(first.task_arn().unwrap())
        .send()
        .await
        .unwrap();
    let running = list().send().await.unwrap();
    assert_eq!(running.task_arns().len(), 1);
    assert_ne!(running.task_arns(), [first.task_arn().unwrap()]);
    let stopped = list()
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.task_arns(), [first.task_arn().unwrap()]);
}

#[tokio::test]
async fn delete_cluster_is_refused_until_its_run_tasks_have_stopped() {
    let Some(endpoint) = endpoint(
        "delete_cluster_is_refused_until_its_run_tasks_have_stopped",
        &["--task-seconds", "600"],
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = setup(&ecs, "ft-del").await;
    let task = run(&ecs, &cluster, &family, "exit 0").await;
    let arn = task.task_arn().unwrap();
    let described = ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
        .unwrap();
    let c = &described.clusters()[0];
    assert_eq!(c.running_tasks_count() + c.pending_tasks_count(), 1);
    let delete = || async {
        use aws_sdk_ecs::error::ProvideErrorMetadata;
        ecs.delete_cluster()
            .cluster(&cluster)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                let e = e.into_service_error();
                format!("{}: {}", e.code().unwrap_or(""), e.message().unwrap_or(""))
            })
    };
    assert_eq!(
        delete().await.unwrap_err(),
        "ClusterContainsTasksException: The Cluster cannot be deleted while Tasks are active."
    );
    ecs.stop_task()
        .cluster(&cluster)
        .task(arn)
        .send()
        .await
        .unwrap();
    assert!(
        delete()
            .await
            .unwrap_err()
            .starts_with("ClusterContainsTasksException"),
        "a stopping task still blocks"
    );
    until(&ecs, &cluster, arn, "STOPPED").await;
    delete().await.expect("a stopped task does not block");
}
