//! GetResourceIdentitySchemas: the identity schema of every resource type that has one.

use std::collections::BTreeMap;

use super::Server;
use crate::framework::diag::Diagnostics;
use crate::framework::identity::IdentitySchema;

pub struct GetResourceIdentitySchemasResponse<'a> {
    pub schemas: BTreeMap<&'a str, &'a IdentitySchema>,
    pub diags: Diagnostics,
}

impl Server {
    pub fn get_resource_identity_schemas(&self) -> GetResourceIdentitySchemasResponse<'_> {
        GetResourceIdentitySchemasResponse {
            schemas: self
                .resources
                .iter()
                .filter_map(|(name, r)| Some((name.as_str(), r.identity.as_ref()?)))
                .collect(),
            diags: Diagnostics::new(),
        }
    }

    /// The identity schema of one resource type (docs, list resources).
    pub fn identity_schema(&self, type_name: &str) -> Option<&IdentitySchema> {
        self.resources.get(type_name)?.identity.as_ref()
    }
}
