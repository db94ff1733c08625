//! Turning SDK errors into text users can act on.

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

/// "Code: message" for service errors, a short description for transport failures.
pub fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => e.to_string(),
            }
        }
        SdkError::TimeoutError(_) => "the request timed out".into(),
        SdkError::DispatchFailure(failure) => {
            format!(
                "could not reach the AWS endpoint ({:?})",
                failure.as_connector_error()
            )
        }
        other => other.to_string(),
    }
}

/// The service error code, if the error came from the service.
pub fn code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}
