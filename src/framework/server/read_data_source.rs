//! ReadDataSource: the configuration in, the configuration with computed attributes filled out.

use super::{RawValue, Server, conform, decode, encode};
use crate::framework::data_source::{ReadDataRequest, ReadDataResponse};
use crate::framework::diag::Diagnostics;

pub struct ReadDataSourceRequest {
    pub type_name: String,
    pub config: RawValue,
}

pub struct ReadDataSourceResponse {
    pub state: RawValue,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let mut diags = Diagnostics::new();
        let mut state = RawValue::default();
        let Some(d) = self.data_source(&req.type_name, &mut diags) else {
            return ReadDataSourceResponse { state, diags };
        };
        let Some(config) = decode(&req.config, &d.ty, "data source configuration", &mut diags)
        else {
            return ReadDataSourceResponse { state, diags };
        };
        let mut resp = ReadDataResponse {
            state: config.clone(),
            diags,
        };
        let (_counted, burst) = self.reads.start();
        d.imp
            .read(
                ReadDataRequest {
                    ctx: crate::framework::Ctx {
                        read_burst: burst,
                        ..self.ctx()
                    },
                    config,
                },
                &mut resp,
            )
            .await;
        let value = conform(&d.schema.block, &resp.state);
        if !resp.diags.has_errors() && !value.is_wholly_known() {
            resp.diags.error(
                "Provider bug",
                format!("{} returned unknown values", req.type_name),
            );
        }
        state = encode(&value, &d.ty, "data source state", &mut resp.diags);
        ReadDataSourceResponse {
            state,
            diags: resp.diags,
        }
    }
}
