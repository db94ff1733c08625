//! ValidateListResourceConfig: the `config` block of a `list` block, checked against the list
//! resource's schema and its own cross-attribute rules. May receive unknown values.

use super::{RawValue, Server, decode};
use crate::framework::diag::Diagnostics;
use crate::framework::validate::{ValidateOptions, validate_block};
use crate::framework::value::AttrPath;

pub struct ValidateListResourceConfigRequest {
    pub type_name: String,
    pub config: RawValue,
}

impl Server {
    pub fn validate_list_resource_config(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(l) = self.list_resource_type(&req.type_name, &mut diags)
            && let Some(config) = decode(&req.config, &l.ty, "list configuration", &mut diags)
        {
            let opts = ValidateOptions {
                write_only_allowed: false,
            };
            validate_block(
                &l.schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            l.imp.validate_config(&config, &mut diags);
        }
        diags
    }
}
