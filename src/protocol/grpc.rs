//! The gRPC adapter: implements the generated `tfplugin6.Provider` service over the framework's
//! server. Each method converts the request, calls the framework and converts the response back.
//! Provider failures travel as diagnostics, never as gRPC status errors.

use std::sync::{Arc, OnceLock};

use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

use super::convert::{
    attribute_path, diagnostics, dynamic, identity_data, identity_raw, identity_schema, raw, schema,
};
use super::functions;
use super::tfplugin6 as pb;
use super::tfplugin6::provider_server::{Provider, ProviderServer};
use crate::framework::server::{
    ActionEvent, ApplyResourceChangeRequest, CallFunctionRequest, CloseEphemeralResourceRequest,
    ConfigureProviderRequest, GenerateResourceConfigRequest, ImportResourceStateRequest,
    InvokeActionRequest, ListResourceRequest, MoveResourceStateRequest,
    OpenEphemeralResourceRequest, PlanActionRequest, PlanResourceChangeRequest,
    ReadDataSourceRequest, ReadResourceRequest, RenewEphemeralResourceRequest, Server,
    UpgradeResourceIdentityRequest, UpgradeResourceStateRequest, ValidateListResourceConfigRequest,
    ValidateRequest,
};

/// terraform-plugin-go's limit both ways; tonic's 4 MiB default fails large states.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

pub struct GrpcProvider {
    pub(super) server: Arc<Server>,
    schema_response: OnceLock<pb::get_provider_schema::Response>,
}

impl GrpcProvider {
    pub fn new(server: Arc<Server>) -> Self {
        Self {
            server,
            schema_response: OnceLock::new(),
        }
    }

    fn capabilities(&self) -> pb::ServerCapabilities {
        let caps = self.server.capabilities();
        pb::ServerCapabilities {
            plan_destroy: caps.plan_destroy,
            get_provider_schema_optional: caps.get_provider_schema_optional,
            // Offered per resource (`Resource::as_move_state`); others answer with an error.
            move_resource_state: true,
            generate_resource_config: caps.generate_resource_config,
        }
    }
}

/// The provider service as routes ready for the plugin transport, with raised message limits.
pub fn routes(server: Arc<Server>) -> tonic::service::Routes {
    let service = ProviderServer::new(GrpcProvider::new(server))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    tonic::service::Routes::new(service)
}

fn write_only_allowed(caps: &Option<pb::ClientCapabilities>) -> bool {
    caps.as_ref()
        .is_some_and(|c| c.write_only_attributes_allowed)
}

type Reply<T> = Result<Response<T>, Status>;

/// One GetMetadata entry per registered name.
fn listed<T>(names: Vec<&str>, entry: impl Fn(String) -> T) -> Vec<T> {
    names.into_iter().map(|n| entry(n.to_string())).collect()
}

