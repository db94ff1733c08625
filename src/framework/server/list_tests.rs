//! ListResource through the server: results streamed as produced with identities derived from
//! their states, the limit honoured, failures and unknown types as diagnostic events, config
//! validation naming the attribute.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::framework::identity::{IdentityAttribute, ResourceIdentity};
use crate::framework::list::{ListRequest, ListResource, ListResult, ListSink};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportResponse, ReadRequest, StateResponse, UpdateRequest,
};
use crate::framework::schema::validators::OneOf;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::{AttrPath, msgpack};

struct Item;

#[async_trait]
impl Resource for Item {
    fn type_name(&self) -> &'static str {
        "test_item"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("secret").optional().write_only())
                .attribute(Attribute::string("id").computed()),
        )
    }
    async fn create(&self, _: CreateRequest, _: &mut StateResponse) {}
    async fn read(&self, _: ReadRequest, _: &mut StateResponse) {}
    async fn update(&self, _: UpdateRequest, _: &mut StateResponse) {}
    async fn delete(&self, _: DeleteRequest, _: &mut Diagnostics) {}
    fn as_identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }
}

#[async_trait]
impl ResourceIdentity for Item {
    fn identity_schema(&self) -> IdentitySchema {
        IdentitySchema::new(0).attribute(IdentityAttribute::string("name").required_for_import())
    }
    async fn identity(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) -> Option<Value> {
        Some(Value::object([(
            "name",
            state.get("name").cloned().unwrap_or(Value::Null),
        )]))
    }
    async fn import_by_identity(&self, _: &Ctx, _: &Value, _: &mut ImportResponse) {}
}

/// Lists `count` items, pausing after the first until released, then fails if `fail`.
struct Items {
    release: Arc<tokio::sync::Notify>,
}

#[async_trait]
impl ListResource for Items {
    fn type_name(&self) -> &'static str {
        "test_item"
    }
    fn config_schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::number("count").required())
                .attribute(Attribute::bool("fail").optional())
                .attribute(
                    Attribute::string("kind")
                        .optional()
                        .validate(OneOf(&["a", "b"])),
                ),
        )
    }
    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics) {
        let count = req.config.get("count").and_then(Value::as_i64).unwrap_or(0);
        for i in 0..count {
            let state = Value::object([
                ("name", Value::string(format!("item-{i}"))),
                ("secret", Value::string("hunter2")),
            ]);
            let more = sink
                .send(ListResult {
                    display_name: format!("Item {i}"),
                    state,
                })
                .await;
            if !more {
                return;
            }
            if i == 0 {
                self.release.notified().await;
            }
        }
        if req.config.get("fail").and_then(Value::as_bool) == Some(true) {
            diags.error_at(AttrPath::root().attr("count"), "Listing failed", "boom");
        }
    }
}

struct ListProvider {
    release: Arc<tokio::sync::Notify>,
}

#[async_trait]
impl Provider for ListProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _: ConfigureRequest, _: &mut ConfigureResponse) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Item)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(Items {
            release: Arc::clone(&self.release),
        })]
    }
}

fn setup() -> (Arc<Server>, Arc<tokio::sync::Notify>) {
    let release = Arc::new(tokio::sync::Notify::new());
    let provider = ListProvider {
        release: Arc::clone(&release),
    };
    (Arc::new(Server::new(Arc::new(provider))), release)
}

fn request(count: i64, fail: bool, include: bool, limit: i64) -> ListResourceRequest {
    let ty = Type::object([
        ("count".to_string(), Type::Number),
        ("fail".to_string(), Type::Bool),
        ("kind".to_string(), Type::String),
    ]);
    let config = Value::object([
        ("count", Value::number_i64(count)),
        ("fail", Value::Bool(fail)),
        ("kind", Value::Null),
    ]);
    ListResourceRequest {
        type_name: "test_item".into(),
        config: RawValue {
            msgpack: msgpack::encode(&config, &ty).unwrap(),
            json: Vec::new(),
        },
        include_resource: include,
        limit,
    }
}

