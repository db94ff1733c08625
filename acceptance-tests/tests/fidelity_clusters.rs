//! Fidelity of clusters: like real ECS, the local endpoint refuses DeleteCluster while the
//! cluster holds services (ACTIVE or DRAINING), tasks, container instances or capacity
//! providers, answers the cluster calls moto cannot, and lists only ACTIVE clusters.
//! Each test talks to the endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use acceptance_tests::fixtures::{container_instance, running_task, unmanaged_service};
use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::types::{ClusterSetting, ClusterSettingName};

async fn new_cluster(ecs: &aws_sdk_ecs::Client, prefix: &str) -> String {
    let name = unique_name(prefix);
    ecs.create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .unwrap();
    name
}

#[tokio::test]
async fn delete_cluster_refused_while_services_are_active_or_draining() {
    let Some(endpoint) =
        local_endpoint("delete_cluster_refused_while_services_are_active_or_draining")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-svc").await;
    unmanaged_service(&ecs, &cluster, "web").await.unwrap();

    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_services_exception()
    );

    ecs.delete_service()
        .cluster(&cluster)
        .service("web")
        .force(true)
        .send()
        .await
        .unwrap();
    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_services_exception(),
        "a DRAINING service still blocks the cluster"
    );

    wait_until_inactive(&ecs, &cluster, "web").await;
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("deletable once INACTIVE");
}

