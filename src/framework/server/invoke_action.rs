//! InvokeAction: runs the action in its own task and streams what it reports: each progress
//! message as it is sent, then exactly one completion carrying the diagnostics (also when the
//! action panics). StopProvider cancels the invocation's context; so does Terraform closing
//! the stream.

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::{RawValue, Server, conform, decode};
use crate::framework::action::{InvokeRequest, Progress};
use crate::framework::diag::Diagnostics;

pub struct InvokeActionRequest {
    pub type_name: String,
    pub config: RawValue,
}

/// One event of an invocation's stream.
#[derive(Debug, PartialEq)]
pub enum ActionEvent {
    Progress(String),
    /// The last event.
    Completed(Diagnostics),
}

impl Server {
    pub fn invoke_action(&self, req: InvokeActionRequest) -> UnboundedReceiver<ActionEvent> {
        let (events, receiver) = unbounded_channel();
        let mut diags = Diagnostics::new();
        let found = self.action(&req.type_name, &mut diags).and_then(|a| {
            let config = decode(&req.config, &a.ty, "action configuration", &mut diags)?;
            Some((a.imp.clone(), conform(&a.schema.block, &config)))
        });
        let Some((action, config)) = found else {
            let _ = events.send(ActionEvent::Completed(diags));
            return receiver;
        };
        if !config.is_wholly_known() {
            // Terraform refuses this itself ("Action configuration unknown during apply").
            diags.error(
                "Action configuration not known",
                format!("{} was invoked with values not known yet; Terraform must know every value before an action runs.", req.type_name),
            );
            let _ = events.send(ActionEvent::Completed(diags));
            return receiver;
        }
        let ctx = self.ctx();
        tokio::spawn(async move {
            let (messages, mut forward) = unbounded_channel::<String>();
            let cancel = ctx.cancel.clone();
            // Its own task, so a panic in the action still ends the stream with a diagnostic.
            let mut run = tokio::spawn(async move {
                let progress = Progress::new(messages);
                let mut diags = Diagnostics::new();
                action
                    .invoke(InvokeRequest { ctx, config }, &progress, &mut diags)
                    .await;
                diags
            });
            let mut gone = false;
            let diags = loop {
                tokio::select! {
                    done = &mut run => break done.unwrap_or_else(|e| {
                        let mut diags = Diagnostics::new();
                        diags.error(
                            "Provider bug",
                            format!("The action stopped unexpectedly ({e}); please report this."),
                        );
                        diags
                    }),
                    Some(message) = forward.recv() => {
                        let _ = events.send(ActionEvent::Progress(message));
                    }
                    () = events.closed(), if !gone => {
                        gone = true;
                        cancel.cancel();
                    }
                }
            };
            // Messages sent just before the end still go out first.
            while let Ok(message) = forward.try_recv() {
                let _ = events.send(ActionEvent::Progress(message));
            }
            let _ = events.send(ActionEvent::Completed(diags));
        });
        receiver
    }
}
