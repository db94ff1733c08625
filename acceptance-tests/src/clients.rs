//! AWS SDK clients for verification code in tests (drift injection, destroy checks).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::env::LOCAL_REGION;

/// Access key id and secret used against the local endpoint (moto accepts anything).
pub const TEST_CREDENTIAL: &str = "test";

/// SDK configuration: the local endpoint with static test credentials in `us-east-1` when
/// `endpoint_url` is given, else the standard chain (environment, profiles) for real AWS.
pub async fn sdk_config(endpoint_url: Option<&str>) -> SdkConfig {
    match endpoint_url {
        Some(url) => SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(LOCAL_REGION))
            .endpoint_url(url)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                TEST_CREDENTIAL,
                TEST_CREDENTIAL,
                None,
                None,
                "acceptance-tests",
            )))
            .build(),
        None => {
            let region = aws_config::meta::region::RegionProviderChain::default_provider()
                .or_else(Region::new(LOCAL_REGION));
            aws_config::defaults(BehaviorVersion::latest())
                .region(region)
                .load()
                .await
        }
    }
}

/// An ECS client for `endpoint_url` (or real AWS when `None`).
pub async fn ecs_client_for(endpoint_url: Option<&str>) -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&sdk_config(endpoint_url).await)
}

/// An SSM client for `endpoint_url` (or real AWS when `None`).
pub async fn ssm_client_for(endpoint_url: Option<&str>) -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(&sdk_config(endpoint_url).await)
}

/// An ECS client for `endpoint_url` that never retries (to observe throttling and faults).
pub async fn ecs_client_without_retries(endpoint_url: &str) -> aws_sdk_ecs::Client {
    let config = aws_sdk_ecs::config::Builder::from(&sdk_config(Some(endpoint_url)).await)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_ecs::Client::from_conf(config)
}
