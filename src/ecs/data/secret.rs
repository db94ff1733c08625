//! Data source `ecs_secret`: a Parameter Store parameter's ARN, type and version, and its value
//! (sensitive) only when `with_decryption = true`.

use std::sync::LazyLock;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ecs::configured::Configured;
use crate::ecs::secret::{Remote, fetch, redacted};
use crate::ecs::tags::Tags;
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::{AttrPath, Type};

pub struct SecretDataSource;

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("Looks up a Parameter Store parameter, e.g. to pass its ARN to a container's `secrets`.")
            .attribute(Attribute::string("name").required().description("Name of the parameter."))
            .attribute(Attribute::bool("with_decryption").optional().description("Also read the value (decrypted for a `SecureString`) into the sensitive `value`. Default false: the value stays out of state."))
            .attribute(Attribute::string("value").computed().sensitive().description("The value; null unless `with_decryption = true`."))
            .attribute(Attribute::string("insecure_value").computed().description("The value of a `String` or `StringList` parameter, not marked sensitive (it is stored unencrypted), whatever `with_decryption` says; null for a `SecureString`."))
            .attribute(Attribute::string("data_type").computed().description("`text`, `aws:ec2:image` or `aws:ssm:integration`."))
            .attribute(Attribute::string("arn").computed().description("ARN of the parameter: what `secrets[].valueFrom` takes."))
            .attribute(Attribute::string("id").computed().description("Same as `name`."))
            .attribute(Attribute::string("type").computed().description("`String`, `StringList` or `SecureString`."))
            .attribute(Attribute::number("version").computed().description("Current version."))
            .attribute(Attribute::string("description").computed().description("Description."))
            .attribute(Attribute::string("key_id").computed().description("KMS key of a `SecureString`."))
            .attribute(Attribute::string("tier").computed().description("`Standard` or `Advanced`."))
            .attribute(Attribute::string_map("tags").computed().description("Tags of the parameter.")),
    )
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct SecretDataModel {
    name: String,
    with_decryption: Option<bool>,
    value: Attr<String>,
    insecure_value: Attr<String>,
    data_type: Attr<String>,
    arn: Attr<String>,
    id: Attr<String>,
    r#type: Attr<String>,
    version: Attr<i64>,
    description: Attr<String>,
    key_id: Attr<String>,
    tier: Attr<String>,
    tags: Attr<Tags>,
}

impl std::fmt::Debug for SecretDataModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretDataModel")
            .field("name", &self.name)
            .field("with_decryption", &self.with_decryption)
            .field("value", &redacted(&self.value))
            .field("insecure_value", &self.insecure_value)
            .field("data_type", &self.data_type)
            .field("arn", &self.arn)
            .field("id", &self.id)
            .field("type", &self.r#type)
            .field("version", &self.version)
            .field("description", &self.description)
            .field("key_id", &self.key_id)
            .field("tier", &self.tier)
            .field("tags", &self.tags)
            .finish()
    }
}

fn state_type() -> &'static Type {
    static TYPE: LazyLock<Type> = LazyLock::new(|| schema().implied_type());
    &TYPE
}

/// The data source's values from what AWS holds; the value only with `with_decryption`.
fn flatten(remote: &Remote, config: &SecretDataModel) -> SecretDataModel {
    let p = &remote.parameter;
    let meta = remote.metadata.as_ref();
    let decrypt = config.with_decryption.unwrap_or(false);
    SecretDataModel {
        name: config.name.clone(),
        with_decryption: config.with_decryption,
        id: Attr::Known(config.name.clone()),
        arn: p.arn().map(str::to_string).into(),
        r#type: p.r#type().map(|t| t.as_str().to_string()).into(),
        version: Attr::Known(p.version()),
        value: p.value().filter(|_| decrypt).map(str::to_string).into(),
        insecure_value: p
            .value()
            .filter(|_| p.r#type() != Some(&aws_sdk_ssm::types::ParameterType::SecureString))
            .map(str::to_string)
            .into(),
        data_type: Attr::Known(
            meta.and_then(|m| m.data_type())
                .or(p.data_type())
                .unwrap_or("text")
                .to_string(),
        ),
        description: meta
            .and_then(|m| m.description())
            .map(str::to_string)
            .into(),
        key_id: meta.and_then(|m| m.key_id()).map(str::to_string).into(),
        tier: meta
            .and_then(|m| m.tier())
            .map(|t| t.as_str().to_string())
            .into(),
        tags: Attr::Known(remote.tags.clone()),
    }
}

#[async_trait]
impl DataSource for SecretDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_secret"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let Some(config) = decode::<SecretDataModel>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let name = &config.name;
        let remote = match fetch(&cfg.clients, name, req.ctx.in_read_burst(), None).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Parameter not found",
                    format!(
                        "No parameter named \"{name}\" exists in {}.",
                        cfg.clients.region
                    ),
                );
                return;
            }
            Err(e) => {
                resp.diags.error("Could not read the parameter", e);
                return;
            }
        };
        if let Some(state) =
            encode(&flatten(&remote, &config), state_type()).or_report(&mut resp.diags)
        {
            resp.state = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<SecretDataModel>(&schema());
    }
}
