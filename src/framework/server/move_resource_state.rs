//! MoveResourceState: a `moved` block from another resource type (or provider) to one of ours.
//! Terraform calls it on an unconfigured provider with the source state as stored; OpenTofu on a
//! configured one. The target's first mover that accepts the source transforms the JSON; the
//! result must conform to the target schema (strict decoding: an attribute the target lacks is
//! a provider bug), gets the schema's defaults where it is null (what the next plan would put
//! there anyway) and write-only values nulled, and carries the target's identity.

use super::identity::Identity;
use super::{RawValue, Server, conform, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, MoveSource, Mover};
use crate::framework::proposed::settle;
use crate::framework::value::Value;
use crate::framework::value::json::{self, JsonDecodeOptions};

pub struct MoveResourceStateRequest {
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    pub source_state_json: Vec<u8>,
    /// Set for a legacy state OpenTofu still holds in flatmap form.
    pub source_has_flatmap: bool,
    pub source_private: Vec<u8>,
    pub target_type_name: String,
}

#[derive(Default)]
pub struct MoveResourceStateResponse {
    pub target_state: RawValue,
    pub target_private: Vec<u8>,
    pub target_identity: Option<RawValue>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn move_resource_state(
        &self,
        req: MoveResourceStateRequest,
    ) -> MoveResourceStateResponse {
        let mut resp = MoveResourceStateResponse::default();
        let Some(r) = self.resource(&req.target_type_name, &mut resp.diags) else {
            return resp;
        };
        let movers = r.imp.as_move_state().map(|m| m.movers()).unwrap_or(&[]);
        let Some(mover) = pick(movers, &req, &mut resp.diags) else {
            return resp;
        };
        let Some(source) = source_json(&req, &mut resp.diags) else {
            return resp;
        };
        let input = MoveInput {
            schema_version: req.source_schema_version,
            state: &source,
            private: &req.source_private,
        };
        let Some(moved) = (mover.transform)(&input, &mut resp.diags) else {
            return resp;
        };
        if resp.diags.has_errors() {
            return resp;
        }
        let strict = JsonDecodeOptions {
            ignore_undefined_attributes: false,
        };
        let value = match json::from_serde(&moved.state, &r.ty, strict) {
            Ok(v) if v.is_null() => {
                resp.diags.error(
                    "Provider bug",
                    format!(
                        "Moving {} to {} produced no state.",
                        req.source_type_name, req.target_type_name
                    ),
                );
                return resp;
            }
            Ok(v) => v,
            Err(err) => {
                resp.diags.error(
                    "Provider bug",
                    format!(
                        "The state moved from {} does not conform to the schema of {}: {err}.",
                        req.source_type_name, req.target_type_name
                    ),
                );
                return resp;
            }
        };
        let value = conform(&r.schema.block, &value);
        let value = settle(&r.schema.block, &value, &value);
        resp.target_identity = self.moved_identity(r, &value, &mut resp.diags).await;
        resp.target_state = encode(&value, &r.ty, "moved state", &mut resp.diags);
        resp.target_private = moved.private;
        resp
    }

