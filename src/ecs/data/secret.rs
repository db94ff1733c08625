//! Data source `ecs_secret`: a Parameter Store parameter's ARN, type and version, and its value
//! (sensitive) only when `with_decryption = true`.

use async_trait::async_trait;

use crate::ecs::configured::Configured;
use crate::ecs::model::{boolean, map_value, set, string, string_value};
use crate::ecs::secret::fetch;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub struct SecretDataSource;

#[async_trait]
impl DataSource for SecretDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_secret"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Looks up a Parameter Store parameter, e.g. to pass its ARN to a container's `secrets`.")
                .attribute(Attribute::string("name").required().description("Name of the parameter."))
                .attribute(Attribute::bool("with_decryption").optional().description("Also read the value (decrypted for a `SecureString`) into the sensitive `value`. Default false: the value stays out of state."))
                .attribute(Attribute::string("value").computed().sensitive().description("The value; null unless `with_decryption = true`."))
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

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let name = string(&req.config, "name").unwrap_or_default();
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
        let p = &remote.parameter;
        let state = &mut resp.state;
        set(state, "id", Value::string(name));
        set(state, "arn", string_value(p.arn()));
        set(state, "type", string_value(p.r#type().map(|t| t.as_str())));
        set(state, "version", Value::number_i64(p.version()));
        let decrypt = boolean(&req.config, "with_decryption").unwrap_or(false);
        set(
            state,
            "value",
            if decrypt {
                string_value(p.value())
            } else {
                Value::Null
            },
        );
        let meta = remote.metadata.as_ref();
        set(
            state,
            "description",
            string_value(meta.and_then(|m| m.description())),
        );
        set(state, "key_id", string_value(meta.and_then(|m| m.key_id())));
        set(
            state,
            "tier",
            string_value(meta.and_then(|m| m.tier()).map(|t| t.as_str())),
        );
        set(state, "tags", map_value(&remote.tags));
    }
}
