//! Response shapes: task definitions come back from the local endpoint the way real ECS returns
//! them (see the rows of the harness README and `aws-taskdef-shapes`). One test per row:
//! register with the AWS SDK for Rust, read back with DescribeTaskDefinition, check the shape.
//! Rows marked R or N need `--strict-shapes`, which the shared endpoint has by default.
//! Run with `TF_ACC=1`.

use acceptance_tests::{Endpoint, local_endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, DockerVolumeConfiguration, HealthCheck, KernelCapabilities,
    KeyValuePair, LinuxParameters, LogConfiguration, LogDriver, MountPoint, NetworkMode,
    PortMapping, ProxyConfiguration, Secret, TaskDefinition, TaskDefinitionStatus, Volume,
};

fn app() -> aws_sdk_ecs::types::builders::ContainerDefinitionBuilder {
    ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory(128)
}

/// Register what `build` describes (family filled in) and return DescribeTaskDefinition's view.
async fn round_trip(
    ecs: &Client,
    build: impl FnOnce(RegisterTaskDefinitionFluentBuilder) -> RegisterTaskDefinitionFluentBuilder,
) -> TaskDefinition {
    let registered = build(ecs.register_task_definition().family(unique_name("shape")))
        .send()
        .await
        .expect("RegisterTaskDefinition");
    let arn = registered
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap();
    let described = ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .expect("DescribeTaskDefinition");
    let def = described.task_definition().cloned().unwrap();
    assert_eq!(
        Some(&def),
        registered.task_definition(),
        "Register and Describe answer the same shape"
    );
    def
}

async fn ecs(test: &str) -> Option<Client> {
    Some(local_endpoint(test)?.ecs_client().await)
}

fn only(def: &TaskDefinition) -> &ContainerDefinition {
    assert_eq!(def.container_definitions().len(), 1);
    &def.container_definitions()[0]
}

#[tokio::test]
async fn omitted_container_lists_come_back_empty() {
    let Some(ecs) = ecs("omitted_container_lists_come_back_empty").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    let c = only(&def);
    assert_eq!(c.environment, Some(vec![]), "environment: [] (C)");
    assert_eq!(c.mount_points, Some(vec![]), "mountPoints: [] (C)");
    assert_eq!(c.volumes_from, Some(vec![]), "volumesFrom: [] (C)");
    assert_eq!(c.port_mappings, Some(vec![]), "portMappings: [] (C)");
    assert_eq!(c.system_controls, Some(vec![]), "systemControls: [] (C)");
}

#[tokio::test]
async fn container_cpu_zero_and_essential_true_when_omitted() {
    let Some(ecs) = ecs("container_cpu_zero_and_essential_true_when_omitted").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    let c = only(&def);
    assert_eq!(c.cpu, 0);
    assert_eq!(c.essential, Some(true));
    let def = round_trip(&ecs, |r| {
        r.container_definitions(app().essential(false).cpu(64).build())
    })
    .await;
    assert_eq!(
        (only(&def).cpu, only(&def).essential),
        (64, Some(false)),
        "sent values kept"
    );
}

#[tokio::test]
async fn port_protocol_defaults_to_tcp() {
    let Some(ecs) = ecs("port_protocol_defaults_to_tcp").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.container_definitions(
            app()
                .port_mappings(
                    PortMapping::builder()
                        .container_port(8080)
                        .host_port(80)
                        .build(),
                )
                .build(),
        )
    })
    .await;
    let mapping = &only(&def).port_mappings()[0];
    assert_eq!(mapping.protocol().map(|p| p.as_str()), Some("tcp"));
    assert_eq!(mapping.host_port(), Some(80));
}

