//! GetProviderSchema: every schema, built once when the server starts.

use super::Server;
use crate::framework::diag::Diagnostics;
use crate::framework::function::Signature;
use crate::framework::schema::Schema;

#[derive(Clone, Copy, Debug, Default)]
pub struct ServerCapabilities {
    /// Terraform sends PlanResourceChange for destroys too, so resources can report problems.
    pub plan_destroy: bool,
    /// The schema is deterministic, so Terraform may cache it instead of asking every launch.
    pub get_provider_schema_optional: bool,
    /// GenerateResourceConfig answers `-generate-config-out` instead of Terraform's guess.
    pub generate_resource_config: bool,
}

pub struct GetProviderSchemaResponse<'a> {
    pub provider: &'a Schema,
    pub resources: Vec<(&'a str, &'a Schema)>,
    pub data_sources: Vec<(&'a str, &'a Schema)>,
    pub functions: Vec<(&'a str, &'a Signature)>,
    pub ephemeral_resources: Vec<(&'a str, &'a Schema)>,
    pub actions: Vec<(&'a str, &'a Schema)>,
    /// The `config` block schema of each list resource.
    pub list_resources: Vec<(&'a str, &'a Schema)>,
    pub capabilities: ServerCapabilities,
    pub diags: Diagnostics,
}

impl Server {
    pub fn get_provider_schema(&self) -> GetProviderSchemaResponse<'_> {
        GetProviderSchemaResponse {
            provider: &self.provider_schema,
            resources: self
                .resources
                .iter()
                .map(|(n, r)| (n.as_str(), &r.schema))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(n, r)| (n.as_str(), &r.schema))
                .collect(),
            functions: self.function_signatures(),
            ephemeral_resources: self
                .ephemeral_resources
                .iter()
                .map(|(n, r)| (n.as_str(), &r.schema))
                .collect(),
            actions: self
                .actions
                .iter()
                .map(|(n, a)| (n.as_str(), &a.schema))
                .collect(),
            list_resources: self
                .list_resources
                .iter()
                .map(|(n, l)| (n.as_str(), &l.schema))
                .collect(),
            capabilities: self.capabilities(),
            diags: Diagnostics::new(),
        }
    }

    pub fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            generate_resource_config: true,
        }
    }

    pub fn resource_type_names(&self) -> Vec<&str> {
        self.resources.keys().map(String::as_str).collect()
    }

    pub fn action_type_names(&self) -> Vec<&str> {
        self.actions.keys().map(String::as_str).collect()
    }

    pub fn list_resource_type_names(&self) -> Vec<&str> {
        self.list_resources.keys().map(String::as_str).collect()
    }

    pub fn data_source_type_names(&self) -> Vec<&str> {
        self.data_sources.keys().map(String::as_str).collect()
    }

    pub fn ephemeral_resource_type_names(&self) -> Vec<&str> {
        self.ephemeral_resources
            .keys()
            .map(String::as_str)
            .collect()
    }
}
