//! Fidelity of services: unique names among ACTIVE and DRAINING services, the CreateService
//! settings moto drops kept and read back, steady state after `--steady-seconds` (or a
//! circuit-breaker failure with `--fail-deployments`), DRAINING for `--drain-seconds` after
//! DeleteService. Each test talks to the endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{Endpoint, local_endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, ContainerDefinition,
    DeploymentCircuitBreaker, DeploymentConfiguration, LaunchType, NetworkConfiguration,
    PlacementStrategy, PlacementStrategyType, PropagateTags, Service,
};

async fn cluster_and_family(ecs: &Client, prefix: &str) -> (String, String) {
    let cluster = unique_name(prefix);
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name("fid-td");
    register(ecs, &family, "nginx:1").await;
    (cluster, family)
}

async fn register(ecs: &Client, family: &str, image: &str) -> String {
    let out = ecs
        .register_task_definition()
        .family(family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image(image)
                .memory(128)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string()
}

async fn describe(ecs: &Client, cluster: &str, service: &str) -> Service {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .unwrap();
    out.services().first().cloned().expect("service described")
}

/// Poll until `done` holds for the service (at most `limit`); returns the last description.
async fn until(
    ecs: &Client,
    cluster: &str,
    service: &str,
    limit: Duration,
    done: impl Fn(&Service) -> bool,
) -> Service {
    let start = Instant::now();
    loop {
        let s = describe(ecs, cluster, service).await;
        if done(&s) || start.elapsed() > limit {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn steady(s: &Service) -> bool {
    s.deployments().len() == 1
        && s.running_count() == s.desired_count()
        && s.deployments()[0].rollout_state().map(|r| r.as_str()) == Some("COMPLETED")
}

#[tokio::test]
async fn create_service_refuses_the_name_of_an_active_or_draining_service() {
    let Some(endpoint) =
        local_endpoint("create_service_refuses_the_name_of_an_active_or_draining_service")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-dup").await;
    let create = || {
        ecs.create_service()
            .cluster(&cluster)
            .service_name("web")
            .task_definition(&family)
            .desired_count(0)
            .send()
    };
    create().await.unwrap();
    let err = create().await.unwrap_err().into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(
        err.to_string().contains("not idempotent") || format!("{err:?}").contains("not idempotent")
    );

    ecs.delete_service()
        .cluster(&cluster)
        .service("web")
        .send()
        .await
        .unwrap();
    let err = create().await.unwrap_err().into_service_error();
    assert!(format!("{err:?}").contains("still Draining"), "{err:?}");

    until(&ecs, &cluster, "web", Duration::from_secs(10), |s| {
        s.status() == Some("INACTIVE")
    })
    .await;
    create().await.expect("an INACTIVE name may be used again");
}

#[tokio::test]
async fn create_service_keeps_the_settings_moto_drops() {
    let Some(endpoint) = local_endpoint("create_service_keeps_the_settings_moto_drops") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-keep").await;
    let strategy = CapacityProviderStrategyItem::builder()
        .capacity_provider("FARGATE_SPOT")
        .weight(1)
        .build()
        .unwrap();
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(0)
        .capacity_provider_strategy(strategy)
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .maximum_percent(150)
                .build(),
        )
        .enable_execute_command(true)
        .health_check_grace_period_seconds(45)
        .placement_strategy(
            PlacementStrategy::builder()
                .r#type(PlacementStrategyType::Spread)
                .field("attribute:ecs.availability-zone")
                .build(),
        )
        .propagate_tags(PropagateTags::Service)
        .enable_ecs_managed_tags(true)
        .send()
        .await
        .unwrap();

    let s = describe(&ecs, &cluster, "web").await;
    let config = s.deployment_configuration().unwrap();
    let breaker = config.deployment_circuit_breaker().unwrap();
    assert!(breaker.enable() && breaker.rollback());
    assert_eq!(config.maximum_percent(), Some(150));
    assert_eq!(
        config.minimum_healthy_percent(),
        Some(100),
        "AWS fills the default"
    );
    assert!(s.enable_execute_command());
    assert_eq!(s.health_check_grace_period_seconds(), Some(45));
    assert_eq!(s.placement_strategy().len(), 1);
    assert_eq!(s.propagate_tags(), Some(&PropagateTags::Service));
    assert!(s.enable_ecs_managed_tags());
    assert_eq!(
        s.capacity_provider_strategy()[0].capacity_provider(),
        "FARGATE_SPOT"
    );
    assert_eq!(s.launch_type(), None, "a strategy replaces the launch type");
}

#[tokio::test]
async fn services_reach_steady_state_after_create_and_update() {
    let Some(endpoint) = local_endpoint("services_reach_steady_state_after_create_and_update")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-steady").await;
    let created = ecs
        .create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(2)
        .send()
        .await
        .unwrap();
    let s = created.service().unwrap();
    assert_eq!((s.running_count(), s.pending_count()), (0, 2));
    assert_eq!(
        s.deployments()[0].rollout_state().unwrap().as_str(),
        "IN_PROGRESS"
    );

    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), steady).await;
    assert!(steady(&s), "{s:?}");
    assert!(
        s.events()
            .iter()
            .any(|e| e.message().unwrap_or("").contains("steady state")),
        "{:?}",
        s.events()
    );

    let second = register(&ecs, &family, "nginx:2").await;
    let updated = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .task_definition(format!("{family}:2"))
        .send()
        .await
        .unwrap();
    let u = updated.service().unwrap();
    assert_eq!(
        u.task_definition(),
        Some(second.as_str()),
        "the ARN, as ECS stores it"
    );
    assert_eq!(u.deployments().len(), 2, "new PRIMARY plus the ACTIVE one");
    assert_eq!(u.deployments()[0].status(), Some("PRIMARY"));
    assert_eq!(
        u.deployments()[1].running_count(),
        2,
        "old tasks run until replaced"
    );

    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), steady).await;
    assert!(steady(&s), "{s:?}");
    assert_eq!(s.deployments()[0].task_definition(), Some(second.as_str()));
}