#[tokio::test]
async fn host_port_follows_container_port_under_awsvpc_and_host() {
    let Some(ecs) = ecs("host_port_follows_container_port_under_awsvpc_and_host").await else {
        return;
    };
    for mode in [NetworkMode::Awsvpc, NetworkMode::Host] {
        let def = round_trip(&ecs, |r| {
            r.network_mode(mode.clone()).container_definitions(
                app()
                    .port_mappings(PortMapping::builder().container_port(8080).build())
                    .build(),
            )
        })
        .await;
        assert_eq!(
            only(&def).port_mappings()[0].host_port(),
            Some(8080),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn health_check_timings_default_to_30_5_3_without_start_period() {
    let Some(ecs) = ecs("health_check_timings_default_to_30_5_3_without_start_period").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.container_definitions(
            app()
                .health_check(
                    HealthCheck::builder()
                        .command("CMD")
                        .command("true")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
    })
    .await;
    let check = only(&def).health_check().unwrap();
    assert_eq!(
        (check.interval(), check.timeout(), check.retries()),
        (Some(30), Some(5), Some(3))
    );
    assert_eq!(check.start_period(), None);
}

#[tokio::test]
async fn optional_members_are_not_invented() {
    let Some(ecs) = ecs("optional_members_are_not_invented").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.volumes(Volume::builder().name("data").build())
            .container_definitions(
                app()
                    .mount_points(
                        MountPoint::builder()
                            .source_volume("data")
                            .container_path("/data")
                            .build(),
                    )
                    .build(),
            )
    })
    .await;
    let c = only(&def);
    assert_eq!(
        c.mount_points()[0].read_only(),
        None,
        "readOnly stays absent (C)"
    );
    assert!(c.restart_policy().is_none(), "no restartPolicy (C)");
    assert!(
        c.version_consistency().is_none(),
        "no versionConsistency (C)"
    );
    assert!(c.log_configuration().is_none());
    assert!(def.runtime_platform().is_none());
}

#[tokio::test]
async fn task_volumes_and_placement_constraints_default_to_empty() {
    let Some(ecs) = ecs("task_volumes_and_placement_constraints_default_to_empty").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    assert_eq!(def.volumes, Some(vec![]));
    assert_eq!(def.placement_constraints, Some(vec![]));
}

#[tokio::test]
async fn network_mode_is_absent_when_not_sent() {
    let Some(ecs) = ecs("network_mode_is_absent_when_not_sent").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    assert_eq!(def.network_mode(), None, "not echoed as bridge (C)");
    let def = round_trip(&ecs, |r| {
        r.network_mode(NetworkMode::Bridge)
            .container_definitions(app().build())
    })
    .await;
    assert_eq!(
        def.network_mode(),
        Some(&NetworkMode::Bridge),
        "sent values echoed"
    );
}

#[tokio::test]
async fn compatibilities_are_computed() {
    let Some(ecs) = ecs("compatibilities_are_computed").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    assert_eq!(
        def.compatibilities(),
        &[Compatibility::External, Compatibility::Ec2]
    );
    let def = round_trip(&ecs, |r| {
        r.network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(app().build())
    })
    .await;
    assert_eq!(
        def.compatibilities(),
        &[
            Compatibility::Ec2,
            Compatibility::Fargate,
            Compatibility::ManagedInstances
        ]
    );
    assert_eq!(
        def.requires_compatibilities(),
        &[Compatibility::Fargate],
        "echoed"
    );
}

#[tokio::test]
async fn task_cpu_and_memory_units_are_converted() {
    let Some(ecs) = ecs("task_cpu_and_memory_units_are_converted").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("1 vCPU")
            .memory("2 GB")
            .container_definitions(app().build())
    })
    .await;
    assert_eq!((def.cpu(), def.memory()), (Some("1024"), Some("2048")));
}

