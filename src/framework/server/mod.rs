//! The protocol-agnostic provider server: one file per RPC, each doing decode → call the provider
//! code → enforce the protocol's invariants locally → encode. The `protocol` layer adapts it to gRPC.

mod apply_resource_change;
mod call_function;
mod close_ephemeral_resource;
mod configure_provider;
mod generate_resource_config;
mod get_functions;
mod get_provider_schema;
mod get_resource_identity_schemas;
mod identity;
mod import_resource_state;
mod invoke_action;
mod list_resource;
mod move_resource_state;
mod open_ephemeral_resource;
mod plan_action;
mod plan_resource_change;
mod read_data_source;
mod read_resource;
mod renew_ephemeral_resource;
mod stop_provider;
mod upgrade_resource_identity;
mod upgrade_resource_state;
mod validate;
mod validate_action_config;
mod validate_ephemeral_resource_config;
mod validate_list_resource_config;

pub use apply_resource_change::{ApplyResourceChangeRequest, ApplyResourceChangeResponse};
pub use call_function::{CallFunctionRequest, CallFunctionResponse};
pub use close_ephemeral_resource::{CloseEphemeralResourceRequest, CloseEphemeralResourceResponse};
pub use configure_provider::{ConfigureProviderRequest, ConfigureProviderResponse};
pub use generate_resource_config::{GenerateResourceConfigRequest, GenerateResourceConfigResponse};
pub use get_functions::GetFunctionsResponse;
pub use get_provider_schema::{GetProviderSchemaResponse, ServerCapabilities};
pub use get_resource_identity_schemas::GetResourceIdentitySchemasResponse;
pub use import_resource_state::{
    ImportResourceStateRequest, ImportResourceStateResponse, ImportedResource,
};
pub use invoke_action::{ActionEvent, InvokeActionRequest};
pub use list_resource::{ListResourceEvent, ListResourceRequest};
pub use move_resource_state::{MoveResourceStateRequest, MoveResourceStateResponse};
pub use open_ephemeral_resource::{OpenEphemeralResourceRequest, OpenEphemeralResourceResponse};
pub use plan_action::{PlanActionRequest, PlanActionResponse};
pub use plan_resource_change::{PlanResourceChangeRequest, PlanResourceChangeResponse};
pub use read_data_source::{ReadDataSourceRequest, ReadDataSourceResponse};
pub use read_resource::{ReadResourceRequest, ReadResourceResponse};
pub use renew_ephemeral_resource::{RenewEphemeralResourceRequest, RenewEphemeralResourceResponse};
pub use upgrade_resource_identity::{
    UpgradeResourceIdentityRequest, UpgradeResourceIdentityResponse,
};
pub use upgrade_resource_state::{UpgradeResourceStateRequest, UpgradeResourceStateResponse};
pub use validate::{ValidateRequest, ValidateResponse};
pub use validate_list_resource_config::ValidateListResourceConfigRequest;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use super::action::Action;
use super::context::{Ctx, ProviderData};
use super::data_source::DataSource;
use super::diag::Diagnostics;
use super::ephemeral::EphemeralResource;
use super::identity::IdentitySchema;
use super::provider::Provider;
use super::resource::Resource;
use super::schema::{Block, Nesting, Schema};
use super::value::{Type, Value, json, msgpack};

/// A value as it travels on the wire: msgpack from Terraform, JSON only in raw state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawValue {
    pub msgpack: Vec<u8>,
    pub json: Vec<u8>,
}

struct Registered<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
    /// Resources with an identity only.
    identity: Option<IdentitySchema>,
}

/// Schemas and their types, built once per registered object and keyed by type name.
fn register<T: ?Sized>(
    items: Vec<Arc<T>>,
    describe: impl Fn(&T) -> (&'static str, Schema),
) -> BTreeMap<String, Registered<T>> {
    items
        .into_iter()
        .map(|imp| {
            let (name, schema) = describe(&imp);
            let ty = schema.implied_type();
            let r = Registered {
                imp,
                schema,
                ty,
                identity: None,
            };
            (name.to_string(), r)
        })
        .collect()
}

pub struct Server {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<String, Registered<dyn Resource>>,
    data_sources: BTreeMap<String, Registered<dyn DataSource>>,
    functions: BTreeMap<String, get_functions::RegisteredFunction>,
    ephemeral_resources: BTreeMap<String, Registered<dyn EphemeralResource>>,
    actions: BTreeMap<String, Registered<dyn Action>>,
    list_resources: BTreeMap<String, Registered<dyn super::list::ListResource>>,
    provider_data: RwLock<Option<ProviderData>>,
    /// Arguments of the provider block Terraform could not know yet (computed from resources
    /// not applied): while any remain, nothing may be read from AWS, since the place to read
    /// from (region, account, endpoint) is not decided.
    provider_config_unknown: RwLock<Vec<String>>,
    stop: CancellationToken,
    reads: std::sync::Arc<crate::framework::context::ReadActivity>,
}

impl Server {
    /// Builds every schema once; Terraform asks for them in each of its several launches.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let mut resources = register(provider.resources(), |r| (r.type_name(), r.schema()));
        for r in resources.values_mut() {
            r.identity = r.imp.as_identity().map(|i| i.identity_schema());
        }
        let data_sources = register(provider.data_sources(), |r| (r.type_name(), r.schema()));
        let ephemeral_resources = register(provider.ephemeral_resources(), |r| {
            (r.type_name(), r.schema())
        });
        let actions = register(provider.actions(), |r| (r.type_name(), r.schema()));
        let list_resources = register(provider.list_resources(), |l| {
            (l.type_name(), l.config_schema())
        });
        Self {
            functions: get_functions::register(provider.as_ref()),
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            ephemeral_resources,
            actions,
            list_resources,
            provider_data: RwLock::new(None),
            provider_config_unknown: RwLock::new(Vec::new()),
            stop: CancellationToken::new(),
            reads: Default::default(),
        }
    }

    /// A context for one request: the configured data and a child of the server's stop token.
    fn ctx(&self) -> Ctx {
        Ctx {
            cancel: self.stop.child_token(),
            provider_data: self.provider_data.read().ok().and_then(|d| d.clone()),
            read_burst: false,
        }
    }

    /// The provider arguments that are still unknown, as `endpoints.ecs`-style paths.
    fn unknown_provider_config(&self) -> Vec<String> {
        self.provider_config_unknown
            .read()
            .map(|u| u.clone())
            .unwrap_or_default()
    }

    fn resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn Resource>> {
        let found = self.resources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown resource type",
                format!("This provider has no resource type \"{type_name}\"."),
            );
        }
        found
    }

    fn data_source(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn DataSource>> {
        let found = self.data_sources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown data source type",
                format!("This provider has no data source type \"{type_name}\"."),
            );
        }
        found
    }
}

