//! Fidelity of task-definition registration: the Fargate rules AWS enforces (network mode
//! awsvpc, task-level cpu and memory, valid cpu/memory pairs) and the rules for every launch
//! type (container memory, unique container names). moto accepts all of these. Each test talks
//! to the endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::error::ProvideErrorMetadata;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, IpcMode, NetworkMode, OsFamily, PidMode, RuntimePlatform,
    TaskDefinitionPlacementConstraint, TaskDefinitionPlacementConstraintType,
};

fn app() -> ContainerDefinition {
    ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .build()
}

async fn register_fargate(
    ecs: &Client,
    mode: NetworkMode,
    cpu: Option<&str>,
    memory: Option<&str>,
) -> Result<aws_sdk_ecs::types::TaskDefinition, String> {
    ecs.register_task_definition()
        .family(unique_name("fid-fargate"))
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(mode)
        .set_cpu(cpu.map(str::to_string))
        .set_memory(memory.map(str::to_string))
        .container_definitions(app())
        .send()
        .await
        .map(|out| out.task_definition().cloned().expect("task definition"))
        .map_err(|e| {
            let e = e.into_service_error();
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        })
}

#[tokio::test]
async fn fargate_requires_awsvpc() {
    let Some(endpoint) = local_endpoint("fargate_requires_awsvpc") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let err = register_fargate(&ecs, NetworkMode::Bridge, Some("256"), Some("512"))
        .await
        .unwrap_err();
    assert!(
        err.starts_with("ClientException: Fargate only supports network mode"),
        "{err}"
    );
}

#[tokio::test]
async fn fargate_requires_task_cpu_and_memory() {
    let Some(endpoint) = local_endpoint("fargate_requires_task_cpu_and_memory") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let err = register_fargate(&ecs, NetworkMode::Awsvpc, None, Some("512"))
        .await
        .unwrap_err();
    assert!(err.contains("'cpu' be defined at the task level"), "{err}");
    let err = register_fargate(&ecs, NetworkMode::Awsvpc, Some("256"), None)
        .await
        .unwrap_err();
    assert!(
        err.contains("'memory' be defined at the task level"),
        "{err}"
    );
}

#[tokio::test]
async fn fargate_accepts_only_published_cpu_memory_pairs() {
    let Some(endpoint) = local_endpoint("fargate_accepts_only_published_cpu_memory_pairs") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    for (cpu, memory) in [
        ("256", "4096"),
        ("3", "7"),
        ("1024", "1536"),
        ("8192", "18432"),
    ] {
        let err = register_fargate(&ecs, NetworkMode::Awsvpc, Some(cpu), Some(memory))
            .await
            .unwrap_err();
        assert!(
            err.starts_with("ClientException: No Fargate configuration exists for given values"),
            "{cpu}/{memory}: {err}"
        );
    }
    for (cpu, memory) in [
        ("256", "512"),
        ("512", "3072"),
        ("4096", "30720"),
        ("1 vCPU", "2 GB"),
    ] {
        register_fargate(&ecs, NetworkMode::Awsvpc, Some(cpu), Some(memory))
            .await
            .unwrap_or_else(|e| panic!("{cpu}/{memory} is valid: {e}"));
    }
}

#[tokio::test]
async fn containers_need_memory_without_task_memory_and_unique_names() {
    let Some(endpoint) =
        local_endpoint("containers_need_memory_without_task_memory_and_unique_names")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let err = ecs
        .register_task_definition()
        .family(unique_name("fid-mem"))
        .container_definitions(app())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_client_exception(), "{err:?}");
    assert!(
        err.message()
            .unwrap_or("")
            .contains("'memory' or 'memoryReservation'")
    );

    let with_memory = || {
        ContainerDefinition::builder()
            .name("app")
            .image("x")
            .memory(64)
            .build()
    };
    let err = ecs
        .register_task_definition()
        .family(unique_name("fid-dup"))
        .container_definitions(with_memory())
        .container_definitions(with_memory())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_client_exception(), "{err:?}");
}

