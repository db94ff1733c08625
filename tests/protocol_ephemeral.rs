//! The ephemeral resource RPCs over the generated service: schemas and metadata list the type,
//! an unknown type is a diagnostic (never a gRPC status), Close of a known type succeeds.

use std::sync::Arc;

use tonic::Request;

use ecs_provider::ecs::EcsProvider;
use ecs_provider::framework::server::Server;
use ecs_provider::protocol::GrpcProvider;
use ecs_provider::protocol::tfplugin6 as pb;
use ecs_provider::protocol::tfplugin6::provider_server::Provider;

fn provider() -> GrpcProvider {
    GrpcProvider::new(Arc::new(Server::new(EcsProvider::new())))
}

#[tokio::test]
async fn schema_and_metadata_list_the_ephemeral_secret() {
    let p = provider();
    let schema = p
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let secret = &schema.ephemeral_resource_schemas["ecs_secret"];
    let value = secret
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.name == "value")
        .unwrap();
    assert!(value.sensitive && value.computed);
    let metadata = p
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = metadata
        .ephemeral_resources
        .iter()
        .map(|e| e.type_name.as_str())
        .collect();
    assert_eq!(names, ["ecs_secret"]);
}

#[tokio::test]
async fn unknown_types_are_diagnostics_and_closing_a_secret_succeeds() {
    let p = provider();
    let opened = p
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "ecs_nope".into(),
            ..Default::default()
        }))
        .await
        .expect("a diagnostic, not a status")
        .into_inner();
    assert!(opened.diagnostics[0].detail.contains("\"ecs_nope\""));
    assert!(opened.deferred.is_none());
    let closed = p
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "ecs_secret".into(),
            private: Some(Vec::new()),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty());
}
