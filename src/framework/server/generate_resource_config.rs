//! GenerateResourceConfig: the configuration Terraform writes for an imported object
//! (`-generate-config-out`), from its state. Only called when the capability is advertised.

use super::{RawValue, Server, decode, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::generate_config::config_from_state;

pub struct GenerateResourceConfigRequest {
    pub type_name: String,
    pub state: RawValue,
}

pub struct GenerateResourceConfigResponse {
    pub config: RawValue,
    pub diags: Diagnostics,
}

impl Server {
    pub fn generate_resource_config(
        &self,
        req: GenerateResourceConfigRequest,
    ) -> GenerateResourceConfigResponse {
        let mut diags = Diagnostics::new();
        let mut config = RawValue::default();
        if let Some(r) = self.resource(&req.type_name, &mut diags)
            && let Some(state) = decode(&req.state, &r.ty, "state", &mut diags)
        {
            let mut generated = config_from_state(&r.schema.block, &state);
            if let Some(hook) = r.imp.as_generate_config() {
                hook.generate_config(&state, &mut generated);
            }
            config = encode(&generated, &r.ty, "generated configuration", &mut diags);
        }
        GenerateResourceConfigResponse { config, diags }
    }
}