async fn register_ec2(
    ecs: &Client,
    family: &str,
    container: ContainerDefinition,
) -> Result<aws_sdk_ecs::types::TaskDefinition, String> {
    ecs.register_task_definition()
        .family(family)
        .requires_compatibilities(Compatibility::Ec2)
        .container_definitions(container)
        .send()
        .await
        .map(|out| out.task_definition().cloned().expect("task definition"))
        .map_err(|e| {
            let e = e.into_service_error();
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        })
}

/// ContainerDefinition.memoryReservation (ECS API reference): without task-level memory, "one or
/// both of memory or memoryReservation" is needed; moto alone insists on `memory` for EC2.
#[tokio::test]
async fn ec2_containers_with_only_memory_reservation_register_and_read_back_without_memory() {
    let Some(endpoint) = local_endpoint(
        "ec2_containers_with_only_memory_reservation_register_and_read_back_without_memory",
    ) else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let family = unique_name("fid-soft");
    let soft = ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory_reservation(128)
        .build();
    let registered = register_ec2(&ecs, &family, soft)
        .await
        .unwrap_or_else(|e| panic!("memoryReservation alone is valid for EC2: {e}"));
    let described = ecs
        .describe_task_definition()
        .task_definition(&family)
        .send()
        .await
        .unwrap()
        .task_definition()
        .cloned()
        .expect("task definition");
    for (answer, def) in [("register", registered), ("describe", described)] {
        let container = &def.container_definitions()[0];
        assert_eq!(container.memory_reservation(), Some(128), "{answer}");
        assert_eq!(
            container.memory(),
            None,
            "{answer}: no memory was registered"
        );
        assert_eq!(def.memory(), None, "{answer}");
    }
}

#[tokio::test]
async fn ec2_containers_without_memory_or_reservation_are_refused_with_ecs_message() {
    let Some(endpoint) =
        local_endpoint("ec2_containers_without_memory_or_reservation_are_refused_with_ecs_message")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let err = register_ec2(&ecs, &unique_name("fid-nomem"), app())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        "ClientException: Invalid setting for container 'app'. At least one of 'memory' or \
         'memoryReservation' must be specified."
    );
}

fn refusal<E: ProvideErrorMetadata>(e: E) -> String {
    format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
}

/// RegisterTaskDefinition `ipcMode` and `pidMode` (ECS API reference): IPC mode "is not supported
/// for Windows containers or tasks run on Fargate"; PID mode is not supported for Windows
/// containers and takes only `task` on Fargate (ECS's text quoted in aws/aws-cdk#29995). moto
/// checks only the Fargate PID mode.
#[tokio::test]
async fn namespace_modes_are_refused_on_fargate_and_for_windows() {
    let Some(endpoint) = local_endpoint("namespace_modes_are_refused_on_fargate_and_for_windows")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let fargate = || {
        ecs.register_task_definition()
            .family(unique_name("fid-ns"))
            .requires_compatibilities(Compatibility::Fargate)
            .network_mode(NetworkMode::Awsvpc)
            .cpu("256")
            .memory("512")
            .container_definitions(app())
    };
    let err = fargate()
        .ipc_mode(IpcMode::Task)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        refusal(err),
        "ClientException: Tasks using the Fargate launch type do not support ipcMode 'task'."
    );
    let err = fargate()
        .pid_mode(PidMode::Host)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        refusal(err),
        "ClientException: Tasks using the Fargate launch type do not support pidMode 'host'. \
         The supported value for pidMode is 'task'."
    );
    fargate()
        .pid_mode(PidMode::Task)
        .send()
        .await
        .expect("pidMode task runs on Fargate");
    let windows = RuntimePlatform::builder()
        .operating_system_family(OsFamily::WindowsServer2022Core)
        .build();
    for (ipc, pid, member) in [
        (Some(IpcMode::None), None, "ipcMode 'none'"),
        (None, Some(PidMode::Task), "pidMode 'task'"),
    ] {
        let err = ecs
            .register_task_definition()
            .family(unique_name("fid-win"))
            .runtime_platform(windows.clone())
            .set_ipc_mode(ipc)
            .set_pid_mode(pid)
            .container_definitions(app_with_memory())
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(
            refusal(err),
            format!("ClientException: Windows containers do not support {member}.")
        );
    }
    ecs.register_task_definition()
        .family(unique_name("fid-ns-ec2"))
        .ipc_mode(IpcMode::Host)
        .pid_mode(PidMode::Host)
        .container_definitions(app_with_memory())
        .send()
        .await
        .expect("both modes run on Linux EC2");
}