#[tokio::test]
async fn deleted_services_drain_then_turn_inactive_and_leave_the_list() {
    let Some(endpoint) =
        local_endpoint("deleted_services_drain_then_turn_inactive_and_leave_the_list")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-drain").await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(1)
        .send()
        .await
        .unwrap();
    let refused = ecs
        .delete_service()
        .cluster(&cluster)
        .service("web")
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a scaled-up service needs force or a scale to 0"
    );

    let deleted = ecs
        .delete_service()
        .cluster(&cluster)
        .service("web")
        .force(true)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.service().unwrap().status(), Some("DRAINING"));
    let listed = ecs.list_services().cluster(&cluster).send().await.unwrap();
    assert_eq!(
        listed.service_arns().len(),
        1,
        "DRAINING services are listed"
    );

    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .desired_count(1)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_service_not_active_exception());
    // DeleteService does not model the error; AWS still names it.
    let err = ecs
        .delete_service()
        .cluster(&cluster)
        .service("web")
        .send()
        .await
        .unwrap_err();
    use aws_sdk_ecs::error::ProvideErrorMetadata;
    assert_eq!(
        err.into_service_error().code(),
        Some("ServiceNotActiveException")
    );

    let start = Instant::now();
    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), |s| {
        s.status() == Some("INACTIVE")
    })
    .await;
    assert_eq!(s.status(), Some("INACTIVE"));
    assert!(
        start.elapsed() >= Duration::from_millis(1500),
        "drains for about 2 s"
    );
    let listed = ecs.list_services().cluster(&cluster).send().await.unwrap();
    assert!(
        listed.service_arns().is_empty(),
        "INACTIVE services are not listed"
    );
}

#[tokio::test]
async fn awsvpc_services_need_no_security_groups() {
    let Some(endpoint) = local_endpoint("awsvpc_services_need_no_security_groups") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-vpc");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name("fid-fargate");
    ecs.register_task_definition()
        .family(&family)
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let network = NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .subnets(&subnet)
                .assign_public_ip(AssignPublicIp::Disabled)
                .build()
                .unwrap(),
        )
        .build();
    let created = ecs
        .create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .launch_type(LaunchType::Fargate)
        .desired_count(1)
        .network_configuration(network.clone())
        .send()
        .await
        .expect("moto alone answers HTTP 500");
    let s = created.service().unwrap();
    assert_eq!(
        s.network_configuration(),
        Some(&network),
        "read back as sent"
    );
    assert_eq!(s.platform_version(), Some("LATEST"));
}

