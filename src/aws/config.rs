//! Builds the SDK configuration from the provider block and the standard environment
//! (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`…, `AWS_ENDPOINT_URL[_ECS|_SSM|_STS]`, profiles).

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

use super::errors::RoleNotAssumed;
use super::named::named;

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
    /// The account the credentials belong to, asked of STS once, when first needed.
    pub account: std::sync::Arc<super::account::Account>,
    /// Batched reads for refresh.
    pub batch: std::sync::Arc<super::batched::Batches>,
}

/// The AWS provider's default: generous, because ECS throttles hard and retries are cheap.
const DEFAULT_MAX_RETRIES: u32 = 25;

/// Session name when the provider block gives none.
const DEFAULT_SESSION_NAME: &str = "terraform-provider-ecs";

impl Clients {
    /// Loads the configuration. Nothing here calls AWS; credentials resolve on first use.
    /// The provider block wins over the environment: `region` over `AWS_REGION`, `profile` over
    /// `AWS_PROFILE`, and `endpoints` over `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
    pub async fn load(settings: &AwsSettings) -> Result<Self, String> {
        let retries = settings.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
        let loader = || {
            let mut loader = aws_config::defaults(BehaviorVersion::latest())
                // Adaptive: exponential backoff with jitter, plus client-side rate limiting
                // once AWS throttles.
                .retry_config(RetryConfig::adaptive().with_max_attempts(retries.saturating_add(1)));
            if let Some(region) = &settings.region {
                loader = loader.region(Region::new(region.clone()));
            }
            if let Some(profile) = &settings.profile {
                loader = loader.profile_name(profile);
            }
            loader
        };
        let mut sdk = loader().load().await;
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err("No AWS region is configured. Set `region` in the provider block, or the AWS_REGION \
                        environment variable, or a region in your AWS profile."
                .into());
        };
        if let Some(role) = &settings.assume_role {
            let sts = match &settings.endpoints.sts {
                // Set on the loader, the endpoint counts as configured in code, so it also wins
                // over AWS_ENDPOINT_URL_STS.
                Some(url) => {
                    let mut sts = loader()
                        .region(Region::new(region.clone()))
                        .endpoint_url(url);
                    if let Some(source) = sdk.credentials_provider() {
                        sts = sts.credentials_provider(source);
                    }
                    sts.http_client(named("AWS STS", https_client()))
                        .load()
                        .await
                }
                None => sdk
                    .to_builder()
                    .http_client(named("AWS STS", https_client()))
                    .build(),
            };
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
                .session_name(
                    role.session_name
                        .clone()
                        .unwrap_or_else(|| DEFAULT_SESSION_NAME.into()),
                )
                .region(Region::new(region.clone()));
            if let Some(id) = &role.external_id {
                builder = builder.external_id(id.clone());
            }
            let provider = AssumedRole {
                role_arn: role.role_arn.clone(),
                inner: builder.configure(&sts).build().await,
            };
            sdk = sdk
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        let mut ecs = aws_sdk_ecs::config::Builder::from(&sdk)
            .http_client(named("Amazon ECS", super::pace::paced_https_client()));
        if let Some(url) = &settings.endpoints.ecs {
            ecs = ecs.endpoint_url(url);
        }
        let mut ssm = aws_sdk_ssm::config::Builder::from(&sdk)
            .http_client(named("AWS Systems Manager", https_client()));
        if let Some(url) = &settings.endpoints.ssm {
            ssm = ssm.endpoint_url(url);
        }
        let mut sts =
            aws_sdk_sts::config::Builder::from(&sdk).http_client(named("AWS STS", https_client()));
        if let Some(url) = &settings.endpoints.sts {
            sts = sts.endpoint_url(url);
        }
        let account = super::account::Account::new(aws_sdk_sts::Client::from_conf(sts.build()));
        let ecs = aws_sdk_ecs::Client::from_conf(ecs.build());
        let ssm = aws_sdk_ssm::Client::from_conf(ssm.build());
        let batch =
            super::batched::Batches::new(&ecs, &ssm, super::batched::enabled_by_environment());
        Ok(Self {
            ecs,
            ssm,
            region,
            account: std::sync::Arc::new(account),
            batch: std::sync::Arc::new(batch),
        })
    }
}

/// The SDK's default HTTPS client (rustls with aws-lc), made explicit so it can be wrapped.
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https()
}

/// The role's credentials from STS; a refusal or an unreachable STS names the role.
struct AssumedRole {
    role_arn: String,
    inner: aws_config::sts::AssumeRoleProvider,
}

/// The SDK logs its credentials provider at TRACE: never the external ID (which may come from
/// a secret) the inner provider would show.
impl std::fmt::Debug for AssumedRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumedRole")
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|source| {
                CredentialsError::provider_error(RoleNotAssumed {
                    role_arn: self.role_arn.clone(),
                    source,
                })
            })
        })
    }
}
