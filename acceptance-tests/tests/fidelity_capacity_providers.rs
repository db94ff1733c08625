//! Fidelity of capacity providers: the local endpoint keeps them as ECS does (moto's model is
//! partial): the defaults ECS fills in, the names and settings it refuses, managed-instances
//! providers that belong to their cluster, and a delete that reports DELETE_FAILED while a
//! cluster holds the provider. Each test talks to the endpoint with the AWS SDK for Rust.
//! Run with `TF_ACC=1`.

#[path = "support/auto_scaling.rs"]
mod auto_scaling;

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AutoScalingGroupProvider, AutoScalingGroupProviderUpdate, CapacityProviderField,
    CapacityProviderStatus, CapacityProviderUpdateStatus,
    CreateManagedInstancesProviderConfiguration, InstanceLaunchTemplate, ManagedDraining,
    ManagedInstancesNetworkConfiguration, ManagedScaling, ManagedScalingStatus,
    ManagedTerminationProtection, Tag,
};

fn asg(arn: &str) -> AutoScalingGroupProvider {
    AutoScalingGroupProvider::builder()
        .auto_scaling_group_arn(arn)
        .build()
        .unwrap()
}

fn managed_instances() -> CreateManagedInstancesProviderConfiguration {
    CreateManagedInstancesProviderConfiguration::builder()
        .infrastructure_role_arn("arn:aws:iam::123456789012:role/ecsInfrastructure")
        .instance_launch_template(
            InstanceLaunchTemplate::builder()
                .ec2_instance_profile_arn("arn:aws:iam::123456789012:instance-profile/ecsInstance")
                .network_configuration(
                    ManagedInstancesNetworkConfiguration::builder()
                        .subnets("subnet-12345678")
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

async fn describe(ecs: &Client, name: &str) -> aws_sdk_ecs::types::CapacityProvider {
    ecs.describe_capacity_providers()
        .capacity_providers(name)
        .send()
        .await
        .unwrap()
        .capacity_providers()
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("{name} is not described"))
}

async fn cluster_providers(ecs: &Client, cluster: &str) -> Vec<String> {
    ecs.describe_clusters()
        .clusters(cluster)
        .send()
        .await
        .unwrap()
        .clusters()
        .first()
        .map(|c| c.capacity_providers().to_vec())
        .unwrap_or_default()
}

#[tokio::test]
async fn auto_scaling_group_providers_are_described_with_the_defaults_ecs_fills_in() {
    let Some(endpoint) =
        local_endpoint("auto_scaling_group_providers_are_described_with_the_defaults_ecs_fills_in")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let name = unique_name("fid-asg");
    let group = auto_scaling::auto_scaling_group(endpoint.url(), &name)
        .await
        .unwrap();
    let created = ecs
        .create_capacity_provider()
        .name(&name)
        .auto_scaling_group_provider(asg(&group))
        .tags(Tag::builder().key("team").value("web").build())
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.capacity_provider().and_then(|p| p.status()),
        Some(&CapacityProviderStatus::Active)
    );
    let described = describe(&ecs, &name).await;
    let provider = described.auto_scaling_group_provider().unwrap();
    assert_eq!(provider.auto_scaling_group_arn(), group);
    assert_eq!(provider.managed_draining(), Some(&ManagedDraining::Enabled));
    assert_eq!(
        provider.managed_termination_protection(),
        Some(&ManagedTerminationProtection::Disabled)
    );
    let scaling = provider.managed_scaling().unwrap();
    assert_eq!(scaling.status(), Some(&ManagedScalingStatus::Disabled));
    assert_eq!(
        (
            scaling.target_capacity(),
            scaling.minimum_scaling_step_size(),
            scaling.maximum_scaling_step_size(),
            scaling.instance_warmup_period()
        ),
        (Some(100), Some(1), Some(10000), Some(300))
    );
    assert!(described.tags().is_empty(), "tags only with include TAGS");
    let with_tags = ecs
        .describe_capacity_providers()
        .capacity_providers(&name)
        .include(CapacityProviderField::Tags)
        .send()
        .await
        .unwrap();
    assert_eq!(with_tags.capacity_providers()[0].tags().len(), 1);
    let all = ecs.describe_capacity_providers().send().await.unwrap();
    let names: Vec<&str> = all
        .capacity_providers()
        .iter()
        .filter_map(|p| p.name())
        .collect();
    assert!(
        names.contains(&"FARGATE") && names.contains(&name.as_str()),
        "{names:?}"
    );
    ecs.delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn capacity_providers_are_tagged_and_untagged_by_arn() {
    let Some(endpoint) = local_endpoint("capacity_providers_are_tagged_and_untagged_by_arn") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let name = unique_name("fid-tags");
    let group = format!(
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{name}"
    );
    let created = ecs
        .create_capacity_provider()
        .name(&name)
        .auto_scaling_group_provider(asg(&group))
        .tags(Tag::builder().key("team").value("web").build())
        .send()
        .await
        .unwrap();
    let arn = created
        .capacity_provider()
        .and_then(|p| p.capacity_provider_arn())
        .unwrap()
        .to_string();
    ecs.tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("team").value("api").build())
        .tags(Tag::builder().key("env").value("dev").build())
        .send()
        .await
        .unwrap();
    ecs.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let listed = ecs
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags: Vec<(Option<&str>, Option<&str>)> =
        listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, vec![(Some("team"), Some("api"))]);
    ecs.delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn reserved_names_and_termination_protection_without_managed_scaling_are_refused() {
    let Some(endpoint) = local_endpoint(
        "reserved_names_and_termination_protection_without_managed_scaling_are_refused",
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let arn =
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/g";
    for reserved in ["ecs-web", "AWSweb", "fargate-x"] {
        let refused = ecs
            .create_capacity_provider()
            .name(reserved)
            .auto_scaling_group_provider(asg(arn))
            .send()
            .await
            .unwrap_err();
        assert!(
            refused.into_service_error().is_client_exception(),
            "{reserved}"
        );
    }
    let protected = AutoScalingGroupProvider::builder()
        .auto_scaling_group_arn(arn)
        .managed_termination_protection(ManagedTerminationProtection::Enabled)
        .build()
        .unwrap();
    let refused = ecs
        .create_capacity_provider()
        .name(unique_name("fid-protect"))
        .auto_scaling_group_provider(protected)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_invalid_parameter_exception()
    );
    let neither = ecs
        .create_capacity_provider()
        .name(unique_name("fid-none"))
        .send()
        .await
        .unwrap_err();
    assert!(
        neither
            .into_service_error()
            .is_invalid_parameter_exception()
    );
}

#[tokio::test]
async fn update_capacity_provider_changes_managed_scaling_in_place() {
    let Some(endpoint) =
        local_endpoint("update_capacity_provider_changes_managed_scaling_in_place")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let name = unique_name("fid-upd");
    let arn = format!(
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{name}"
    );
    ecs.create_capacity_provider()
        .name(&name)
        .auto_scaling_group_provider(asg(&arn))
        .send()
        .await
        .unwrap();
    let update = AutoScalingGroupProviderUpdate::builder()
        .managed_scaling(
            ManagedScaling::builder()
                .status(ManagedScalingStatus::Enabled)
                .target_capacity(80)
                .build(),
        )
        .managed_termination_protection(ManagedTerminationProtection::Enabled)
        .build();
    ecs.update_capacity_provider()
        .name(&name)
        .auto_scaling_group_provider(update)
        .send()
        .await
        .unwrap();
    let described = describe(&ecs, &name).await;
    assert_eq!(
        described.update_status(),
        Some(&CapacityProviderUpdateStatus::UpdateComplete)
    );
    let scaling = described
        .auto_scaling_group_provider()
        .unwrap()
        .managed_scaling()
        .unwrap();
    assert_eq!(scaling.target_capacity(), Some(80));
    assert_eq!(
        scaling.instance_warmup_period(),
        Some(300),
        "members not sent are kept"
    );
    ecs.delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_an_associated_provider_reports_delete_failed_naming_the_cluster() {
    let Some(endpoint) =
        local_endpoint("deleting_an_associated_provider_reports_delete_failed_naming_the_cluster")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-cp-held");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let name = unique_name("fid-held");
    let arn = format!(
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{name}"
    );
    ecs.create_capacity_provider()
        .name(&name)
        .auto_scaling_group_provider(asg(&arn))
        .send()
        .await
        .unwrap();
    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers(&name)
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();

    let answer = ecs
        .delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
    let reported = answer.capacity_provider().unwrap();
    assert_eq!(
        reported.update_status(),
        Some(&CapacityProviderUpdateStatus::DeleteFailed)
    );
    assert!(reported.update_status_reason().unwrap().contains(&cluster));
    let described = describe(&ecs, &name).await;
    assert_eq!(described.status(), Some(&CapacityProviderStatus::Active));
    assert_eq!(
        described.update_status(),
        Some(&CapacityProviderUpdateStatus::DeleteFailed)
    );

    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .set_capacity_providers(Some(vec![]))
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();
    let answer = ecs
        .delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.capacity_provider().unwrap().update_status(),
        Some(&CapacityProviderUpdateStatus::DeleteInProgress)
    );
    assert_eq!(
        describe(&ecs, &name).await.status(),
        Some(&CapacityProviderStatus::Inactive)
    );
    let gone = ecs
        .delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap_err();
    assert!(format!("{:?}", gone.into_service_error()).contains("does not exist"));
    ecs.delete_cluster().cluster(&cluster).send().await.unwrap();
}

#[tokio::test]
async fn managed_instances_providers_belong_to_their_cluster() {
    let Some(endpoint) = local_endpoint("managed_instances_providers_belong_to_their_cluster")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-mi");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let name = unique_name("fid-mi-cp");
    let without_cluster = ecs
        .create_capacity_provider()
        .name(&name)
        .managed_instances_provider(managed_instances())
        .send()
        .await
        .unwrap_err();
    assert!(
        without_cluster
            .into_service_error()
            .is_invalid_parameter_exception()
    );
    ecs.create_capacity_provider()
        .name(&name)
        .cluster(&cluster)
        .managed_instances_provider(managed_instances())
        .send()
        .await
        .unwrap();
    let described = describe(&ecs, &name).await;
    assert_eq!(described.cluster(), Some(cluster.as_str()));
    let template = described
        .managed_instances_provider()
        .unwrap()
        .instance_launch_template()
        .unwrap();
    assert_eq!(
        template.capacity_option_type().map(|c| c.as_str()),
        Some("ON_DEMAND")
    );
    assert_eq!(cluster_providers(&ecs, &cluster).await, vec![name.clone()]);

    let refused = ecs
        .put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers(&name)
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_invalid_parameter_exception()
    );
    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers("FARGATE")
        .set_default_capacity_provider_strategy(Some(vec![]))
        .send()
        .await
        .unwrap();
    let mut held = cluster_providers(&ecs, &cluster).await;
    held.sort();
    assert_eq!(
        held,
        vec!["FARGATE".to_string(), name.clone()],
        "it stays with its cluster"
    );
    let mixed = ecs
        .put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers("FARGATE")
        .default_capacity_provider_strategy(
            aws_sdk_ecs::types::CapacityProviderStrategyItem::builder()
                .capacity_provider("FARGATE")
                .build()
                .unwrap(),
        )
        .default_capacity_provider_strategy(
            aws_sdk_ecs::types::CapacityProviderStrategyItem::builder()
                .capacity_provider(&name)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        mixed.into_service_error().is_invalid_parameter_exception(),
        "a strategy holds Fargate providers or others, not both"
    );
    let blocked = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err();
    assert!(
        blocked
            .into_service_error()
            .is_cluster_contains_capacity_provider_exception()
    );

    ecs.delete_capacity_provider()
        .capacity_provider(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        cluster_providers(&ecs, &cluster).await,
        vec!["FARGATE".to_string()]
    );
    ecs.delete_cluster().cluster(&cluster).send().await.unwrap();
}