/// Deployments fail as a circuit breaker fails them, and roll back when asked to.
#[tokio::test]
async fn failing_deployments_end_failed_and_roll_back() {
    let test = "failing_deployments_end_failed_and_roll_back";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&["--fail-deployments", "--steady-seconds", "0.3"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-fail").await;
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
        .send()
        .await
        .unwrap();
    let failed = |s: &Service| {
        s.deployments()
            .iter()
            .any(|d| d.rollout_state().map(|r| r.as_str()) == Some("FAILED"))
    };
    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), failed).await;
    let deployment = &s.deployments()[0];
    assert_eq!(deployment.rollout_state().unwrap().as_str(), "FAILED");
    assert!(
        deployment
            .rollout_state_reason()
            .unwrap()
            .contains("circuit breaker"),
        "{deployment:?}"
    );
    assert_eq!(s.running_count(), 0);

    // An update that fails rolls back to the task definition that ran before it.
    let first = s.task_definition().unwrap().to_string();
    let second = register(&ecs, &family, "nginx:broken").await;
    let updated = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .task_definition(&second)
        .send()
        .await
        .unwrap();
    let id = updated.service().unwrap().deployments()[0]
        .id()
        .unwrap()
        .to_string();
    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), |s| {
        s.deployments().iter().any(|d| {
            d.id() == Some(id.as_str()) && d.rollout_state().map(|r| r.as_str()) == Some("FAILED")
        }) && s.deployments()[0].task_definition() == Some(first.as_str())
    })
    .await;
    assert_eq!(s.task_definition(), Some(first.as_str()), "{s:?}");
    assert!(
        s.events()
            .iter()
            .any(|e| e.message().unwrap_or("").contains("rolling back")),
        "{:?}",
        s.events()
    );
}

/// ECS API reference, CreateService `capacityProviderStrategy`: "If no capacityProviderStrategy
/// or launchType is specified, the defaultCapacityProviderStrategy for the cluster is used";
/// DescribeServices then reports that strategy and no launch type (terraform-provider-aws
/// #11351). Without a default strategy the launch type is EC2.
#[tokio::test]
async fn a_service_with_neither_launch_type_nor_strategy_gets_the_cluster_default() {
    let Some(endpoint) =
        local_endpoint("a_service_with_neither_launch_type_nor_strategy_gets_the_cluster_default")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-default").await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("plain")
        .task_definition(&family)
        .desired_count(0)
        .send()
        .await
        .unwrap();
    let item = |provider: &str, weight: i32| {
        CapacityProviderStrategyItem::builder()
            .capacity_provider(provider)
            .weight(weight)
            .base(0)
            .build()
            .unwrap()
    };
    ecs.put_cluster_capacity_providers()
        .cluster(&cluster)
        .capacity_providers("FARGATE")
        .capacity_providers("FARGATE_SPOT")
        .default_capacity_provider_strategy(item("FARGATE", 1))
        .default_capacity_provider_strategy(item("FARGATE_SPOT", 3))
        .send()
        .await
        .unwrap();
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    ecs.create_service()
        .cluster(&cluster)
        .service_name("inherits")
        .task_definition(&family)
        .desired_count(0)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(subnet)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let before = describe(&ecs, &cluster, "plain").await;
    assert_eq!(before.launch_type(), Some(&LaunchType::Ec2));
    assert!(before.capacity_provider_strategy().is_empty());
    let s = describe(&ecs, &cluster, "inherits").await;
    assert_eq!(s.launch_type(), None, "no launch type with a strategy");
    let mut got: Vec<(String, i32)> = s
        .capacity_provider_strategy()
        .iter()
        .map(|i| (i.capacity_provider().to_string(), i.weight()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("FARGATE".to_string(), 1), ("FARGATE_SPOT".to_string(), 3)]
    );
    assert_eq!(
        s.platform_version(),
        Some("LATEST"),
        "Fargate tasks run on a platform"
    );
}

