//! Identity through the server: computed from state on read, plan, apply and import; absent
//! identity (older Terraform, older state) accepted; a changed identity reported as a provider
//! bug; stored identities decoded or refused with a clear diagnostic.

use std::sync::Arc;

use async_trait::async_trait;

use super::*;
use crate::framework::identity::{IdentityAttribute, ResourceIdentity};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportResponse, ReadRequest, StateResponse, UpdateRequest,
};
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::msgpack;

/// `name` may change in place here, so that a provider bug (an identity changing under an
/// update) can be provoked.
struct Named {
    mutable: bool,
}

const NAMED: Named = Named { mutable: false };

#[async_trait]
impl Resource for Named {
    fn type_name(&self) -> &'static str {
        "test_named"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("note").optional())
                .attribute(Attribute::string("id").computed().use_state_for_unknown()),
        )
    }
    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let mut state = req.planned;
        if let Value::Object(a) = &mut state {
            a.insert("id".into(), Value::string("id-1"));
        }
        resp.state = state;
    }
    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        // Shows the identity it was handed in `note`.
        if let (Some(name), Value::Object(a)) = (req.identity.get("name"), &mut resp.state) {
            a.insert("note".into(), name.clone());
        }
    }
    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        resp.state = req.planned;
    }
    async fn delete(&self, _: DeleteRequest, _: &mut Diagnostics) {}
    fn as_identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }
}

#[async_trait]
impl ResourceIdentity for Named {
    fn identity_schema(&self) -> IdentitySchema {
        let schema = IdentitySchema::new(1)
            .attribute(IdentityAttribute::string("region").optional_for_import())
            .attribute(IdentityAttribute::string("name").required_for_import());
        if self.mutable {
            schema.mutable()
        } else {
            schema
        }
    }
    async fn identity(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let region = ctx.provider::<String>(diags)?;
        Some(Value::object([
            ("region", Value::string(region.as_str())),
            ("name", state.get("name").cloned().unwrap_or(Value::Null)),
        ]))
    }
    async fn import_by_identity(&self, ctx: &Ctx, identity: &Value, resp: &mut ImportResponse) {
        let region = identity.get("region").and_then(Value::as_str);
        let ours = ctx.provider::<String>(&mut resp.diags);
        if let (Some(region), Some(ours)) = (region, ours)
            && region != ours.as_str()
        {
            resp.diags.error("Wrong region", region);
            return;
        }
        resp.state = Value::object([("name", identity.get("name").cloned().unwrap())]);
    }
    fn upgrade_identity(
        &self,
        from_version: i64,
        raw: serde_json::Value,
        _: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        // Version 0 called the name `title`.
        assert_eq!(from_version, 0);
        Some(serde_json::json!({"region": raw["region"], "name": raw["title"]}))
    }
}

struct Region {
    mutable: bool,
}

#[async_trait]
impl Provider for Region {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _: ConfigureRequest, resp: &mut ConfigureResponse) {
        resp.data = Some(Arc::new("eu-west-1".to_string()));
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Named {
            mutable: self.mutable,
        })]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

async fn server() -> Server {
    server_with(false).await
}

async fn server_with(mutable: bool) -> Server {
    let s = Server::new(Arc::new(Region { mutable }));
    let ty = Type::object(Vec::<(String, Type)>::new());
    s.configure_provider(ConfigureProviderRequest {
        terraform_version: "1.15.5".into(),
        config: enc(&Value::object(Vec::<(String, Value)>::new()), &ty),
    })
    .await;
    s
}

fn ty() -> Type {
    NAMED.schema().implied_type()
}

fn id_ty() -> Type {
    NAMED.identity_schema().implied_type()
}

fn enc(v: &Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: Vec::new(),
    }
}

fn dec(raw: &Option<RawValue>) -> Value {
    msgpack::decode(&raw.as_ref().expect("an identity").msgpack, &id_ty()).unwrap()
}

fn state(name: &str, note: &str) -> Value {
    Value::object([
        ("name", Value::string(name)),
        ("note", Value::string(note)),
        ("id", Value::string("id-1")),
    ])
}

fn identity(name: &str) -> Value {
    Value::object([
        ("region", Value::string("eu-west-1")),
        ("name", Value::string(name)),
    ])
}

fn read(current: &Value, stored: Option<&Value>) -> ReadResourceRequest {
    ReadResourceRequest {
        type_name: "test_named".into(),
        current_state: enc(current, &ty()),
        private: Vec::new(),
        current_identity: stored.map(|i| enc(i, &id_ty())),
    }
}

