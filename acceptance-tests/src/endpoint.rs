//! The local AWS endpoint: `local-aws` (moto behind the fidelity proxy), plain moto, or an
//! endpoint somebody already started.
//!
//! One shared endpoint per test process is started on first use ([`shared`], [`endpoint_url`]);
//! tests that need special behaviour start their own with [`Endpoint::start`]. Processes are
//! guarded (see [`crate::process`]): none outlives the test process.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::clients;
use crate::env;
use crate::process::{self, Guarded};

/// Flags the shared `local-aws` endpoint gets unless `ECS_ACC_LOCAL_AWS_FLAGS` says otherwise.
pub const DEFAULT_FLAGS: &[&str] = &["--strict-shapes"];

/// How long an endpoint may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// What serves the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// `local-aws`: moto plus the fidelity proxy, with `/_local/stats`.
    LocalAws,
    /// `moto_server` alone: no fidelity layer, no statistics.
    Moto,
    /// An endpoint started outside the harness (`ECS_ACC_ENDPOINT=http://…`).
    External,
}

/// A running local AWS endpoint.
#[derive(Debug)]
pub struct Endpoint {
    url: String,
    kind: EndpointKind,
    log: Option<PathBuf>,
    process: Mutex<Option<Guarded>>,
}

impl Endpoint {
    /// Start a dedicated `local-aws` with the suite's flags (`ECS_ACC_LOCAL_AWS_FLAGS` or
    /// [`DEFAULT_FLAGS`]) plus `extra`
    /// (e.g. `&["--drain-seconds", "5"]`). Stopped when dropped.
    pub fn start(extra: &[&str]) -> Result<Endpoint, String> {
        let mut flags = base_flags();
        flags.extend(extra.iter().map(|s| s.to_string()));
        Self::start_local_aws(&flags)
    }

    /// Start a dedicated `local-aws` with exactly `flags`.
    pub fn start_exact(flags: &[&str]) -> Result<Endpoint, String> {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        Self::start_local_aws(&flags)
    }