/// A CODE_DEPLOY service reports no deployments: ECS creates a PRIMARY task set that becomes
/// STEADY_STATE (copilot-cli #1061; terraform-provider-aws #29252; ecspresso #502).
#[tokio::test]
async fn a_code_deploy_service_runs_a_primary_task_set_and_no_deployments() {
    let Some(endpoint) =
        local_endpoint("a_code_deploy_service_runs_a_primary_task_set_and_no_deployments")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-cd").await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("blue")
        .task_definition(&family)
        .desired_count(2)
        .deployment_controller(
            aws_sdk_ecs::types::DeploymentController::builder()
                .r#type(aws_sdk_ecs::types::DeploymentControllerType::CodeDeploy)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let first = describe(&ecs, &cluster, "blue").await;
    assert!(first.deployments().is_empty(), "{:?}", first.deployments());
    let sets = first.task_sets();
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].status(), Some("PRIMARY"));
    assert_eq!(
        sets[0].stability_status().map(|s| s.as_str()),
        Some("STABILIZING")
    );
    assert!(
        sets[0]
            .task_definition()
            .unwrap()
            .ends_with(&format!("{family}:1"))
    );
    let later = until(&ecs, &cluster, "blue", Duration::from_secs(10), |s| {
        s.task_sets()
            .first()
            .and_then(|t| t.stability_status())
            .map(|s| s.as_str())
            == Some("STEADY_STATE")
    })
    .await;
    let set = &later.task_sets()[0];
    assert_eq!(
        set.stability_status().map(|s| s.as_str()),
        Some("STEADY_STATE")
    );
    assert_eq!((set.running_count(), set.computed_desired_count()), (2, 2));
    assert_eq!(later.running_count(), 2);
    assert!(later.deployments().is_empty());
}

/// ECS API reference, CreateService `taskDefinition`: "A task definition must be specified if
/// the service uses either the ECS or CODE_DEPLOY deployment controllers"; an EXTERNAL service
/// has none and no deployments until its owner creates task sets.
#[tokio::test]
async fn an_external_service_has_no_task_definition_and_no_deployments() {
    let Some(endpoint) =
        local_endpoint("an_external_service_has_no_task_definition_and_no_deployments")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-ext").await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("ext")
        .desired_count(1)
        .deployment_controller(
            aws_sdk_ecs::types::DeploymentController::builder()
                .r#type(aws_sdk_ecs::types::DeploymentControllerType::External)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let s = describe(&ecs, &cluster, "ext").await;
    assert_eq!(s.status(), Some("ACTIVE"));
    assert_eq!(s.task_definition(), None);
    assert!(s.deployments().is_empty());
    assert!(s.task_sets().is_empty());
    assert_eq!(s.launch_type(), None, "task sets carry the launch type");
    ecs.create_task_set()
        .cluster(&cluster)
        .service("ext")
        .task_definition(&family)
        .launch_type(LaunchType::Ec2)
        .send()
        .await
        .unwrap();
    let s = describe(&ecs, &cluster, "ext").await;
    assert_eq!(
        s.task_sets().len(),
        1,
        "task sets created by the owner are reported"
    );
    assert!(s.deployments().is_empty());
}

/// `--fail-image TEXT`: only deployments of a task definition running an image that contains
/// TEXT fail, so a healthy service can be broken by an update (as a bad image tag would).
#[tokio::test]
async fn deployments_of_a_failing_image_fail_and_others_complete() {
    let test = "deployments_of_a_failing_image_fail_and_others_complete";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&["--fail-image", "broken", "--steady-seconds", "0.3"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-img").await;
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(1)
        .send()
        .await
        .unwrap();
    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), steady).await;
    assert!(
        steady(&s),
        "a healthy image completes: {:?}",
        s.deployments()
    );
    let broken = register(&ecs, &family, "nginx:broken").await;
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .task_definition(&broken)
        .send()
        .await
        .unwrap();
    let failed = |s: &Service| {
        s.deployments()
            .first()
            .and_then(|d| d.rollout_state())
            .map(|r| r.as_str())
            == Some("FAILED")
    };
    let s = until(&ecs, &cluster, "web", Duration::from_secs(10), failed).await;
    let primary = &s.deployments()[0];
    assert_eq!(primary.rollout_state().map(|r| r.as_str()), Some("FAILED"));
    assert_eq!(
        primary.rollout_state_reason(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
    assert_eq!(primary.task_definition(), Some(broken.as_str()));
}
