//! UpgradeResourceState: called for every resource before each refresh, with the raw JSON state
//! written under whatever schema version stored it. Attributes no longer in the schema are dropped.

use super::{RawValue, Server, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::value::json::{self, JsonDecodeOptions};

pub struct UpgradeResourceStateRequest {
    pub type_name: String,
    pub version: i64,
    pub raw_json: Vec<u8>,
    pub has_flatmap: bool,
}

pub struct UpgradeResourceStateResponse {
    pub upgraded: RawValue,
    pub diags: Diagnostics,
}

impl Server {
    pub fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        let mut diags = Diagnostics::new();
        let mut upgraded = RawValue::default();
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            return UpgradeResourceStateResponse { upgraded, diags };
        };
        if req.raw_json.is_empty() {
            if req.has_flatmap {
                diags.error(
                    "Unsupported state format",
                    format!("The stored state of this {} uses the legacy flatmap format, which this provider never wrote.", req.type_name),
                );
            }
            return UpgradeResourceStateResponse { upgraded, diags };
        }
        let mut raw: serde_json::Value = match serde_json::from_slice(&req.raw_json) {
            Ok(v) => v,
            Err(err) => {
                diags.error(
                    "Invalid stored state",
                    format!("The stored state is not valid JSON: {err}."),
                );
                return UpgradeResourceStateResponse { upgraded, diags };
            }
        };
        if req.version > r.schema.version {
            diags.error(
                "State written by a newer provider",
                format!(
                    "The stored state of this {} has schema version {}, but this provider only knows up to {}. Upgrade the provider.",
                    req.type_name, req.version, r.schema.version
                ),
            );
            return UpgradeResourceStateResponse { upgraded, diags };
        }
        if req.version < r.schema.version {
            match r.imp.as_upgrade_state() {
                Some(upgrader) => match upgrader.upgrade_state(req.version, raw, &mut diags) {
                    Some(v) => raw = v,
                    None => return UpgradeResourceStateResponse { upgraded, diags },
                },
                None => {
                    diags.error(
                        "Cannot upgrade stored state",
                        format!(
                            "No upgrade from schema version {} of {} is known.",
                            req.version, req.type_name
                        ),
                    );
                    return UpgradeResourceStateResponse { upgraded, diags };
                }
            }
        }
        let opts = JsonDecodeOptions {
            ignore_undefined_attributes: true,
        };
        match json::from_serde(&raw, &r.ty, opts) {
            Ok(value) => upgraded = encode(&value, &r.ty, "upgraded state", &mut diags),
            Err(err) => diags.error(
                "Invalid stored state",
                format!(
                    "The stored state of this {} does not match its schema: {err}.",
                    req.type_name
                ),
            ),
        }
        UpgradeResourceStateResponse { upgraded, diags }
    }
}
