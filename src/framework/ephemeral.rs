//! The trait an ephemeral resource implements: opened for each plan and apply, its result
//! lives only in Terraform's memory (never in plan or state), optionally renewed while the run
//! lasts, then closed. Renewal and closing are optional capabilities, found through `as_*`.

use std::time::SystemTime;

use async_trait::async_trait;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::schema::{Block, Nesting, Schema};
use super::value::Value;

pub struct OpenRequest {
    pub ctx: Ctx,
    /// Wholly known: the framework answers for an unknown configuration itself.
    pub config: Value,
}

pub struct OpenResponse {
    /// Starts as the configuration; the resource fills in the computed attributes.
    pub result: Value,
    /// When Terraform should call `renew` (only if the resource implements it).
    pub renew_at: Option<SystemTime>,
    /// Handed back to `renew` and `close`; Terraform keeps it in memory only.
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct RenewRequest {
    pub ctx: Ctx,
    pub private: Vec<u8>,
}

pub struct RenewResponse {
    /// The next renewal, if one is needed.
    pub renew_at: Option<SystemTime>,
    /// Starts as the request's private data.
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct CloseRequest {
    pub ctx: Ctx,
    pub private: Vec<u8>,
}

#[async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks beyond the schema's validators; values may be unknown.
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(&self, req: OpenRequest, resp: &mut OpenResponse);
    fn as_renew(&self) -> Option<&dyn Renew> {
        None
    }
    fn as_close(&self) -> Option<&dyn Close> {
        None
    }
}

/// Extends what `open` made (a lease, a token) before `renew_at`.
#[async_trait]
pub trait Renew: Send + Sync {
    async fn renew(&self, req: RenewRequest, resp: &mut RenewResponse);
}

/// Releases what `open` made, at the end of the run.
#[async_trait]
pub trait Close: Send + Sync {
    async fn close(&self, req: CloseRequest, diags: &mut Diagnostics);
}

/// The result while the configuration is not wholly known: configured values as they are,
/// computed attributes left unset in the configuration unknown (as Terraform plans data sources).
pub fn unknown_result(block: &Block, config: &Value) -> Value {
    let Value::Object(attrs) = config else {
        return config.clone();
    };
    let mut out = attrs.clone();
    for attribute in &block.attributes {
        let v = attrs.get(&attribute.name).unwrap_or(&Value::Null);
        if attribute.computed && v.is_null() {
            out.insert(attribute.name.clone(), Value::Unknown);
        }
    }
    for nested in &block.blocks {
        if let Some(v) = attrs.get(&nested.type_name) {
            let v = match (nested.nesting, v) {
                (Nesting::Single | Nesting::Group, v) if !v.is_null() => {
                    unknown_result(&nested.block, v)
                }
                (Nesting::List, Value::List(items)) => Value::List(
                    items
                        .iter()
                        .map(|i| unknown_result(&nested.block, i))
                        .collect(),
                ),
                (_, v) => v.clone(),
            };
            out.insert(nested.type_name.clone(), v);
        }
    }
    Value::Object(out)
}
