//! UpgradeResourceIdentity: the stored identity (JSON, written under whatever identity version
//! stored it) decoded at the current version; an older version goes through the resource's
//! upgrade hook first.

use super::identity::Identity;
use super::{RawValue, Server, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::value::json::{self, JsonDecodeOptions};

pub struct UpgradeResourceIdentityRequest {
    pub type_name: String,
    pub version: i64,
    pub raw_json: Vec<u8>,
}

pub struct UpgradeResourceIdentityResponse {
    pub upgraded: Option<RawValue>,
    pub diags: Diagnostics,
}

impl Server {
    pub fn upgrade_resource_identity(
        &self,
        req: UpgradeResourceIdentityRequest,
    ) -> UpgradeResourceIdentityResponse {
        let mut diags = Diagnostics::new();
        let done = |diags| UpgradeResourceIdentityResponse {
            upgraded: None,
            diags,
        };
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            return done(diags);
        };
        let Some(identity) = Identity::of(r) else {
            diags.error(
                "Resource has no identity",
                format!(
                    "{} has no resource identity, so a stored identity cannot be upgraded.",
                    req.type_name
                ),
            );
            return done(diags);
        };
        if req.raw_json.is_empty() {
            return done(diags);
        }
        let mut raw: serde_json::Value = match serde_json::from_slice(&req.raw_json) {
            Ok(v) => v,
            Err(err) => {
                diags.error(
                    "Invalid stored identity",
                    format!(
                        "The stored identity of this {} is not valid JSON: {err}.",
                        req.type_name
                    ),
                );
                return done(diags);
            }
        };
        let current = identity.schema.version;
        if req.version > current {
            diags.error(
                "Identity written by a newer provider",
                format!(
                    "The stored identity of this {} has version {}, but this provider only knows up to {current}. Upgrade the provider.",
                    req.type_name, req.version
                ),
            );
            return done(diags);
        }
        if req.version < current {
            match identity.imp.upgrade_identity(req.version, raw, &mut diags) {
                Some(v) => raw = v,
                None => return done(diags),
            }
        }
        match json::from_serde(&raw, &identity.ty, JsonDecodeOptions::default()) {
            Ok(value) => UpgradeResourceIdentityResponse {
                upgraded: Some(encode(
                    &identity.schema.conform(&value),
                    &identity.ty,
                    "upgraded identity",
                    &mut diags,
                )),
                diags,
            },
            Err(err) => {
                diags.error(
                    "Invalid stored identity",
                    format!(
                        "The stored identity of this {} does not match its identity schema (version {current}): {err}.",
                        req.type_name
                    ),
                );
                done(diags)
            }
        }
    }
}