#[tokio::test]
async fn requires_attributes_follow_the_features_used() {
    let Some(ecs) = ecs("requires_attributes_follow_the_features_used").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.network_mode(NetworkMode::Awsvpc)
            .execution_role_arn("arn:aws:iam::123456789012:role/exec")
            .task_role_arn("arn:aws:iam::123456789012:role/task")
            .container_definitions(
                app()
                    .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")
                    .log_configuration(
                        LogConfiguration::builder()
                            .log_driver(LogDriver::Awslogs)
                            .options("awslogs-group", "g")
                            .build()
                            .unwrap(),
                    )
                    .secrets(
                        Secret::builder()
                            .name("DB")
                            .value_from("arn:aws:ssm:us-east-1:123456789012:parameter/db")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
    })
    .await;
    let names: Vec<&str> = def.requires_attributes().iter().map(|a| a.name()).collect();
    for expected in [
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "ecs.capability.execution-role-awslogs",
        "com.amazonaws.ecs.capability.ecr-auth",
        "ecs.capability.execution-role-ecr-pull",
        "com.amazonaws.ecs.capability.task-iam-role",
        "ecs.capability.task-eni",
        "ecs.capability.secrets.ssm.environment-variables",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let minimal = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    assert!(minimal.requires_attributes().is_empty());
}

#[tokio::test]
async fn registration_metadata_and_status_follow_the_lifecycle() {
    let Some(ecs) = ecs("registration_metadata_and_status_follow_the_lifecycle").await else {
        return;
    };
    let def = round_trip(&ecs, |r| r.container_definitions(app().build())).await;
    assert!(def.registered_at().is_some());
    assert_eq!(def.registered_by(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(def.status(), Some(&TaskDefinitionStatus::Active));
    assert_eq!(def.revision(), 1);
    assert_eq!(
        def.enable_fault_injection(),
        Some(false),
        "false when not sent (C/N)"
    );
    let arn = def.task_definition_arn().unwrap();

    let out = ecs
        .deregister_task_definition()
        .task_definition(arn)
        .send()
        .await
        .unwrap();
    let gone = out.task_definition().unwrap();
    assert_eq!(gone.status(), Some(&TaskDefinitionStatus::Inactive));
    assert!(gone.deregistered_at().is_some());

    let out = ecs
        .delete_task_definitions()
        .task_definitions(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.task_definitions()[0].status(),
        Some(&TaskDefinitionStatus::DeleteInProgress)
    );
    let still = ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.task_definition().unwrap().status(),
        Some(&TaskDefinitionStatus::DeleteInProgress),
        "visible until purged (moto forgets it at once)"
    );
}

#[tokio::test]
async fn containers_environment_and_secrets_come_back_reordered() {
    let Some(ecs) = ecs("containers_environment_and_secrets_come_back_reordered").await else {
        return;
    };
    let env = |n: &str| KeyValuePair::builder().name(n).value("v").build();
    let secret = |n: &str| {
        Secret::builder()
            .name(n)
            .value_from(format!("/p/{n}"))
            .build()
            .unwrap()
    };
    let container = |n: &str| {
        ContainerDefinition::builder()
            .name(n)
            .image("nginx")
            .memory(64)
            .environment(env("A"))
            .environment(env("B"))
            .environment(env("C"))
            .secrets(secret("S1"))
            .secrets(secret("S2"))
            .secrets(secret("S3"))
            .build()
    };
    let register = || {
        round_trip(&ecs, |r| {
            r.container_definitions(container("one"))
                .container_definitions(container("two"))
                .container_definitions(container("three"))
        })
    };
    let def = register().await;
    let names = |def: &TaskDefinition| -> Vec<String> {
        def.container_definitions()
            .iter()
            .filter_map(|c| c.name().map(String::from))
            .collect()
    };
    assert_ne!(names(&def), ["one", "two", "three"], "order not kept (R/N)");
    let c = &def.container_definitions()[0];
    let env_names: Vec<&str> = c.environment().iter().filter_map(|e| e.name()).collect();
    assert_ne!(env_names, ["A", "B", "C"], "environment order not kept (C)");
    let secret_names: Vec<&str> = c.secrets().iter().map(|s| s.name()).collect();
    assert_ne!(
        secret_names,
        ["S1", "S2", "S3"],
        "secrets order not kept (R/N)"
    );
    assert_eq!(names(&register().await), names(&def), "but deterministic");
}

// Rows marked R or N: shared endpoint (`--strict-shapes`).

#[tokio::test]
async fn strict_bridge_host_port_defaults_to_zero() {
    let Some(ecs) = ecs("strict_bridge_host_port_defaults_to_zero").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.container_definitions(
            app()
                .port_mappings(PortMapping::builder().container_port(80).build())
                .build(),
        )
    })
    .await;
    assert_eq!(only(&def).port_mappings()[0].host_port(), Some(0));
}