async fn wait_until_inactive(ecs: &aws_sdk_ecs::Client, cluster: &str, service: &str) {
    for _ in 0..100 {
        let out = ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .unwrap();
        if out.services()[0].status() == Some("INACTIVE") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{service} never became INACTIVE");
}

#[tokio::test]
async fn delete_cluster_refused_while_tasks_run_then_while_instances_are_registered() {
    let Some(endpoint) = local_endpoint(
        "delete_cluster_refused_while_tasks_run_then_while_instances_are_registered",
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-task").await;
    let instance = container_instance(&ecs, endpoint.url(), &cluster)
        .await
        .unwrap();
    let task = running_task(&ecs, &cluster).await.unwrap();

    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_tasks_exception()
    );

    ecs.stop_task()
        .cluster(&cluster)
        .task(&task)
        .send()
        .await
        .unwrap();
    // A stopping task still blocks: wait until it has stopped.
    for _ in 0..100 {
        let out = ecs
            .describe_tasks()
            .cluster(&cluster)
            .tasks(&task)
            .send()
            .await
            .unwrap();
        if out.tasks()[0].last_status() == Some("STOPPED") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_container_instances_exception()
    );

    ecs.deregister_container_instance()
        .cluster(&cluster)
        .container_instance(&instance)
        .force(true)
        .send()
        .await
        .unwrap();
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("deletable when empty");
}

#[tokio::test]
async fn delete_cluster_refused_while_capacity_providers_are_associated() {
    let Some(endpoint) =
        local_endpoint("delete_cluster_refused_while_capacity_providers_are_associated")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-cp").await;
    let provider = unique_name("cp");
    ecs.create_capacity_provider()
        .name(&provider)
        .auto_scaling_group_provider(
            aws_sdk_ecs::types::AutoScalingGroupProvider::builder()
                .auto_scaling_group_arn(format!(
                    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{provider}"
                ))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers(&provider)
        .capacity_providers("FARGATE")
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();

    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_capacity_provider_exception()
    );

    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .set_capacity_providers(Some(vec![]))
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("deletable once dissociated");
}

#[tokio::test]
async fn fargate_only_clusters_delete_at_once() {
    let Some(endpoint) = local_endpoint("fargate_only_clusters_delete_at_once") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-fg").await;
    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers("FARGATE")
        .capacity_providers("FARGATE_SPOT")
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("Fargate providers never block");
}

#[tokio::test]
async fn update_cluster_settings_merges_settings() {
    let Some(endpoint) = local_endpoint("update_cluster_settings_merges_settings") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-settings").await;
    let out = ecs
        .update_cluster_settings()
        .cluster(&cluster)
        .settings(
            ClusterSetting::builder()
                .name(ClusterSettingName::ContainerInsights)
                .value("enhanced")
                .build(),
        )
        .send()
        .await
        .expect("moto alone answers HTTP 500");
    let settings = out.cluster().unwrap().settings();
    assert_eq!(settings.len(), 1, "{settings:?}");
    assert_eq!(settings[0].value(), Some("enhanced"));
}

#[tokio::test]
async fn describe_capacity_providers_knows_fargate_and_works_without_names() {
    let Some(endpoint) =
        local_endpoint("describe_capacity_providers_knows_fargate_and_works_without_names")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let named = ecs
        .describe_capacity_providers()
        .capacity_providers("FARGATE")
        .send()
        .await
        .unwrap();
    assert!(named.failures().is_empty(), "{:?}", named.failures());
    assert_eq!(named.capacity_providers()[0].name(), Some("FARGATE"));

    let all = ecs
        .describe_capacity_providers()
        .send()
        .await
        .expect("moto alone: HTTP 500");
    let names: Vec<&str> = all
        .capacity_providers()
        .iter()
        .filter_map(|p| p.name())
        .collect();
    assert!(names.starts_with(&["FARGATE", "FARGATE_SPOT"]), "{names:?}");
}

#[tokio::test]
async fn list_clusters_leaves_out_deleted_clusters() {
    let Some(endpoint) = local_endpoint("list_clusters_leaves_out_deleted_clusters") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = new_cluster(&ecs, "fid-list").await;
    ecs.delete_cluster().cluster(&cluster).send().await.unwrap();
    let arns: Vec<String> = ecs
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert!(
        !arns.iter().any(|a| a.ends_with(&format!("/{cluster}"))),
        "{arns:?}"
    );
}

#[tokio::test]
async fn moto_internal_errors_become_client_errors_at_once() {
    let Some(endpoint) = local_endpoint("moto_internal_errors_become_client_errors_at_once") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    // moto fails internally when tagging a capacity provider; the SDK would retry an HTTP 500.
    let start = std::time::Instant::now();
    let err = ecs
        .tag_resource()
        .resource_arn("arn:aws:ecs:us-east-1:123456789012:capacity-provider/none")
        .tags(
            aws_sdk_ecs::types::Tag::builder()
                .key("k")
                .value("v")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    let err = err.into_service_error();
    assert!(err.is_client_exception(), "{err:?}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "answered without retries"
    );
}

/// ECS keeps `managedStorageConfiguration` and reports the configuration only when DescribeClusters
/// asks for `CONFIGURATIONS` (DescribeClusters reference, `include`).
#[tokio::test]
async fn managed_storage_configuration_is_kept_and_reported_only_when_asked_for() {
    use aws_sdk_ecs::types::{ClusterConfiguration, ClusterField, ManagedStorageConfiguration};
    let Some(endpoint) =
        local_endpoint("managed_storage_configuration_is_kept_and_reported_only_when_asked_for")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let name = unique_name("fid-storage");
    let storage = |key: &str| {
        ClusterConfiguration::builder()
            .managed_storage_configuration(
                ManagedStorageConfiguration::builder()
                    .kms_key_id(key)
                    .fargate_ephemeral_storage_kms_key_id(format!("{key}-fargate"))
                    .build(),
            )
            .build()
    };
    ecs.create_cluster()
        .cluster_name(&name)
        .configuration(storage("key-1"))
        .send()
        .await
        .unwrap();
    let reported = |include: bool| {
        let ecs = ecs.clone();
        let name = name.clone();
        async move {
            let mut call = ecs.describe_clusters().clusters(&name);
            if include {
                call = call.include(ClusterField::Configurations);
            }
            let out = call.send().await.unwrap();
            out.clusters()[0]
                .configuration()
                .and_then(|c| c.managed_storage_configuration())
                .map(|m| {
                    (
                        m.kms_key_id().unwrap_or_default().to_string(),
                        m.fargate_ephemeral_storage_kms_key_id()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
        }
    };
    assert_eq!(
        reported(true).await,
        Some(("key-1".into(), "key-1-fargate".into()))
    );
    assert_eq!(reported(false).await, None, "not asked for, not reported");

    ecs.update_cluster()
        .cluster(&name)
        .configuration(storage("key-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        reported(true).await,
        Some(("key-2".into(), "key-2-fargate".into())),
        "changed in place"
    );
    ecs.delete_cluster().cluster(&name).send().await.unwrap();
}
