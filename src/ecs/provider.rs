//! The provider block and `configure`: AWS clients plus the provider-wide `default_tags`.

use std::sync::Arc;

use async_trait::async_trait;

use super::capacity_providers::ClusterCapacityProvidersResource;
use super::cluster::ClusterResource;
use super::model::{block, string, string_map};
use super::secret::SecretResource;
use super::tags::Tags;
use crate::aws::{AssumeRole, AwsSettings, Clients, Endpoints};
use crate::framework::data_source::DataSource;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::resource::Resource;
use crate::framework::schema::validators::{IntBetween, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::{Diagnostics, Value};

pub use super::configured::Configured;

pub struct EcsProvider;

impl EcsProvider {
    pub fn new() -> Arc<Self> {
        Arc::new(Self)
    }
}

fn provider_schema() -> Schema {
    let endpoints = Block::new()
        .description("Custom service endpoints, e.g. for a local AWS emulator. A URL set here wins over the `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL_SSM` and `AWS_ENDPOINT_URL_STS` environment variables, which apply to the services left unset.")
        .attribute(Attribute::string("ecs").optional().description("Endpoint URL for Amazon ECS."))
        .attribute(Attribute::string("ssm").optional().description("Endpoint URL for AWS Systems Manager (Parameter Store)."))
        .attribute(Attribute::string("ec2").optional().description("Endpoint URL for Amazon EC2 (reserved for network lookups)."))
        .attribute(Attribute::string("sts").optional().description("Endpoint URL for AWS STS, where `assume_role` calls AssumeRole."));
    let default_tags = Block::new()
        .description("Tags added to every taggable resource of this provider; a resource's own `tags` win on conflicts.")
        .attribute(Attribute::string_map("tags").optional().description("The default tags."));
    let assume_role = Block::new()
        .description("Assume an IAM role before calling AWS: the provider calls STS AssumeRole (at `endpoints.sts` when set) with the credentials it finds otherwise, and calls ECS and SSM with the role's temporary credentials.")
        .attribute(
            Attribute::string("role_arn")
                .required()
                .validate(Prefix {
                    prefix: "arn:",
                    what: "an IAM role ARN",
                })
                .description("ARN of the role to assume."),
        )
        .attribute(
            Attribute::string("session_name")
                .optional()
                .description("Session name; defaults to `terraform-provider-ecs`."),
        )
        .attribute(
            Attribute::string("external_id")
                .optional()
                .description("External ID the role's trust policy requires."),
        );
    Schema::new(
        Block::new()
            .description("Manages Amazon ECS clusters, capacity providers, task definitions and services, and the SSM parameters containers read.\n\nRefresh batches reads (up to 10 services, 100 clusters or 10 parameters per call), and ECS calls are paced to ECS's published request rates, so large configurations are not throttled. `ECS_PROVIDER_COALESCE=0` turns batching off.")
            .attribute(Attribute::string("region").optional().description("AWS region, e.g. `us-east-1`; wins over `AWS_REGION`. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region."))
            .attribute(Attribute::string("profile").optional().description("Named profile from the shared AWS configuration files (`~/.aws/config` and `~/.aws/credentials`, or the files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name); wins over `AWS_PROFILE`. Its region applies when neither `region` nor `AWS_REGION` is set, its credentials when none are in the environment."))
            .attribute(
                Attribute::number("max_retries")
                    .optional()
                    .validate(IntBetween { min: 0, max: 100 })
                    .description("How often a failed or throttled AWS call is retried before its error is reported; `0` makes one attempt only. Default 25."),
            )
            .block(NestedBlock::single("endpoints", endpoints))
            .block(NestedBlock::single("default_tags", default_tags))
            .block(NestedBlock::single("assume_role", assume_role)),
    )
}

/// Reads the provider block; unknown values count as unset (Terraform configures again later).
fn settings(config: &Value) -> AwsSettings {
    let endpoints = block(config, "endpoints");
    let endpoint = |name: &str| endpoints.and_then(|e| string(e, name)).map(str::to_string);
    AwsSettings {
        region: string(config, "region").map(str::to_string),
        profile: string(config, "profile").map(str::to_string),
        endpoints: Endpoints {
            ecs: endpoint("ecs"),
            ssm: endpoint("ssm"),
            sts: endpoint("sts"),
        },
        max_retries: config
            .get("max_retries")
            .and_then(Value::as_i64)
            .and_then(|n| u32::try_from(n).ok()),
        assume_role: block(config, "assume_role").and_then(|r| {
            Some(AssumeRole {
                role_arn: string(r, "role_arn")?.to_string(),
                session_name: string(r, "session_name").map(str::to_string),
                external_id: string(r, "external_id").map(str::to_string),
            })
        }),
    }
}

fn default_tags(config: &Value) -> Option<Tags> {
    match block(config, "default_tags") {
        None => Some(Tags::new()),
        Some(b) => match b.get("tags") {
            None | Some(Value::Null) => Some(Tags::new()),
            Some(_) => string_map(b, "tags"),
        },
    }
}

#[async_trait]
impl Provider for EcsProvider {
    fn type_name(&self) -> &'static str {
        "ecs"
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn configure(&self, req: ConfigureRequest, resp: &mut ConfigureResponse) {
        match Clients::load(&settings(&req.config)).await {
            Ok(clients) => {
                resp.data = Some(Arc::new(Configured {
                    clients,
                    default_tags: default_tags(&req.config),
                }));
            }
            Err(message) => resp.diags.error("Invalid AWS configuration", message),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(ClusterResource),
            Arc::new(ClusterCapacityProvidersResource),
            Arc::new(SecretResource),
            Arc::new(super::task_definition::TaskDefinitionResource),
            Arc::new(super::service::ServiceResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(super::data::cluster::ClusterDataSource),
            Arc::new(super::data::secret::SecretDataSource),
            Arc::new(super::data::service::ServiceDataSource),
            Arc::new(super::data::task_definition::TaskDefinitionDataSource),
        ]
    }
}