#[tokio::test]
async fn strict_capabilities_get_their_counterpart_or_vanish_when_empty() {
    let Some(ecs) = ecs("strict_capabilities_get_their_counterpart_or_vanish_when_empty").await
    else {
        return;
    };
    let with_caps = |caps: KernelCapabilities| {
        app()
            .linux_parameters(LinuxParameters::builder().capabilities(caps).build())
            .build()
    };
    let def = round_trip(&ecs, |r| {
        r.container_definitions(with_caps(KernelCapabilities::builder().drop("ALL").build()))
    })
    .await;
    let caps = only(&def)
        .linux_parameters()
        .unwrap()
        .capabilities()
        .unwrap();
    assert_eq!(caps.add, Some(vec![]), "add: [] next to drop (R)");
    assert_eq!(caps.drop(), ["ALL"]);
    let def = round_trip(&ecs, |r| {
        r.container_definitions(with_caps(KernelCapabilities::builder().build()))
    })
    .await;
    assert!(
        only(&def)
            .linux_parameters()
            .unwrap()
            .capabilities()
            .is_none(),
        "an empty capabilities object is dropped (R)"
    );
}

#[tokio::test]
async fn strict_environment_entries_without_value_are_dropped() {
    let Some(ecs) = ecs("strict_environment_entries_without_value_are_dropped").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.container_definitions(
            app()
                .environment(KeyValuePair::builder().name("EMPTY").value("").build())
                .environment(KeyValuePair::builder().name("NONE").build())
                .environment(KeyValuePair::builder().name("SET").value("1").build())
                .build(),
        )
    })
    .await;
    let names: Vec<&str> = only(&def)
        .environment()
        .iter()
        .filter_map(|e| e.name())
        .collect();
    assert_eq!(names, ["SET"]);
}

#[tokio::test]
async fn strict_volume_defaults_are_filled() {
    let Some(ecs) = ecs("strict_volume_defaults_are_filled").await else {
        return;
    };
    let def = round_trip(&ecs, |r| {
        r.volumes(
            Volume::builder()
                .name("cache")
                .docker_volume_configuration(DockerVolumeConfiguration::builder().build())
                .build(),
        )
        .container_definitions(app().build())
    })
    .await;
    let volume = &def.volumes()[0];
    let docker = volume.docker_volume_configuration().unwrap();
    assert_eq!(docker.scope().map(|s| s.as_str()), Some("task"));
    assert_eq!(docker.driver(), Some("local"));
    assert_eq!(volume.configured_at_launch(), Some(false));
}

#[tokio::test]
async fn strict_proxy_properties_come_back_reordered() {
    let Some(ecs) = ecs("strict_proxy_properties_come_back_reordered").await else {
        return;
    };
    let property = |n: &str| KeyValuePair::builder().name(n).value("1").build();
    let def = round_trip(&ecs, |r| {
        r.network_mode(NetworkMode::Awsvpc)
            .proxy_configuration(
                ProxyConfiguration::builder()
                    .container_name("app")
                    .properties(property("AppPorts"))
                    .properties(property("EgressIgnoredIPs"))
                    .properties(property("IgnoredUID"))
                    .build()
                    .unwrap(),
            )
            .container_definitions(app().build())
    })
    .await;
    let names: Vec<&str> = def
        .proxy_configuration()
        .unwrap()
        .properties()
        .iter()
        .filter_map(|p| p.name())
        .collect();
    assert_ne!(names, ["AppPorts", "EgressIgnoredIPs", "IgnoredUID"]);
    assert_eq!(names.len(), 3);
}

/// Without `--strict-shapes` only the confirmed and documented rows apply.
#[tokio::test]
async fn lenient_shapes_leave_the_reported_rows_out() {
    let test = "lenient_shapes_leave_the_reported_rows_out";
    if skip_without_acc(test) || real_aws() {
        return;
    }
    let endpoint = Endpoint::start_exact(&[]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let def = round_trip(&ecs, |r| {
        r.container_definitions(
            app()
                .port_mappings(PortMapping::builder().container_port(80).build())
                .environment(KeyValuePair::builder().name("EMPTY").value("").build())
                .build(),
        )
    })
    .await;
    let c = only(&def);
    assert_eq!(
        c.port_mappings()[0].host_port(),
        None,
        "no bridge hostPort 0"
    );
    assert_eq!(c.environment().len(), 1, "empty values kept");
    assert_eq!(c.cpu, 0, "confirmed rows still apply");
}
