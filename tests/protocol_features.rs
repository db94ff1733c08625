//! The protocol surface as a client sees it, driving the real gRPC service in-process: GetMetadata
//! lists exactly the types and functions GetProviderSchema describes (whatever kinds are added
//! later), with the same server capabilities, and GetFunctions answers the schema's map; and a
//! caller that speaks only the old protocol (no GetMetadata, identity schemas, functions or any
//! newer RPC; no client capabilities; no identity) runs a resource's whole lifecycle without an
//! error diagnostic or a gRPC error: an in-memory resource always, `ecs_cluster` against the
//! local AWS endpoint with `TF_ACC=1`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ecs_provider::ecs::EcsProvider;
use ecs_provider::framework::data_source::DataSource;
use ecs_provider::framework::diag::Diagnostics;
use ecs_provider::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use ecs_provider::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ReadRequest,
    Resource, StateResponse, UpdateRequest,
};
use ecs_provider::framework::schema::{Attribute, Block, Schema};
use ecs_provider::framework::server::{Server, conform};
use ecs_provider::framework::value::{Type, Value, json, msgpack};
use ecs_provider::protocol::GrpcProvider;
use ecs_provider::protocol::tfplugin6 as pb;
use ecs_provider::protocol::tfplugin6::provider_server::Provider as _;
use tonic::Request;

fn grpc(provider: Arc<dyn Provider>) -> GrpcProvider {
    GrpcProvider::new(Arc::new(Server::new(provider)))
}

fn names<'a>(list: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    list.into_iter().cloned().collect()
}

#[tokio::test]
async fn metadata_lists_exactly_what_the_schema_describes() {
    let grpc = grpc(EcsProvider::new());
    let meta = grpc
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .expect("GetMetadata answers")
        .into_inner();
    let schema = grpc
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .expect("GetProviderSchema answers")
        .into_inner();
    assert!(meta.diagnostics.is_empty(), "{:?}", meta.diagnostics);
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let kinds: [(&str, BTreeSet<String>, BTreeSet<String>); 7] = [
        (
            "resources",
            meta.resources.iter().map(|m| m.type_name.clone()).collect(),
            names(schema.resource_schemas.keys()),
        ),
        (
            "data sources",
            meta.data_sources
                .iter()
                .map(|m| m.type_name.clone())
                .collect(),
            names(schema.data_source_schemas.keys()),
        ),
        (
            "functions",
            meta.functions.iter().map(|m| m.name.clone()).collect(),
            names(schema.functions.keys()),
        ),
        (
            "ephemeral resources",
            meta.ephemeral_resources
                .iter()
                .map(|m| m.type_name.clone())
                .collect(),
            names(schema.ephemeral_resource_schemas.keys()),
        ),
        (
            "list resources",
            meta.list_resources
                .iter()
                .map(|m| m.type_name.clone())
                .collect(),
            names(schema.list_resource_schemas.keys()),
        ),
        (
            "actions",
            meta.actions.iter().map(|m| m.type_name.clone()).collect(),
            names(schema.action_schemas.keys()),
        ),
        (
            "state stores",
            meta.state_stores
                .iter()
                .map(|m| m.type_name.clone())
                .collect(),
            names(schema.state_store_schemas.keys()),
        ),
    ];
    for (kind, listed, described) in kinds {
        assert_eq!(
            listed, described,
            "{kind}: GetMetadata vs GetProviderSchema"
        );
    }
    // Each name once in the listing.
    assert_eq!(meta.resources.len(), schema.resource_schemas.len());
    assert_eq!(meta.functions.len(), schema.functions.len());
    assert!(!schema.functions.is_empty());
    assert_eq!(
        meta.server_capabilities, schema.server_capabilities,
        "server capabilities"
    );
    let functions = grpc
        .get_functions(Request::new(pb::get_functions::Request {}))
        .await
        .expect("GetFunctions answers")
        .into_inner();
    assert!(functions.diagnostics.is_empty());
    assert_eq!(
        functions.functions.into_iter().collect::<BTreeMap<_, _>>(),
        schema.functions.into_iter().collect::<BTreeMap<_, _>>(),
        "GetFunctions answers the schema's map"
    );
}

/// Fails on any error diagnostic, naming the RPC.
fn no_errors(rpc: &str, diags: &[pb::Diagnostic]) {
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    assert!(errors.is_empty(), "{rpc}: {errors:?}");
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(value, ty).unwrap(),
        json: Vec::new(),
    })
}

fn value(dv: Option<pb::DynamicValue>, ty: &Type) -> Value {
    msgpack::decode(&dv.expect("a value").msgpack, ty).unwrap()
}

