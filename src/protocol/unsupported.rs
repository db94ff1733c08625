//! Answers for the RPCs of features this provider does not offer (state stores): a clear error
//! diagnostic, never a gRPC failure.

use super::tfplugin6 as pb;

pub fn diagnostic(feature: &str) -> Vec<pb::Diagnostic> {
    vec![pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: "Not supported".into(),
        detail: format!("{feature} is not supported by this provider."),
        attribute: None,
    }]
}

/// A stream of exactly one message.
pub fn one<T: Send + 'static>(item: T) -> tonic::codegen::BoxStream<T> {
    Box::pin(tokio_stream::once(Ok(item)))
}

/// Expands, inside `impl Provider for GrpcProvider`, to one method per unsupported RPC. The methods
/// are written in `async_trait`'s expanded form because the attribute runs before this macro does.
macro_rules! unsupported_methods {
    () => {
        $crate::protocol::unsupported::unsupported_methods!(@diags
            validate_state_store_config, validate_state_store, "State storage";
            configure_state_store, configure_state_store, "State storage";
            lock_state, lock_state, "State storage";
            unlock_state, unlock_state, "State storage";
            get_states, get_states, "State storage";
            delete_state, delete_state, "State storage";
        );

        fn read_state_bytes<'life0, 'async_trait>(
            &'life0 self,
            _: tonic::Request<pb::read_state_bytes::Request>,
        ) -> ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<tonic::Response<tonic::codegen::BoxStream<pb::read_state_bytes::Response>>, tonic::Status>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
            let chunk = pb::read_state_bytes::Response {
                diagnostics: $crate::protocol::unsupported::diagnostic("State storage"),
                ..Default::default()
            };
            Ok(tonic::Response::new($crate::protocol::unsupported::one(chunk)))})
        }

        fn write_state_bytes<'life0, 'async_trait>(
            &'life0 self,
            _: tonic::Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
        ) -> ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<tonic::Response<pb::write_state_bytes::Response>, tonic::Status>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
            Ok(tonic::Response::new(pb::write_state_bytes::Response {
                diagnostics: $crate::protocol::unsupported::diagnostic("State storage"),
            }))})
        }
    };
    (@diags $($method:ident, $module:ident, $feature:literal;)*) => {
        $(
            #[allow(clippy::needless_update)]
            fn $method<'life0, 'async_trait>(
                &'life0 self,
                _: tonic::Request<pb::$module::Request>,
            ) -> ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<tonic::Response<pb::$module::Response>, tonic::Status>> + Send + 'async_trait>>
            where
                'life0: 'async_trait,
                Self: 'async_trait,
            {
                Box::pin(async move {
                    Ok(tonic::Response::new(pb::$module::Response {
                        diagnostics: $crate::protocol::unsupported::diagnostic($feature),
                        ..Default::default()
                    }))
                })
            }
        )*
    };
}

pub(crate) use unsupported_methods;
