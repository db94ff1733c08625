//! ECS calls as JSON (the awsJson1.1 protocol ECS speaks), for the response-shape tests: they
//! compare what the endpoint puts on the wire with what ECS puts there, member by member. The
//! SDK's types would hide part of it (an absent list and an empty one look the same, members
//! it does not model are dropped), and the provider reads task definitions as raw JSON too.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Map, Value};

/// The account and caller the local endpoint answers as.
pub const ACCOUNT: &str = "123456789012";

/// Sends ECS `action` with `body` to `endpoint_url`; returns the answer, or panics with it
/// when it is an error.
pub async fn call(endpoint_url: &str, action: &str, body: &Value) -> Value {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::post(format!("{endpoint_url}/"))
        .header(
            "x-amz-target",
            format!("AmazonEC2ContainerServiceV20141113.{action}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecs/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("{action}: {e}"));
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let answer: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{action}: not JSON ({e}): {bytes:?}"));
    assert!(status.is_success(), "{action}: HTTP {status}: {answer}");
    answer
}

/// Seconds since the epoch, as ECS's timestamps count them.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The timestamp `member` of `object`, checked to lie between `from` and `to` (epoch seconds,
/// as ECS puts them on the wire), to be written into an expected answer.
pub fn stamp(object: &Value, member: &str, from: f64, to: f64) -> f64 {
    let at = object[member]
        .as_f64()
        .unwrap_or_else(|| panic!("{member} is not a number of seconds: {object:#}"));
    // The endpoint rounds to milliseconds.
    assert!(
        (from - 0.001..=to + 0.001).contains(&at),
        "{member} {at} is not between {from} and {to}"
    );
    at
}

/// `members` of `object` as it has them: a member it leaves out is absent from the answer.
pub fn pick(object: &Value, members: &[&str]) -> Value {
    let map: Map<String, Value> = members
        .iter()
        .filter_map(|m| Some((m.to_string(), object.get(*m)?.clone())))
        .collect();
    Value::Object(map)
}

/// `actual == expected`, showing both as JSON when not.
#[track_caller]
pub fn same(actual: &Value, expected: &Value, what: &str) {
    assert!(
        actual == expected,
        "{what}\n--- the endpoint answered:\n{actual:#}\n--- ECS answers:\n{expected:#}"
    );
}