fn app_with_memory() -> ContainerDefinition {
    ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory(64)
        .build()
}

/// RegisterTaskDefinition `placementConstraints` (ECS API reference): "a maximum of 10
/// constraints for each task"; TaskDefinitionPlacementConstraint has the one type `memberOf`,
/// which needs its cluster-query expression (the AWS provider's `validPlacementConstraint`).
#[tokio::test]
async fn placement_constraints_are_member_of_with_an_expression_at_most_ten() {
    let Some(endpoint) =
        local_endpoint("placement_constraints_are_member_of_with_an_expression_at_most_ten")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let constraint = |kind: &str, expression: Option<&str>| {
        TaskDefinitionPlacementConstraint::builder()
            .r#type(TaskDefinitionPlacementConstraintType::from(kind))
            .set_expression(expression.map(str::to_string))
            .build()
    };
    let register = |constraints: Vec<TaskDefinitionPlacementConstraint>| {
        ecs.register_task_definition()
            .family(unique_name("fid-place"))
            .set_placement_constraints(Some(constraints))
            .container_definitions(app_with_memory())
            .send()
    };
    let member = constraint("memberOf", Some("attribute:ecs.os-type == linux"));
    let out = register(vec![member.clone()]).await.expect("one memberOf");
    assert_eq!(
        out.task_definition().unwrap().placement_constraints(),
        std::slice::from_ref(&member)
    );
    for (constraints, expected) in [
        (vec![member.clone(); 11], "at most 10"),
        (
            vec![constraint("distinctInstance", None)],
            "only 'memberOf'",
        ),
        (vec![constraint("memberOf", None)], "requires an expression"),
    ] {
        let err = register(constraints)
            .await
            .unwrap_err()
            .into_service_error();
        let text = refusal(err);
        assert!(text.starts_with("ClientException: "), "{text}");
        assert!(text.contains(expected), "{text}");
    }
}

/// DescribeTaskDefinition `taskDefinition` (ECS API reference): a bare family is "the latest
/// ACTIVE revision"; with none left ECS answers "Unable to describe task definition." (quoted
/// in terraform-aws-modules/terraform-aws-atlantis#59). moto answers the highest revision,
/// INACTIVE or not.
#[tokio::test]
async fn a_bare_family_describes_its_latest_active_revision() {
    let Some(endpoint) = local_endpoint("a_bare_family_describes_its_latest_active_revision")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let family = unique_name("fid-latest");
    for _ in 0..3 {
        register_ec2(&ecs, &family, app_with_memory())
            .await
            .unwrap();
    }
    let latest = || async {
        ecs.describe_task_definition()
            .task_definition(&family)
            .send()
            .await
            .map(|out| out.task_definition().map(|t| t.revision()))
            .map_err(|e| refusal(e.into_service_error()))
    };
    assert_eq!(latest().await, Ok(Some(3)));
    for revision in [3, 1] {
        ecs.deregister_task_definition()
            .task_definition(format!("{family}:{revision}"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        latest().await,
        Ok(Some(2)),
        "3 is INACTIVE, 2 is the latest ACTIVE"
    );
    ecs.deregister_task_definition()
        .task_definition(format!("{family}:2"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        latest().await,
        Err("ClientException: Unable to describe task definition.".to_string())
    );
    let inactive = ecs
        .describe_task_definition()
        .task_definition(format!("{family}:3"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        inactive.task_definition().and_then(|t| t.status()),
        Some(&aws_sdk_ecs::types::TaskDefinitionStatus::Inactive),
        "a revision named outright is still described"
    );
}
