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

/// One EC2 query-protocol call through `endpoint_url` (the harness has no EC2 SDK: moto's EC2
/// is only needed for subnets and instances). Returns the XML answer.
pub async fn ec2_query(endpoint_url: &str, params: &[(&str, &str)]) -> Result<String, BoxError> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let mut form = String::from("Version=2016-11-15");
    for (k, v) in params {
        form.push_str(&format!("&{k}={v}"));
    }
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::post(format!("{endpoint_url}/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .body(Full::new(bytes::Bytes::from(form)))?;
    let response = client.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let text = String::from_utf8_lossy(&body).to_string();
    if !status.is_success() {
        return Err(format!("EC2 {params:?}: HTTP {status}: {text}").into());
    }
    Ok(text)
}

/// The first value of `<tag>…</tag>` in an EC2 answer.
fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}

/// A subnet of the endpoint's default VPC (for awsvpc services and tasks).
pub async fn default_subnet(endpoint_url: &str) -> Result<String, BoxError> {
    let xml = ec2_query(endpoint_url, &[("Action", "DescribeSubnets")]).await?;
    xml_value(&xml, "subnetId").ok_or_else(|| format!("no subnet in {xml}").into())
}

/// Launch an EC2 instance and register it as a container instance of `cluster`.
pub async fn container_instance(
    ecs: &aws_sdk_ecs::Client,
    endpoint_url: &str,
    cluster: &str,
) -> Result<String, BoxError> {
    let images = ec2_query(endpoint_url, &[("Action", "DescribeImages")]).await?;
    let image = xml_value(&images, "imageId").ok_or("no image in moto's catalogue")?;
    let launched = ec2_query(
        endpoint_url,
        &[
            ("Action", "RunInstances"),
            ("ImageId", &image),
            ("MinCount", "1"),
            ("MaxCount", "1"),
        ],
    )
    .await?;
    let instance = xml_value(&launched, "instanceId").ok_or("RunInstances returned no instance")?;
    let document = serde_json::json!({ "instanceId": instance }).to_string();
    let registered = ecs
        .register_container_instance()
        .cluster(cluster)
        .instance_identity_document(document)
        .send()
        .await?;
    registered
        .container_instance()
        .and_then(|c| c.container_instance_arn())
        .map(str::to_string)
        .ok_or_else(|| "RegisterContainerInstance returned no ARN".into())
}

/// Register a small EC2 task definition and run one task of it in `cluster` (which needs a
/// container instance). Returns the task ARN.
pub async fn running_task(ecs: &aws_sdk_ecs::Client, cluster: &str) -> Result<String, BoxError> {
    let family = unique_name("fixture-task");
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
    let run = ecs
        .run_task()
        .cluster(cluster)
        .task_definition(&family)
        .launch_type(LaunchType::Ec2)
        .send()
        .await?;
    run.tasks()
        .first()
        .and_then(|t| t.task_arn())
        .map(str::to_string)
        .ok_or_else(|| format!("RunTask started nothing: {:?}", run.failures()).into())
}