impl Server {
    fn ephemeral_resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn EphemeralResource>> {
        let found = self.ephemeral_resources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown ephemeral resource type",
                format!("This provider has no ephemeral resource type \"{type_name}\"."),
            );
        }
        found
    }
}

/// Decodes a wire value: msgpack if present, else JSON, else null (as Terraform does).
fn decode(raw: &RawValue, ty: &Type, what: &str, diags: &mut Diagnostics) -> Option<Value> {
    let decoded = if !raw.msgpack.is_empty() {
        msgpack::decode(&raw.msgpack, ty)
    } else if !raw.json.is_empty() {
        json::decode(&raw.json, ty, json::JsonDecodeOptions::default())
    } else {
        Ok(Value::Null)
    };
    match decoded {
        Ok(value) => Some(value),
        Err(err) => {
            diags.error(
                "Could not decode a value from Terraform",
                format!("The {what} could not be decoded: {err}. This is a bug in the provider or in Terraform."),
            );
            None
        }
    }
}

fn encode(value: &Value, ty: &Type, what: &str, diags: &mut Diagnostics) -> RawValue {
    match msgpack::encode(value, ty) {
        Ok(msgpack) => RawValue {
            msgpack,
            json: Vec::new(),
        },
        Err(err) => {
            diags.error(
                "Could not encode a value for Terraform",
                format!("The {what} could not be encoded: {err}. This is a bug in the provider."),
            );
            RawValue::default()
        }
    }
}

/// Completes an object so it conforms to the block's type: missing attributes become null,
/// missing list/set/map blocks empty collections (Terraform's representation of "no blocks").
pub fn conform(block: &Block, value: &Value) -> Value {
    let Value::Object(attrs) = value else {
        return value.clone();
    };
    let mut out = BTreeMap::new();
    for attribute in &block.attributes {
        out.insert(
            attribute.name.clone(),
            attrs.get(&attribute.name).cloned().unwrap_or(Value::Null),
        );
    }
    for nested in &block.blocks {
        let v = attrs.get(&nested.type_name).cloned().unwrap_or(Value::Null);
        let v = match (nested.nesting, v) {
            (Nesting::List, Value::Null) => Value::List(Vec::new()),
            (Nesting::Set, Value::Null) => Value::Set(Vec::new()),
            (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
            (Nesting::Single | Nesting::Group, v) => conform(&nested.block, &v),
            (Nesting::List, Value::List(items)) => {
                Value::List(items.iter().map(|i| conform(&nested.block, i)).collect())
            }
            (Nesting::Set, Value::Set(items)) => {
                Value::Set(items.iter().map(|i| conform(&nested.block, i)).collect())
            }
            (Nesting::Map, Value::Map(items)) => Value::Map(
                items
                    .iter()
                    .map(|(k, i)| (k.clone(), conform(&nested.block, i)))
                    .collect(),
            ),
            (_, v) => v,
        };
        out.insert(nested.type_name.clone(), v);
    }
    Value::Object(out)
}

/// Write-only values are never stored: null them in anything returned to Terraform.
pub fn null_write_only(block: &Block, value: &mut Value) {
    let Value::Object(attrs) = value else { return };
    for attribute in block.attributes.iter().filter(|a| a.write_only) {
        attrs.insert(attribute.name.clone(), Value::Null);
    }
    for nested in &block.blocks {
        if let Some(v) = attrs.get_mut(&nested.type_name) {
            match v {
                Value::Object(_) => null_write_only(&nested.block, v),
                Value::List(items) | Value::Set(items) => items
                    .iter_mut()
                    .for_each(|i| null_write_only(&nested.block, i)),
                Value::Map(items) => items
                    .values_mut()
                    .for_each(|i| null_write_only(&nested.block, i)),
                _ => {}
            }
        }
    }
}

/// Replaces every unknown left in a value by null, for states saved after a failed operation.
pub fn unknowns_to_null(value: &mut Value) {
    match value {
        Value::Unknown => *value = Value::Null,
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter_mut().for_each(unknowns_to_null)
        }
        Value::Map(items) | Value::Object(items) => items.values_mut().for_each(unknowns_to_null),
        _ => {}
    }
}

#[cfg(test)]
mod action_tests;
#[cfg(test)]
mod ephemeral_tests;
#[cfg(test)]
mod identity_tests;
#[cfg(test)]
mod list_tests;
#[cfg(test)]
mod tests;
