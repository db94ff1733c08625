//! `list "ecs_service"`: the services of one cluster (ListServices), read in batches of 10.

use async_trait::async_trait;

use super::{Found, imported, read_and_send};
use crate::aws::errors::describe;
use crate::ecs::arn::name_of;
use crate::ecs::provider::Configured;
use crate::ecs::service::ServiceResource;
use crate::framework::Value;
use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListRequest, ListResource, ListSink};
use crate::framework::schema::validators::Length;
use crate::framework::schema::{Attribute, Block, Schema};

/// DescribeServices takes 10 services per call.
const BATCH: i32 = 10;

pub struct ServiceList;

#[async_trait]
impl ListResource for ServiceList {
    fn type_name(&self) -> &'static str {
        "ecs_service"
    }

    fn config_schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Lists the services of one ECS cluster.")
                .attribute(
                    Attribute::string("cluster")
                        .required()
                        .validate(Length { min: 1, max: 2048 })
                        .description("Name or ARN of the cluster whose services are listed."),
                ),
        )
    }

    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics) {
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let Some(cluster) = req.config.get("cluster").and_then(Value::as_str) else {
            return;
        };
        let cluster = name_of(cluster).to_string();
        let resource = ServiceResource;
        let mut token = None;
        loop {
            let page = cfg
                .clients
                .ecs
                .list_services()
                .cluster(&cluster)
                .max_results(BATCH)
                .set_next_token(token)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    diags.error_at(
                        crate::framework::AttrPath::root().attr("cluster"),
                        "Could not list ECS services",
                        format!("ListServices in \"{cluster}\" failed: {}", describe(&e)),
                    );
                    return;
                }
            };
            let mut batch = Vec::new();
            for arn in page.service_arns() {
                let name = name_of(arn);
                let id = format!("{cluster}/{name}");
                if let Some(stub) = imported(&resource, &req.ctx, &id, diags).await {
                    batch.push(Found {
                        display_name: name.to_string(),
                        stub,
                    });
                }
            }
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
