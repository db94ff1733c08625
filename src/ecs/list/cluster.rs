//! `list "ecs_cluster"`: every cluster of the region (ListClusters), read in batches of 100.

use async_trait::async_trait;

use super::{Found, read_and_send, stub};
use crate::aws::errors::describe;
use crate::ecs::arn::name_of;
use crate::ecs::cluster::ClusterResource;
use crate::ecs::provider::Configured;
use crate::framework::Value;
use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListRequest, ListResource, ListSink};
use crate::framework::schema::{Block, Schema};

/// DescribeClusters takes 100 clusters per call.
const BATCH: i32 = 100;

pub struct ClusterList;

#[async_trait]
impl ListResource for ClusterList {
    fn type_name(&self) -> &'static str {
        "ecs_cluster"
    }

    fn config_schema(&self) -> Schema {
        Schema::new(
            Block::new().description(
                "Lists every ECS cluster in the provider's region. Takes no arguments.",
            ),
        )
    }

    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics) {
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let resource = ClusterResource;
        let mut token = None;
        loop {
            let page = cfg
                .clients
                .ecs
                .list_clusters()
                .max_results(BATCH)
                .set_next_token(token)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    diags.error(
                        "Could not list ECS clusters",
                        format!("ListClusters failed: {}", describe(&e)),
                    );
                    return;
                }
            };
            let batch = page
                .cluster_arns()
                .iter()
                .map(|arn| Found {
                    display_name: name_of(arn).to_string(),
                    // Import's stub, which its own lookup would fill with the same ARN.
                    stub: stub(
                        &resource,
                        &[
                            ("name", Value::string(name_of(arn))),
                            ("arn", Value::string(arn.as_str())),
                            ("id", Value::string(arn.as_str())),
                        ],
                    ),
                })
                .collect();
            if !read_and_send(&resource, &req.ctx, batch, false, sink, diags).await {
                return;
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return;
            }
        }
    }
}