    /// The target's identity. Terraform moves on an unconfigured provider: when the state alone
    /// cannot tell the identity (its account or region come from the provider), none is
    /// returned and the next read computes it.
    async fn moved_identity(
        &self,
        r: &super::Registered<dyn crate::framework::resource::Resource>,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<RawValue> {
        let identity = Identity::of(r)?;
        let ctx = self.ctx();
        let configured = ctx.provider_data.is_some();
        let mut scratch = Diagnostics::new();
        let value = identity.of_state(&ctx, state, &mut scratch).await;
        if scratch.has_errors() {
            if configured {
                diags.extend(scratch);
            } else {
                tracing::debug!("moved state leaves its identity to the next read: {scratch:?}");
            }
            return None;
        }
        identity.encode(&value, "moved identity", diags)
    }
}

/// The first mover accepting the source; otherwise an error naming the source and what the
/// target accepts.
fn pick<'a>(
    movers: &'a [Mover],
    req: &MoveResourceStateRequest,
    diags: &mut Diagnostics,
) -> Option<&'a Mover> {
    let same_source = |m: &&Mover| {
        m.source.accepts_provider(&req.source_provider_address)
            && m.source.type_name == req.source_type_name
    };
    let Some(mover) = movers.iter().find(same_source) else {
        let accepted = if movers.is_empty() {
            "none".to_string()
        } else {
            movers
                .iter()
                .map(|m| m.source.describe())
                .collect::<Vec<_>>()
                .join(", ")
        };
        diags.error(
            "Unable to move resource state",
            format!(
                "{} cannot take state from {} of {} (schema version {}). It accepts: {accepted}.",
                req.target_type_name,
                req.source_type_name,
                req.source_provider_address,
                req.source_schema_version
            ),
        );
        return None;
    };
    if !mover.source.versions.contains(&req.source_schema_version) {
        diags.error(
            "Unable to move resource state",
            format!(
                "The stored {} has schema version {}, whose layout {} does not know: it accepts {}. Let the source provider upgrade the state first (plan and apply with it, without the moved block).",
                req.source_type_name,
                req.source_schema_version,
                req.target_type_name,
                MoveSource::describe(&mover.source)
            ),
        );
        return None;
    }
    Some(mover)
}

