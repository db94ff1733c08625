//! `ecs_service_redeploy`: UpdateService with `forceNewDeployment`, then the deployment it
//! started followed to its end with the same wait `ecs_service` uses
//! (`service::deployment_wait`), each new line of its progress streamed to Terraform.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{timeout, timeout_attribute};
use crate::aws::errors::describe;
use crate::ecs::Configured;
use crate::ecs::service::deployment_wait::{self, Start};
use crate::ecs::service::steady::SteadyError;
use crate::framework::Diagnostics;
use crate::framework::action::{Action, InvokeRequest, Progress};
use crate::framework::model::{OrReport, decode};
use crate::framework::schema::{Attribute, Block, Schema};

pub struct ServiceRedeployAction;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct RedeployModel {
    cluster: String,
    service: String,
    wait_for_steady_state: Option<bool>,
    timeout: Option<i64>,
}

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("Forces a new deployment of an ECS service (UpdateService with `forceNewDeployment`): the tasks are replaced with fresh ones of the same task definition, e.g. to pick up a new image pushed under the same tag or rotated secrets. By default the action follows the new deployment until ECS reports it COMPLETED, streaming its status and running/desired task counts, and fails with ECS's reason when the deployment fails or is rolled back.")
            .attribute(
                Attribute::string("cluster")
                    .required()
                    .description("Name or ARN of the cluster the service runs in."),
            )
            .attribute(
                Attribute::string("service")
                    .required()
                    .description("Name or ARN of the service to redeploy."),
            )
            .attribute(
                Attribute::bool("wait_for_steady_state")
                    .optional()
                    .description("Wait until the new deployment has finished (COMPLETED, or failed or rolled back, which fails the action). Default true; false returns once ECS has accepted the request."),
            )
            .attribute(timeout_attribute("the deployment")),
    )
}

#[async_trait]
impl Action for ServiceRedeployAction {
    fn type_name(&self) -> &'static str {
        "ecs_service_redeploy"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn invoke(&self, req: InvokeRequest, progress: &Progress, diags: &mut Diagnostics) {
        let Some(config) = decode::<RedeployModel>(&req.config).or_report(diags) else {
            return;
        };
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let (cluster, service) = (&config.cluster, &config.service);
        progress.send(format!(
            "Forcing a new deployment of service {service} in cluster {cluster}"
        ));
        let started = std::time::SystemTime::now();
        let updated = cfg
            .clients
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .force_new_deployment(true)
            .send()
            .await;
        let updated = match updated {
            Ok(out) => out.service,
            Err(e) => {
                diags.error(
                    format!("Could not redeploy service \"{service}\""),
                    format!(
                        "UpdateService in cluster \"{cluster}\" failed: {}",
                        describe(&e)
                    ),
                );
                return;
            }
        };
        let primary = updated
            .as_ref()
            .and_then(|s| {
                s.deployments()
                    .iter()
                    .find(|d| d.status() == Some("PRIMARY"))
            })
            .and_then(|d| d.id())
            .unwrap_or("unknown")
            .to_string();
        progress.send(format!("New deployment {primary} started"));
        if !config.wait_for_steady_state.unwrap_or(true) {
            return;
        }
        let tell = |line: &str| progress.send(format!("Deployment {primary}: {line}"));
        let waited = deployment_wait::wait(
            &cfg.clients,
            cluster,
            service,
            Start {
                service: updated.as_ref(),
                started,
                resume: None,
                progress: Some(&tell),
            },
            timeout(config.timeout),
            &req.ctx.cancel,
            false,
        )
        .await;
        let still = waited
            .deployment
            .map(|arn| format!(" ECS continues service deployment {arn}."))
            .unwrap_or_default();
        match waited.result {
            Ok(()) => progress.send(format!("Deployment {primary} COMPLETED")),
            Err(SteadyError::Failed(reason)) => diags.error(
                format!("The new deployment of service \"{service}\" failed"),
                format!("Deployment {primary}: {reason}"),
            ),
            Err(SteadyError::TimedOut(last)) => diags.error(
                format!("The new deployment of service \"{service}\" did not finish in time"),
                format!("Gave up waiting after the `timeout` ({} s). Last seen: {last}.{still} Raise `timeout`, or set `wait_for_steady_state = false`.", timeout(config.timeout).as_secs()),
            ),
            Err(SteadyError::Cancelled | SteadyError::RollbackRequested(_)) => diags.error(
                format!("Waiting for the new deployment of service \"{service}\" interrupted"),
                format!("Terraform asked the provider to stop; the deployment was started and is not rolled back.{still}"),
            ),
            Err(SteadyError::Gone) => diags.error(
                format!("Service \"{service}\" disappeared"),
                "The service was deleted while its new deployment was followed.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn redeploy_model_agrees() {
        assert_model_agrees::<RedeployModel>(&schema());
    }
}
