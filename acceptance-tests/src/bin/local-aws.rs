//! `local-aws`: starts a pinned moto server on a free loopback port with a proxy in front of it,
//! prints `AWS_ENDPOINT_URL=http://127.0.0.1:PORT` (the proxy) as its first stdout line and serves
//! until SIGTERM or SIGINT, then stops moto. The proxy counts calls by `service:Action`
//! (`GET /_local/stats`, `POST /_local/stats/reset`) and otherwise passes calls through unchanged.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::signal::unix::{SignalKind, signal};

fn moto_path(args: &[String]) -> PathBuf {
    if let Some(i) = args.iter().position(|a| a == "--moto")
        && let Some(p) = args.get(i + 1)
    {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("tools/.venv/bin/moto_server")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let moto = moto_path(&args);
    let mut cmd = Command::new(&moto);
    cmd.args(["-H", "127.0.0.1", "-p", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: prctl in the child before exec only asks the kernel to signal it when we die.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("local-aws: could not start {}: {e}", moto.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let port = loop {
        match tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(p) = digits.parse::<u16>() {
                        break p;
                    }
                }
            }
            _ => {
                eprintln!("local-aws: moto did not report its port");
                return std::process::ExitCode::FAILURE;
            }
        }
    };
    // Keep draining moto's log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("local-aws: could not listen on loopback: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let proxy_port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let proxy = Arc::new(Proxy {
        upstream: format!("http://127.0.0.1:{port}"),
        client: Client::builder(TokioExecutor::new()).build_http(),
        stats: Mutex::new(BTreeMap::new()),
    });
    tokio::spawn(serve(listener, proxy));
    println!("AWS_ENDPOINT_URL=http://127.0.0.1:{proxy_port}");
    let _ = std::io::stdout().flush();
    let mut term = signal(SignalKind::terminate()).expect("signal handler");
    let mut int = signal(SignalKind::interrupt()).expect("signal handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = child.wait() => {
            eprintln!("local-aws: moto exited");
            return std::process::ExitCode::FAILURE;
        }
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
    std::process::ExitCode::SUCCESS
}

struct Proxy {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    stats: Mutex<BTreeMap<String, u64>>,
}

async fn serve(listener: TcpListener, proxy: Arc<Proxy>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let proxy = proxy.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(proxy.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp
}

/// `ecs:DescribeClusters` from the JSON protocol's target header or the query protocol's form body.
fn action_of(target: Option<&str>, body: &[u8]) -> String {
    if let Some(target) = target {
        let (prefix, action) = target.split_once('.').unwrap_or(("", target));
        let service = match prefix {
            p if p.starts_with("AmazonEC2ContainerService") => "ecs",
            "AmazonSSM" => "ssm",
            p => p,
        };
        return format!("{service}:{action}");
    }
    let form = String::from_utf8_lossy(body);
    let action = form
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("unknown");
    format!("ec2:{action}")
}

async fn handle(
    proxy: Arc<Proxy>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path() == "/_local/stats" {
        let stats = proxy.stats.lock().unwrap_or_else(|e| e.into_inner());
        let body = serde_json::to_vec(&*stats).unwrap_or_default();
        return Ok(reply(StatusCode::OK, body));
    }
    if req.uri().path() == "/_local/stats/reset" {
        proxy
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        return Ok(reply(StatusCode::OK, "{}"));
    }
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Ok(reply(StatusCode::BAD_REQUEST, e.to_string())),
    };
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    let action = action_of(target, &body);
    *proxy
        .stats
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(action.clone())
        .or_default() += 1;

    if action == "ecs:DeleteCluster"
        && let Some(refusal) = delete_cluster_refusal(&proxy, &body).await
    {
        return Ok(refusal);
    }

    let uri = format!(
        "{}{}",
        proxy.upstream,
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut forward = Request::builder().method(parts.method).uri(uri);
    for (name, value) in &parts.headers {
        forward = forward.header(name, value);
    }
    let Ok(forward) = forward.body(Full::new(body)) else {
        return Ok(reply(StatusCode::BAD_REQUEST, "malformed request"));
    };
    match proxy.client.request(forward).await {
        Ok(resp) => {
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok(Response::from_parts(parts, Full::new(body)))
        }
        Err(e) => Ok(reply(
            StatusCode::BAD_GATEWAY,
            format!("moto did not answer: {e}"),
        )),
    }
}

/// One ECS JSON call straight to moto (the layer's own questions, not counted in the stats).
async fn ecs_call(
    proxy: &Proxy,
    action: &str,
    body: serde_json::Value,
) -> Option<serde_json::Value> {
    let req = Request::builder()
        .method("POST")
        .uri(format!("{}/", proxy.upstream))
        .header(
            "x-amz-target",
            format!("AmazonEC2ContainerServiceV20141113.{action}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecs/aws4_request",
        )
        .body(Full::new(Bytes::from(body.to_string())))
        .ok()?;
    let resp = proxy.client.request(req).await.ok()?;
    let bytes = resp.into_body().collect().await.ok()?.to_bytes();
    serde_json::from_slice(&bytes).ok()
}

/// Real ECS refuses to delete a cluster that still has ACTIVE or DRAINING services; moto does not.
async fn delete_cluster_refusal(proxy: &Proxy, body: &[u8]) -> Option<Response<Full<Bytes>>> {
    let request: serde_json::Value = serde_json::from_slice(body).ok()?;
    let cluster = request.get("cluster")?.as_str()?.to_string();
    let listed = ecs_call(
        proxy,
        "ListServices",
        serde_json::json!({ "cluster": cluster }),
    )
    .await?;
    let arns: Vec<serde_json::Value> = listed.get("serviceArns")?.as_array()?.clone();
    if arns.is_empty() {
        return None;
    }
    let described = ecs_call(
        proxy,
        "DescribeServices",
        serde_json::json!({ "cluster": cluster, "services": arns }),
    )
    .await?;
    let active = described.get("services")?.as_array()?.iter().any(|s| {
        matches!(
            s.get("status").and_then(|v| v.as_str()),
            Some("ACTIVE" | "DRAINING")
        )
    });
    if !active {
        return None;
    }
    let error = serde_json::json!({
        "__type": "ClusterContainsServicesException",
        "message": "The Cluster cannot be deleted while Services are active."
    });
    let mut resp = reply(StatusCode::BAD_REQUEST, error.to_string());
    resp.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    Some(resp)
}
