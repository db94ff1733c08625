//! The serve loop: start-up checks, binding, the handshake line, serving until told to stop.

use std::ffi::OsString;
use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use serde_json::Map;
use tokio::net::{UnixListener, UnixStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::service::Routes;
use tonic::transport::Server;

use super::logging::{self, LineWriter as _};
use super::services::{self, ShutdownSignal};
use super::{debug, handshake, socket, tls};

/// What the binary is and where Terraform finds it.
#[derive(Debug, Clone, Copy)]
pub struct ServeConfig {
    /// Provider source address, e.g. `registry.terraform.io/ecsrs/ecs`.
    pub provider_address: &'static str,
    /// Executable name, e.g. `terraform-provider-ecs`.
    pub binary_name: &'static str,
}

/// How long a graceful stop may take before the process exits anyway; go-plugin kills
/// after 2 s.
const GRACE: Duration = Duration::from_millis(500);
/// A TLS handshake that has not finished by then is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Launched by Terraform: cookie, handshake line, AutoMTLS, SIGINT ignored.
    Managed,
    /// Started by a developer: plaintext, reattach instructions, Ctrl-C stops.
    Debug,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    Serve(Mode),
    Version,
    Help,
}

const USAGE: &str = concat!(
    "usage: {bin} [-debug] [-version]\n",
    "  -debug    serve for TF_REATTACH_PROVIDERS (prints the value to set) until Ctrl-C\n",
    "  -version  print the version and exit\n",
    "Without flags the binary expects to be launched by Terraform or OpenTofu.\n",
);

fn usage(binary_name: &str) -> String {
    USAGE.replace("{bin}", binary_name)
}

/// Parses the flags, accepting Go's spellings (`-debug`, `--debug`, `-debug=true`).
pub(crate) fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut command = Command::Serve(Mode::Managed);
    for arg in args {
        let arg = arg.to_string_lossy().into_owned();
        let flag = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        let Some(flag) = flag else {
            return Err(format!("unexpected argument {arg:?}"));
        };
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (flag, None),
        };
        let on = match value {
            None | Some("true" | "1" | "t" | "T" | "TRUE" | "True") => true,
            Some("false" | "0" | "f" | "F" | "FALSE" | "False") => false,
            Some(v) => return Err(format!("invalid value {v:?} for flag -{name}")),
        };
        match name {
            "debug" if on => command = Command::Serve(Mode::Debug),
            "debug" => {}
            "version" | "v" if on => return Ok(Command::Version),
            "help" | "h" => return Ok(Command::Help),
            "version" | "v" => {}
            _ => return Err(format!("unknown flag {arg:?}")),
        }
    }
    Ok(command)
}