fn plan(prior: &Value, proposed: &Value, stored: Option<&Value>) -> PlanResourceChangeRequest {
    PlanResourceChangeRequest {
        type_name: "test_named".into(),
        prior_state: enc(prior, &ty()),
        proposed_new_state: enc(proposed, &ty()),
        config: enc(proposed, &ty()),
        prior_private: Vec::new(),
        prior_identity: stored.map(|i| enc(i, &id_ty())),
    }
}

fn apply(prior: &Value, planned: &Value, stored: Option<&Value>) -> ApplyResourceChangeRequest {
    ApplyResourceChangeRequest {
        type_name: "test_named".into(),
        prior_state: enc(prior, &ty()),
        planned_state: enc(planned, &ty()),
        config: enc(planned, &ty()),
        planned_private: Vec::new(),
        planned_identity: stored.map(|i| enc(i, &id_ty())),
    }
}

#[tokio::test]
async fn schemas_list_the_resources_with_an_identity() {
    let s = server().await;
    let resp = s.get_resource_identity_schemas();
    assert_eq!(resp.schemas.len(), 1);
    assert_eq!(resp.schemas["test_named"].version, 1);
}

#[tokio::test]
async fn read_without_a_stored_identity_computes_it_from_state() {
    let s = server().await;
    let resp = s.read_resource(read(&state("a", "x"), None)).await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.new_identity), identity("a"));
    // A fully null identity (what an older Terraform may hold) counts as none.
    let nulls = Value::object([("region", Value::Null), ("name", Value::Null)]);
    let resp = s.read_resource(read(&state("a", "x"), Some(&nulls))).await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.new_identity), identity("a"));
}

#[tokio::test]
async fn read_is_handed_the_stored_identity() {
    let s = server().await;
    let resp = s
        .read_resource(read(&state("a", "x"), Some(&identity("a"))))
        .await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    let new = msgpack::decode(&resp.new_state.msgpack, &ty()).unwrap();
    assert_eq!(new.get("note"), Some(&Value::string("a")));
}

#[tokio::test]
async fn read_that_would_change_the_identity_is_a_provider_bug() {
    let s = server().await;
    let resp = s
        .read_resource(read(&state("a", "x"), Some(&identity("b"))))
        .await;
    assert_eq!(resp.diags.0[0].summary, "Provider bug");
    assert!(
        resp.diags.0[0].detail.contains("refresh"),
        "{:?}",
        resp.diags
    );
}

#[tokio::test]
async fn read_of_a_gone_object_has_no_identity() {
    let s = server().await;
    let resp = s
        .read_resource(ReadResourceRequest {
            current_state: RawValue::default(),
            ..read(&Value::Null, None)
        })
        .await;
    assert!(resp.new_identity.is_none());
}

#[tokio::test]
async fn plan_keeps_the_identity_of_an_existing_object_and_leaves_a_new_one_null() {
    let s = server().await;
    let resp = s
        .plan_resource_change(plan(&Value::Null, &state("a", "x"), None))
        .await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert!(resp.planned_identity.is_none());
    // Update in place, with and without a stored identity.
    for stored in [Some(identity("a")), None] {
        let resp = s
            .plan_resource_change(plan(&state("a", "x"), &state("a", "y"), stored.as_ref()))
            .await;
        assert!(resp.diags.is_empty(), "{:?}", resp.diags);
        assert_eq!(dec(&resp.planned_identity), identity("a"));
    }
}

#[tokio::test]
async fn plan_that_would_change_the_identity_in_place_is_a_provider_bug() {
    let s = server().await;
    let resp = s
        .plan_resource_change(plan(
            &state("a", "x"),
            &state("b", "x"),
            Some(&identity("a")),
        ))
        .await;
    assert_eq!(resp.diags.0[0].summary, "Provider bug");
    assert!(resp.diags.0[0].detail.contains("plan"), "{:?}", resp.diags);
}

#[tokio::test]
async fn apply_gives_the_new_identity_and_none_after_delete() {
    let s = server().await;
    let mut planned = state("a", "x");
    if let Value::Object(a) = &mut planned {
        a.insert("id".into(), Value::Unknown);
    }
    let created = s
        .apply_resource_change(apply(&Value::Null, &planned, None))
        .await;
    assert!(created.diags.is_empty(), "{:?}", created.diags);
    assert_eq!(dec(&created.new_identity), identity("a"));
    let updated = s
        .apply_resource_change(apply(
            &state("a", "x"),
            &state("a", "y"),
            Some(&identity("a")),
        ))
        .await;
    assert!(updated.diags.is_empty(), "{:?}", updated.diags);
    assert_eq!(dec(&updated.new_identity), identity("a"));
    let deleted = s
        .apply_resource_change(apply(&state("a", "y"), &Value::Null, Some(&identity("a"))))
        .await;
    assert!(deleted.diags.is_empty(), "{:?}", deleted.diags);
    assert!(deleted.new_identity.is_none());
}

