//! The trait a data source implements.

use async_trait::async_trait;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::Value;

pub struct ReadDataRequest {
    pub ctx: Ctx,
    pub config: Value,
}

pub struct ReadDataResponse {
    /// Starts as the configuration; the data source fills in the computed attributes.
    pub state: Value,
    pub diags: Diagnostics,
}

#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse);
}
