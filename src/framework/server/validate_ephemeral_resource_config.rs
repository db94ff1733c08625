//! ValidateEphemeralResourceConfig: the schema's validators, then the resource's own checks.
//! Values may be unknown; nothing here needs the configured provider.

use super::{Server, ValidateRequest, ValidateResponse, decode};
use crate::framework::diag::Diagnostics;
use crate::framework::validate::{ValidateOptions, validate_block};
use crate::framework::value::AttrPath;

impl Server {
    pub fn validate_ephemeral_resource_config(&self, req: ValidateRequest) -> ValidateResponse {
        let mut diags = Diagnostics::new();
        if let Some(e) = self.ephemeral_resource(&req.type_name, &mut diags)
            && let Some(config) = decode(
                &req.config,
                &e.ty,
                "ephemeral resource configuration",
                &mut diags,
            )
        {
            // Ephemeral results are never stored, so write-only attributes have no place here.
            let opts = ValidateOptions {
                write_only_allowed: false,
            };
            validate_block(
                &e.schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            e.imp.validate_config(&config, &mut diags);
        }
        ValidateResponse { diags }
    }
}
