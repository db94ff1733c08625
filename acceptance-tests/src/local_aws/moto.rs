//! The moto server behind the endpoint: started on a free loopback port, tied to this process's
//! life, and asked questions through [`Upstream`].

use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::options::Options;
use super::wire::{Call, Reply, text_reply};

/// Start `moto_server` and wait until it names its port.
pub async fn start(options: &Options) -> Result<(Child, u16), String> {
    let mut cmd = Command::new(&options.moto);
    cmd.args(["-H", "127.0.0.1", "-p", "0"])
        .stdin(Stdio::null())
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
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", options.moto.display()))?;
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let port = loop {
        match tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(port) = digits.parse::<u16>() {
                        break port;
                    }
                }
            }
            _ => return Err("moto did not report its port".to_string()),
        }
    };
    // Keep draining moto's request log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, port))
}

/// An HTTP client for moto.
pub struct Upstream {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// moto's answer to a JSON call: status and parsed body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The AWS error type of a failed answer (`ClientException`, …).
    pub fn error_type(&self) -> Option<&str> {
        let kind = self.json.get("__type")?.as_str()?;
        Some(kind.rsplit('#').next().unwrap_or(kind))
    }
}

impl Upstream {
    pub fn new(port: u16) -> Upstream {
        Upstream {
            base: format!("http://127.0.0.1:{port}"),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Send `call` to moto as it is and return moto's answer unchanged.
    pub async fn forward(&self, call: &Call) -> Reply {
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(format!("{}{}", self.base, call.path_and_query));
        for (name, value) in &call.headers {
            // The body may have been rewritten: hyper sets the length itself.
            if name != hyper::header::CONTENT_LENGTH {
                request = request.header(name, value);
            }
        }
        let Ok(request) = request.body(Full::new(call.body.clone())) else {
            return text_reply(StatusCode::BAD_REQUEST, "malformed request");
        };
        match self.client.request(request).await {
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                Reply::from_parts(parts, Full::new(body))
            }
            Err(e) => text_reply(StatusCode::BAD_GATEWAY, format!("moto did not answer: {e}")),
        }
    }

    /// Send a JSON call and parse the answer.
    pub async fn ask(&self, call: &Call) -> Answer {
        let reply = self.forward(call).await;
        let status = reply.status();
        let bytes = reply
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::json!({
                "__type": "ServerException",
                "message": String::from_utf8_lossy(&bytes).chars().take(300).collect::<String>(),
            })
        });
        Answer { status, json }
    }
}
