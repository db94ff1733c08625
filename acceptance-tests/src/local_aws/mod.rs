//! `local-aws`: a pinned moto server behind a proxy that makes it answer like AWS.
//!
//! Every call is counted ([`stats`]), optionally delayed, throttled ([`throttle`]) or failed
//! with an injected HTTP 500 (refusals and faults are counted apart too), and then handed to
//! the [`fidelity`] layer, which adds what real ECS and SSM do and moto does not before and
//! after moto answers. `--no-fidelity` skips the layer and passes calls to moto unchanged.

pub mod fidelity;
pub mod moto;
pub mod options;
pub mod stats;
pub mod throttle;
pub mod wire;

use std::convert::Infallible;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

pub use options::Options;

use fidelity::Fidelity;
use moto::Upstream;
use stats::Stats;
use throttle::Throttle;
use wire::{Call, Reply, Service, aws_error, text_reply};

/// Everything a request needs.
pub struct Endpoint {
    options: Options,
    upstream: Upstream,
    stats: Stats,
    throttle: Throttle,
    fidelity: Fidelity,
}

/// Start moto and the proxy, print the address line, serve until SIGTERM or SIGINT.
pub async fn run(options: Options) -> ExitCode {
    let (mut child, port) = match moto::start(&options).await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("local-aws: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("local-aws: could not listen on loopback: {e}");
            return ExitCode::FAILURE;
        }
    };
    let proxy_port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let endpoint = Arc::new(Endpoint {
        fidelity: Fidelity::new(&options),
        throttle: Throttle::new(options.throttle_burst),
        options,
        upstream: Upstream::new(port),
        stats: Stats::default(),
    });
    tokio::spawn(serve(listener, endpoint));
    println!("AWS_ENDPOINT_URL=http://127.0.0.1:{proxy_port}");
    let _ = std::io::stdout().flush();
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        eprintln!("local-aws: cannot install signal handlers");
        return ExitCode::FAILURE;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = child.wait() => {
            eprintln!("local-aws: moto exited");
            return ExitCode::FAILURE;
        }
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
    ExitCode::SUCCESS
}

async fn serve(listener: TcpListener, endpoint: Arc<Endpoint>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(endpoint.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(endpoint: Arc<Endpoint>, req: Request<Incoming>) -> Result<Reply, Infallible> {
    match req.uri().path() {
        "/_local/stats" => {
            return Ok(text_reply(StatusCode::OK, endpoint.stats.to_json()));
        }
        "/_local/calls" => {
            return Ok(text_reply(StatusCode::OK, endpoint.stats.calls_json()));
        }
        "/_local/stats/reset" => {
            endpoint.stats.reset();
            return Ok(text_reply(StatusCode::OK, "{}"));
        }
        _ => {}
    }
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Ok(text_reply(StatusCode::BAD_REQUEST, e.to_string())),
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let call = Call::new(parts.method, path, parts.headers, body);
    Ok(answer(&endpoint, call).await)
}

async fn answer(endpoint: &Endpoint, call: Call) -> Reply {
    endpoint.stats.count(&call.key);
    let options = &endpoint.options;
    if !options.latency.is_zero() {
        tokio::time::sleep(options.latency).await;
    }
    if options.throttle && call.service == Service::Ecs && !endpoint.throttle.admit(&call.action) {
        // Counted apart, so a client can tell how often it was throttled.
        endpoint.stats.count(&format!("throttled:{}", call.action));
        return aws_error(
            StatusCode::BAD_REQUEST,
            "ThrottlingException",
            "Rate exceeded",
        );
    }
    if options.fault_rate > 0.0
        && call.service != Service::Other
        && rand::random::<f64>() < options.fault_rate
    {
        // Counted apart as well (`faulted:ecs:Action`), so a client's retries can be checked.
        endpoint.stats.count(&format!("faulted:{}", call.key));
        return aws_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServerException",
            "Service encountered an internal error (fault injected by local-aws).",
        );
    }
    if options.no_fidelity || call.service == Service::Other {
        return endpoint.upstream.forward(&call).await;
    }
    endpoint.fidelity.answer(&call, &endpoint.upstream).await
}
