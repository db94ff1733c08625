//! Things tests create directly with the AWS SDK, outside Terraform (e.g. a service that blocks a
//! cluster's deletion).

use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};

use crate::ctx::BoxError;
use crate::unique_name;

/// Registers a minimal EC2 task definition and creates service `name` in `cluster` with no tasks.
pub async fn unmanaged_service(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> Result<(), BoxError> {
    let family = unique_name("fixture-td");
    let container = ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory(128)
        .build();
    ecs.register_task_definition()
        .family(&family)
        .container_definitions(container)
        .send()
        .await?;
    ecs.create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(&family)
        .launch_type(LaunchType::Ec2)
        .desired_count(0)
        .send()
        .await?;
    Ok(())
}
