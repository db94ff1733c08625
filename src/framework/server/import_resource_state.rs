//! ImportResourceState: an ID becomes a stub state; Terraform then refreshes it with ReadResource.

use super::{RawValue, Server, conform, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::resource::{ImportRequest, ImportResponse};
use crate::framework::value::Value;

pub struct ImportResourceStateRequest {
    pub type_name: String,
    pub id: String,
}

pub struct ImportedResource {
    pub type_name: String,
    pub state: RawValue,
    pub private: Vec<u8>,
}

pub struct ImportResourceStateResponse {
    pub imported: Vec<ImportedResource>,
    pub diags: Diagnostics,
}

impl Server {
    pub async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        let mut diags = Diagnostics::new();
        let mut imported = Vec::new();
        let Some(r) = self.resource(&req.type_name, &mut diags) else {
            return ImportResourceStateResponse { imported, diags };
        };
        let Some(importer) = r.imp.as_import() else {
            diags.error(
                "Import not supported",
                format!("{} cannot be imported.", req.type_name),
            );
            return ImportResourceStateResponse { imported, diags };
        };
        let unknown = self.unknown_provider_config();
        if !unknown.is_empty() {
            diags.error(
                "Provider configuration not known yet",
                format!(
                    "{} cannot be imported before the provider's {} {} known: the object would be looked up in a place the configuration may not name.",
                    req.type_name,
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" }
                ),
            );
            return ImportResourceStateResponse { imported, diags };
        }
        let mut resp = ImportResponse {
            state: Value::Null,
            private: Vec::new(),
            diags,
        };
        importer
            .import_state(
                ImportRequest {
                    ctx: self.ctx(),
                    id: req.id,
                },
                &mut resp,
            )
            .await;
        if !resp.diags.has_errors() && !resp.state.is_null() {
            let state = conform(&r.schema.block, &resp.state);
            imported.push(ImportedResource {
                type_name: req.type_name.clone(),
                state: encode(&state, &r.ty, "imported state", &mut resp.diags),
                private: resp.private,
            });
        }
        ImportResourceStateResponse {
            imported,
            diags: resp.diags,
        }
    }
}
