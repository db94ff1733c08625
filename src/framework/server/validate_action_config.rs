//! ValidateActionConfig: the schema's rules, then the action's own. Like the other Validate
//! RPCs it may run before `configure` and receive unknown values.

use super::{Registered, Server, ValidateRequest, ValidateResponse, decode};
use crate::framework::action::Action;
use crate::framework::diag::Diagnostics;
use crate::framework::validate::{ValidateOptions, validate_block};
use crate::framework::value::AttrPath;

impl Server {
    pub fn validate_action_config(&self, req: ValidateRequest) -> ValidateResponse {
        let mut diags = Diagnostics::new();
        if let Some(a) = self.action(&req.type_name, &mut diags)
            && let Some(config) = decode(&req.config, &a.ty, "action configuration", &mut diags)
        {
            let opts = ValidateOptions {
                write_only_allowed: false,
            };
            validate_block(
                &a.schema.block,
                &AttrPath::root(),
                &config,
                &opts,
                &mut diags,
            );
            a.imp.validate_config(&config, &mut diags);
        }
        ValidateResponse { diags }
    }

    /// The registered action `type_name`, or an error naming it.
    pub(super) fn action(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn Action>> {
        let found = self.actions.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown action type",
                format!("This provider has no action type \"{type_name}\"."),
            );
        }
        found
    }
}
