//! Fidelity of service placement and scheduling: strategies, constraints, registries, AZ
//! rebalancing and the role read back as ECS reports them and replaced by UpdateService; ECS's
//! refusals (limits, field rules, strategies on Fargate, what DAEMON services take); DAEMON
//! services with one task per container instance. Each test talks to the endpoint with the AWS
//! SDK for Rust. Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AvailabilityZoneRebalancing, CapacityProviderStrategyItem, ContainerDefinition, LaunchType,
    PlacementConstraint, PlacementConstraintType, PlacementStrategy, PlacementStrategyType,
    SchedulingStrategy, Service, ServiceRegistry,
};

// Only its container-instance registration is used here.
#[allow(dead_code)]
#[path = "support/crowded_cluster.rs"]
mod crowded_cluster;

async fn cluster_and_family(ecs: &Client, prefix: &str) -> (String, String) {
    let cluster = unique_name(prefix);
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name("fid-pl-td");
    ecs.register_task_definition()
        .family(&family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("nginx:1")
                .memory(128)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (cluster, family)
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

fn strategy(t: PlacementStrategyType, field: Option<&str>) -> PlacementStrategy {
    PlacementStrategy::builder()
        .r#type(t)
        .set_field(field.map(str::to_string))
        .build()
}

fn constraint(t: PlacementConstraintType, expression: Option<&str>) -> PlacementConstraint {
    PlacementConstraint::builder()
        .r#type(t)
        .set_expression(expression.map(str::to_string))
        .build()
}

fn fields(s: &Service) -> Vec<(String, Option<String>)> {
    s.placement_strategy()
        .iter()
        .map(|p| {
            (
                p.r#type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                p.field().map(str::to_string),
            )
        })
        .collect()
}

fn message<E: std::fmt::Debug>(err: E) -> String {
    format!("{err:?}")
}

#[tokio::test]
async fn placement_reads_back_as_ecs_spells_it_and_update_service_replaces_it() {
    let Some(endpoint) =
        local_endpoint("placement_reads_back_as_ecs_spells_it_and_update_service_replaces_it")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-pl").await;
    let registry = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1";
    let created = ecs
        .create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&family)
        .desired_count(1)
        .launch_type(LaunchType::Ec2)
        .role("/team/ecs-elb")
        .placement_strategy(strategy(PlacementStrategyType::Spread, Some("host")))
        .placement_strategy(strategy(PlacementStrategyType::Binpack, Some("memory")))
        .placement_constraints(constraint(PlacementConstraintType::DistinctInstance, None))
        .service_registries(
            ServiceRegistry::builder()
                .registry_arn(registry)
                .container_name("app")
                .container_port(80)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let s = describe(&ecs, &cluster, "web").await;
    for s in [created.service().unwrap(), &s] {
        assert_eq!(
            fields(s),
            [
                ("spread".to_string(), Some("instanceId".to_string())),
                ("binpack".to_string(), Some("MEMORY".to_string())),
            ],
            "ECS reports host as instanceId and memory in capitals"
        );
        assert_eq!(s.scheduling_strategy(), Some(&SchedulingStrategy::Replica));
        assert_eq!(
            s.role_arn(),
            Some("arn:aws:iam::123456789012:role/team/ecs-elb")
        );
        assert_eq!(
            s.availability_zone_rebalancing(),
            Some(&AvailabilityZoneRebalancing::Enabled),
            "a create that does not say enables rebalancing"
        );
        assert_eq!(s.placement_constraints().len(), 1);
        assert_eq!(s.service_registries()[0].registry_arn(), Some(registry));
    }

    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .placement_strategy(strategy(PlacementStrategyType::Random, None))
        .set_placement_constraints(Some(vec![]))
        .availability_zone_rebalancing(AvailabilityZoneRebalancing::Disabled)
        .send()
        .await
        .unwrap();
    let s = describe(&ecs, &cluster, "web").await;
    assert_eq!(fields(&s), [("random".to_string(), None)]);
    assert!(s.placement_constraints().is_empty(), "an empty list clears");
    assert_eq!(
        s.availability_zone_rebalancing(),
        Some(&AvailabilityZoneRebalancing::Disabled)
    );
    assert_eq!(s.service_registries().len(), 1, "not sent, kept");

    // An update that does not name rebalancing keeps what the service has.
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .desired_count(2)
        .send()
        .await
        .unwrap();
    let s = describe(&ecs, &cluster, "web").await;
    assert_eq!(
        s.availability_zone_rebalancing(),
        Some(&AvailabilityZoneRebalancing::Disabled)
    );

    // Another registry starts a new deployment (UpdateService `serviceRegistries`).
    let out = ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .service_registries(
            ServiceRegistry::builder()
                .registry_arn(registry)
                .port(8080)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let s = out.service().unwrap();
    assert_eq!(s.service_registries()[0].port(), Some(8080));
    assert_eq!(
        s.deployments()
            .first()
            .and_then(|d| d.rollout_state())
            .map(|r| r.as_str()),
        Some("IN_PROGRESS"),
        "a new PRIMARY deployment"
    );
}

#[tokio::test]
async fn create_and_update_refuse_what_ecs_refuses_about_placement() {
    let Some(endpoint) =
        local_endpoint("create_and_update_refuse_what_ecs_refuses_about_placement")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-plr").await;
    let create = |name: &str| {
        ecs.create_service()
            .cluster(&cluster)
            .service_name(name)
            .task_definition(&family)
            .desired_count(0)
    };
    let spread = || strategy(PlacementStrategyType::Spread, Some("instanceId"));
    let distinct = || constraint(PlacementConstraintType::DistinctInstance, None);

    let err = create("six")
        .set_placement_strategy(Some((0..6).map(|_| spread()).collect()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(message(&err).contains("limit of 5"), "{err:?}");

    let err = create("eleven")
        .set_placement_constraints(Some((0..11).map(|_| distinct()).collect()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(message(&err).contains("limit of 10"), "{err:?}");

    let err = create("fargate")
        .launch_type(LaunchType::Fargate)
        .placement_strategy(spread())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        message(&err).contains("not supported with FARGATE"),
        "{err:?}"
    );

    for (bad, expected) in [
        (
            strategy(PlacementStrategyType::Binpack, Some("disk")),
            "cpu or memory",
        ),
        (
            strategy(PlacementStrategyType::Random, Some("cpu")),
            "does not take a field",
        ),
        (
            strategy(PlacementStrategyType::Spread, None),
            "needs a field",
        ),
    ] {
        let err = create("fields")
            .placement_strategy(bad)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(message(&err).contains(expected), "{err:?}");
    }
    let err = create("member")
        .placement_constraints(constraint(PlacementConstraintType::MemberOf, None))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(message(&err).contains("needs an expression"), "{err:?}");
    let err = create("distinct")
        .placement_constraints(constraint(
            PlacementConstraintType::DistinctInstance,
            Some("attribute:x == y"),
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(message(&err).contains("takes no expression"), "{err:?}");

    // A Fargate service refuses a strategy on update too.
    ecs.create_service()
        .cluster(&cluster)
        .service_name("ok")
        .task_definition(&family)
        .desired_count(0)
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .unwrap();
    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("ok")
        .placement_strategy(spread())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        message(&err).contains("not supported with FARGATE"),
        "{err:?}"
    );
}

#[tokio::test]
async fn daemon_services_run_one_task_per_instance_and_take_no_replica_settings() {
    let Some(endpoint) =
        local_endpoint("daemon_services_run_one_task_per_instance_and_take_no_replica_settings")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let (cluster, family) = cluster_and_family(&ecs, "fid-dmn").await;
    let daemon = |name: &str| {
        ecs.create_service()
            .cluster(&cluster)
            .service_name(name)
            .task_definition(&family)
            .scheduling_strategy(SchedulingStrategy::Daemon)
    };
    let refusals = [
        (daemon("a").desired_count(1), "desired count"),
        (
            daemon("b").placement_strategy(strategy(PlacementStrategyType::Random, None)),
            "placement strategies",
        ),
        (
            daemon("c").capacity_provider_strategy(
                CapacityProviderStrategyItem::builder()
                    .capacity_provider("FARGATE")
                    .weight(1)
                    .build()
                    .unwrap(),
            ),
            "capacity provider",
        ),
        (daemon("d").launch_type(LaunchType::Fargate), "FARGATE"),
    ];
    for (call, expected) in refusals {
        let err = call.send().await.unwrap_err().into_service_error();
        assert!(err.is_invalid_parameter_exception(), "{err:?}");
        assert!(message(&err).contains(expected), "{err:?}");
    }

    daemon("agent")
        .launch_type(LaunchType::Ec2)
        .placement_constraints(constraint(
            PlacementConstraintType::MemberOf,
            Some("attribute:ecs.os-type == linux"),
        ))
        .send()
        .await
        .unwrap();
    // No container instance in the cluster: one task each is no task, and the deployment
    // completes.
    let start = Instant::now();
    let s = loop {
        let s = describe(&ecs, &cluster, "agent").await;
        let done = s.deployments().len() == 1
            && s.deployments()[0].rollout_state().map(|r| r.as_str()) == Some("COMPLETED");
        if done || start.elapsed() > Duration::from_secs(10) {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(s.scheduling_strategy(), Some(&SchedulingStrategy::Daemon));
    assert_eq!((s.desired_count(), s.running_count()), (0, 0));
    assert_eq!(
        s.deployments()[0].rollout_state().map(|r| r.as_str()),
        Some("COMPLETED")
    );
    assert_eq!(
        s.deployment_configuration()
            .and_then(|c| c.maximum_percent()),
        Some(100)
    );
    // Two instances join: ECS starts a task on each.
    crowded_cluster::register_container_instances(&ecs, endpoint.url(), &cluster, 2)
        .await
        .unwrap();
    let start = Instant::now();
    let s = loop {
        let s = describe(&ecs, &cluster, "agent").await;
        if s.running_count() == 2 || start.elapsed() > Duration::from_secs(10) {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!((s.desired_count(), s.running_count()), (2, 2));

    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("agent")
        .desired_count(2)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(message(&err).contains("desired count"), "{err:?}");
}
