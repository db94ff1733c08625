//! Builds the SDK configuration from the provider block and the standard environment
//! (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`…, `AWS_ENDPOINT_URL[_ECS|_SSM]`, profiles).

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};

/// Settings from the provider block; `None` means "as the environment says".
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoints: Endpoints,
    pub max_retries: Option<u32>,
    pub assume_role: Option<AssumeRole>,
}

#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    pub ecs: Option<String>,
    pub ssm: Option<String>,
    pub sts: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// The clients every resource uses, cheap to clone.
#[derive(Clone, Debug)]
pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub region: String,
    /// Batched reads for refresh.
    pub batch: std::sync::Arc<super::batched::Batches>,
}

/// The AWS provider's default: generous, because ECS throttles hard and retries are cheap.
const DEFAULT_MAX_RETRIES: u32 = 25;

impl Clients {
    /// Loads the configuration. Nothing here calls AWS; credentials resolve on first use.
    pub async fn load(settings: &AwsSettings) -> Result<Self, String> {
        let retries = settings.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            // Adaptive: exponential backoff with jitter, plus client-side rate limiting once
            // AWS throttles.
            .retry_config(RetryConfig::adaptive().with_max_attempts(retries.saturating_add(1)));
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        let mut sdk = loader.load().await;
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err("No AWS region is configured. Set `region` in the provider block, or the AWS_REGION \
                        environment variable, or a region in your AWS profile."
                .into());
        };
        if let Some(role) = &settings.assume_role {
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
                .session_name(
                    role.session_name
                        .clone()
                        .unwrap_or_else(|| "terraform-provider-ecs".into()),
                )
                .region(Region::new(region.clone()));
            if let Some(id) = &role.external_id {
                builder = builder.external_id(id.clone());
            }
            let provider = builder.configure(&sdk).build().await;
            sdk = sdk
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }
        let mut ecs =
            aws_sdk_ecs::config::Builder::from(&sdk).http_client(super::pace::paced_https_client());
        if let Some(url) = &settings.endpoints.ecs {
            ecs = ecs.endpoint_url(url);
        }
        let mut ssm = aws_sdk_ssm::config::Builder::from(&sdk);
        if let Some(url) = &settings.endpoints.ssm {
            ssm = ssm.endpoint_url(url);
        }
        let ecs = aws_sdk_ecs::Client::from_conf(ecs.build());
        let ssm = aws_sdk_ssm::Client::from_conf(ssm.build());
        let batch =
            super::batched::Batches::new(&ecs, &ssm, super::batched::enabled_by_environment());
        Ok(Self {
            ecs,
            ssm,
            region,
            batch: std::sync::Arc::new(batch),
        })
    }
}