/// Parses args (`-debug`/`--debug`), checks cookie and protocol (not in debug mode),
/// installs logging, builds a multi-thread tokio runtime, calls `make_routes` inside it and
/// serves until Shutdown or SIGTERM (or Ctrl-C in debug mode).
///
/// `make_routes` returns the provider's gRPC service(s); health, controller, stdio and
/// broker are added here.
pub fn run(config: ServeConfig, make_routes: impl FnOnce() -> Routes) -> ExitCode {
    let mode = match parse_args(std::env::args_os().skip(1)) {
        Ok(Command::Serve(mode)) => mode,
        Ok(Command::Version) => {
            println!("{} {}", config.binary_name, env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            print!("{}", usage(config.binary_name));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("{e}\n{}", usage(config.binary_name));
            return ExitCode::from(2);
        }
    };
    let env = |key: &str| std::env::var(key).ok();

    if mode == Mode::Managed {
        if let Err(e) = handshake::check_cookie(env(handshake::MAGIC_COOKIE_KEY).as_deref()) {
            eprint!("{e}");
            return ExitCode::from(1);
        }
        if let Err(e) =
            handshake::negotiate_protocol(env(handshake::PROTOCOL_VERSIONS_KEY).as_deref())
        {
            eprintln!("Error: {e}");
            return ExitCode::from(1);
        }
    }

    let module = logging::module_name(config.binary_name);
    logging::install_panic_hook(&module);
    let level_var = logging::provider_level_var(config.provider_address);
    logging::init(&module, logging::level_from_env(&level_var, env));
    let fatal = |message: &str, error: &dyn std::fmt::Display| {
        let mut fields = Map::new();
        fields.insert("error".into(), error.to_string().into());
        logging::Stderr.write_line(&logging::error_line(&module, message, fields));
        ExitCode::from(1)
    };

    // AutoMTLS only when the host asked for it; reattach and TF_DISABLE_PLUGIN_TLS are h2c.
    let client_cert = env(tls::CLIENT_CERT_KEY).filter(|pem| !pem.trim().is_empty());
    let tls = match (mode, client_cert) {
        (Mode::Managed, Some(pem)) => match setup_tls(&pem) {
            Ok(tls) => Some(tls),
            Err(e) => return fatal("TLS set-up failed", &e),
        },
        _ => None,
    };

    // Bound before the runtime starts its threads, the only moment the umask can safely be
    // narrowed.
    let options = socket::SocketOptions::from_env(config.binary_name, env);
    let bound = match socket::bind_at_startup(&options) {
        Ok(bound) => bound,
        Err(e) => return fatal("cannot create the plugin socket", &e),
    };
    // Also removes the file when a panic unwinds out of `make_routes`.
    let socket_file = socket::RemoveOnDrop(bound.path.clone());

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fatal("cannot start the async runtime", &e),
    };
    let end = runtime.block_on(serve_process(config, mode, bound, tls, make_routes));
    drop(socket_file);
    match end {
        Ok(ServeEnd::Graceful) => {
            tracing::debug!("plugin server stopped");
            runtime.shutdown_timeout(Duration::from_millis(100));
            ExitCode::SUCCESS
        }
        Ok(ServeEnd::Forced) => {
            tracing::debug!("connections still open after the grace period, exiting anyway");
            // Do not wait for tasks that ignore cancellation (blocking calls).
            std::process::exit(0)
        }
        Err(e) => {
            let code = fatal("plugin server failed", &e);
            runtime.shutdown_timeout(Duration::from_millis(100));
            code
        }
    }
}

/// Our TLS configuration and the certificate the handshake line announces.
struct TlsSetup {
    config: Arc<ServerConfig>,
    cert_der: Vec<u8>,
}

