//! An HTTP client that names the service and the endpoint in its connection failures
//! ([`super::errors::Unreachable`]), so `describe` can say which endpoint could not be reached
//! instead of the connector's bare error.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

/// `inner`, with failures naming `service` (e.g. "Amazon ECS") and the request's endpoint.
pub fn named(service: &'static str, inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(NamedClient { service, inner })
}

#[derive(Debug)]
struct NamedClient {
    service: &'static str,
    inner: SharedHttpClient,
}

impl HttpClient for NamedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(NamedConnector {
            service: self.service,
            inner: self.inner.http_connector(settings, components),
        })
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct NamedConnector {
    service: &'static str,
    inner: SharedHttpConnector,
}

impl HttpConnector for NamedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let uri = request.uri().to_string();
        let service = self.service;
        let sent = self.inner.call(request);
        HttpConnectorFuture::new(async move {
            sent.await
                .map_err(|e| super::errors::unreachable(service, &uri, e))
        })
    }
}
