//! Fidelity of batch limits and pagination: the local endpoint refuses DescribeServices with
//! more than 10 names, DescribeClusters with more than 100, SSM GetParameters with more than
//! 10 and DeleteTaskDefinitions with more than 10, as AWS does, pages ListClusters,
//! ListServices, ListTaskDefinitions, ListTasks and ListContainerInstances with
//! `maxResults`/`nextToken`, and lists RUNNING tasks unless asked for others. Each test talks to
//! the endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::error::ProvideErrorMetadata;

#[tokio::test]
async fn describe_services_takes_at_most_10_names() {
    let Some(endpoint) = local_endpoint("describe_services_takes_at_most_10_names") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-batch");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let names: Vec<String> = (0..11).map(|i| format!("s{i}")).collect();
    let err = ecs
        .describe_services()
        .cluster(&cluster)
        .set_services(Some(names.clone()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("service names can have at most 10 items.")
    );
    let ten = ecs
        .describe_services()
        .cluster(&cluster)
        .set_services(Some(names[..10].to_vec()))
        .send()
        .await
        .expect("10 is allowed");
    assert_eq!(ten.failures().len(), 10, "all MISSING");
}

#[tokio::test]
async fn describe_clusters_takes_at_most_100_names() {
    let Some(endpoint) = local_endpoint("describe_clusters_takes_at_most_100_names") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let names: Vec<String> = (0..101).map(|i| format!("missing-{i}")).collect();
    let err = ecs
        .describe_clusters()
        .set_clusters(Some(names.clone()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    ecs.describe_clusters()
        .set_clusters(Some(names[..100].to_vec()))
        .send()
        .await
        .expect("100 is allowed");
}

#[tokio::test]
async fn ssm_get_parameters_takes_at_most_10_names() {
    let Some(endpoint) = local_endpoint("ssm_get_parameters_takes_at_most_10_names") else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let names: Vec<String> = (0..11).map(|i| format!("/fid/missing/{i}")).collect();
    let err = ssm
        .get_parameters()
        .set_names(Some(names.clone()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
    assert!(
        err.message()
            .unwrap_or("")
            .contains("less than or equal to 10")
    );
    let ten = ssm
        .get_parameters()
        .set_names(Some(names[..10].to_vec()))
        .send()
        .await
        .expect("10 is allowed");
    assert_eq!(ten.invalid_parameters().len(), 10);
}

#[tokio::test]
async fn delete_task_definitions_takes_at_most_10() {
    let Some(endpoint) = local_endpoint("delete_task_definitions_takes_at_most_10") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let refs: Vec<String> = (1..=11).map(|i| format!("fid-missing:{i}")).collect();
    let err = ecs
        .delete_task_definitions()
        .set_task_definitions(Some(refs))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
}

#[tokio::test]
async fn list_services_pages_with_max_results_and_next_token() {
    let Some(endpoint) = local_endpoint("list_services_pages_with_max_results_and_next_token")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-page");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    for i in 0..12 {
        acceptance_tests::fixtures::unmanaged_service(&ecs, &cluster, &format!("s{i:02}"))
            .await
            .unwrap();
    }
    let first = ecs.list_services().cluster(&cluster).send().await.unwrap();
    assert_eq!(
        first.service_arns().len(),
        10,
        "ListServices pages by 10 by default"
    );
    assert!(first.next_token().is_some());
    let small = ecs
        .list_services()
        .cluster(&cluster)
        .max_results(5)
        .send()
        .await
        .unwrap();
    assert_eq!(small.service_arns().len(), 5);

    let all: Vec<String> = ecs
        .list_services()
        .cluster(&cluster)
        .max_results(5)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 12);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "no service twice: {all:?}");

    let err = ecs
        .list_services()
        .cluster(&cluster)
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
}

#[tokio::test]
async fn list_clusters_and_task_definitions_page() {
    let Some(endpoint) = local_endpoint("list_clusters_and_task_definitions_page") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let prefix = unique_name("fid-lc");
    for i in 0..3 {
        ecs.create_cluster()
            .cluster_name(format!("{prefix}-{i}"))
            .send()
            .await
            .unwrap();
    }
    let page = ecs.list_clusters().max_results(2).send().await.unwrap();
    assert_eq!(page.cluster_arns().len(), 2);
    assert!(page.next_token().is_some(), "at least 3 clusters exist");
    let clusters: Vec<String> = ecs
        .list_clusters()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let ours = clusters.iter().filter(|a| a.contains(&prefix)).count();
    assert_eq!(ours, 3, "{clusters:?}");

    let family = unique_name("fid-ltd");
    for _ in 0..3 {
        ecs.register_task_definition()
            .family(&family)
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("app")
                    .image("nginx")
                    .memory(64)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let page = ecs
        .list_task_definitions()
        .family_prefix(&family)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.task_definition_arns().len(), 2);
    let revisions: Vec<String> = ecs
        .list_task_definitions()
        .family_prefix(&family)
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(revisions.len(), 3, "{revisions:?}");
}

#[path = "support/crowded_cluster.rs"]
mod crowded_cluster;

#[tokio::test]
async fn list_tasks_and_container_instances_page_by_100_with_max_results_and_next_token() {
    let Some(endpoint) = local_endpoint(
        "list_tasks_and_container_instances_page_by_100_with_max_results_and_next_token",
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-crowd");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let count = crowded_cluster::MORE_THAN_A_PAGE;
    let instances =
        crowded_cluster::register_container_instances(&ecs, endpoint.url(), &cluster, count)
            .await
            .unwrap();
    let tasks = crowded_cluster::run_tasks(&ecs, &cluster, count + 9)
        .await
        .unwrap();

    let first = ecs.list_tasks().cluster(&cluster).send().await.unwrap();
    assert_eq!(first.task_arns().len(), 100, "ListTasks pages by 100");
    let token = first.next_token().expect("a second page").to_string();
    let second = ecs
        .list_tasks()
        .cluster(&cluster)
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.task_arns().len(), 10);
    assert_eq!(second.next_token(), None, "the last page has no token");
    let mut listed: Vec<String> = ecs
        .list_tasks()
        .cluster(&cluster)
        .max_results(30)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    listed.sort();
    let mut expected = tasks.clone();
    expected.sort();
    assert_eq!(listed, expected, "every task once, through pages of 30");

    let first = ecs
        .list_container_instances()
        .cluster(&cluster)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.container_instance_arns().len(),
        100,
        "ListContainerInstances pages by 100"
    );
    assert!(first.next_token().is_some());
    let mut listed: Vec<String> = ecs
        .list_container_instances()
        .cluster(&cluster)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    listed.sort();
    let mut expected = instances.clone();
    expected.sort();
    assert_eq!(listed, expected, "every instance once");

    for err in [
        ecs.list_tasks()
            .cluster(&cluster)
            .max_results(101)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        ecs.list_container_instances()
            .cluster(&cluster)
            .next_token("not-a-token")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(err.code(), Some("InvalidParameterException"), "{err:?}");
    }
}

#[tokio::test]
async fn list_tasks_lists_running_tasks_unless_asked_for_stopped_ones() {
    let Some(endpoint) =
        local_endpoint("list_tasks_lists_running_tasks_unless_asked_for_stopped_ones")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-stopped");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    crowded_cluster::register_container_instances(&ecs, endpoint.url(), &cluster, 1)
        .await
        .unwrap();
    let tasks = crowded_cluster::run_tasks(&ecs, &cluster, 2).await.unwrap();
    ecs.stop_task()
        .cluster(&cluster)
        .task(&tasks[0])
        .send()
        .await
        .unwrap();

    let running = ecs.list_tasks().cluster(&cluster).send().await.unwrap();
    assert_eq!(running.task_arns(), &tasks[1..], "RUNNING by default");
    let stopped = ecs
        .list_tasks()
        .cluster(&cluster)
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.task_arns(), &tasks[..1]);
}