    /// Start a dedicated plain `moto_server` on a free loopback port (no fidelity layer).
    pub fn start_moto() -> Result<Endpoint, String> {
        no_real_aws()?;
        env::ensure_tools()?;
        let bin = env::moto_server_bin();
        let log_path = new_log_path("moto");
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut cmd = Command::new(&bin);
        cmd.args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(Stdio::piped());
        let mut guard = process::spawn_guarded(cmd)
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stderr = guard.child_mut().stderr.take().expect("piped stderr");
        // moto (werkzeug) announces "Running on http://127.0.0.1:PORT" on stderr and then logs
        // every request there: keep copying it to the log so the pipe never fills.
        let rx = forward_lines(stderr, log, |line| {
            let rest = line.split("Running on http://127.0.0.1:").nth(1)?;
            let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!port.is_empty()).then(|| format!("http://127.0.0.1:{port}"))
        });
        let url = wait_for_url(&mut guard, rx, &log_path, "moto_server")?;
        wait_for_socket(&url)?;
        Ok(Self::running(url, EndpointKind::Moto, log_path, guard))
    }

    fn start_local_aws(flags: &[String]) -> Result<Endpoint, String> {
        no_real_aws()?;
        env::ensure_tools()?;
        let bin = env::local_aws_bin();
        if !bin.exists() {
            return Err(format!(
                "{} not found: run `cargo build -p acceptance-tests --bin local-aws` \
                 (or set ECS_LOCAL_AWS_BIN, or ECS_ACC_ENDPOINT=moto for plain moto)",
                bin.display()
            ));
        }
        let log_path = new_log_path("local-aws");
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut cmd = Command::new(&bin);
        cmd.arg("--moto")
            .arg(env::moto_server_bin())
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log.try_clone().map_err(|e| e.to_string())?);
        let mut guard = process::spawn_guarded(cmd)
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = guard.child_mut().stdout.take().expect("piped stdout");
        let rx = forward_lines(stdout, log, |line| {
            line.trim()
                .strip_prefix("AWS_ENDPOINT_URL=")
                .map(str::to_string)
        });
        let url = wait_for_url(&mut guard, rx, &log_path, "local-aws")?;
        Ok(Self::running(url, EndpointKind::LocalAws, log_path, guard))
    }

    fn running(url: String, kind: EndpointKind, log: PathBuf, guard: Guarded) -> Endpoint {
        Endpoint {
            url,
            kind,
            log: Some(log),
            process: Mutex::new(Some(guard)),
        }
    }

    /// Use an endpoint started elsewhere (nothing is started or stopped).
    pub fn external(url: impl Into<String>) -> Endpoint {
        Endpoint {
            url: url.into().trim_end_matches('/').to_string(),
            kind: EndpointKind::External,
            log: None,
            process: Mutex::new(None),
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What serves this endpoint.
    pub fn kind(&self) -> EndpointKind {
        self.kind
    }

    /// The file receiving the endpoint's output (requests logged by moto, proxy messages).
    pub fn log_path(&self) -> Option<&Path> {
        self.log.as_deref()
    }

    /// Request counts by `"service:Action"` since start or the last [`Endpoint::reset_stats`]
    /// (`GET /_local/stats`; `local-aws` only).
    pub async fn stats(&self) -> Result<BTreeMap<String, u64>, String> {
        let body = self.local_api(Method::GET, "/_local/stats").await?;
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| format!("/_local/stats returned invalid JSON ({e}): {body:?}"))?;
        let object = value
            .as_object()
            .ok_or_else(|| format!("/_local/stats returned a non-object: {value}"))?;
        object
            .iter()
            .map(|(k, v)| {
                v.as_u64()
                    .map(|n| (k.clone(), n))
                    .ok_or_else(|| format!("/_local/stats: count for {k} is not a number: {v}"))
            })
            .collect()
    }

    /// Every request as `"service:Action"`, in the order they arrived, since start or the last
    /// [`Endpoint::reset_stats`] (`GET /_local/calls`; `local-aws` only).
    pub async fn calls(&self) -> Result<Vec<String>, String> {
        let body = self.local_api(Method::GET, "/_local/calls").await?;
        serde_json::from_slice(&body)
            .map_err(|e| format!("/_local/calls returned invalid JSON ({e})"))
    }

    /// Reset the request counts and the call log (`POST /_local/stats/reset`; `local-aws` only).
    pub async fn reset_stats(&self) -> Result<(), String> {
        self.local_api(Method::POST, "/_local/stats/reset")
            .await
            .map(|_| ())
    }

    async fn local_api(&self, method: Method, path: &str) -> Result<Bytes, String> {
        if self.kind == EndpointKind::Moto {
            return Err(format!(
                "{path} needs local-aws; this endpoint is plain moto"
            ));
        }
        let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let uri = format!("{}{path}", self.url);
        let request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let response = client
            .request(request)
            .await
            .map_err(|e| format!("{method} {uri}: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{method} {uri}: {e}"))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!(
                "{method} {uri}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(body)
    }

    /// An ECS client for this endpoint (region us-east-1, static test credentials).
    pub async fn ecs_client(&self) -> aws_sdk_ecs::Client {
        clients::ecs_client_for(Some(&self.url)).await
    }

    /// An SSM client for this endpoint (region us-east-1, static test credentials).
    pub async fn ssm_client(&self) -> aws_sdk_ssm::Client {
        clients::ssm_client_for(Some(&self.url)).await
    }

    /// Whether the endpoint's process is still running (always true for external endpoints).
    pub fn is_running(&self) -> bool {
        let mut process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        match process.as_mut() {
            Some(guard) => guard.try_wait().is_none(),
            None => self.kind == EndpointKind::External,
        }
    }

    /// The process id of the endpoint (0 for external endpoints).
    pub fn pid(&self) -> u32 {
        let process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        process.as_ref().map(Guarded::id).unwrap_or(0)
    }

    /// Stop the endpoint now (SIGTERM, reaped in the background). Dropping does the same.
    pub fn stop(&self) {
        let guard = self
            .process
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(guard) = guard {
            guard.terminate(Duration::from_secs(10));
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop();
        if let Some(log) = &self.log
            && !env::persist_working_dirs()
        {
            let _ = std::fs::remove_file(log);
        }
    }
}

fn no_real_aws() -> Result<(), String> {
    if env::real_aws() {
        Err("no local endpoint in ECS_ACC_REAL mode".to_string())
    } else {
        Ok(())
    }
}

fn new_log_path(kind: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join("ecs-acc-logs");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!(
        "{kind}-{}-{}.log",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    // Startup errors quote the log's tail, so it is only needed while the process runs.
    if !env::persist_working_dirs() {
        process::remove_at_exit(path.clone());
    }
    path
}

/// Copy every line of `from` into `log` on a background thread; the first line for which
/// `find` returns a value is sent on the returned channel.
fn forward_lines(
    from: impl Read + Send + 'static,
    mut log: File,
    find: impl Fn(&str) -> Option<String> + Send + 'static,
) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(log, "{line}");
            if tx.is_some()
                && let Some(found) = find(&line)
            {
                let _ = tx.take().expect("checked").send(found);
            }
        }
    });
    rx
}

