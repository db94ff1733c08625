//! ConfigureProvider: the provider block (possibly with unknown values) becomes provider data.

use super::{RawValue, Server, decode};
use crate::framework::diag::Diagnostics;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};

pub struct ConfigureProviderRequest {
    pub terraform_version: String,
    pub config: RawValue,
}

pub struct ConfigureProviderResponse {
    pub diags: Diagnostics,
}

impl Server {
    pub async fn configure_provider(
        &self,
        req: ConfigureProviderRequest,
    ) -> ConfigureProviderResponse {
        let mut diags = Diagnostics::new();
        let ty = self.provider_schema.implied_type();
        let Some(config) = decode(&req.config, &ty, "provider configuration", &mut diags) else {
            return ConfigureProviderResponse { diags };
        };
        let mut resp = ConfigureResponse { data: None, diags };
        self.provider
            .configure(
                ConfigureRequest {
                    terraform_version: req.terraform_version,
                    config,
                },
                &mut resp,
            )
            .await;
        if let Ok(mut slot) = self.provider_data.write() {
            *slot = resp.data;
        }
        ConfigureProviderResponse { diags: resp.diags }
    }
}
