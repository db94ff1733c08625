//! ImportResourceState: an ID, or an identity, becomes a stub state; Terraform then refreshes it
//! with ReadResource. The stub's identity goes back with it (an import by identity must return
//! one), completed by the provider (e.g. the account an `import` block left out).

use super::identity::Identity;
use super::{RawValue, Server, conform, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::identity::describe;
use crate::framework::resource::{ImportRequest, ImportResponse};
use crate::framework::value::Value;

pub struct ImportResourceStateRequest {
    pub type_name: String,
    /// Empty when importing by identity.
    pub id: String,
    /// Set when importing by identity (an `import` block with `identity`).
    pub identity: Option<RawValue>,
}

pub struct ImportedResource {
    pub type_name: String,
    pub state: RawValue,
    pub private: Vec<u8>,
    pub identity: Option<RawValue>,
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
        let identity = Identity::of(r);
        let by_identity = req.identity.is_some() && req.id.is_empty();
        if by_identity && identity.is_none() {
            diags.error(
                "Import by identity not supported",
                format!(
                    "{} has no resource identity: import it by ID instead.",
                    req.type_name
                ),
            );
            return ImportResourceStateResponse { imported, diags };
        }
        let importer = r.imp.as_import();
        if !by_identity && importer.is_none() {
            diags.error(
                "Import not supported",
                format!("{} cannot be imported.", req.type_name),
            );
            return ImportResourceStateResponse { imported, diags };
        }
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
        let ctx = self.ctx();
        let mut resp = ImportResponse {
            state: Value::Null,
            private: Vec::new(),
            diags,
        };
        match (identity.as_ref().filter(|_| by_identity), importer) {
            (Some(identity), _) => {
                let Some(given) =
                    identity.decode(&req.identity, "import identity", &mut resp.diags)
                else {
                    return ImportResourceStateResponse {
                        imported,
                        diags: resp.diags,
                    };
                };
                let missing = identity.schema.missing_for_import(&given);
                if !missing.is_empty() {
                    resp.diags.error(
                        "Incomplete import identity",
                        format!(
                            "Importing {} by identity needs {}; the identity given is {}.",
                            req.type_name,
                            missing.join(", "),
                            describe(&given)
                        ),
                    );
                    return ImportResourceStateResponse {
                        imported,
                        diags: resp.diags,
                    };
                }
                identity
                    .imp
                    .import_by_identity(&ctx, &given, &mut resp)
                    .await;
            }
            (None, Some(importer)) => {
                importer
                    .import_state(
                        ImportRequest {
                            ctx: ctx.clone(),
                            id: req.id,
                        },
                        &mut resp,
                    )
                    .await;
            }
            // Refused above: neither an identity nor an importer.
            (None, None) => {}
        }
        if !resp.diags.has_errors() && !resp.state.is_null() {
            let state = conform(&r.schema.block, &resp.state);
            let identity = match &identity {
                // By ID the stub may not tell the identity yet: the read after the import does.
                Some(identity) if !by_identity => {
                    let mut scratch = Diagnostics::new();
                    let value = identity.of_state(&ctx, &state, &mut scratch).await;
                    identity.encode(&value, "imported identity", &mut resp.diags)
                }
                Some(identity) => {
                    let value = identity.of_state(&ctx, &state, &mut resp.diags).await;
                    identity.encode(&value, "imported identity", &mut resp.diags)
                }
                None => None,
            };
            if !resp.diags.has_errors() {
                imported.push(ImportedResource {
                    type_name: req.type_name.clone(),
                    state: encode(&state, &r.ty, "imported state", &mut resp.diags),
                    private: resp.private,
                    identity,
                });
            }
        }
        ImportResourceStateResponse {
            imported,
            diags: resp.diags,
        }
    }
}
