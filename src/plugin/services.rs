//! The side services go-plugin's client talks to besides the provider: health, controller,
//! stdio and broker.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::watch;
use tonic::service::Routes;
use tonic::{Request, Response, Status, Streaming};
use tonic_health::ServingStatus;

use super::proto::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use super::proto::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::{ConnInfo, Empty, StdioData};

/// The service name go-plugin's `Ping` asks the health service about.
pub const HEALTH_SERVICE_NAME: &str = "plugin";

/// Shared stop switch: set once by the Shutdown RPC or a signal.
#[derive(Debug, Clone)]
pub struct ShutdownSignal {
    tx: watch::Sender<bool>,
}

impl Default for ShutdownSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl ShutdownSignal {
    /// A switch that is not yet set.
    pub fn new() -> Self {
        Self {
            tx: watch::Sender::new(false),
        }
    }

    /// Sets the switch; later calls do nothing.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the switch is set.
    pub fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once the switch is set (at once if it already is).
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            // The sender lives in `self`'s clones; if all are gone nobody can stop us any
            // more, which also means stop.
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
    }
}

/// `plugin.GRPCController`: `Shutdown` is how the host ends a launch cleanly; without it
/// Terraform waits 2 s and then kills the process.
#[derive(Debug)]
struct Controller {
    shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by the plugin host");
        self.shutdown.trigger();
        Ok(Response::new(Empty {}))
    }
}

/// A response stream that yields nothing and ends when the server stops, so open streams
/// never hold up a graceful shutdown.
struct UntilShutdown<T> {
    stop: Pin<Box<dyn Future<Output = ()> + Send>>,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<T> UntilShutdown<T> {
    fn new(shutdown: &ShutdownSignal) -> Self {
        Self {
            stop: Box::pin(shutdown.wait()),
            _item: std::marker::PhantomData,
        }
    }
}

impl<T> Stream for UntilShutdown<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.stop.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// `plugin.GRPCStdio`: the host opens this stream at start to collect redirected
/// stdout/stderr. We log to the real stderr and never print after the handshake, so the
/// stream stays open and empty.
#[derive(Debug)]
struct Stdio {
    shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<tonic::codegen::BoxStream<StdioData>>, Status> {
        Ok(Response::new(Box::pin(UntilShutdown::new(&self.shutdown))))
    }
}

/// `plugin.GRPCBroker`: tfplugin6 never brokers extra connections. Accept the stream, read
/// and ignore what arrives, and end cleanly when the host closes its side or we stop.
#[derive(Debug)]
struct Broker {
    shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<tonic::codegen::BoxStream<ConnInfo>>, Status> {
        let mut incoming = request.into_inner();
        let stop = self.shutdown.wait();
        let drained = async move {
            let drain = async {
                while let Ok(Some(info)) = incoming.message().await {
                    tracing::trace!(service_id = info.service_id, "ignoring broker message");
                }
            };
            tokio::select! {
                () = drain => {}
                () = stop => {}
            }
        };
        let stream = futures_util::stream::once(drained);
        let stream = futures_util::StreamExt::filter_map(stream, |()| async {
            None::<Result<ConnInfo, Status>>
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// Adds health (reporting `plugin` as SERVING), controller, stdio and broker to `routes`.
pub async fn add_side_services(routes: Routes, shutdown: &ShutdownSignal) -> Routes {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, ServingStatus::Serving)
        .await;
    routes
        .add_service(health)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;
    use std::time::Duration;

    #[tokio::test]
    async fn shutdown_rpc_sets_the_switch() {
        let shutdown = ShutdownSignal::new();
        let controller = Controller {
            shutdown: shutdown.clone(),
        };
        assert!(!shutdown.is_triggered());
        controller.shutdown(Request::new(Empty {})).await.unwrap();
        assert!(shutdown.is_triggered());
        tokio::time::timeout(Duration::from_secs(1), shutdown.wait())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn stdio_stays_open_until_shutdown() {
        let shutdown = ShutdownSignal::new();
        let stdio = Stdio {
            shutdown: shutdown.clone(),
        };
        let mut stream = stdio
            .stream_stdio(Request::new(()))
            .await
            .unwrap()
            .into_inner();
        let waited = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(waited.is_err(), "stdio stream yielded or ended early");
        shutdown.trigger();
        let end = tokio::time::timeout(Duration::from_secs(1), stream.next())
            .await
            .unwrap();
        assert!(end.is_none());
    }
}
