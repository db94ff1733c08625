//! List resources (`terraform query`): a `list` block names a managed resource type and a
//! configuration (filters); the provider streams the objects it finds, each with its display
//! name, its resource identity and, when asked, the whole object as the managed resource's
//! `read` would store it, so that importing it plans no change.
//!
//! A list resource streams through a [`ListSink`] as results come (a page of the remote
//! listing at a time), not collected first; the sink says when to stop (the limit is reached
//! or Terraform stopped listening). The framework derives each result's identity from its
//! state with the managed resource's identity, so both always agree.

use async_trait::async_trait;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::Value;

pub struct ListRequest {
    pub ctx: Ctx,
    /// The `config` block's value, validated against [`ListResource::config_schema`].
    pub config: Value,
    /// Whether Terraform wants each whole object (`include_resource = true`, or generating
    /// configuration). Without it only display names and identities are sent.
    pub include_resource: bool,
    /// The most results Terraform takes; the sink stops accepting after it.
    pub limit: i64,
}

/// One object found.
pub struct ListResult {
    /// What `terraform query` shows for it, e.g. the object's name.
    pub display_name: String,
    /// The object as the managed resource's `read` stores it (its identity is derived from
    /// it); sent as the resource object only when the request includes resources.
    pub state: Value,
}

/// Where a list resource sends its results.
#[async_trait]
pub trait ListSink: Send {
    /// Sends one result; `false` means stop listing (limit reached, or nobody listening).
    async fn send(&mut self, result: ListResult) -> bool;

    /// Whether another result would be accepted: check it before fetching the next page.
    fn wants_more(&self) -> bool;
}

/// A list resource. Its type name is the managed resource type it lists.
#[async_trait]
pub trait ListResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// The schema of the `config` block.
    fn config_schema(&self) -> Schema;
    /// Checks across attributes that the attribute validators cannot express.
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Streams every object matching `req.config` into `sink` until it is done or the sink
    /// says stop; failures are reported in `diags` (results already sent stay sent).
    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics);
}
