//! The server's behaviour with a small in-memory provider: plan/apply contract, write-only
//! handling, cancellation by StopProvider, unknown provider configuration, state upgrade.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ReadRequest, StateResponse, UpdateRequest,
};
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::msgpack;

struct Thing;

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required().requires_replace())
                .attribute(Attribute::string("secret").optional().write_only())
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::bool("slow").optional()),
        )
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let mut state = req.planned.clone();
        if let Value::Object(attrs) = &mut state {
            attrs.insert("id".into(), Value::string("id-1"));
            // The write-only value reaches create but must never be stored.
            attrs.insert(
                "secret".into(),
                req.config.get("secret").cloned().unwrap_or(Value::Null),
            );
        }
        resp.state = state;
        if req.planned.get("slow").and_then(Value::as_bool) == Some(true) {
            tokio::select! {
                () = req.ctx.cancel.cancelled() => resp.diags.error("interrupted", "stopped"),
                () = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
    }

    async fn read(&self, _req: ReadRequest, _resp: &mut StateResponse) {}
    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        resp.state = req.planned;
    }
    async fn delete(&self, _req: DeleteRequest, _diags: &mut Diagnostics) {}
}

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attribute(Attribute::string("region").optional()))
    }
    async fn configure(&self, req: ConfigureRequest, resp: &mut ConfigureResponse) {
        // Unknown values must not crash: they simply count as unset.
        let region = req
            .config
            .get("region")
            .and_then(Value::as_str)
            .unwrap_or("unset")
            .to_string();
        resp.data = Some(Arc::new(region));
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

fn server() -> Arc<Server> {
    Arc::new(Server::new(Arc::new(TestProvider)))
}

fn thing_type() -> Type {
    Thing.schema().implied_type()
}

fn raw(v: &Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: Vec::new(),
    }
}

fn config(slow: bool) -> Value {
    Value::object([
        ("name", Value::string("a")),
        ("secret", Value::string("hunter2")),
        ("id", Value::Null),
        ("slow", Value::Bool(slow)),
    ])
}

#[tokio::test]
async fn plan_and_apply_keep_write_only_values_out() {
    let s = server();
    let ty = thing_type();
    let cfg = config(false);
    let plan = s
        .plan_resource_change(PlanResourceChangeRequest {
            type_name: "test_thing".into(),
            prior_state: raw(&Value::Null, &ty),
            proposed_new_state: raw(&cfg, &ty),
            config: raw(&cfg, &ty),
            prior_private: Vec::new(),
            prior_identity: None,
        })
        .await;
    assert!(plan.diags.is_empty(), "{:?}", plan.diags);
    let planned = msgpack::decode(&plan.planned_state.msgpack, &ty).unwrap();
    assert_eq!(planned.get("secret"), Some(&Value::Null));
    assert_eq!(planned.get("id"), Some(&Value::Unknown));

    let applied = s
        .apply_resource_change(ApplyResourceChangeRequest {
            type_name: "test_thing".into(),
            prior_state: raw(&Value::Null, &ty),
            planned_state: plan.planned_state.clone(),
            config: raw(&cfg, &ty),
            planned_private: Vec::new(),
            planned_identity: None,
        })
        .await;
    assert!(applied.diags.is_empty(), "{:?}", applied.diags);
    let state = msgpack::decode(&applied.new_state.msgpack, &ty).unwrap();
    assert_eq!(state.get("secret"), Some(&Value::Null));
    assert_eq!(state.get("id"), Some(&Value::string("id-1")));
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work_and_keeps_what_was_created() {
    let s = server();
    let ty = thing_type();
    let cfg = config(true);
    let mut planned = cfg.clone();
    if let Value::Object(a) = &mut planned {
        a.insert("id".into(), Value::Unknown);
        a.insert("secret".into(), Value::Null);
    }
    let apply = {
        let s = s.clone();
        let (planned, cfg, ty) = (raw(&planned, &ty), raw(&cfg, &ty), ty.clone());
        tokio::spawn(async move {
            s.apply_resource_change(ApplyResourceChangeRequest {
                type_name: "test_thing".into(),
                prior_state: raw(&Value::Null, &ty),
                planned_state: planned,
                config: cfg,
                planned_private: Vec::new(),
                planned_identity: None,
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.stop_provider();
    let resp = tokio::time::timeout(Duration::from_secs(5), apply)
        .await
        .expect("stop must end the apply")
        .unwrap();
    assert!(resp.diags.has_errors());
    let state = msgpack::decode(&resp.new_state.msgpack, &ty).unwrap();
    assert_eq!(
        state.get("id"),
        Some(&Value::string("id-1")),
        "the created object stays in state"
    );
}

#[tokio::test]
async fn unknown_provider_configuration_is_accepted() {
    let s = server();
    let ty = Type::object([("region".to_string(), Type::String)]);
    let cfg = raw(&Value::object([("region", Value::Unknown)]), &ty);
    let validated = s.validate_provider_config(ValidateRequest {
        type_name: String::new(),
        config: cfg.clone(),
        write_only_allowed: true,
    });
    assert!(validated.diags.is_empty());
    let configured = s
        .configure_provider(ConfigureProviderRequest {
            terraform_version: "1.15.5".into(),
            config: cfg,
        })
        .await;
    assert!(configured.diags.is_empty());
}

#[tokio::test]
async fn write_only_needs_client_support() {
    let s = server();
    let ty = thing_type();
    let resp = s.validate_resource_config(ValidateRequest {
        type_name: "test_thing".into(),
        config: raw(&config(false), &ty),
        write_only_allowed: false,
    });
    assert!(resp.diags.has_errors());
    assert_eq!(resp.diags.0[0].path.as_ref().unwrap().to_string(), "secret");
}

#[test]
fn upgrade_drops_attributes_no_longer_in_the_schema() {
    let s = server();
    let resp = s.upgrade_resource_state(UpgradeResourceStateRequest {
        type_name: "test_thing".into(),
        version: 0,
        raw_json: br#"{"name":"a","id":"id-1","removed_long_ago":true}"#.to_vec(),
        has_flatmap: false,
    });
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    let state = msgpack::decode(&resp.upgraded.msgpack, &thing_type()).unwrap();
    assert_eq!(state.get("id"), Some(&Value::string("id-1")));
    assert_eq!(state.get("slow"), Some(&Value::Null));
}

#[test]
fn generated_configuration_leaves_out_what_terraform_refuses() {
    let s = server();
    let ty = thing_type();
    let state = Value::object([
        ("name", Value::string("a")),
        ("secret", Value::Null),
        ("id", Value::string("id-1")),
        ("slow", Value::Bool(true)),
    ]);
    let resp = s.generate_resource_config(GenerateResourceConfigRequest {
        type_name: "test_thing".into(),
        state: raw(&state, &ty),
    });
    assert!(!resp.diags.has_errors());
    let config = msgpack::decode(&resp.config.msgpack, &ty).unwrap();
    assert_eq!(config.get("id"), Some(&Value::Null), "computed-only");
    assert_eq!(config.get("name"), Some(&Value::string("a")));
    assert!(s.capabilities().generate_resource_config);

    let unknown = s.generate_resource_config(GenerateResourceConfigRequest {
        type_name: "test_nothing".into(),
        state: RawValue::default(),
    });
    assert!(format!("{:?}", unknown.diags).contains("test_nothing"));
}
