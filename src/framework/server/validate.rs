//! ValidateProviderConfig, ValidateResourceConfig and ValidateDataResourceConfig. They may run on
//! an unconfigured provider and receive unknown values: nothing here depends on `configure`.

use super::{RawValue, Server, decode};
use crate::framework::diag::Diagnostics;
use crate::framework::validate::{ValidateOptions, validate_block};
use crate::framework::value::AttrPath;

pub struct ValidateRequest {
    /// Empty for the provider's own configuration.
    pub type_name: String,
    pub config: RawValue,
    pub write_only_allowed: bool,
}

pub struct ValidateResponse {
    pub diags: Diagnostics,
}

impl Server {
    pub fn validate_provider_config(&self, req: ValidateRequest) -> ValidateResponse {
        let mut diags = Diagnostics::new();
        let ty = self.provider_schema.implied_type();
        if let Some(config) = decode(&req.config, &ty, "provider configuration", &mut diags) {
            let opts = ValidateOptions {
                write_only_allowed: req.write_only_allowed,
            };
            validate_block(
                &self.provider_schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            self.provider.validate_config(&config, &mut diags);
        }
        ValidateResponse { diags }
    }

    pub fn validate_resource_config(&self, req: ValidateRequest) -> ValidateResponse {
        let mut diags = Diagnostics::new();
        if let Some(r) = self.resource(&req.type_name, &mut diags)
            && let Some(config) = decode(&req.config, &r.ty, "resource configuration", &mut diags)
        {
            let opts = ValidateOptions {
                write_only_allowed: req.write_only_allowed,
            };
            validate_block(
                &r.schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            if let Some(v) = r.imp.as_validate_config() {
                v.validate_config(&config, &mut diags);
            }
        }
        ValidateResponse { diags }
    }

    pub fn validate_data_resource_config(&self, req: ValidateRequest) -> ValidateResponse {
        let mut diags = Diagnostics::new();
        if let Some(d) = self.data_source(&req.type_name, &mut diags)
            && let Some(config) =
                decode(&req.config, &d.ty, "data source configuration", &mut diags)
        {
            let opts = ValidateOptions {
                write_only_allowed: false,
            };
            validate_block(
                &d.schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            d.imp.validate_config(&config, &mut diags);
        }
        ValidateResponse { diags }
    }
}