/// What Terraform 1.0–1.5 sends: the RPCs of protocol 6.0–6.3, never a client capability or an
/// identity, and none of GetMetadata, GetResourceIdentitySchemas or GetFunctions.
struct OldCaller {
    grpc: GrpcProvider,
    type_name: String,
    block: Block,
    ty: Type,
    provider_ty: Type,
}

impl OldCaller {
    async fn new(provider: Arc<dyn Provider>, type_name: &str) -> Self {
        let resource = provider
            .resources()
            .into_iter()
            .find(|r| r.type_name() == type_name)
            .expect("the resource type");
        let schema = resource.schema();
        let provider_ty = provider.schema().implied_type();
        let caller = Self {
            grpc: grpc(provider),
            type_name: type_name.into(),
            ty: schema.implied_type(),
            block: schema.block,
            provider_ty,
        };
        let schema = caller
            .grpc
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .expect("GetProviderSchema")
            .into_inner();
        no_errors("GetProviderSchema", &schema.diagnostics);
        assert!(schema.resource_schemas.contains_key(type_name));
        caller
    }

    async fn configure(&self, config: Value) {
        let config = dv(&config, &self.provider_ty);
        let r = self
            .grpc
            .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                config: config.clone(),
            }))
            .await
            .expect("ValidateProviderConfig")
            .into_inner();
        no_errors("ValidateProviderConfig", &r.diagnostics);
        let r = self
            .grpc
            .configure_provider(Request::new(pb::configure_provider::Request {
                terraform_version: "1.0.11".into(),
                config,
                client_capabilities: None,
            }))
            .await
            .expect("ConfigureProvider")
            .into_inner();
        no_errors("ConfigureProvider", &r.diagnostics);
    }

    async fn validate(&self, config: &Value) {
        let r = self
            .grpc
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: self.type_name.clone(),
                config: dv(config, &self.ty),
                client_capabilities: None,
            }))
            .await
            .expect("ValidateResourceConfig")
            .into_inner();
        no_errors("ValidateResourceConfig", &r.diagnostics);
    }

    /// Plan; `proposed` is Terraform's proposed new state (the configuration over the prior one).
    async fn plan(&self, prior: &Value, proposed: &Value, config: &Value) -> (Value, Vec<u8>) {
        let r = self
            .grpc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: self.type_name.clone(),
                prior_state: dv(prior, &self.ty),
                proposed_new_state: dv(proposed, &self.ty),
                config: dv(config, &self.ty),
                ..Default::default()
            }))
            .await
            .expect("PlanResourceChange")
            .into_inner();
        no_errors("PlanResourceChange", &r.diagnostics);
        // Identity fields may come back: an older client skips fields its proto lacks.
        assert!(r.deferred.is_none());
        (value(r.planned_state, &self.ty), r.planned_private)
    }

    async fn apply(
        &self,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: Vec<u8>,
    ) -> Value {
        let r = self
            .grpc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: self.type_name.clone(),
                prior_state: dv(prior, &self.ty),
                planned_state: dv(planned, &self.ty),
                config: dv(config, &self.ty),
                planned_private: private,
                ..Default::default()
            }))
            .await
            .expect("ApplyResourceChange")
            .into_inner();
        no_errors("ApplyResourceChange", &r.diagnostics);
        value(r.new_state, &self.ty)
    }

    /// UpgradeResourceState from the JSON state file, as every refresh starts, then ReadResource.
    async fn refresh(&self, state: &Value) -> Value {
        let r = self
            .grpc
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: self.type_name.clone(),
                version: 0,
                raw_state: Some(pb::RawState {
                    json: json::encode(state, &self.ty).unwrap(),
                    flatmap: HashMap::new(),
                }),
            }))
            .await
            .expect("UpgradeResourceState")
            .into_inner();
        no_errors("UpgradeResourceState", &r.diagnostics);
        let r = self
            .grpc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: self.type_name.clone(),
                current_state: r.upgraded_state,
                ..Default::default()
            }))
            .await
            .expect("ReadResource")
            .into_inner();
        no_errors("ReadResource", &r.diagnostics);
        assert!(r.deferred.is_none());
        value(r.new_state, &self.ty)
    }

    async fn import(&self, id: &str) -> Value {
        let r = self
            .grpc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: self.type_name.clone(),
                id: id.into(),
                ..Default::default()
            }))
            .await
            .expect("ImportResourceState")
            .into_inner();
        no_errors("ImportResourceState", &r.diagnostics);
        let imported = r.imported_resources.into_iter().next().expect("one object");
        value(imported.state, &self.ty)
    }

    /// validate → plan → apply → refresh → plan (no change) → import → refresh (the same object)
    /// → destroy (no PlanResourceChange for it, as before `plan_destroy`).
    async fn lifecycle(&self, config: Value, import_id: impl Fn(&Value) -> String) {
        let config = conform(&self.block, &config);
        self.validate(&config).await;
        let (planned, private) = self.plan(&Value::Null, &config, &config).await;
        let state = self.apply(&Value::Null, &planned, &config, private).await;
        let state = self.refresh(&state).await;
        let (replanned, _) = self.plan(&state, &state, &config).await;
        assert_eq!(replanned, state, "the second plan changes nothing");
        let imported = self.import(&import_id(&state)).await;
        let imported = self.refresh(&imported).await;
        for attr in ["id", "name"] {
            assert_eq!(imported.get(attr), state.get(attr), "imported {attr}");
        }
        let gone = self
            .apply(&state, &Value::Null, &Value::Null, Vec::new())
            .await;
        assert!(gone.is_null());
    }
}