#[tonic::async_trait]
impl Provider for GrpcProvider {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        use pb::get_metadata::{
            ActionMetadata, DataSourceMetadata, EphemeralMetadata, FunctionMetadata,
            ListResourceMetadata, ResourceMetadata,
        };
        let server = &self.server;
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(self.capabilities()),
            resources: listed(server.resource_type_names(), |type_name| ResourceMetadata {
                type_name,
            }),
            data_sources: listed(server.data_source_type_names(), |type_name| {
                DataSourceMetadata { type_name }
            }),
            functions: listed(server.function_names(), |name| FunctionMetadata { name }),
            ephemeral_resources: listed(server.ephemeral_resource_type_names(), |type_name| {
                EphemeralMetadata { type_name }
            }),
            actions: listed(server.action_type_names(), |type_name| ActionMetadata {
                type_name,
            }),
            list_resources: listed(server.list_resource_type_names(), |type_name| {
                ListResourceMetadata { type_name }
            }),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        let response = self.schema_response.get_or_init(|| {
            let s = self.server.get_provider_schema();
            pb::get_provider_schema::Response {
                provider: Some(schema(s.provider)),
                resource_schemas: s
                    .resources
                    .iter()
                    .map(|(n, sc)| (n.to_string(), schema(sc)))
                    .collect(),
                data_source_schemas: s
                    .data_sources
                    .iter()
                    .map(|(n, sc)| (n.to_string(), schema(sc)))
                    .collect(),
                functions: functions::functions(s.functions),
                ephemeral_resource_schemas: s
                    .ephemeral_resources
                    .iter()
                    .map(|(n, sc)| (n.to_string(), schema(sc)))
                    .collect(),
                action_schemas: s
                    .actions
                    .iter()
                    .map(|(n, sc)| {
                        let schema = Some(schema(sc));
                        (n.to_string(), pb::ActionSchema { schema })
                    })
                    .collect(),
                list_resource_schemas: s
                    .list_resources
                    .iter()
                    .map(|(n, sc)| (n.to_string(), schema(sc)))
                    .collect(),
                server_capabilities: Some(self.capabilities()),
                diagnostics: diagnostics(s.diags),
                provider_meta: Some(pb::Schema {
                    version: 0,
                    block: Some(pb::schema::Block::default()),
                }),
                ..Default::default()
            }
        });
        Ok(Response::new(response.clone()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        let req = req.into_inner();
        let resp = self.server.validate_provider_config(ValidateRequest {
            type_name: String::new(),
            config: raw(req.config),
            write_only_allowed: false,
        });
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let resp = self.server.validate_resource_config(ValidateRequest {
            write_only_allowed: write_only_allowed(&req.client_capabilities),
            type_name: req.type_name,
            config: raw(req.config),
        });
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let resp = self.server.validate_data_resource_config(ValidateRequest {
            type_name: req.type_name,
            config: raw(req.config),
            write_only_allowed: false,
        });
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let raw_state = req.raw_state.unwrap_or_default();
        let resp = self
            .server
            .upgrade_resource_state(UpgradeResourceStateRequest {
                type_name: req.type_name,
                version: req.version,
                raw_json: raw_state.json,
                has_flatmap: !raw_state.flatmap.is_empty(),
            });
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: dynamic(resp.upgraded),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let req = req.into_inner();
        let source_state = req.source_state.unwrap_or_default();
        let resp = self
            .server
            .move_resource_state(MoveResourceStateRequest {
                source_provider_address: req.source_provider_address,
                source_type_name: req.source_type_name,
                source_schema_version: req.source_schema_version,
                source_state_json: source_state.json,
                source_has_flatmap: !source_state.flatmap.is_empty(),
                source_private: req.source_private,
                target_type_name: req.target_type_name,
            })
            .await;
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: dynamic(resp.target_state),
            diagnostics: diagnostics(resp.diags),
            target_private: resp.target_private,
            target_identity: identity_data(resp.target_identity),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        let resp = self.server.get_resource_identity_schemas();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: resp
                .schemas
                .into_iter()
                .map(|(n, s)| (n.to_string(), identity_schema(s)))
                .collect(),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .upgrade_resource_identity(UpgradeResourceIdentityRequest {
                type_name: req.type_name,
                version: req.version,
                raw_json: req.raw_identity.unwrap_or_default().json,
            });
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: identity_data(resp.upgraded),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .configure_provider(ConfigureProviderRequest {
                terraform_version: req.terraform_version,
                config: raw(req.config),
            })
            .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .read_resource(ReadResourceRequest {
                type_name: req.type_name,
                current_state: raw(req.current_state),
                private: req.private,
                current_identity: identity_raw(req.current_identity),
            })
            .await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: dynamic(resp.new_state),
            private: resp.private,
            diagnostics: diagnostics(resp.diags),
            new_identity: identity_data(resp.new_identity),
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .plan_resource_change(PlanResourceChangeRequest {
                type_name: req.type_name,
                prior_state: raw(req.prior_state),
                proposed_new_state: raw(req.proposed_new_state),
                config: raw(req.config),
                prior_private: req.prior_private,
                prior_identity: identity_raw(req.prior_identity),
            })
            .await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: dynamic(resp.planned_state),
            requires_replace: resp
                .requires_replace
                .into_iter()
                .map(attribute_path)
                .collect(),
            planned_private: resp.planned_private,
            diagnostics: diagnostics(resp.diags),
            planned_identity: identity_data(resp.planned_identity),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .apply_resource_change(ApplyResourceChangeRequest {
                type_name: req.type_name,
                prior_state: raw(req.prior_state),
                planned_state: raw(req.planned_state),
                config: raw(req.config),
                planned_private: req.planned_private,
                planned_identity: identity_raw(req.planned_identity),
            })
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: dynamic(resp.new_state),
            private: resp.private,
            diagnostics: diagnostics(resp.diags),
            new_identity: identity_data(resp.new_identity),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .import_resource_state(ImportResourceStateRequest {
                type_name: req.type_name,
                id: req.id,
                identity: identity_raw(req.identity),
            })
            .await;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: resp
                .imported
                .into_iter()
                .map(|r| pb::import_resource_state::ImportedResource {
                    type_name: r.type_name,
                    state: dynamic(r.state),
                    private: r.private,
                    identity: identity_data(r.identity),
                })
                .collect(),
            diagnostics: diagnostics(resp.diags),
            deferred: None,
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .read_data_source(ReadDataSourceRequest {
                type_name: req.type_name,
                config: raw(req.config),
                deferral_allowed: req.client_capabilities.is_some_and(|c| c.deferral_allowed),
            })
            .await;
        let deferred = resp
            .deferred_provider_config_unknown
            .then_some(pb::Deferred {
                reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
            });
        Ok(Response::new(pb::read_data_source::Response {
            state: dynamic(resp.state),
            diagnostics: diagnostics(resp.diags),
            deferred,
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        // The same map as the schema's: OpenTofu asks here for names the schema lacks.
        let resp = self.server.get_functions();
        Ok(Response::new(pb::get_functions::Response {
            functions: functions::functions(resp.functions),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let req = req.into_inner();
        let resp = self.server.call_function(CallFunctionRequest {
            name: req.name,
            arguments: req.arguments.into_iter().map(|a| raw(Some(a))).collect(),
        });
        Ok(Response::new(pb::call_function::Response {
            result: resp.error.is_none().then(|| dynamic(resp.result)).flatten(),
            error: resp.error.map(functions::error),
        }))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .generate_resource_config(GenerateResourceConfigRequest {
                type_name: req.type_name,
                state: raw(req.state),
            });
        Ok(Response::new(pb::generate_resource_config::Response {
            config: dynamic(resp.config),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Reply<tonic::codegen::BoxStream<pb::list_resource::Event>> {
        let req = req.into_inner();
        let events = self.server.list_resource(ListResourceRequest {
            type_name: req.type_name,
            config: raw(req.config),
            include_resource: req.include_resource_object,
            limit: req.limit,
        });
        // Each event goes out as the provider produces it.
        let stream = tokio_stream::wrappers::ReceiverStream::new(events).map(|e| {
            Ok(pb::list_resource::Event {
                identity: identity_data(e.identity),
                display_name: e.display_name,
                resource_object: e.resource_object.and_then(dynamic),
                diagnostic: diagnostics(e.diags),
            })
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        let req = req.into_inner();
        let diags = self
            .server
            .validate_list_resource_config(ValidateListResourceConfigRequest {
                type_name: req.type_name,
                config: raw(req.config),
            });
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        let error = self.server.stop_provider();
        Ok(Response::new(pb::stop_provider::Response { error }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .validate_ephemeral_resource_config(ValidateRequest {
                type_name: req.type_name,
                config: raw(req.config),
                write_only_allowed: false,
            });
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics(resp.diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .open_ephemeral_resource(OpenEphemeralResourceRequest {
                type_name: req.type_name,
                config: raw(req.config),
                deferral_allowed: req.client_capabilities.is_some_and(|c| c.deferral_allowed),
            })
            .await;
        let deferred = resp
            .deferred_provider_config_unknown
            .then_some(pb::Deferred {
                reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
            });
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            renew_at: resp.renew_at.map(Into::into),
            result: dynamic(resp.result),
            private: Some(resp.private),
            diagnostics: diagnostics(resp.diags),
            deferred,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .renew_ephemeral_resource(RenewEphemeralResourceRequest {
                type_name: req.type_name,
                private: req.private.unwrap_or_default(),
            })
            .await;
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            renew_at: resp.renew_at.map(Into::into),
            private: Some(resp.private),
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .close_ephemeral_resource(CloseEphemeralResourceRequest {
                type_name: req.type_name,
                private: req.private.unwrap_or_default(),
            })
            .await;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        let req = req.into_inner();
        let resp = self.server.validate_action_config(ValidateRequest {
            type_name: req.type_name,
            config: raw(req.config),
            write_only_allowed: false,
        });
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: diagnostics(resp.diags),
        }))
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        let req = req.into_inner();
        let resp = self
            .server
            .plan_action(PlanActionRequest {
                type_name: req.action_type,
                config: raw(req.config),
                deferral_allowed: req.client_capabilities.is_some_and(|c| c.deferral_allowed),
            })
            .await;
        let deferred = resp
            .deferred_provider_config_unknown
            .then_some(pb::Deferred {
                reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
            });
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: diagnostics(resp.diags),
            deferred,
        }))
    }

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Reply<tonic::codegen::BoxStream<pb::invoke_action::Event>> {
        use pb::invoke_action::event::{Completed, Progress, Type};
        let req = req.into_inner();
        let events = self.server.invoke_action(InvokeActionRequest {
            type_name: req.action_type,
            config: raw(req.config),
        });
        let stream = tokio_stream::wrappers::UnboundedReceiverStream::new(events).map(|e| {
            let r#type = match e {
                ActionEvent::Progress(message) => Type::Progress(Progress { message }),
                ActionEvent::Completed(diags) => Type::Completed(Completed {
                    diagnostics: diagnostics(diags),
                }),
            };
            Ok(pb::invoke_action::Event {
                r#type: Some(r#type),
            })
        });
        Ok(Response::new(Box::pin(stream)))
    }

    // Features this provider does not offer answer with a diagnostic, never a crash.
    super::unsupported::unsupported_methods!();
}