fn setup_tls(client_pem: &str) -> Result<TlsSetup, tls::TlsSetupError> {
    let pinned = tls::parse_client_cert_pem(client_pem)?;
    let identity = tls::ServerIdentity::generate()?;
    let config = tls::server_config(&identity, pinned)?;
    Ok(TlsSetup {
        config,
        cert_der: identity.cert_der.to_vec(),
    })
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServeEnd {
    /// Every connection closed within the grace period.
    Graceful,
    /// The grace period ran out.
    Forced,
}

/// Anything that ends serving with an error.
#[derive(Debug)]
pub(crate) enum ServeError {
    Io(&'static str, io::Error),
    Transport(tonic::transport::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(what, e) => write!(f, "{what}: {e}"),
            Self::Transport(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

async fn serve_process(
    config: ServeConfig,
    mode: Mode,
    bound: socket::BoundSocket,
    tls: Option<TlsSetup>,
    make_routes: impl FnOnce() -> Routes,
) -> Result<ServeEnd, ServeError> {
    // Signals first, so a Ctrl-C during a slow `make_routes` is already handled.
    let shutdown = ShutdownSignal::new();
    watch_signals(mode, &shutdown)
        .map_err(|e| ServeError::Io("cannot install signal handlers", e))?;
    let routes = services::add_side_services(make_routes(), &shutdown).await;
    let listener = UnixListener::from_std(bound.listener)
        .map_err(|e| ServeError::Io("cannot register the plugin socket", e))?;
    let path = bound.path.to_string_lossy().into_owned();

    // Everything is bound and registered: now announce ourselves.
    let announcement = match mode {
        Mode::Managed => {
            handshake::handshake_line(&path, tls.as_ref().map(|t| t.cert_der.as_slice()))
        }
        Mode::Debug => debug::instructions(
            config.binary_name,
            config.provider_address,
            std::process::id(),
            &path,
        ),
    };
    write_stdout(&announcement).map_err(|e| ServeError::Io("cannot write the handshake", e))?;
    tracing::debug!(
        network = "unix",
        address = %path,
        tls = tls.is_some(),
        "plugin address"
    );

    let dir = bound.path.parent().map(Path::to_path_buf);
    let prefix = config.binary_name.to_owned();
    if let Some(dir) = dir {
        // After the handshake: a large temp directory must not delay start-up.
        tokio::task::spawn_blocking(move || {
            for path in socket::sweep_stale(&dir, &prefix) {
                tracing::debug!(path = %path.display(), "removed a stale plugin socket");
            }
        });
    }

    serve_on(listener, tls.map(|t| t.config), routes, shutdown).await
}

/// The handshake line must be the first stdout output and must not sit in a buffer.
fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// SIGTERM stops. SIGINT stops only in debug mode: under Terraform, Ctrl-C reaches the
/// whole process group and Terraform itself decides how to wind down (StopProvider, then
/// Shutdown), so dying here would lose in-flight applies.
fn watch_signals(mode: Mode, shutdown: &ShutdownSignal) -> io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        let mut interrupts = 0u64;
        loop {
            tokio::select! {
                Some(()) = interrupt.recv() => {
                    interrupts += 1;
                    if mode == Mode::Debug {
                        tracing::info!("interrupt received, stopping");
                        shutdown.trigger();
                    } else {
                        tracing::debug!(count = interrupts, "interrupt received, ignoring it: the plugin host decides when to stop");
                    }
                }
                Some(()) = terminate.recv() => {
                    tracing::debug!("terminate signal received, stopping");
                    shutdown.trigger();
                }
                else => break,
            }
        }
    });
    Ok(())
}

/// Serves `routes` on `listener` until `shutdown` is set, then stops gracefully within
/// [`GRACE`].
pub(crate) async fn serve_on(
    listener: UnixListener,
    tls: Option<Arc<ServerConfig>>,
    routes: Routes,
    shutdown: ShutdownSignal,
) -> Result<ServeEnd, ServeError> {
    match tls {
        Some(config) => {
            let acceptor = TlsAcceptor::from(config);
            let (incoming, accept_task) = spawn_accept_loop(listener, move |stream| {
                let acceptor = acceptor.clone();
                async move {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        Ok(result) => result,
                        Err(_) => Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "TLS handshake timed out",
                        )),
                    }
                }
            });
            let end = serve_incoming(routes, incoming, &shutdown).await;
            accept_task.abort();
            end
        }
        None => {
            let (incoming, accept_task) =
                spawn_accept_loop(listener, |stream| async { Ok(stream) });
            let end = serve_incoming(routes, incoming, &shutdown).await;
            accept_task.abort();
            end
        }
    }
}

type Incoming<IO> = mpsc::Receiver<Result<IO, io::Error>>;

/// Accepts connections and upgrades each on its own task, so a slow or failed TLS
/// handshake neither blocks others nor reaches tonic (which would stop serving on an
/// incoming error).
fn spawn_accept_loop<IO, F, Fut>(
    listener: UnixListener,
    upgrade: F,
) -> (Incoming<IO>, tokio::task::JoinHandle<()>)
where
    IO: Send + 'static,
    F: Fn(UnixStream) -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<IO>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let upgrading = upgrade(stream);
            let tx = tx.clone();
            tokio::spawn(async move {
                match upgrading.await {
                    Ok(io) => {
                        let _ = tx.send(Ok(io)).await;
                    }
                    Err(e) => tracing::warn!(error = %e, "connection refused during TLS handshake"),
                }
            });
        }
    });
    (rx, task)
}

