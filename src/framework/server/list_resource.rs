//! ListResource (`terraform query`): a server stream. The list resource runs in its own task and
//! every result becomes an event as soon as it is produced, with the identity the managed
//! resource derives from the result's state and, when asked, that state as the resource object.
//! A failure ends the stream with a diagnostic event.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::identity::Identity;
use super::{RawValue, Registered, Server, conform, decode, encode, null_write_only};
use crate::framework::context::Ctx;
use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListRequest, ListResource, ListResult, ListSink};

/// Events waiting for Terraform to take them: a lister runs at most this far ahead.
const BUFFER: usize = 16;

pub struct ListResourceRequest {
    pub type_name: String,
    pub config: RawValue,
    pub include_resource: bool,
    /// At most this many results; zero or less: no limit of the provider's own.
    pub limit: i64,
}

#[derive(Debug, Default)]
pub struct ListResourceEvent {
    pub display_name: String,
    pub identity: Option<RawValue>,
    pub resource_object: Option<RawValue>,
    pub diags: Diagnostics,
}

/// The list resources of `provider` by type name, with their config schemas.
impl Server {
    pub(super) fn list_resource_type(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn ListResource>> {
        let found = self.list_resources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown list resource type",
                format!("This provider has no list resource type \"{type_name}\"."),
            );
        }
        found
    }

    /// Starts listing; the events arrive on the receiver as they are produced. Dropping the
    /// receiver stops the lister at its next result.
    pub fn list_resource(
        self: &Arc<Self>,
        req: ListResourceRequest,
    ) -> mpsc::Receiver<ListResourceEvent> {
        let (tx, rx) = mpsc::channel(BUFFER);
        let server = Arc::clone(self);
        tokio::spawn(async move {
            let diags = server.run_list(req, tx.clone()).await;
            if !diags.0.is_empty() {
                let _ = tx
                    .send(ListResourceEvent {
                        diags,
                        ..Default::default()
                    })
                    .await;
            }
        });
        rx
    }

    async fn run_list(
        self: &Arc<Self>,
        req: ListResourceRequest,
        tx: mpsc::Sender<ListResourceEvent>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let Some(list) = self.list_resource_type(&req.type_name, &mut diags) else {
            return diags;
        };
        let Some(resource) = self.resource(&req.type_name, &mut diags) else {
            return diags;
        };
        if Identity::of(resource).is_none() {
            diags.error(
                "List resource without identity",
                format!(
                    "Resource type \"{}\" has no resource identity, which every list result needs. This is a bug in the provider.",
                    req.type_name
                ),
            );
            return diags;
        }
        let Some(config) = decode(&req.config, &list.ty, "list configuration", &mut diags) else {
            return diags;
        };
        let unknown = self.unknown_provider_config();
        if !unknown.is_empty() {
            diags.error(
                "Provider configuration not known yet",
                format!(
                    "{} cannot be listed before the provider's {} known.",
                    req.type_name,
                    unknown.join(", ")
                ),
            );
            return diags;
        }
        let ctx = self.ctx();
        let mut sink = StreamSink {
            server: Arc::clone(self),
            type_name: req.type_name.clone(),
            ctx: ctx.clone(),
            include_resource: req.include_resource,
            remaining: (req.limit > 0).then_some(req.limit),
            tx,
        };
        tracing::debug!(tf_rpc = "ListResource", tf_resource_type = %req.type_name, limit = req.limit, "listing");
        let imp = Arc::clone(&list.imp);
        imp.list(
            ListRequest {
                ctx,
                config,
                include_resource: req.include_resource,
                limit: req.limit,
            },
            &mut sink,
            &mut diags,
        )
        .await;
        diags
    }
}

struct StreamSink {
    server: Arc<Server>,
    type_name: String,
    ctx: Ctx,
    include_resource: bool,
    remaining: Option<i64>,
    tx: mpsc::Sender<ListResourceEvent>,
}

impl StreamSink {
    /// The result as an event: the state completed to the schema's shape, write-only values
    /// nulled, the identity derived from it.
    async fn event(&self, result: ListResult) -> ListResourceEvent {
        let mut event = ListResourceEvent {
            display_name: result.display_name,
            ..Default::default()
        };
        let Some(r) = self.server.resources.get(&self.type_name) else {
            return event;
        };
        let mut state = conform(&r.schema.block, &result.state);
        null_write_only(&r.schema.block, &mut state);
        if let Some(identity) = Identity::of(r) {
            let value = identity.of_state(&self.ctx, &state, &mut event.diags).await;
            event.identity = identity.encode(&value, "identity", &mut event.diags);
        }
        if self.include_resource {
            event.resource_object = Some(encode(&state, &r.ty, "listed object", &mut event.diags));
        }
        event
    }
}

#[async_trait]
impl ListSink for StreamSink {
    async fn send(&mut self, result: ListResult) -> bool {
        if !self.wants_more() {
            return false;
        }
        let event = self.event(result).await;
        if self.tx.send(event).await.is_err() {
            return false;
        }
        if let Some(n) = &mut self.remaining {
            *n -= 1;
        }
        self.wants_more()
    }

    fn wants_more(&self) -> bool {
        self.remaining.is_none_or(|n| n > 0) && !self.tx.is_closed() && !self.ctx.is_cancelled()
    }
}
