//! Ephemeral resource `ecs_secret`: a Parameter Store parameter's value read for one run, never
//! written to plan or state. It feeds write-only arguments (`ecs_secret.value_wo`) and provider
//! blocks. Nothing to renew or release: a read has no lease.

use std::sync::LazyLock;

use async_trait::async_trait;
use aws_sdk_ssm::types::{Parameter, ParameterMetadata};
use serde::{Deserialize, Serialize};

use crate::ecs::configured::Configured;
use crate::ecs::secret::{fetch_parameter, redacted};
use crate::framework::ephemeral::{EphemeralResource, OpenRequest, OpenResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::validators::Length;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::{AttrPath, Type};

pub struct SecretEphemeral;

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("Reads a Parameter Store parameter for the length of one plan or apply: its value never reaches the plan or the state. Pass it to write-only arguments such as `ecs_secret`'s `value_wo`, or to a provider block.")
            .attribute(Attribute::string("name").required().validate(Length { min: 1, max: 2048 }).description("Name of the parameter (`db-password`, `/web/prod/db-password`) or its ARN (needed for a parameter shared from another account)."))
            .attribute(Attribute::bool("with_decryption").optional().computed().description("Decrypt a `SecureString` (default true). With false, `value` is the value as Parameter Store keeps it, encrypted."))
            .attribute(Attribute::string("value").computed().sensitive().description("The value (decrypted unless `with_decryption = false`)."))
            .attribute(Attribute::string("arn").computed().description("ARN of the parameter: what `secrets[].valueFrom` takes."))
            .attribute(Attribute::string("type").computed().description("`String`, `StringList` or `SecureString`."))
            .attribute(Attribute::string("data_type").computed().description("`text`, `aws:ec2:image` or `aws:ssm:integration`."))
            .attribute(Attribute::number("version").computed().description("Current version."))
            .attribute(Attribute::string("description").computed().description("Description; null for a parameter shared from another account."))
            .attribute(Attribute::string("key_id").computed().description("KMS key of a `SecureString`; null otherwise and for a parameter shared from another account."))
            .attribute(Attribute::string("tier").computed().description("`Standard` or `Advanced`; null for a parameter shared from another account.")),
    )
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct SecretEphemeralModel {
    name: String,
    with_decryption: Attr<bool>,
    value: Attr<String>,
    arn: Attr<String>,
    r#type: Attr<String>,
    data_type: Attr<String>,
    version: Attr<i64>,
    description: Attr<String>,
    key_id: Attr<String>,
    tier: Attr<String>,
}

impl std::fmt::Debug for SecretEphemeralModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretEphemeralModel")
            .field("name", &self.name)
            .field("with_decryption", &self.with_decryption)
            .field("value", &redacted(&self.value))
            .field("arn", &self.arn)
            .field("type", &self.r#type)
            .field("data_type", &self.data_type)
            .field("version", &self.version)
            .field("description", &self.description)
            .field("key_id", &self.key_id)
            .field("tier", &self.tier)
            .finish()
    }
}

fn result_type() -> &'static Type {
    static TYPE: LazyLock<Type> = LazyLock::new(|| schema().implied_type());
    &TYPE
}

/// The result from what Parameter Store answered.
fn flatten(
    p: &Parameter,
    meta: Option<&ParameterMetadata>,
    config: &SecretEphemeralModel,
    decrypt: bool,
) -> SecretEphemeralModel {
    let secure = p.r#type() == Some(&aws_sdk_ssm::types::ParameterType::SecureString);
    SecretEphemeralModel {
        name: config.name.clone(),
        with_decryption: Attr::Known(decrypt),
        value: p.value().map(str::to_string).into(),
        arn: p.arn().map(str::to_string).into(),
        r#type: p.r#type().map(|t| t.as_str().to_string()).into(),
        data_type: Attr::Known(
            meta.and_then(|m| m.data_type())
                .or(p.data_type())
                .unwrap_or("text")
                .to_string(),
        ),
        version: Attr::Known(p.version()),
        description: meta
            .and_then(|m| m.description())
            .map(str::to_string)
            .into(),
        key_id: meta
            .and_then(|m| m.key_id())
            .filter(|_| secure)
            .map(str::to_string)
            .into(),
        tier: meta
            .and_then(|m| m.tier())
            .map(|t| t.as_str().to_string())
            .into(),
    }
}

#[async_trait]
impl EphemeralResource for SecretEphemeral {
    fn type_name(&self) -> &'static str {
        "ecs_secret"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn open(&self, req: OpenRequest, resp: &mut OpenResponse) {
        let Some(cfg) = req.ctx.provider::<Configured>(&mut resp.diags) else {
            return;
        };
        let Some(config) = decode::<SecretEphemeralModel>(&req.config).or_report(&mut resp.diags)
        else {
            return;
        };
        let decrypt = config.with_decryption.known().copied().unwrap_or(true);
        let name = &config.name;
        let (parameter, metadata) = match fetch_parameter(&cfg.clients, name, false, decrypt).await
        {
            Ok(Some(found)) => found,
            Ok(None) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Parameter not found",
                    format!(
                        "No parameter \"{name}\" exists in {} (name: a parameter name, or the ARN of one shared with this account).",
                        cfg.clients.region
                    ),
                );
                return;
            }
            Err(e) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Could not read the parameter",
                    e,
                );
                return;
            }
        };
        let result = flatten(&parameter, metadata.as_ref(), &config, decrypt);
        if let Some(value) = encode(&result, result_type()).or_report(&mut resp.diags) {
            resp.result = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<SecretEphemeralModel>(&schema());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let p = Parameter::builder()
            .name("db")
            .value("hunter2-value")
            .version(3)
            .build();
        let config = SecretEphemeralModel {
            name: "db".into(),
            with_decryption: Attr::Null,
            value: Attr::Null,
            arn: Attr::Null,
            r#type: Attr::Null,
            data_type: Attr::Null,
            version: Attr::Null,
            description: Attr::Null,
            key_id: Attr::Null,
            tier: Attr::Null,
        };
        let result = flatten(&p, None, &config, true);
        assert_eq!(result.value, Attr::Known("hunter2-value".to_string()));
        assert_eq!(result.with_decryption, Attr::Known(true));
        assert!(!format!("{result:?}").contains("hunter2"));
    }
}
