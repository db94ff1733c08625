//! The action RPCs with a small in-memory action: validation with attribute paths, plan with
//! unknowns, the event stream (progress in order, one completion), StopProvider ending a wait,
//! unknown types named.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::framework::action::{InvokeRequest, PlanActionRequest as PlanReq, Progress};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::schema::validators::IntBetween;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::{AttrPath, msgpack};

struct Wait;

#[async_trait]
impl Action for Wait {
    fn type_name(&self) -> &'static str {
        "test_wait"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required())
                .attribute(
                    Attribute::number("count")
                        .optional()
                        .validate(IntBetween { min: 1, max: 10 }),
                )
                .attribute(Attribute::bool("forever").optional()),
        )
    }
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("name").and_then(Value::as_str) == Some("bad") {
            diags.error_at(AttrPath::root().attr("name"), "Bad name", "not bad");
        }
    }
    async fn plan(&self, req: PlanReq, diags: &mut Diagnostics) {
        if req.config.get("name") == Some(&Value::Unknown) {
            diags.warning("Name not known", "checked at apply");
        }
    }
    async fn invoke(&self, req: InvokeRequest, progress: &Progress, diags: &mut Diagnostics) {
        progress.send("one");
        progress.send("two");
        if req.config.get("name").and_then(Value::as_str) == Some("panic") {
            panic!("a bug");
        }
        if req.config.get("forever").and_then(Value::as_bool) == Some(true) {
            tokio::select! {
                () = req.ctx.cancel.cancelled() => diags.error("Interrupted", "stopped"),
                () = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
    }
}

struct WithActions;

#[async_trait]
impl Provider for WithActions {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attribute(Attribute::string("region").optional()))
    }
    async fn configure(&self, _: ConfigureRequest, _: &mut ConfigureResponse) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![Arc::new(Wait)]
    }
}

fn server() -> Server {
    Server::new(Arc::new(WithActions))
}

fn raw(pairs: Vec<(&str, Value)>) -> RawValue {
    let value = conform(&Wait.schema().block, &Value::object(pairs));
    RawValue {
        msgpack: msgpack::encode(&value, &Wait.schema().implied_type()).unwrap(),
        json: Vec::new(),
    }
}

async fn events(mut rx: tokio::sync::mpsc::UnboundedReceiver<ActionEvent>) -> Vec<ActionEvent> {
    let mut out = Vec::new();
    while let Some(e) = rx.recv().await {
        out.push(e);
    }
    out
}

#[test]
fn the_schema_lists_actions_and_their_names() {
    let s = server();
    assert_eq!(s.action_type_names(), vec!["test_wait"]);
    assert_eq!(s.get_provider_schema().actions[0].0, "test_wait");
}

#[test]
fn validation_names_the_attribute_and_skips_unknowns() {
    let s = server();
    let check = |pairs| {
        s.validate_action_config(ValidateRequest {
            type_name: "test_wait".into(),
            config: raw(pairs),
            write_only_allowed: false,
        })
        .diags
    };
    let zero = check(vec![
        ("name", Value::string("a")),
        ("count", Value::number_i64(0)),
    ]);
    assert_eq!(zero.0[0].path.as_ref().unwrap().to_string(), "count");
    let own = check(vec![("name", Value::string("bad"))]);
    assert_eq!(own.0[0].summary, "Bad name");
    assert!(check(vec![("name", Value::Unknown), ("count", Value::Unknown)]).is_empty());
}

#[tokio::test]
async fn plan_accepts_unknowns_and_unknown_types_are_named() {
    let s = server();
    let planned = s
        .plan_action(PlanActionRequest {
            type_name: "test_wait".into(),
            config: raw(vec![("name", Value::Unknown)]),
            deferral_allowed: false,
        })
        .await;
    assert!(!planned.diags.has_errors(), "{:?}", planned.diags);
    assert_eq!(planned.diags.0[0].summary, "Name not known");
    let other = s
        .plan_action(PlanActionRequest {
            type_name: "test_other".into(),
            config: RawValue::default(),
            deferral_allowed: false,
        })
        .await;
    assert!(other.diags.0[0].detail.contains("\"test_other\""));
    let invoked = events(s.invoke_action(InvokeActionRequest {
        type_name: "test_other".into(),
        config: RawValue::default(),
    }))
    .await;
    assert!(matches!(&invoked[..], [ActionEvent::Completed(d)] if d.has_errors()));
}

#[tokio::test]
async fn progress_streams_in_order_then_one_completion() {
    let s = server();
    let got = events(s.invoke_action(InvokeActionRequest {
        type_name: "test_wait".into(),
        config: raw(vec![("name", Value::string("a"))]),
    }))
    .await;
    assert_eq!(
        got,
        vec![
            ActionEvent::Progress("one".into()),
            ActionEvent::Progress("two".into()),
            ActionEvent::Completed(Diagnostics::new()),
        ]
    );
}

#[tokio::test]
async fn stop_provider_ends_a_wait_with_a_diagnostic() {
    let s = server();
    let mut rx = s.invoke_action(InvokeActionRequest {
        type_name: "test_wait".into(),
        config: raw(vec![
            ("name", Value::string("a")),
            ("forever", Value::Bool(true)),
        ]),
    });
    // Progress arrives while the action still runs, not with its completion.
    let first = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    assert_eq!(first, Ok(Some(ActionEvent::Progress("one".into()))));
    s.stop_provider();
    let rest = tokio::time::timeout(Duration::from_secs(5), events(rx))
        .await
        .expect("the invocation ends soon after StopProvider");
    assert!(
        matches!(rest.last(), Some(ActionEvent::Completed(d)) if d.0[0].summary == "Interrupted"),
        "{rest:?}"
    );
}

#[tokio::test]
async fn unknown_values_are_refused_at_invoke() {
    let s = server();
    let got = events(s.invoke_action(InvokeActionRequest {
        type_name: "test_wait".into(),
        config: raw(vec![("name", Value::Unknown)]),
    }))
    .await;
    assert!(matches!(&got[..], [ActionEvent::Completed(d)] if d.has_errors()));
}

#[tokio::test]
async fn an_unknown_provider_configuration_defers_or_skips_the_plan_check() {
    let s = server();
    let ty = Type::object([("region".to_string(), Type::String)]);
    let unknown = Value::object([("region", Value::Unknown)]);
    s.configure_provider(ConfigureProviderRequest {
        terraform_version: "1.15.5".into(),
        config: RawValue {
            msgpack: msgpack::encode(&unknown, &ty).unwrap(),
            json: Vec::new(),
        },
    })
    .await;
    for allowed in [true, false] {
        let planned = s
            .plan_action(PlanActionRequest {
                type_name: "test_wait".into(),
                config: raw(vec![("name", Value::Unknown)]),
                deferral_allowed: allowed,
            })
            .await;
        assert!(planned.diags.is_empty(), "{:?}", planned.diags);
        assert_eq!(planned.deferred_provider_config_unknown, allowed);
    }
}

#[tokio::test]
async fn a_panicking_action_still_completes_with_an_error() {
    let s = server();
    let got = events(s.invoke_action(InvokeActionRequest {
        type_name: "test_wait".into(),
        config: raw(vec![("name", Value::string("panic"))]),
    }))
    .await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        matches!(got.last(), Some(ActionEvent::Completed(d)) if d.0[0].summary == "Provider bug"),
        "{got:?}"
    );
}
