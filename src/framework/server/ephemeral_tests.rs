//! The ephemeral resource RPCs with a small in-memory provider: validate, open (result checks,
//! unknown configuration, unknown provider configuration), renew and close with private data,
//! and unknown type names.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::*;
use crate::framework::ephemeral::{
    Close, CloseRequest, OpenRequest, OpenResponse, Renew, RenewRequest, RenewResponse,
};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::schema::validators::Length;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::{AttrPath, msgpack};

/// Opens a "token" for `name`: `mode` picks a misbehaviour.
struct Token {
    opened: AtomicUsize,
    closed: std::sync::Mutex<Vec<Vec<u8>>>,
}

#[async_trait]
impl EphemeralResource for Token {
    fn type_name(&self) -> &'static str {
        "test_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(
                    Attribute::string("name")
                        .required()
                        .validate(Length { min: 1, max: 8 }),
                )
                .attribute(Attribute::string("mode").optional())
                .attribute(Attribute::string("token").computed().sensitive()),
        )
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("mode").and_then(Value::as_str) == Some("refused") {
            diags.error_at(
                AttrPath::root().attr("mode"),
                "Refused",
                "mode may not be refused",
            );
        }
    }

    async fn open(&self, req: OpenRequest, resp: &mut OpenResponse) {
        self.opened.fetch_add(1, Ordering::SeqCst);
        let name = req.config.get("name").and_then(Value::as_str).unwrap_or("");
        let mode = req.config.get("mode").and_then(Value::as_str);
        let token = match mode {
            Some("unknown") => Value::Unknown,
            _ => Value::string(format!("token-for-{name}")),
        };
        if let Value::Object(attrs) = &mut resp.result {
            attrs.insert("token".into(), token);
            if mode == Some("rename") {
                attrs.insert("name".into(), Value::string("other"));
            }
        }
        resp.private = format!("lease-{name}").into_bytes();
        resp.renew_at = Some(SystemTime::now() + Duration::from_secs(60));
    }

    fn as_renew(&self) -> Option<&dyn Renew> {
        Some(self)
    }

    fn as_close(&self) -> Option<&dyn Close> {
        Some(self)
    }
}

#[async_trait]
impl Renew for Token {
    async fn renew(&self, req: RenewRequest, resp: &mut RenewResponse) {
        resp.private = [req.private.as_slice(), b"+renewed"].concat();
    }
}

#[async_trait]
impl Close for Token {
    async fn close(&self, req: CloseRequest, _diags: &mut Diagnostics) {
        self.closed.lock().unwrap().push(req.private);
    }
}

/// Nothing to renew or release; asks for a renewal anyway.
struct Plain;

#[async_trait]
impl EphemeralResource for Plain {
    fn type_name(&self) -> &'static str {
        "test_plain"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attribute(Attribute::string("out").computed()))
    }
    async fn open(&self, _req: OpenRequest, resp: &mut OpenResponse) {
        resp.result = Value::object([("out", Value::string("x"))]);
        resp.renew_at = Some(SystemTime::now());
    }
}

struct TestProvider(Arc<Token>);

#[async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attribute(Attribute::string("region").optional()))
    }
    async fn configure(&self, _req: ConfigureRequest, resp: &mut ConfigureResponse) {
        resp.data = Some(Arc::new(()));
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![self.0.clone(), Arc::new(Plain)]
    }
}

fn server() -> (Arc<Server>, Arc<Token>) {
    let token = Arc::new(Token {
        opened: AtomicUsize::new(0),
        closed: Default::default(),
    });
    (
        Arc::new(Server::new(Arc::new(TestProvider(token.clone())))),
        token,
    )
}

fn ty() -> Type {
    Type::object([
        ("name".to_string(), Type::String),
        ("mode".to_string(), Type::String),
        ("token".to_string(), Type::String),
    ])
}

fn config(name: Value, mode: Option<&str>) -> RawValue {
    let v = Value::object([
        ("name", name),
        ("mode", mode.map_or(Value::Null, Value::string)),
        ("token", Value::Null),
    ]);
    RawValue {
        msgpack: msgpack::encode(&v, &ty()).unwrap(),
        json: Vec::new(),
    }
}

fn open(type_name: &str, config: RawValue) -> OpenEphemeralResourceRequest {
    OpenEphemeralResourceRequest {
        type_name: type_name.into(),
        config,
        deferral_allowed: false,
    }
}

fn result(raw: &RawValue) -> Value {
    msgpack::decode(&raw.msgpack, &ty()).unwrap()
}

async fn configure(s: &Server, region: Value) {
    let pty = Type::object([("region".to_string(), Type::String)]);
    let cfg = Value::object([("region", region)]);
    s.configure_provider(ConfigureProviderRequest {
        terraform_version: "1.15.5".into(),
        config: RawValue {
            msgpack: msgpack::encode(&cfg, &pty).unwrap(),
            json: Vec::new(),
        },
    })
    .await;
}

#[tokio::test]
async fn schemas_and_type_names_list_ephemeral_resources() {
    let (s, _) = server();
    assert_eq!(
        s.ephemeral_resource_type_names(),
        ["test_plain", "test_token"]
    );
    let schema = s.get_provider_schema();
    assert_eq!(schema.ephemeral_resources.len(), 2);
    assert!(schema.resources.is_empty());
}