async fn collect(mut rx: tokio::sync::mpsc::Receiver<ListResourceEvent>) -> Vec<ListResourceEvent> {
    let mut out = Vec::new();
    while let Some(e) = rx.recv().await {
        out.push(e);
    }
    out
}

#[tokio::test]
async fn results_stream_before_the_listing_ends() {
    let (s, release) = setup();
    let mut rx = s.list_resource(request(3, false, false, 100));
    // The lister waits after its first result: that result must already be out.
    let first = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the first result arrives while the listing is still running")
        .unwrap();
    assert_eq!(first.display_name, "Item 0");
    release.notify_one();
    let rest = collect(rx).await;
    assert_eq!(rest.len(), 2);
}

#[tokio::test]
async fn identities_come_from_the_states_and_objects_only_when_asked() {
    let (s, release) = setup();
    release.notify_one();
    let events = collect(s.list_resource(request(1, false, true, 100))).await;
    let ty = Item.identity_schema().implied_type();
    let identity = msgpack::decode(&events[0].identity.as_ref().unwrap().msgpack, &ty).unwrap();
    assert_eq!(identity.get("name"), Some(&Value::string("item-0")));
    let object = events[0].resource_object.as_ref().expect("object included");
    let object = msgpack::decode(&object.msgpack, &Item.schema().implied_type()).unwrap();
    assert_eq!(
        object.get("secret"),
        Some(&Value::Null),
        "write-only nulled"
    );
    assert_eq!(
        object.get("id"),
        Some(&Value::Null),
        "completed to the schema"
    );

    release.notify_one();
    let events = collect(s.list_resource(request(1, false, false, 100))).await;
    assert!(events[0].resource_object.is_none());
    assert!(events[0].identity.is_some());
}

#[tokio::test]
async fn the_limit_stops_the_lister() {
    let (s, release) = setup();
    release.notify_one();
    let events = collect(s.list_resource(request(50, true, false, 1))).await;
    // One result and no failure: the lister stopped at the limit before failing.
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].diags.0.is_empty());
}

#[tokio::test]
async fn a_failure_ends_the_stream_with_a_diagnostic() {
    let (s, release) = setup();
    release.notify_one();
    let events = collect(s.list_resource(request(2, true, false, 100))).await;
    assert_eq!(events.len(), 3);
    assert!(events[2].diags.has_errors());
}

#[tokio::test]
async fn an_unknown_list_type_is_a_diagnostic_naming_it() {
    let (s, _) = setup();
    let mut req = request(1, false, false, 100);
    req.type_name = "test_nothing".into();
    let events = collect(s.list_resource(req)).await;
    assert_eq!(events.len(), 1);
    assert!(format!("{:?}", events[0].diags).contains("test_nothing"));
    let diags = s.validate_list_resource_config(ValidateListResourceConfigRequest {
        type_name: "test_nothing".into(),
        config: RawValue::default(),
    });
    assert!(format!("{diags:?}").contains("test_nothing"));
}

#[tokio::test]
async fn a_refused_filter_names_the_attribute() {
    let (s, _) = setup();
    let ty = Type::object([
        ("count".to_string(), Type::Number),
        ("fail".to_string(), Type::Bool),
        ("kind".to_string(), Type::String),
    ]);
    let config = Value::object([
        ("count", Value::number_i64(1)),
        ("fail", Value::Null),
        ("kind", Value::string("c")),
    ]);
    let diags = s.validate_list_resource_config(ValidateListResourceConfigRequest {
        type_name: "test_item".into(),
        config: RawValue {
            msgpack: msgpack::encode(&config, &ty).unwrap(),
            json: Vec::new(),
        },
    });
    assert!(diags.has_errors());
    assert!(format!("{diags:?}").contains("kind"), "{diags:?}");
    let schema = s.get_provider_schema();
    assert_eq!(schema.list_resources.len(), 1);
    assert_eq!(s.list_resource_type_names(), vec!["test_item"]);
}
