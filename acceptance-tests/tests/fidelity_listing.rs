//! The listing calls the list resources of `terraform query` rely on, checked against the
//! endpoint with the AWS SDK for Rust (moto agrees with AWS here; the tests keep it so). Run with
//! `TF_ACC=1`.

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinitionFamilyStatus, TaskDefinitionStatus};
use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType};

/// ECS API reference, ListTaskDefinitions `familyPrefix`: "The full family name to filter the
/// ListTaskDefinitions results with"; ListTaskDefinitionFamilies `familyPrefix`: "only those
/// task definition family names that begin with the familyPrefix string are returned".
#[tokio::test]
async fn list_task_definitions_takes_a_whole_family_and_families_match_a_prefix() {
    let Some(endpoint) =
        local_endpoint("list_task_definitions_takes_a_whole_family_and_families_match_a_prefix")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let prefix = unique_name("fid-list");
    for family in [format!("{prefix}-web"), format!("{prefix}-api")] {
        ecs.register_task_definition()
            .family(&family)
            .container_definitions(
                ContainerDefinition::builder()
                    .name("app")
                    .image("nginx")
                    .memory(64)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let by_prefix = ecs
        .list_task_definitions()
        .family_prefix(&prefix)
        .status(TaskDefinitionStatus::Active)
        .send()
        .await
        .unwrap();
    assert!(
        by_prefix.task_definition_arns().is_empty(),
        "a prefix is no family: {:?}",
        by_prefix.task_definition_arns()
    );
    let families = ecs
        .list_task_definition_families()
        .family_prefix(&prefix)
        .status(TaskDefinitionFamilyStatus::All)
        .send()
        .await
        .unwrap();
    let mut found = families.families().to_vec();
    found.sort();
    assert_eq!(found, [format!("{prefix}-api"), format!("{prefix}-web")]);
    let web = ecs
        .list_task_definitions()
        .family_prefix(format!("{prefix}-web"))
        .send()
        .await
        .unwrap();
    assert_eq!(web.task_definition_arns().len(), 1);
}

/// SSM API reference, ParameterStringFilter: `Path` with the `Recursive` option lists the
/// parameters at every depth below the path, and nothing outside it.
#[tokio::test]
async fn describe_parameters_by_path_reaches_every_depth() {
    let Some(endpoint) = local_endpoint("describe_parameters_by_path_reaches_every_depth") else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let root = format!("/{}", unique_name("fid-path"));
    let other = format!("/{}", unique_name("fid-other"));
    let names = [
        format!("{root}/a"),
        format!("{root}/deep/b"),
        format!("{other}/c"),
    ];
    for name in &names {
        ssm.put_parameter()
            .name(name)
            .value("v")
            .r#type(ParameterType::String)
            .send()
            .await
            .unwrap();
    }
    let filter = ParameterStringFilter::builder()
        .key("Path")
        .option("Recursive")
        .values(&root)
        .build()
        .unwrap();
    let out = ssm
        .describe_parameters()
        .parameter_filters(filter)
        .send()
        .await
        .unwrap();
    let mut found: Vec<&str> = out.parameters().iter().filter_map(|p| p.name()).collect();
    found.sort();
    assert_eq!(found, [names[0].as_str(), names[1].as_str()]);
}
