//! The AWS JSON protocol as the endpoint sees it: which service and action a request is, its
//! JSON body, and answers in AWS's shape (success bodies and typed errors).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;

/// The body type every answer uses.
pub type Reply = Response<Full<Bytes>>;

/// The AWS service a call is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Ecs,
    Ssm,
    /// Anything else (EC2's query protocol, STS, moto's own API): passed through untouched.
    Other,
}

/// One request, read whole.
#[derive(Debug, Clone)]
pub struct Call {
    pub service: Service,
    /// `DescribeClusters`; for query-protocol calls the form's `Action`.
    pub action: String,
    /// The stats key, e.g. `ecs:DescribeClusters`.
    pub key: String,
    pub method: hyper::Method,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The JSON body of an ECS or SSM call (`Null` when absent or not JSON).
    pub json: Value,
}

impl Call {
    pub fn new(
        method: hyper::Method,
        path_and_query: String,
        headers: HeaderMap,
        body: Bytes,
    ) -> Call {
        let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
        let (service, prefix, action) = match target {
            Some(target) => {
                let (prefix, action) = target.split_once('.').unwrap_or(("", target));
                let service = match prefix {
                    p if p.starts_with("AmazonEC2ContainerService") => Service::Ecs,
                    "AmazonSSM" => Service::Ssm,
                    _ => Service::Other,
                };
                let prefix = match service {
                    Service::Ecs => "ecs".to_string(),
                    Service::Ssm => "ssm".to_string(),
                    Service::Other => prefix.to_string(),
                };
                (service, prefix, action.to_string())
            }
            None => {
                let form = String::from_utf8_lossy(&body);
                let action = form
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("Action="))
                    .unwrap_or("unknown")
                    .to_string();
                (Service::Other, query_service(&headers), action)
            }
        };
        let json = match service {
            Service::Other => Value::Null,
            _ => serde_json::from_slice(&body).unwrap_or(Value::Null),
        };
        Call {
            service,
            key: format!("{prefix}:{action}"),
            action,
            method,
            path_and_query,
            headers,
            body,
            json,
        }
    }

    /// A string member of the request body.
    pub fn str(&self, member: &str) -> Option<&str> {
        self.json.get(member).and_then(Value::as_str)
    }

    /// An array member of the request body (empty when absent).
    pub fn list(&self, member: &str) -> Vec<Value> {
        self.json
            .get(member)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The same call with another JSON body.
    pub fn with_json(&self, json: Value) -> Call {
        Call {
            body: Bytes::from(json.to_string()),
            json,
            ..self.clone()
        }
    }

    /// The ECS call `action` with `json`, signed like this one (so moto sees the same region
    /// and account): the layer's own questions to moto.
    pub fn sibling(&self, action: &str, json: Value) -> Call {
        let mut headers = self.headers.clone();
        headers.insert(
            "x-amz-target",
            HeaderValue::from_str(&format!("AmazonEC2ContainerServiceV20141113.{action}"))
                .expect("action names are ASCII"),
        );
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.remove(hyper::header::CONTENT_LENGTH);
        Call {
            service: Service::Ecs,
            action: action.to_string(),
            key: format!("ecs:{action}"),
            method: hyper::Method::POST,
            path_and_query: "/".to_string(),
            headers,
            body: Bytes::from(json.to_string()),
            json,
        }
    }

    /// The region the request was signed for (moto keeps regions apart).
    pub fn region(&self) -> String {
        credential_scope(&self.headers)
            .and_then(|scope| scope.get(2).map(|s| s.to_string()))
            .unwrap_or_else(|| "us-east-1".to_string())
    }
}

/// The service named in a query-protocol call's credential scope (`ec2`, `sts`, …).
fn query_service(headers: &HeaderMap) -> String {
    credential_scope(headers)
        .and_then(|scope| scope.get(3).map(|s| s.to_string()))
        .unwrap_or_else(|| "query".to_string())
}

/// `Credential=AKID/DATE/REGION/SERVICE/aws4_request` split on `/`.
fn credential_scope(headers: &HeaderMap) -> Option<Vec<String>> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?;
    let credential = credential.split([',', ' ']).next()?;
    Some(credential.split('/').map(str::to_string).collect())
}

/// A JSON answer with AWS's content type.
pub fn json_reply(status: StatusCode, body: &Value) -> Reply {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    resp
}

/// A typed AWS error (`__type` is what the SDKs map to error variants).
pub fn aws_error(status: StatusCode, kind: &str, message: impl Into<String>) -> Reply {
    json_reply(
        status,
        &serde_json::json!({ "__type": kind, "message": message.into() }),
    )
}

/// HTTP 400 with an ECS/SSM client-side error type.
pub fn client_error(kind: &str, message: impl Into<String>) -> Reply {
    aws_error(StatusCode::BAD_REQUEST, kind, message)
}

/// A plain-text answer (the endpoint's own API and proxy failures).
pub fn text_reply(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp
}

/// Seconds since the epoch as AWS JSON timestamps carry them.
pub fn epoch_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(target: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(t) = target {
            h.insert("x-amz-target", HeaderValue::from_str(t).unwrap());
        }
        h.insert(
            "authorization",
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/ec2/aws4_request, SignedHeaders=host",
            ),
        );
        h
    }

    #[test]
    fn json_calls_are_named_by_their_target() {
        let call = Call::new(
            hyper::Method::POST,
            "/".into(),
            headers(Some("AmazonEC2ContainerServiceV20141113.DescribeClusters")),
            Bytes::from(r#"{"clusters":["a"]}"#),
        );
        assert_eq!(call.service, Service::Ecs);
        assert_eq!(call.key, "ecs:DescribeClusters");
        assert_eq!(call.list("clusters").len(), 1);
        assert_eq!(call.region(), "eu-west-1");
        let ssm = Call::new(
            hyper::Method::POST,
            "/".into(),
            headers(Some("AmazonSSM.GetParameter")),
            Bytes::new(),
        );
        assert_eq!(
            (ssm.service, ssm.key.as_str()),
            (Service::Ssm, "ssm:GetParameter")
        );
    }

    #[test]
    fn query_calls_are_named_by_scope_and_action() {
        let call = Call::new(
            hyper::Method::POST,
            "/".into(),
            headers(None),
            Bytes::from("Action=DescribeSubnets&Version=2016-11-15"),
        );
        assert_eq!(call.service, Service::Other);
        assert_eq!(call.key, "ec2:DescribeSubnets");
    }
}
