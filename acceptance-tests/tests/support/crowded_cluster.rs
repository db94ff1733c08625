//! A cluster holding more than one page of container instances and of tasks (ECS pages
//! ListContainerInstances and ListTasks by 100), made with the AWS SDK and EC2's query API.
//! Included with `#[path]` by the tests that need it.

use acceptance_tests::BoxError;
use acceptance_tests::fixtures::ec2_query;
use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};

/// More than one page of ListTasks and ListContainerInstances (100 each by default).
pub const MORE_THAN_A_PAGE: usize = 101;

/// Every distinct value of `<tag>…</tag>` in an EC2 answer, in order.
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut values: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let Some(end) = rest.find(&close) else { break };
        let value = rest[..end].to_string();
        if !values.contains(&value) {
            values.push(value);
        }
        rest = &rest[end..];
    }
    values
}

/// Launch `count` EC2 instances in one call and register each as a container instance of
/// `cluster`. Returns the container instance ARNs.
pub async fn register_container_instances(
    ecs: &aws_sdk_ecs::Client,
    endpoint_url: &str,
    cluster: &str,
    count: usize,
) -> Result<Vec<String>, BoxError> {
    let images = ec2_query(endpoint_url, &[("Action", "DescribeImages")]).await?;
    let image = xml_values(&images, "imageId")
        .into_iter()
        .next()
        .ok_or("no image in moto's catalogue")?;
    let count_text = count.to_string();
    let launched = ec2_query(
        endpoint_url,
        &[
            ("Action", "RunInstances"),
            ("ImageId", &image),
            ("MinCount", &count_text),
            ("MaxCount", &count_text),
        ],
    )
    .await?;
    let instances = xml_values(&launched, "instanceId");
    if instances.len() != count {
        return Err(format!("RunInstances launched {} of {count}", instances.len()).into());
    }
    let mut arns = Vec::with_capacity(count);
    for instance in instances {
        let document = serde_json::json!({ "instanceId": instance }).to_string();
        let registered = ecs
            .register_container_instance()
            .cluster(cluster)
            .instance_identity_document(document)
            .send()
            .await?;
        let arn = registered
            .container_instance()
            .and_then(|c| c.container_instance_arn())
            .ok_or("RegisterContainerInstance returned no ARN")?;
        arns.push(arn.to_string());
    }
    Ok(arns)
}

/// Run `count` tasks of a small EC2 task definition in `cluster` (which needs container
/// instances), at most 10 per RunTask call as ECS allows. Returns the task ARNs.
pub async fn run_tasks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    count: usize,
) -> Result<Vec<String>, BoxError> {
    let family = acceptance_tests::unique_name("crowd-task");
    let container = ContainerDefinition::builder()
        .name("app")
        .image("nginx")
        .memory(32)
        .build();
    ecs.register_task_definition()
        .family(&family)
        .container_definitions(container)
        .send()
        .await?;
    let mut arns = Vec::with_capacity(count);
    while arns.len() < count {
        let batch = (count - arns.len()).min(10) as i32;
        let run = ecs
            .run_task()
            .cluster(cluster)
            .task_definition(&family)
            .launch_type(LaunchType::Ec2)
            .count(batch)
            .send()
            .await?;
        if run.tasks().len() != batch as usize {
            return Err(format!(
                "RunTask started {} of {batch}: {:?}",
                run.tasks().len(),
                run.failures()
            )
            .into());
        }
        arns.extend(
            run.tasks()
                .iter()
                .filter_map(|t| t.task_arn())
                .map(str::to_string),
        );
    }
    Ok(arns)
}