async fn serve_incoming<IO>(
    routes: Routes,
    incoming: Incoming<IO>,
    shutdown: &ShutdownSignal,
) -> Result<ServeEnd, ServeError>
where
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
{
    let server = Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(ReceiverStream::new(incoming), shutdown.wait());
    let deadline = {
        let stopped = shutdown.wait();
        async move {
            stopped.await;
            tokio::time::sleep(GRACE).await;
        }
    };
    tokio::select! {
        result = server => result.map(|()| ServeEnd::Graceful).map_err(ServeError::Transport),
        () = deadline => Ok(ServeEnd::Forced),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::h2_test_client::H2Client;
    use crate::plugin::socket::tests::TempDir;
    use crate::plugin::tls::tests::{client_config, p521_client_identity};
    use std::time::Instant;
    use tokio_rustls::TlsConnector;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn flags() {
        assert_eq!(parse_args(args(&[])), Ok(Command::Serve(Mode::Managed)));
        assert_eq!(
            parse_args(args(&["-debug"])),
            Ok(Command::Serve(Mode::Debug))
        );
        assert_eq!(
            parse_args(args(&["--debug"])),
            Ok(Command::Serve(Mode::Debug))
        );
        assert_eq!(
            parse_args(args(&["-debug=true"])),
            Ok(Command::Serve(Mode::Debug))
        );
        assert_eq!(
            parse_args(args(&["-debug=false"])),
            Ok(Command::Serve(Mode::Managed))
        );
        assert_eq!(parse_args(args(&["--version"])), Ok(Command::Version));
        assert_eq!(
            parse_args(args(&["-debug", "-version"])),
            Ok(Command::Version)
        );
        assert_eq!(parse_args(args(&["-h"])), Ok(Command::Help));
        assert!(parse_args(args(&["-debgu"])).is_err());
        assert!(parse_args(args(&["serve"])).is_err());
        assert!(parse_args(args(&["-debug=maybe"])).is_err());
        assert!(usage("terraform-provider-ecs").starts_with("usage: terraform-provider-ecs "));
    }

    const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";
    /// HealthCheckRequest{service: "plugin"}
    const CHECK_PLUGIN: &[u8] = b"\x0a\x06plugin";
    /// HealthCheckResponse{status: SERVING}, in a gRPC frame.
    const SERVING: &[u8] = b"\x00\x00\x00\x00\x02\x08\x01";
    /// An empty message in a gRPC frame: the Shutdown reply.
    const EMPTY_REPLY: &[u8] = b"\x00\x00\x00\x00\x00";

    struct Harness {
        _dir: TempDir,
        path: std::path::PathBuf,
        shutdown: ShutdownSignal,
        server: tokio::task::JoinHandle<Result<ServeEnd, ServeError>>,
    }

    async fn start(tls: Option<Arc<ServerConfig>>) -> Harness {
        let dir = TempDir::new();
        let bound = socket::bind(&socket::SocketOptions {
            dir: dir.0.clone(),
            prefix: "terraform-provider-ecs".into(),
            group: None,
        })
        .unwrap();
        let listener = UnixListener::from_std(bound.listener).unwrap();
        let shutdown = ShutdownSignal::new();
        let routes = services::add_side_services(Routes::default(), &shutdown).await;
        let server = tokio::spawn(serve_on(listener, tls, routes, shutdown.clone()));
        Harness {
            _dir: dir,
            path: bound.path,
            shutdown,
            server,
        }
    }

    async fn exercise<IO>(mut client: H2Client<IO>, harness: Harness)
    where
        IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let reply = client.unary(HEALTH_CHECK, CHECK_PLUGIN).await.unwrap();
        assert_eq!(reply.data, SERVING);

        // Unknown service name: NotFound, a trailers-only reply without data.
        let reply = client.unary(HEALTH_CHECK, b"\x0a\x04nope").await.unwrap();
        assert!(reply.data.is_empty());

        // Open stdio and broker streams: they must neither answer nor block shutdown.
        let stdio = client
            .open("/plugin.GRPCStdio/StreamStdio", b"", true)
            .await
            .unwrap();
        let broker = client
            .open("/plugin.GRPCBroker/StartStream", b"", false)
            .await
            .unwrap();
        assert!(
            !client
                .poll_for(Duration::from_millis(100), stdio)
                .await
                .unwrap()
                .ended
        );

        let started = Instant::now();
        let reply = client
            .unary("/plugin.GRPCController/Shutdown", b"")
            .await
            .unwrap();
        assert_eq!(reply.data, EMPTY_REPLY);
        assert!(harness.shutdown.is_triggered());

        let end = tokio::time::timeout(Duration::from_secs(3), harness.server)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
        assert!(started.elapsed() < GRACE + Duration::from_millis(400));
        assert_eq!(end, ServeEnd::Graceful);
        // The side streams ended cleanly (no data, trailers sent).
        let stdio_state = client
            .poll_for(Duration::from_millis(200), stdio)
            .await
            .unwrap();
        assert!(stdio_state.ended && stdio_state.data.is_empty());
        let broker_state = client
            .poll_for(Duration::from_millis(200), broker)
            .await
            .unwrap();
        assert!(broker_state.ended && broker_state.data.is_empty());
    }

    #[tokio::test]
    async fn serves_h2c_health_and_stops_on_shutdown_rpc() {
        let harness = start(None).await;
        let stream = UnixStream::connect(&harness.path).await.unwrap();
        let client = H2Client::handshake(stream, "http").await.unwrap();
        exercise(client, harness).await;
    }

    #[tokio::test]
    async fn serves_over_mtls_and_survives_refused_clients() {
        let pinned = p521_client_identity();
        let setup = setup_tls(&pinned.cert_pem).unwrap();
        let server_cert = rustls::pki_types::CertificateDer::from(setup.cert_der.clone());
        let harness = start(Some(setup.config)).await;

        // A stranger and a client without a certificate are refused...
        let stranger = p521_client_identity();
        for identity in [Some(&stranger), None] {
            let config = client_config(&server_cert, identity, &rustls::version::TLS13);
            let stream = UnixStream::connect(&harness.path).await.unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let result = async {
                let tls = TlsConnector::from(config).connect(name, stream).await?;
                let mut client = H2Client::handshake(tls, "https").await?;
                client.unary(HEALTH_CHECK, CHECK_PLUGIN).await
            }
            .await;
            assert!(result.is_err(), "refused client got an answer");
        }
        // ...without stopping the server for the pinned client.
        let config = client_config(&server_cert, Some(&pinned), &rustls::version::TLS13);
        let stream = UnixStream::connect(&harness.path).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = TlsConnector::from(config)
            .connect(name, stream)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let client = H2Client::handshake(tls, "https").await.unwrap();
        exercise(client, harness).await;
    }

    #[tokio::test]
    async fn silent_connections_do_not_block_others() {
        let pinned = p521_client_identity();
        let setup = setup_tls(&pinned.cert_pem).unwrap();
        let server_cert = rustls::pki_types::CertificateDer::from(setup.cert_der.clone());
        let harness = start(Some(setup.config)).await;
        // Connected but never speaks TLS.
        let _idle = UnixStream::connect(&harness.path).await.unwrap();
        let config = client_config(&server_cert, Some(&pinned), &rustls::version::TLS12);
        let stream = UnixStream::connect(&harness.path).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio::time::timeout(
            Duration::from_secs(2),
            TlsConnector::from(config).connect(name, stream),
        )
        .await
        .unwrap()
        .unwrap();
        let mut client = H2Client::handshake(tls, "https").await.unwrap();
        let reply = client.unary(HEALTH_CHECK, CHECK_PLUGIN).await.unwrap();
        assert_eq!(reply.data, SERVING);
        harness.shutdown.trigger();
        let end = tokio::time::timeout(Duration::from_secs(3), harness.server)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(matches!(end, ServeEnd::Graceful | ServeEnd::Forced));
    }
}