#[tokio::test]
async fn update_that_changes_the_identity_is_a_provider_bug() {
    let s = server().await;
    let resp = s
        .apply_resource_change(apply(
            &state("a", "x"),
            &state("b", "x"),
            Some(&identity("a")),
        ))
        .await;
    assert_eq!(resp.diags.0[0].summary, "Provider bug");
    assert!(
        resp.diags.0[0].detail.contains("update"),
        "{:?}",
        resp.diags
    );
}

#[tokio::test]
async fn a_mutable_identity_may_change_under_an_update() {
    let s = server_with(true).await;
    let plan = s
        .plan_resource_change(plan(
            &state("a", "x"),
            &state("b", "x"),
            Some(&identity("a")),
        ))
        .await;
    assert!(plan.diags.is_empty(), "{:?}", plan.diags);
    // Terraform needs a known planned identity for an update: the stored one until apply.
    assert_eq!(dec(&plan.planned_identity), identity("a"));
    let resp = s
        .apply_resource_change(apply(
            &state("a", "x"),
            &state("b", "x"),
            Some(&identity("a")),
        ))
        .await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.new_identity), identity("b"));
}

fn import(identity: Option<&Value>) -> ImportResourceStateRequest {
    ImportResourceStateRequest {
        type_name: "test_named".into(),
        id: String::new(),
        identity: identity.map(|i| enc(i, &id_ty())),
    }
}

#[tokio::test]
async fn import_by_identity_completes_the_identity_from_the_provider() {
    let s = server().await;
    let given = Value::object([("region", Value::Null), ("name", Value::string("a"))]);
    let resp = s.import_resource_state(import(Some(&given))).await;
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.imported[0].identity), identity("a"));
}

#[tokio::test]
async fn import_by_identity_refuses_a_missing_required_attribute_and_the_resource_refusal() {
    let s = server().await;
    let nameless = Value::object([
        ("region", Value::string("eu-west-1")),
        ("name", Value::Null),
    ]);
    let resp = s.import_resource_state(import(Some(&nameless))).await;
    assert!(resp.imported.is_empty());
    assert_eq!(resp.diags.0[0].summary, "Incomplete import identity");
    assert!(
        resp.diags.0[0].detail.contains("needs name"),
        "{:?}",
        resp.diags
    );
    let elsewhere = Value::object([
        ("region", Value::string("us-east-1")),
        ("name", Value::string("a")),
    ]);
    let resp = s.import_resource_state(import(Some(&elsewhere))).await;
    assert!(resp.imported.is_empty());
    assert_eq!(resp.diags.0[0].summary, "Wrong region");
}

fn upgrade(version: i64, json: &str) -> UpgradeResourceIdentityRequest {
    UpgradeResourceIdentityRequest {
        type_name: "test_named".into(),
        version,
        raw_json: json.as_bytes().to_vec(),
    }
}

#[tokio::test]
async fn upgrade_decodes_the_current_version_and_upgrades_an_older_one() {
    let s = server().await;
    let resp = s.upgrade_resource_identity(upgrade(1, r#"{"region":"eu-west-1","name":"a"}"#));
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.upgraded), identity("a"));
    let resp = s.upgrade_resource_identity(upgrade(0, r#"{"region":"eu-west-1","title":"a"}"#));
    assert!(resp.diags.is_empty(), "{:?}", resp.diags);
    assert_eq!(dec(&resp.upgraded), identity("a"));
}

#[tokio::test]
async fn upgrade_refuses_invalid_unknown_and_newer_identities_clearly() {
    let s = server().await;
    for (version, json, summary, detail) in [
        (1, "{", "Invalid stored identity", "not valid JSON"),
        (
            1,
            r#"{"name":"a","colour":"red"}"#,
            "Invalid stored identity",
            "does not match its identity schema",
        ),
        (
            1,
            r#"{"name":["a"]}"#,
            "Invalid stored identity",
            "does not match",
        ),
        (
            2,
            r#"{"name":"a"}"#,
            "Identity written by a newer provider",
            "version 2",
        ),
    ] {
        let resp = s.upgrade_resource_identity(upgrade(version, json));
        assert!(resp.upgraded.is_none(), "{json}");
        assert_eq!(resp.diags.0[0].summary, summary, "{json}");
        assert!(
            resp.diags.0[0].detail.contains(detail),
            "{json}: {:?}",
            resp.diags
        );
    }
    let resp = s.upgrade_resource_identity(UpgradeResourceIdentityRequest {
        type_name: "test_other".into(),
        ..upgrade(1, "{}")
    });
    assert!(resp.diags.0[0].detail.contains("test_other"));
}
