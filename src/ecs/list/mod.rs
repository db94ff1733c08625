//! The list resources of `terraform query`. Each lists names with the ECS or SSM listing call,
//! a page at a time, and turns each name into the object the managed resource's own `read`
//! stores after an import (the import stub, read as refresh reads it), so a listed object imports
//! with an empty plan and no second copy of a state mapping exists. The reads of one batch run
//! together as a read burst, so the batched reads share their Describe calls (10 services, 100
//! clusters, 10 parameters per call), and each batch's results are sent before the next is read.

pub mod cluster;
pub mod secret;
pub mod service;
pub mod task_definition;

use futures_util::future::join_all;

use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListResult, ListSink};
use crate::framework::resource::{
    ImportRequest, ImportResponse, ReadRequest, Resource, StateResponse,
};
use crate::framework::server::conform;
use crate::framework::{Ctx, Value};

/// An object found by a listing call, before it is read.
pub(crate) struct Found {
    pub display_name: String,
    /// What `read` starts from: the import stub.
    pub stub: Value,
}

/// The import stub `import` makes for `id`, for resources whose import asks AWS nothing.
pub(crate) async fn imported(
    resource: &dyn Resource,
    ctx: &Ctx,
    id: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let importer = resource.as_import()?;
    let mut resp = ImportResponse {
        state: Value::Null,
        private: Vec::new(),
        diags: Diagnostics::new(),
    };
    importer
        .import_state(
            ImportRequest {
                ctx: ctx.clone(),
                id: id.to_string(),
            },
            &mut resp,
        )
        .await;
    let failed = resp.diags.has_errors();
    diags.0.extend(resp.diags.0);
    (!failed && !resp.state.is_null()).then_some(resp.state)
}

/// A stub with `attrs` set and everything else null, shaped like the resource's state: what an
/// import stub is for resources whose import looks the object up first (the listing already
/// did).
pub(crate) fn stub(resource: &dyn Resource, attrs: &[(&str, Value)]) -> Value {
    let object = Value::object(attrs.iter().map(|(k, v)| (*k, v.clone())));
    conform(&resource.schema().block, &object)
}

/// Reads every stub of one batch together and sends the objects that still exist, in order.
/// With `keep_if_gone`, an object `read` would drop (a task definition revision that is no
/// longer ACTIVE) is sent as its stub. `false` when the sink wants no more or a read failed.
pub(crate) async fn read_and_send(
    resource: &dyn Resource,
    ctx: &Ctx,
    batch: Vec<Found>,
    keep_if_gone: bool,
    sink: &mut dyn ListSink,
    diags: &mut Diagnostics,
) -> bool {
    let burst = Ctx {
        read_burst: true,
        ..ctx.clone()
    };
    let reads = batch.iter().map(|found| async {
        let mut resp = StateResponse::new(found.stub.clone(), Vec::new());
        resource
            .read(
                ReadRequest {
                    ctx: burst.clone(),
                    state: found.stub.clone(),
                    private: Vec::new(),
                    // As after an import: Terraform holds no identity yet.
                    identity: Value::Null,
                },
                &mut resp,
            )
            .await;
        resp
    });
    let states = join_all(reads).await;
    for (found, resp) in batch.into_iter().zip(states) {
        let failed = resp.diags.has_errors();
        diags.0.extend(resp.diags.0);
        if failed {
            return false;
        }
        let state = match resp.state {
            Value::Null if keep_if_gone => found.stub,
            Value::Null => continue,
            state => state,
        };
        let result = ListResult {
            display_name: found.display_name,
            state,
        };
        if !sink.send(result).await {
            return false;
        }
    }
    sink.wants_more()
}
