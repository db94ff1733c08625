//! Task definitions travel as JSON, not as SDK structures: the user's `container_definitions`
//! are sent exactly as written (including members newer than this SDK) and DescribeTaskDefinition
//! is read as AWS answered it. The SDK still resolves the endpoint, signs, retries and maps
//! errors: the request body is swapped before signing and the response body captured after
//! deserialisation.

use std::sync::{Arc, Mutex};

use aws_sdk_ecs::error::SdkError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value;

use super::errors::describe;

/// Keeps the raw body of the last response.
#[derive(Debug, Clone, Default)]
struct CaptureBody(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for CaptureBody {
    fn name(&self) -> &'static str {
        "CaptureBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(bytes) = context.response().body().bytes() {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        }
        Ok(())
    }
}

impl CaptureBody {
    fn json(&self) -> Result<Value, String> {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or("the response had no body")?;
        serde_json::from_slice(&bytes).map_err(|e| format!("the response is not JSON: {e}"))
    }
}

/// An error of one of these calls: the AWS error code (for retry decisions) and readable text.
#[derive(Debug, Clone)]
pub struct CallError {
    pub code: Option<String>,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn call_error<E, R>(err: &SdkError<E, R>) -> CallError
where
    E: aws_sdk_ecs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    CallError {
        code: super::errors::code(err).map(str::to_string),
        message: describe(err),
    }
}

/// RegisterTaskDefinition with `body` as the whole request; returns the whole response.
pub async fn register_task_definition(
    ecs: &aws_sdk_ecs::Client,
    body: &Value,
) -> Result<Value, CallError> {
    let text = body.to_string();
    let capture = CaptureBody::default();
    let sent = ecs
        .register_task_definition()
        // Placeholders satisfy the SDK's required members; the body below replaces them.
        .family("placeholder")
        .customize()
        .mutate_request(move |request| {
            let length = text.len().to_string();
            *request.body_mut() = SdkBody::from(text.clone());
            request.headers_mut().insert("content-length", length);
        })
        .interceptor(capture.clone())
        .send()
        .await;
    sent.map_err(|e| call_error(&e))?;
    capture.json().map_err(|message| CallError {
        code: None,
        message,
    })
}

/// DescribeTaskDefinition (with tags) as AWS answered it.
pub async fn describe_task_definition(
    ecs: &aws_sdk_ecs::Client,
    task_definition: &str,
) -> Result<Value, CallError> {
    let capture = CaptureBody::default();
    let sent = ecs
        .describe_task_definition()
        .task_definition(task_definition)
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await;
    sent.map_err(|e| call_error(&e))?;
    capture.json().map_err(|message| CallError {
        code: None,
        message,
    })
}
