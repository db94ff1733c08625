//! Fidelity of Service Connect, volume configurations and VPC Lattice: kept on the deployment
//! they started (not on the service), the namespace read back as an ARN, a changed setting
//! starting a new deployment, and ECS's refusals (Service Connect with no namespace anywhere, a
//! volume configuration for a volume not configured at launch). Each test talks to the endpoint
//! with the AWS SDK for Rust. Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::{Endpoint, local_endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    ClusterServiceConnectDefaultsRequest, ContainerDefinition, Deployment,
    DeploymentCircuitBreaker, DeploymentConfiguration, PortMapping, ServiceConnectClientAlias,
    ServiceConnectConfiguration, ServiceConnectService, ServiceManagedEbsVolumeConfiguration,
    ServiceVolumeConfiguration, Volume, VpcLatticeConfiguration,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-infrastructure";

async fn family(ecs: &Client, volumes: &[(&str, bool)]) -> String {
    let family = unique_name("fid-sc-td");
    register(ecs, &family, "nginx:1", volumes).await;
    family
}

/// Registers a revision of `family` running `image` with a port mapping named `http`; returns
/// its ARN.
async fn register(ecs: &Client, family: &str, image: &str, volumes: &[(&str, bool)]) -> String {
    let container = ContainerDefinition::builder()
        .name("app")
        .image(image)
        .memory(128)
        .port_mappings(
            PortMapping::builder()
                .name("http")
                .container_port(80)
                .build(),
        )
        .build();
    let mut register = ecs
        .register_task_definition()
        .family(family)
        .container_definitions(container);
    for (name, at_launch) in volumes {
        register = register.volumes(
            Volume::builder()
                .name(*name)
                .configured_at_launch(*at_launch)
                .build(),
        );
    }
    let out = register.send().await.unwrap();
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .unwrap_or_default()
        .to_string()
}

async fn primary(ecs: &Client, cluster: &str) -> (Deployment, usize) {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    let s = out.services().first().expect("service described");
    let d = s
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .expect("a primary deployment")
        .clone();
    (d, s.deployments().len())
}

