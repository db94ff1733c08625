//! The trait an action implements: an operation Terraform invokes (`terraform apply -invoke`, or
//! an `action_trigger` in a resource's lifecycle) that changes nothing in state. Its
//! configuration is validated like a resource's, checked again at plan (when it may still hold
//! unknown values), then invoked with a sink for progress messages Terraform prints as they come.

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::Value;

pub struct PlanActionRequest {
    pub ctx: Ctx,
    /// May hold unknown values (computed from resources this apply creates).
    pub config: Value,
}

pub struct InvokeRequest {
    pub ctx: Ctx,
    /// Wholly known.
    pub config: Value,
}

/// Where an invocation's progress messages go; Terraform prints each one as it arrives.
#[derive(Clone)]
pub struct Progress(UnboundedSender<String>);

impl Progress {
    pub fn new(sender: UnboundedSender<String>) -> Self {
        Self(sender)
    }

    pub fn send(&self, message: impl Into<String>) {
        let message = message.into();
        tracing::info!(progress = %message, "action progress");
        // Terraform has gone away when the receiver is dropped; the server cancels the call.
        let _ = self.0.send(message);
    }
}

#[async_trait]
pub trait Action: Send + Sync {
    /// The action type name, e.g. `ecs_run_task`.
    fn type_name(&self) -> &'static str;
    /// Only the configuration: actions have no state, so nothing is computed.
    fn schema(&self) -> Schema;
    /// Rules across attributes, after the schema's own validators; values may be unknown.
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Checks before Terraform commits to the plan (lookups in AWS, for instance); skipped while
    /// the provider configuration is unknown. Values may be unknown.
    async fn plan(&self, _req: PlanActionRequest, _diags: &mut Diagnostics) {}
    /// Do the work, sending progress as it happens; failures are error diagnostics.
    async fn invoke(&self, req: InvokeRequest, progress: &Progress, diags: &mut Diagnostics);
}