fn wait_for_url(
    guard: &mut Guarded,
    rx: mpsc::Receiver<String>,
    log: &Path,
    what: &str,
) -> Result<String, String> {
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(url) => Ok(url),
        Err(e) => {
            // Give the copying thread a moment to flush the last lines of a crashed process.
            std::thread::sleep(Duration::from_millis(100));
            let status = match guard.try_wait() {
                Some(status) => format!("exited with {status}"),
                None if matches!(e, mpsc::RecvTimeoutError::Timeout) => {
                    format!("printed no address within {}s", START_TIMEOUT.as_secs())
                }
                None => "closed its output without printing an address".to_string(),
            };
            let output = std::fs::read_to_string(log).unwrap_or_default();
            Err(format!(
                "{what} {status}; its output ({}):\n{}",
                log.display(),
                crate::report::tail(&output, 40)
            ))
        }
    }
}

fn wait_for_socket(url: &str) -> Result<(), String> {
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| format!("bad endpoint address {url}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("{url} does not accept connections"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// `ECS_ACC_LOCAL_AWS_FLAGS` (split on whitespace) or [`DEFAULT_FLAGS`].
fn base_flags() -> Vec<String> {
    match std::env::var("ECS_ACC_LOCAL_AWS_FLAGS") {
        Ok(flags) => flags.split_whitespace().map(str::to_string).collect(),
        Err(_) => DEFAULT_FLAGS.iter().map(|s| s.to_string()).collect(),
    }
}

/// The endpoint shared by every test of this process, started on first use according to
/// `ECS_ACC_ENDPOINT` (`local-aws` by default, with `ECS_ACC_LOCAL_AWS_FLAGS` or
/// [`DEFAULT_FLAGS`]). Errors in `ECS_ACC_REAL` mode and when the endpoint cannot start.
pub fn shared() -> Result<&'static Endpoint, String> {
    static SHARED: OnceLock<Result<Endpoint, String>> = OnceLock::new();
    no_real_aws()?;
    SHARED
        .get_or_init(|| {
            let choice = std::env::var("ECS_ACC_ENDPOINT").unwrap_or_default();
            match choice.as_str() {
                "" | "local-aws" => Endpoint::start_local_aws(&base_flags()),
                "moto" => Endpoint::start_moto(),
                url if url.starts_with("http://") || url.starts_with("https://") => {
                    Ok(Endpoint::external(url))
                }
                other => Err(format!(
                    "ECS_ACC_ENDPOINT={other}: expected local-aws, moto or an http:// URL"
                )),
            }
        })
        .as_ref()
        .map_err(|e| format!("local AWS endpoint failed to start: {e}"))
}

/// The shared endpoint for a test of the fidelity layer itself, or `None` (with a notice) when
/// the test must be skipped: `TF_ACC` unset, real AWS, or an endpoint without the layer.
pub fn local_endpoint(test: &str) -> Option<&'static Endpoint> {
    if env::skip_without_acc(test) {
        return None;
    }
    if env::real_aws() {
        eprintln!("{test}: skipped: tests the local endpoint (ECS_ACC_REAL is set)");
        return None;
    }
    let endpoint = shared_or_panic();
    if endpoint.kind() != EndpointKind::LocalAws {
        eprintln!("{test}: skipped: the shared endpoint is not local-aws");
        return None;
    }
    Some(endpoint)
}

fn shared_or_panic() -> &'static Endpoint {
    shared().unwrap_or_else(|e| panic!("{e}"))
}

/// URL of the shared endpoint. Panics in `ECS_ACC_REAL` mode or if it cannot start.
pub fn endpoint_url() -> String {
    shared_or_panic().url().to_string()
}

/// Request counts of the shared endpoint (polluted by tests running in parallel: use a
/// dedicated [`Endpoint`] to count precisely). Panics on failure.
pub async fn stats() -> BTreeMap<String, u64> {
    shared_or_panic()
        .stats()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Reset the shared endpoint's request counts. Panics on failure.
pub async fn reset_stats() {
    shared_or_panic()
        .reset_stats()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// ECS client for the shared endpoint, or for real AWS in `ECS_ACC_REAL` mode.
pub async fn ecs_client() -> aws_sdk_ecs::Client {
    if env::real_aws() {
        clients::ecs_client_for(None).await
    } else {
        shared_or_panic().ecs_client().await
    }
}

/// SSM client for the shared endpoint, or for real AWS in `ECS_ACC_REAL` mode.
pub async fn ssm_client() -> aws_sdk_ssm::Client {
    if env::real_aws() {
        clients::ssm_client_for(None).await
    } else {
        shared_or_panic().ssm_client().await
    }
}
