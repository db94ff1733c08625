//! The provider block and `configure`: AWS clients plus the provider-wide `default_tags`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::capacity_providers::ClusterCapacityProvidersResource;
use super::cluster::ClusterResource;
use super::secret::SecretResource;
use super::tags::Tags;
use crate::aws::{AssumeRole, AwsSettings, Clients, Endpoints};
use crate::framework::data_source::DataSource;
use crate::framework::function::Function;
use crate::framework::model::{Attr, OrReport, decode};
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

/// The provider block. Any value may be unknown (e.g. an endpoint taken from another resource),
/// the nested blocks and `role_arn` included: every field is an `Attr`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ProviderModel {
    region: Attr<String>,
    profile: Attr<String>,
    max_retries: Attr<i64>,
    endpoints: Attr<EndpointsModel>,
    default_tags: Attr<DefaultTagsModel>,
    assume_role: Attr<AssumeRoleModel>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct EndpointsModel {
    ecs: Attr<String>,
    ssm: Attr<String>,
    ec2: Attr<String>,
    sts: Attr<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct DefaultTagsModel {
    /// Single tags may be unknown too.
    tags: Attr<BTreeMap<String, Attr<String>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct AssumeRoleModel {
    role_arn: Attr<String>,
    session_name: Attr<String>,
    external_id: Attr<String>,
}

/// A known string; null and unknown are unset.
fn known(a: &Attr<String>) -> Option<String> {
    a.known().cloned()
}

/// The AWS settings of the provider block; unknown values count as unset (Terraform configures
/// again once they are known, and reads keep the prior state until then).
fn settings(config: &ProviderModel) -> AwsSettings {
    let endpoints = config.endpoints.known().cloned().unwrap_or_default();
    AwsSettings {
        region: known(&config.region),
        profile: known(&config.profile),
        endpoints: Endpoints {
            ecs: known(&endpoints.ecs),
            ssm: known(&endpoints.ssm),
            sts: known(&endpoints.sts),
        },
        max_retries: config
            .max_retries
            .known()
            .and_then(|n| u32::try_from(*n).ok()),
        // An unknown `role_arn` leaves the whole block unset.
        assume_role: config.assume_role.known().and_then(|r| {
            Some(AssumeRole {
                role_arn: known(&r.role_arn)?,
                session_name: known(&r.session_name),
                external_id: known(&r.external_id),
            })
        }),
    }
}

/// The provider's `default_tags`: empty without the block (or while the block itself is
/// unknown), `None` while `tags` or any tag is unknown (or a tag is null).
fn default_tags(config: &ProviderModel) -> Option<Tags> {
    let Attr::Known(block) = &config.default_tags else {
        return Some(Tags::new());
    };
    match &block.tags {
        Attr::Null => Some(Tags::new()),
        Attr::Unknown => None,
        Attr::Known(tags) => tags
            .iter()
            .map(|(k, v)| Some((k.clone(), v.known()?.clone())))
            .collect(),
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
        let Some(config) = decode::<ProviderModel>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        match Clients::load(&settings(&config)).await {
            Ok(clients) => {
                resp.data = Some(Arc::new(Configured {
                    clients,
                    default_tags: default_tags(&config),
                }));
            }
            Err(message) => resp.diags.error("Invalid AWS configuration", message),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(ClusterResource),
            Arc::new(ClusterCapacityProvidersResource),
            Arc::new(super::capacity_provider::CapacityProviderResource),
            Arc::new(SecretResource),
            Arc::new(super::task_definition::TaskDefinitionResource),
            Arc::new(super::service::ServiceResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(super::data::capacity_provider::CapacityProviderDataSource),
            Arc::new(super::data::cluster::ClusterDataSource),
            Arc::new(super::data::container_definition::ContainerDefinitionDataSource),
            Arc::new(super::data::secret::SecretDataSource),
            Arc::new(super::data::service::ServiceDataSource),
            Arc::new(super::data::task_definition::TaskDefinitionDataSource),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        super::functions::all()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn crate::framework::ephemeral::EphemeralResource>> {
        vec![Arc::new(super::secret_ephemeral::SecretEphemeral)]
    }

    fn actions(&self) -> Vec<Arc<dyn crate::framework::action::Action>> {
        vec![
            Arc::new(super::actions::run_task::RunTaskAction),
            Arc::new(super::actions::service_redeploy::ServiceRedeployAction),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn crate::framework::list::ListResource>> {
        use super::list::{cluster, secret, service, task_definition};
        vec![
            Arc::new(cluster::ClusterList),
            Arc::new(service::ServiceList),
            Arc::new(task_definition::TaskDefinitionList),
            Arc::new(secret::SecretList),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn provider_model_agrees() {
        assert_model_agrees::<ProviderModel>(&provider_schema());
    }

    fn config(pairs: Vec<(&str, Value)>) -> ProviderModel {
        let value =
            crate::framework::server::conform(&provider_schema().block, &Value::object(pairs));
        decode(&value).unwrap()
    }

    #[test]
    fn unknown_values_count_as_unset() {
        let c = config(vec![
            ("region", Value::Unknown),
            ("max_retries", Value::Unknown),
            (
                "endpoints",
                Value::object([("ecs", Value::Unknown), ("ssm", Value::string("http://s"))]),
            ),
            ("assume_role", Value::object([("role_arn", Value::Unknown)])),
        ]);
        let s = settings(&c);
        assert_eq!((s.region, s.max_retries), (None, None));
        assert_eq!(s.endpoints.ecs, None);
        assert_eq!(s.endpoints.ssm.as_deref(), Some("http://s"));
        assert!(s.assume_role.is_none());
        let whole = config(vec![
            ("endpoints", Value::Unknown),
            ("assume_role", Value::Unknown),
        ]);
        let s = settings(&whole);
        assert!(s.endpoints.ecs.is_none() && s.assume_role.is_none());
    }

    #[test]
    fn default_tags_are_none_only_while_tags_are_unknown() {
        let tags = |v: Value| config(vec![("default_tags", Value::object([("tags", v)]))]);
        assert_eq!(default_tags(&config(vec![])), Some(Tags::new()));
        assert_eq!(
            default_tags(&config(vec![("default_tags", Value::Unknown)])),
            Some(Tags::new())
        );
        assert_eq!(default_tags(&tags(Value::Null)), Some(Tags::new()));
        assert_eq!(default_tags(&tags(Value::Unknown)), None);
        assert_eq!(
            default_tags(&tags(Value::map([("a", Value::Unknown)]))),
            None
        );
        assert_eq!(
            default_tags(&tags(Value::map([("a", Value::string("1"))]))),
            Some(Tags::from([("a".into(), "1".into())]))
        );
    }
}
