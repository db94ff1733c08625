//! The trait the provider itself implements: its configuration schema, `configure`, and the
//! resource, data source, ephemeral resource and action types and the functions it offers.

use std::sync::Arc;

use async_trait::async_trait;

use super::action::Action;
use super::context::ProviderData;
use super::data_source::DataSource;
use super::diag::Diagnostics;
use super::ephemeral::EphemeralResource;
use super::function::Function;
use super::resource::Resource;
use super::schema::Schema;
use super::value::Value;

pub struct ConfigureRequest {
    pub terraform_version: String,
    /// May contain unknown values (e.g. a region taken from another resource).
    pub config: Value,
}

pub struct ConfigureResponse {
    pub data: Option<ProviderData>,
    pub diags: Diagnostics,
}

#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's local name, e.g. `ecs`; resource type names start with it.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn configure(&self, req: ConfigureRequest, resp: &mut ConfigureResponse);
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }

    /// List resources for `terraform query`, one per managed resource type it lists.
    fn list_resources(&self) -> Vec<Arc<dyn super::list::ListResource>> {
        Vec::new()
    }
}