fn connect(namespace: Option<&str>, port: i32) -> ServiceConnectConfiguration {
    ServiceConnectConfiguration::builder()
        .enabled(true)
        .set_namespace(namespace.map(str::to_string))
        .services(
            ServiceConnectService::builder()
                .port_name("http")
                .client_aliases(
                    ServiceConnectClientAlias::builder()
                        .port(port)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn service_connect_is_kept_on_the_deployment_with_the_namespace_as_an_arn() {
    let Some(endpoint) =
        local_endpoint("service_connect_is_kept_on_the_deployment_with_the_namespace_as_an_arn")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-sc");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = family(&ecs, &[]).await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(0)
        .service_connect_configuration(connect(Some("internal"), 80))
        .send()
        .await
        .unwrap();
    let (first, _) = primary(&ecs, &cluster).await;
    let config = first
        .service_connect_configuration()
        .expect("on the deployment");
    let namespace = config.namespace().unwrap_or_default();
    assert!(
        namespace.starts_with("arn:aws:servicediscovery:") && namespace.contains(":namespace/ns-"),
        "{namespace}"
    );
    assert_eq!(config.services()[0].client_aliases()[0].port(), 80);

    // Another alias port starts a deployment running the new configuration.
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .service_connect_configuration(connect(Some("internal"), 8080))
        .send()
        .await
        .unwrap();
    let (second, count) = primary(&ecs, &cluster).await;
    assert_ne!(second.id(), first.id(), "a new deployment");
    assert_eq!(count, 2, "the old deployment still drains");
    let config = second.service_connect_configuration().unwrap();
    assert_eq!(config.services()[0].client_aliases()[0].port(), 8080);
    assert_eq!(config.namespace(), Some(namespace), "the same namespace");

    // A port name the task definition does not have is refused.
    let mut wrong = connect(Some("internal"), 8080);
    if let Some(services) = wrong.services.as_mut() {
        services[0].port_name = "grpc".into();
    }
    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .service_connect_configuration(wrong)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(format!("{err:?}").contains("'grpc'"), "{err:?}");

    // The same configuration again is no new deployment.
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .service_connect_configuration(connect(Some("internal"), 8080))
        .send()
        .await
        .unwrap();
    assert_eq!(primary(&ecs, &cluster).await.0.id(), second.id());
}

#[tokio::test]
async fn service_connect_without_a_namespace_needs_the_cluster_default() {
    let Some(endpoint) =
        local_endpoint("service_connect_without_a_namespace_needs_the_cluster_default")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let bare = unique_name("fid-sc-bare");
    ecs.create_cluster()
        .cluster_name(&bare)
        .send()
        .await
        .unwrap();
    let family = family(&ecs, &[]).await;
    let err = ecs
        .create_service()
        .cluster(&bare)
        .service_name("web")
        .task_definition(&family)
        .desired_count(0)
        .service_connect_configuration(connect(None, 80))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(format!("{err:?}").contains("namespace"), "{err:?}");

    let with_default = unique_name("fid-sc-default");
    let default = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-cluster";
    ecs.create_cluster()
        .cluster_name(&with_default)
        .service_connect_defaults(
            ClusterServiceConnectDefaultsRequest::builder()
                .namespace(default)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster(&with_default)
        .service_name("web")
        .task_definition(&family)
        .desired_count(0)
        .service_connect_configuration(connect(None, 80))
        .send()
        .await
        .expect("the cluster's default namespace applies");
    let (d, _) = primary(&ecs, &with_default).await;
    assert_eq!(
        d.service_connect_configuration().unwrap().namespace(),
        Some(default)
    );
}

fn ebs(name: &str) -> ServiceVolumeConfiguration {
    ServiceVolumeConfiguration::builder()
        .name(name)
        .managed_ebs_volume(
            ServiceManagedEbsVolumeConfiguration::builder()
                .role_arn(ROLE)
                .size_in_gib(20)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn volume_configurations_name_a_volume_configured_at_launch_and_stay_on_the_deployment() {
    let Some(endpoint) = local_endpoint(
        "volume_configurations_name_a_volume_configured_at_launch_and_stay_on_the_deployment",
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-vol");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = family(&ecs, &[("data", true), ("scratch", false)]).await;
    let create = |volume: &str| {
        ecs.create_service()
            .cluster(&cluster)
            .service_name("web")
            .task_definition(&family)
            .desired_count(0)
            .volume_configurations(ebs(volume))
            .send()
    };
    for refused in ["scratch", "missing"] {
        let err = create(refused).await.unwrap_err().into_service_error();
        assert!(err.is_invalid_parameter_exception(), "{refused}: {err:?}");
        assert!(
            format!("{err:?}").contains("configured at launch"),
            "{err:?}"
        );
    }
    create("data").await.expect("a volume configured at launch");
    let (first, _) = primary(&ecs, &cluster).await;
    let volume = &first.volume_configurations()[0];
    assert_eq!(volume.name(), "data");
    assert_eq!(volume.managed_ebs_volume().unwrap().size_in_gib(), Some(20));

    // VPC Lattice is kept on the deployment too, and starts one.
    let lattice = VpcLatticeConfiguration::builder()
        .role_arn(ROLE)
        .target_group_arn("arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1")
        .port_name("http")
        .build()
        .unwrap();
    let mut wrong = lattice.clone();
    wrong.port_name = "admin".into();
    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .vpc_lattice_configurations(wrong)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(format!("{err:?}").contains("'admin'"), "{err:?}");
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .vpc_lattice_configurations(lattice)
        .send()
        .await
        .unwrap();
    let (second, _) = primary(&ecs, &cluster).await;
    assert_ne!(second.id(), first.id());
    assert_eq!(second.vpc_lattice_configurations()[0].port_name(), "http");
    assert_eq!(
        second.volume_configurations()[0].name(),
        "data",
        "what was not sent stays"
    );

    // An empty list removes the volume configuration.
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .set_volume_configurations(Some(vec![]))
        .send()
        .await
        .unwrap();
    assert!(
        primary(&ecs, &cluster)
            .await
            .0
            .volume_configurations()
            .is_empty()
    );
}

#[tokio::test]
async fn a_rollback_runs_the_service_connect_configuration_of_the_deployment_it_returns_to() {
    let test = "a_rollback_runs_the_service_connect_configuration_of_the_deployment_it_returns_to";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&["--fail-image", "broken", "--steady-seconds", "0.3"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-sc-rb");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = family(&ecs, &[]).await;
    let breaker = DeploymentConfiguration::builder()
        .deployment_circuit_breaker(
            DeploymentCircuitBreaker::builder()
                .enable(true)
                .rollback(true)
                .build(),
        )
        .build();
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(1)
        .deployment_configuration(breaker)
        .service_connect_configuration(connect(Some("internal"), 80))
        .send()
        .await
        .unwrap();
    let broken = register(&ecs, &family, "nginx:broken", &[]).await;
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .task_definition(&broken)
        .service_connect_configuration(connect(Some("internal"), 8080))
        .send()
        .await
        .unwrap();
    let start = Instant::now();
    let rolled_back = loop {
        let (d, _) = primary(&ecs, &cluster).await;
        let back = d.task_definition() != Some(broken.as_str());
        if back || start.elapsed() > Duration::from_secs(10) {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_ne!(
        rolled_back.task_definition(),
        Some(broken.as_str()),
        "rolled back"
    );
    let port = rolled_back
        .service_connect_configuration()
        .and_then(|c| c.services().first())
        .and_then(|s| s.client_aliases().first())
        .map(|a| a.port());
    assert_eq!(port, Some(80), "the configuration it returns to");
}
