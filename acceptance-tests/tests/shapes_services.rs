//! Response shapes: services come back from the local endpoint with what DescribeServices
//! carries on AWS, whether or not it was sent. Each test creates a service with the AWS SDK
//! for Rust and checks the read-back shape. Run with `TF_ACC=1`.

use acceptance_tests::fixtures::unmanaged_service;
use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{LaunchType, PropagateTags, SchedulingStrategy, Service};

async fn minimal_service(ecs: &Client) -> Service {
    let cluster = unique_name("shape-svc");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    unmanaged_service(ecs, &cluster, "web").await.unwrap();
    let out = ecs
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    out.services()[0].clone()
}

#[tokio::test]
async fn unsent_service_settings_read_back_with_ecs_defaults() {
    let Some(endpoint) = local_endpoint("unsent_service_settings_read_back_with_ecs_defaults")
    else {
        return;
    };
    let s = minimal_service(&endpoint.ecs_client().await).await;
    let config = s.deployment_configuration().expect("always present");
    assert_eq!(config.maximum_percent(), Some(200));
    assert_eq!(config.minimum_healthy_percent(), Some(100));
    let breaker = config.deployment_circuit_breaker().expect("always present");
    assert!(!breaker.enable() && !breaker.rollback());
    assert_eq!(s.propagate_tags(), Some(&PropagateTags::None));
    assert!(!s.enable_ecs_managed_tags());
    assert!(!s.enable_execute_command());
    assert_eq!(s.scheduling_strategy(), Some(&SchedulingStrategy::Replica));
    assert_eq!(s.launch_type(), Some(&LaunchType::Ec2));
    assert_eq!(
        s.deployment_controller().map(|c| c.r#type().as_str()),
        Some("ECS")
    );
}

#[tokio::test]
async fn services_carry_creation_metadata() {
    let Some(endpoint) = local_endpoint("services_carry_creation_metadata") else {
        return;
    };
    let s = minimal_service(&endpoint.ecs_client().await).await;
    assert!(s.created_at().is_some(), "moto leaves createdAt null");
    assert_eq!(s.created_by(), Some("arn:aws:iam::123456789012:root"));
    assert!(
        s.task_definition().unwrap().starts_with("arn:aws:ecs:"),
        "an ARN"
    );
}

#[tokio::test]
async fn deployments_carry_rollout_state_and_launch() {
    let Some(endpoint) = local_endpoint("deployments_carry_rollout_state_and_launch") else {
        return;
    };
    let s = minimal_service(&endpoint.ecs_client().await).await;
    let d = &s.deployments()[0];
    assert_eq!(d.status(), Some("PRIMARY"));
    assert!(d.id().unwrap().starts_with("ecs-svc/"));
    assert!(d.rollout_state().is_some());
    assert!(d.rollout_state_reason().is_some());
    assert_eq!(d.launch_type(), Some(&LaunchType::Ec2));
    assert_eq!(d.task_definition(), s.task_definition());
    assert!(d.created_at().is_some() && d.updated_at().is_some());
}