/// An in-memory resource: CRUD and import without AWS.
#[derive(Default)]
struct Items(Mutex<BTreeMap<String, String>>);

#[async_trait]
impl Resource for Items {
    fn type_name(&self) -> &'static str {
        "test_item"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required().requires_replace())
                .attribute(Attribute::string("note").optional())
                .attribute(Attribute::string("id").computed().use_state_for_unknown()),
        )
    }
    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let name = req
            .planned
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let note = req
            .planned
            .get("note")
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.0.lock().unwrap().insert(name.into(), note.into());
        let mut state = req.planned.clone();
        if let Value::Object(attrs) = &mut state {
            attrs.insert("id".into(), Value::string(format!("item-{name}")));
        }
        resp.state = state;
    }
    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let name = req
            .state
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self.0.lock().unwrap().get(name) {
            Some(note) => {
                let note = if note.is_empty() {
                    Value::Null
                } else {
                    Value::string(note.as_str())
                };
                resp.state = Value::object([
                    ("name", Value::string(name)),
                    ("note", note),
                    ("id", Value::string(format!("item-{name}"))),
                ]);
            }
            None => resp.remove(),
        }
    }
    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        resp.state = req.planned;
    }
    async fn delete(&self, req: DeleteRequest, _diags: &mut Diagnostics) {
        let name = req
            .prior
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.0.lock().unwrap().remove(name);
    }
    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

#[async_trait]
impl ImportState for Items {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        resp.state = Value::object([("name", Value::string(req.id))]);
    }
}

struct ItemsProvider(Arc<Items>);

#[async_trait]
impl Provider for ItemsProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _req: ConfigureRequest, _resp: &mut ConfigureResponse) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.0.clone()]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

#[tokio::test]
async fn an_old_protocol_caller_runs_the_lifecycle_of_an_in_memory_resource() {
    let caller = OldCaller::new(Arc::new(ItemsProvider(Default::default())), "test_item").await;
    caller.configure(Value::object::<&str>([])).await;
    caller
        .lifecycle(
            Value::object([("name", Value::string("a")), ("note", Value::string("n"))]),
            |state| {
                state
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap()
                    .to_string()
            },
        )
        .await;
}

/// `local-aws` (built beside this test by `cargo build --workspace --bins`), stopped on drop.
struct LocalAws(Child);

impl Drop for LocalAws {
    fn drop(&mut self) {
        // SIGTERM, so local-aws stops its moto server too.
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: signals only the child this test started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let _ = self.0.wait();
    }
}

fn start_local_aws() -> (LocalAws, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("local-aws");
    let mut child = Command::new(&bin)
        .arg("--moto")
        .arg(root.join("tools/.venv/bin/moto_server"))
        .arg("--strict-shapes")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (cargo build --workspace --bins)", bin.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("AWS_ENDPOINT_URL=")
        .unwrap_or_else(|| panic!("local-aws printed {line:?}"))
        .to_string();
    (LocalAws(child), url)
}

#[tokio::test]
async fn an_old_protocol_caller_runs_the_lifecycle_of_an_ecs_cluster() {
    if std::env::var_os("TF_ACC").is_none() {
        eprintln!(
            "skipped an_old_protocol_caller_runs_the_lifecycle_of_an_ecs_cluster: set TF_ACC=1"
        );
        return;
    }
    let (_aws, url) = start_local_aws();
    // SAFETY: no other test in this binary reads or writes the environment.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    }
    let provider: Arc<dyn Provider> = EcsProvider::new();
    let block = provider.schema().block;
    let caller = OldCaller::new(provider, "ecs_cluster").await;
    let endpoints = Value::object([
        ("ecs", Value::string(url.as_str())),
        ("ssm", Value::string(url.as_str())),
        ("sts", Value::string(url.as_str())),
    ]);
    caller
        .configure(conform(
            &block,
            &Value::object([
                ("region", Value::string("us-east-1")),
                ("endpoints", endpoints),
            ]),
        ))
        .await;
    let name = format!("old-caller-{}", std::process::id());
    caller
        .lifecycle(Value::object([("name", Value::string(name))]), |state| {
            state
                .get("name")
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .await;
}