fn source_json(
    req: &MoveResourceStateRequest,
    diags: &mut Diagnostics,
) -> Option<serde_json::Value> {
    if req.source_state_json.is_empty() {
        let detail = if req.source_has_flatmap {
            format!(
                "The stored state of {} is in the legacy flatmap format, which cannot be moved. Let the source provider rewrite it first (plan and apply with it, without the moved block).",
                req.source_type_name
            )
        } else {
            format!("Terraform sent no state for {}.", req.source_type_name)
        };
        diags.error("Unable to move resource state", detail);
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(&req.source_state_json) {
        Ok(v) if v.is_object() => Some(v),
        Ok(_) | Err(_) => {
            diags.error(
                "Unable to move resource state",
                format!(
                    "The stored state of {} is not a JSON object.",
                    req.source_type_name
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use async_trait::async_trait;
    use serde_json::json;

    use super::super::ConfigureProviderRequest;
    use super::*;
    use crate::framework::context::Ctx;
    use crate::framework::data_source::DataSource;
    use crate::framework::identity::{IdentityAttribute, IdentitySchema, ResourceIdentity};
    use crate::framework::move_state::{MoveState, Moved, Movers};
    use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
    use crate::framework::resource::{
        CreateRequest, DeleteRequest, ImportResponse, ReadRequest, Resource, StateResponse,
        UpdateRequest,
    };
    use crate::framework::schema::{Attribute, Block, Schema};
    use crate::framework::value::{Type, msgpack};

    fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
        let name = input.state["title"].clone();
        if name == "refused" {
            diags.error("Cannot move this state", "`extra` is set");
            return None;
        }
        let mut state = json!({"name": name, "secret_wo": "never stored"});
        if name == "buggy" {
            state["undeclared"] = json!(1);
        }
        Some(Moved {
            state,
            private: b"p".to_vec(),
        })
    }

    static MOVES: Movers = Movers(&[Mover {
        source: MoveSource {
            provider: "hashicorp/old",
            type_name: "old_thing",
            versions: &[1, 2],
        },
        transform,
    }]);

    struct Thing {
        movable: bool,
    }

    #[async_trait]
    impl Resource for Thing {
        fn type_name(&self) -> &'static str {
            if self.movable {
                "test_thing"
            } else {
                "test_fixed"
            }
        }
        fn schema(&self) -> Schema {
            Schema::new(
                Block::new()
                    .attribute(Attribute::string("name").required())
                    .attribute(
                        Attribute::number("count")
                            .optional()
                            .default(Value::number_i64(3)),
                    )
                    .attribute(Attribute::string("secret_wo").optional().write_only())
                    .attribute(Attribute::string("id").computed()),
            )
        }
        async fn create(&self, _: CreateRequest, _: &mut StateResponse) {}
        async fn read(&self, _: ReadRequest, _: &mut StateResponse) {}
        async fn update(&self, _: UpdateRequest, _: &mut StateResponse) {}
        async fn delete(&self, _: DeleteRequest, _: &mut Diagnostics) {}
        fn as_identity(&self) -> Option<&dyn ResourceIdentity> {
            Some(self)
        }
        fn as_move_state(&self) -> Option<&dyn MoveState> {
            self.movable.then_some(&MOVES as &dyn MoveState)
        }
    }

    #[async_trait]
    impl ResourceIdentity for Thing {
        fn identity_schema(&self) -> IdentitySchema {
            IdentitySchema::new(0)
                .attribute(IdentityAttribute::string("region"))
                .attribute(IdentityAttribute::string("name").required_for_import())
        }
        async fn identity(
            &self,
            ctx: &Ctx,
            state: &Value,
            diags: &mut Diagnostics,
        ) -> Option<Value> {
            let region = ctx.provider::<String>(diags)?;
            Some(Value::object([
                ("region", Value::string(region.as_str())),
                ("name", state.get("name").cloned().unwrap_or(Value::Null)),
            ]))
        }
        async fn import_by_identity(&self, _: &Ctx, _: &Value, _: &mut ImportResponse) {}
    }

    struct Test;

    #[async_trait]
    impl Provider for Test {
        fn type_name(&self) -> &'static str {
            "test"
        }
        fn schema(&self) -> Schema {
            Schema::new(Block::new())
        }
        async fn configure(&self, _: ConfigureRequest, resp: &mut ConfigureResponse) {
            resp.data = Some(Arc::new("eu-west-1".to_string()));
        }
        fn resources(&self) -> Vec<Arc<dyn Resource>> {
            vec![
                Arc::new(Thing { movable: true }),
                Arc::new(Thing { movable: false }),
            ]
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
            Vec::new()
        }
    }

    async fn server(configured: bool) -> Server {
        let s = Server::new(Arc::new(Test));
        if configured {
            let ty = Type::object(Vec::<(String, Type)>::new());
            s.configure_provider(ConfigureProviderRequest {
                terraform_version: "1.15.5".into(),
                config: encode(
                    &Value::object(Vec::<(String, Value)>::new()),
                    &ty,
                    "",
                    &mut Diagnostics::new(),
                ),
            })
            .await;
        }
        s
    }

    fn request(
        provider: &str,
        source: &str,
        version: i64,
        title: &str,
    ) -> MoveResourceStateRequest {
        MoveResourceStateRequest {
            source_provider_address: provider.into(),
            source_type_name: source.into(),
            source_schema_version: version,
            source_state_json: json!({"title": title, "gone": "x"})
                .to_string()
                .into_bytes(),
            source_has_flatmap: false,
            source_private: b"{\"schema_version\":\"1\"}".to_vec(),
            target_type_name: "test_thing".into(),
        }
    }

    fn state_of(resp: &MoveResourceStateResponse) -> Value {
        let ty = Thing { movable: true }.schema().implied_type();
        msgpack::decode(&resp.target_state.msgpack, &ty).unwrap()
    }

    #[tokio::test]
    async fn a_move_gets_defaults_nulled_write_only_values_and_the_identity_when_configured() {
        for host in ["registry.terraform.io", "registry.opentofu.org"] {
            let s = server(true).await;
            let resp = s
                .move_resource_state(request(
                    &format!("{host}/hashicorp/old"),
                    "old_thing",
                    2,
                    "web",
                ))
                .await;
            assert!(resp.diags.is_empty(), "{:?}", resp.diags);
            let state = state_of(&resp);
            assert_eq!(state.get("name"), Some(&Value::string("web")));
            assert_eq!(state.get("count"), Some(&Value::number_i64(3)));
            assert_eq!(state.get("secret_wo"), Some(&Value::Null));
            assert_eq!(resp.target_private, b"p");
            let id_ty = Thing { movable: true }.identity_schema().implied_type();
            let identity = msgpack::decode(&resp.target_identity.unwrap().msgpack, &id_ty).unwrap();
            assert_eq!(identity.get("region"), Some(&Value::string("eu-west-1")));
        }
    }

    #[tokio::test]
    async fn an_unconfigured_provider_leaves_an_identity_it_cannot_tell_to_the_next_read() {
        let resp = server(false)
            .await
            .move_resource_state(request(
                "registry.terraform.io/hashicorp/old",
                "old_thing",
                1,
                "web",
            ))
            .await;
        assert!(resp.diags.is_empty(), "{:?}", resp.diags);
        assert!(resp.target_identity.is_none());
        assert_eq!(state_of(&resp).get("name"), Some(&Value::string("web")));
    }

    #[tokio::test]
    async fn an_unhandled_source_is_an_error_naming_it_and_what_is_accepted() {
        let s = server(false).await;
        for (provider, source) in [
            ("registry.terraform.io/hashicorp/old", "old_other"),
            ("registry.terraform.io/someone/old", "old_thing"),
        ] {
            let resp = s
                .move_resource_state(request(provider, source, 1, "web"))
                .await;
            let d = &resp.diags.0[0];
            assert_eq!(d.summary, "Unable to move resource state");
            assert!(
                d.detail.contains(source) && d.detail.contains(provider),
                "{}",
                d.detail
            );
            assert!(
                d.detail
                    .contains("It accepts: old_thing of hashicorp/old (schema version 1 or 2)"),
                "{}",
                d.detail
            );
            assert!(resp.target_state.msgpack.is_empty());
        }
        let resp = s
            .move_resource_state(request("hashicorp/old", "old_thing", 3, "web"))
            .await;
        assert!(
            resp.diags.0[0].detail.contains("schema version 3"),
            "{:?}",
            resp.diags
        );
        let mut req = request("hashicorp/old", "old_thing", 1, "web");
        req.target_type_name = "test_fixed".into();
        let resp = s.move_resource_state(req).await;
        assert!(
            resp.diags.0[0].detail.contains("It accepts: none"),
            "{:?}",
            resp.diags
        );
        let mut req = request("hashicorp/old", "old_thing", 1, "web");
        req.target_type_name = "test_nothing".into();
        let resp = s.move_resource_state(req).await;
        assert!(
            resp.diags.0[0].detail.contains("\"test_nothing\""),
            "{:?}",
            resp.diags
        );
    }

    #[tokio::test]
    async fn a_refusal_or_a_result_off_the_schema_is_reported_and_nothing_is_returned() {
        let s = server(true).await;
        let resp = s
            .move_resource_state(request("hashicorp/old", "old_thing", 1, "refused"))
            .await;
        assert_eq!(resp.diags.0[0].detail, "`extra` is set");
        assert!(resp.target_state.msgpack.is_empty());
        let resp = s
            .move_resource_state(request("hashicorp/old", "old_thing", 1, "buggy"))
            .await;
        assert_eq!(resp.diags.0[0].summary, "Provider bug");
        assert!(
            resp.diags.0[0].detail.contains("undeclared"),
            "{:?}",
            resp.diags
        );
        assert!(resp.target_state.msgpack.is_empty());
        let mut req = request("hashicorp/old", "old_thing", 1, "web");
        req.source_state_json = Vec::new();
        req.source_has_flatmap = true;
        let resp = s.move_resource_state(req).await;
        assert!(
            resp.diags.0[0].detail.contains("flatmap"),
            "{:?}",
            resp.diags
        );
    }
}