#[tokio::test]
async fn validate_runs_schema_validators_and_the_resource_checks() {
    let (s, _) = server();
    let validate = |config| ValidateRequest {
        type_name: "test_token".into(),
        config,
        write_only_allowed: true,
    };
    let ok = s.validate_ephemeral_resource_config(validate(config(Value::string("db"), None)));
    assert!(ok.diags.is_empty(), "{:?}", ok.diags);
    let long = s
        .validate_ephemeral_resource_config(validate(config(Value::string("much-too-long"), None)));
    assert_eq!(long.diags.0[0].path.as_ref().unwrap().to_string(), "name");
    let refused = s
        .validate_ephemeral_resource_config(validate(config(Value::string("db"), Some("refused"))));
    assert_eq!(
        refused.diags.0[0].path.as_ref().unwrap().to_string(),
        "mode"
    );
    // Unknown values wait for apply.
    let unknown = s.validate_ephemeral_resource_config(validate(config(Value::Unknown, None)));
    assert!(unknown.diags.is_empty());
}

#[tokio::test]
async fn open_fills_the_result_and_private_data_reach_renew_and_close() {
    let (s, token) = server();
    configure(&s, Value::string("r")).await;
    let opened = s
        .open_ephemeral_resource(open("test_token", config(Value::string("db"), None)))
        .await;
    assert!(opened.diags.is_empty(), "{:?}", opened.diags);
    assert_eq!(
        result(&opened.result).get("token"),
        Some(&Value::string("token-for-db"))
    );
    assert!(opened.renew_at.is_some());
    assert!(!opened.deferred_provider_config_unknown);
    let renewed = s
        .renew_ephemeral_resource(RenewEphemeralResourceRequest {
            type_name: "test_token".into(),
            private: opened.private.clone(),
        })
        .await;
    assert!(renewed.diags.is_empty());
    assert_eq!(renewed.private, b"lease-db+renewed");
    let closed = s
        .close_ephemeral_resource(CloseEphemeralResourceRequest {
            type_name: "test_token".into(),
            private: renewed.private,
        })
        .await;
    assert!(closed.diags.is_empty());
    assert_eq!(
        *token.closed.lock().unwrap(),
        [b"lease-db+renewed".to_vec()]
    );
}

#[tokio::test]
async fn open_with_unknown_configuration_answers_unknown_computed_values_without_opening() {
    let (s, token) = server();
    configure(&s, Value::string("r")).await;
    let opened = s
        .open_ephemeral_resource(open("test_token", config(Value::Unknown, Some("x"))))
        .await;
    assert!(opened.diags.is_empty(), "{:?}", opened.diags);
    let r = result(&opened.result);
    assert_eq!(r.get("name"), Some(&Value::Unknown));
    assert_eq!(r.get("mode"), Some(&Value::string("x")));
    assert_eq!(r.get("token"), Some(&Value::Unknown));
    assert_eq!(token.opened.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn open_with_unknown_provider_configuration_defers_or_fails() {
    let (s, token) = server();
    configure(&s, Value::Unknown).await;
    let mut req = open("test_token", config(Value::string("db"), None));
    req.deferral_allowed = true;
    let deferred = s.open_ephemeral_resource(req).await;
    assert!(deferred.diags.is_empty());
    assert!(deferred.deferred_provider_config_unknown);
    assert_eq!(result(&deferred.result).get("token"), Some(&Value::Unknown));
    let failed = s
        .open_ephemeral_resource(open("test_token", config(Value::string("db"), None)))
        .await;
    assert!(failed.diags.has_errors());
    assert!(failed.diags.0[0].detail.contains("region"));
    assert_eq!(token.opened.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn open_refuses_results_that_break_terraforms_rules() {
    let (s, _) = server();
    configure(&s, Value::string("r")).await;
    let unknown = s
        .open_ephemeral_resource(open(
            "test_token",
            config(Value::string("db"), Some("unknown")),
        ))
        .await;
    assert!(unknown.diags.0[0].detail.contains("unknown values"));
    let renamed = s
        .open_ephemeral_resource(open(
            "test_token",
            config(Value::string("db"), Some("rename")),
        ))
        .await;
    assert_eq!(
        renamed.diags.0[0].path.as_ref().unwrap().to_string(),
        "name"
    );
    assert!(
        renamed.private.is_empty(),
        "nothing is handed out on failure"
    );
    let plain = s
        .open_ephemeral_resource(OpenEphemeralResourceRequest {
            type_name: "test_plain".into(),
            config: RawValue::default(),
            deferral_allowed: false,
        })
        .await;
    assert!(plain.diags.0[0].detail.contains("cannot renew"));
}

#[tokio::test]
async fn close_without_a_close_capability_succeeds() {
    let (s, _) = server();
    let closed = s
        .close_ephemeral_resource(CloseEphemeralResourceRequest {
            type_name: "test_plain".into(),
            private: Vec::new(),
        })
        .await;
    assert!(closed.diags.is_empty());
}

#[tokio::test]
async fn every_rpc_names_an_unknown_type() {
    let (s, _) = server();
    let raw = config(Value::string("db"), None);
    let validate = s.validate_ephemeral_resource_config(ValidateRequest {
        type_name: "test_nope".into(),
        config: raw.clone(),
        write_only_allowed: true,
    });
    let opened = s.open_ephemeral_resource(open("test_nope", raw)).await;
    let renewed = s
        .renew_ephemeral_resource(RenewEphemeralResourceRequest {
            type_name: "test_nope".into(),
            private: Vec::new(),
        })
        .await;
    let closed = s
        .close_ephemeral_resource(CloseEphemeralResourceRequest {
            type_name: "test_nope".into(),
            private: Vec::new(),
        })
        .await;
    for diags in [validate.diags, opened.diags, renewed.diags, closed.diags] {
        assert!(diags.has_errors());
        assert!(diags.0[0].detail.contains("\"test_nope\""));
    }
}
