//! ReadDataSource: the configuration in, the configuration with computed attributes filled out.

use super::{RawValue, Server, conform, decode, encode};
use crate::framework::data_source::{ReadDataRequest, ReadDataResponse};
use crate::framework::diag::Diagnostics;
use crate::framework::value::Value;

pub struct ReadDataSourceRequest {
    pub type_name: String,
    pub config: RawValue,
    /// Terraform accepts a deferred read (its `deferral_allowed` client capability).
    pub deferral_allowed: bool,
}

pub struct ReadDataSourceResponse {
    pub state: RawValue,
    pub diags: Diagnostics,
    /// The read was deferred because the provider configuration is not known yet.
    pub deferred_provider_config_unknown: bool,
}

impl Server {
    pub async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let mut diags = Diagnostics::new();
        let mut state = RawValue::default();
        let done = |state, diags| ReadDataSourceResponse {
            state,
            diags,
            deferred_provider_config_unknown: false,
        };
        let Some(d) = self.data_source(&req.type_name, &mut diags) else {
            return done(state, diags);
        };
        let Some(config) = decode(&req.config, &d.ty, "data source configuration", &mut diags)
        else {
            return done(state, diags);
        };
        let unknown = self.unknown_provider_config();
        if !unknown.is_empty() {
            if req.deferral_allowed {
                let state = encode(&Value::Unknown, &d.ty, "data source state", &mut diags);
                return ReadDataSourceResponse {
                    state,
                    diags,
                    deferred_provider_config_unknown: true,
                };
            }
            diags.error(
                "Provider configuration not known yet",
                format!(
                    "{} cannot be read before the provider's {} {} known: reading now could ask another region, account or endpoint. Apply the resources those arguments come from first (e.g. with -target), or set them from known values.",
                    req.type_name,
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" }
                ),
            );
            return done(state, diags);
        }
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
        done(state, resp.diags)
    }
}
