//! OpenEphemeralResource: the configuration in, the result (computed attributes filled, wholly
//! known) out, with private data for renew and close. Terraform keeps the result in memory only.

use std::time::SystemTime;

use super::{RawValue, Server, conform, decode, encode};
use crate::framework::checks::check_plan;
use crate::framework::diag::Diagnostics;
use crate::framework::ephemeral::{OpenRequest, OpenResponse, unknown_result};
use crate::framework::value::{AttrPath, Value};

pub struct OpenEphemeralResourceRequest {
    pub type_name: String,
    pub config: RawValue,
    /// Terraform accepts a deferred open (its `deferral_allowed` client capability).
    pub deferral_allowed: bool,
}

#[derive(Default)]
pub struct OpenEphemeralResourceResponse {
    pub result: RawValue,
    pub renew_at: Option<SystemTime>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
    /// The open was deferred because the provider configuration is not known yet.
    pub deferred_provider_config_unknown: bool,
}

impl Server {
    pub async fn open_ephemeral_resource(
        &self,
        req: OpenEphemeralResourceRequest,
    ) -> OpenEphemeralResourceResponse {
        let mut out = OpenEphemeralResourceResponse::default();
        let Some(e) = self.ephemeral_resource(&req.type_name, &mut out.diags) else {
            return out;
        };
        let what = "ephemeral resource configuration";
        let Some(config) = decode(&req.config, &e.ty, what, &mut out.diags) else {
            return out;
        };
        let unknown = self.unknown_provider_config();
        if !unknown.is_empty() {
            if req.deferral_allowed {
                let result = unknown_result(&e.schema.block, &config);
                out.result = encode(&result, &e.ty, "ephemeral result", &mut out.diags);
                out.deferred_provider_config_unknown = true;
                return out;
            }
            out.diags.error(
                "Provider configuration not known yet",
                format!(
                    "{} cannot be opened before the provider's {} {} known: opening now could ask another region, account or endpoint. Apply the resources those arguments come from first (e.g. with -target), or set them from known values.",
                    req.type_name,
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" }
                ),
            );
            return out;
        }
        // Terraform and OpenTofu open only wholly known configurations (they plan unknown
        // results themselves); a client that sends unknown arguments gets the same answer they
        // would compute: configured values kept, computed ones unknown, nothing opened.
        if !config.is_wholly_known() {
            let result = unknown_result(&e.schema.block, &config);
            out.result = encode(&result, &e.ty, "ephemeral result", &mut out.diags);
            return out;
        }
        tracing::info!(tf_rpc = "OpenEphemeralResource", tf_resource_type = %req.type_name, "opening");
        let mut resp = OpenResponse {
            result: config.clone(),
            renew_at: None,
            private: Vec::new(),
            diags: Diagnostics::new(),
        };
        let ctx = self.ctx();
        e.imp
            .open(
                OpenRequest {
                    ctx,
                    config: config.clone(),
                },
                &mut resp,
            )
            .await;
        let mut diags = resp.diags;
        if diags.has_errors() {
            out.diags = diags;
            return out;
        }
        let result = conform(&e.schema.block, &resp.result);
        if !result.is_wholly_known() {
            diags.error(
                "Provider bug",
                format!("{} returned unknown values when opened", req.type_name),
            );
        }
        check_plan(
            &e.schema.block,
            &AttrPath::root(),
            &config,
            &Value::Null,
            &result,
            &mut diags,
        );
        if resp.renew_at.is_some() && e.imp.as_renew().is_none() {
            diags.error(
                "Provider bug",
                format!("{} asked to be renewed but cannot renew", req.type_name),
            );
        }
        if diags.has_errors() {
            out.diags = diags;
            return out;
        }
        out.result = encode(&result, &e.ty, "ephemeral result", &mut diags);
        out.renew_at = resp.renew_at;
        out.private = resp.private;
        out.diags = diags;
        out
    }
}
