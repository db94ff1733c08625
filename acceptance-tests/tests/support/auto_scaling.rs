//! A real Auto Scaling group in the endpoint's moto (its autoscaling API is passed through), for
//! capacity providers to point at. Included with `#[path]` by the tests that need it.

use acceptance_tests::BoxError;

/// One autoscaling query-protocol call through `endpoint_url` (the harness has no autoscaling
/// SDK). Returns the XML answer.
async fn query(endpoint_url: &str, params: &[(&str, &str)]) -> Result<String, BoxError> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let mut form = String::from("Version=2011-01-01");
    for (k, v) in params {
        form.push_str(&format!("&{k}={v}"));
    }
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::post(format!("{endpoint_url}/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/autoscaling/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .body(Full::new(bytes::Bytes::from(form)))?;
    let response = client.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let text = String::from_utf8_lossy(&body).to_string();
    if !status.is_success() {
        return Err(format!("autoscaling {params:?}: HTTP {status}: {text}").into());
    }
    Ok(text)
}

/// Create an empty Auto Scaling group `name` (with a launch configuration of the same name)
/// and return its ARN.
pub async fn auto_scaling_group(endpoint_url: &str, name: &str) -> Result<String, BoxError> {
    query(
        endpoint_url,
        &[
            ("Action", "CreateLaunchConfiguration"),
            ("LaunchConfigurationName", name),
            ("ImageId", "ami-12c6146b"),
            ("InstanceType", "t3.micro"),
        ],
    )
    .await?;
    query(
        endpoint_url,
        &[
            ("Action", "CreateAutoScalingGroup"),
            ("AutoScalingGroupName", name),
            ("LaunchConfigurationName", name),
            ("MinSize", "0"),
            ("MaxSize", "1"),
            ("AvailabilityZones.member.1", "us-east-1a"),
        ],
    )
    .await?;
    let described = query(
        endpoint_url,
        &[
            ("Action", "DescribeAutoScalingGroups"),
            ("AutoScalingGroupNames.member.1", name),
        ],
    )
    .await?;
    let tag = "<AutoScalingGroupARN>";
    let start = described
        .find(tag)
        .ok_or("DescribeAutoScalingGroups returned no ARN")?
        + tag.len();
    let end = described[start..].find('<').ok_or("unterminated ARN")? + start;
    Ok(described[start..end].to_string())
}
