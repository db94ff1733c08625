//! `list "ecs_task_definition"`: task definition revisions (ListTaskDefinitions), filtered by
//! family prefix and status. DescribeTaskDefinition takes one revision per call, so the reads
//! of a batch of 10 run together.

use async_trait::async_trait;
use aws_sdk_ecs::types::{TaskDefinitionFamilyStatus, TaskDefinitionStatus};

use super::{Found, imported, read_and_send};
use crate::aws::errors::describe;
use crate::ecs::arn::name_of;
use crate::ecs::provider::Configured;
use crate::ecs::task_definition::TaskDefinitionResource;
use crate::framework::Value;
use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListRequest, ListResource, ListSink};
use crate::framework::schema::validators::{Length, OneOf};
use crate::framework::schema::{Attribute, Block, Schema};

const BATCH: i32 = 10;
const STATUSES: &[&str] = &["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"];

pub struct TaskDefinitionList;

#[async_trait]
impl ListResource for TaskDefinitionList {
    fn type_name(&self) -> &'static str {
        "ecs_task_definition"
    }

    fn config_schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Lists task definition revisions.")
                .attribute(
                    Attribute::string("family_prefix")
                        .optional()
                        .validate(Length { min: 1, max: 255 })
                        .description("Only revisions of the families whose name starts with this text, e.g. `web` for `web` and `web-worker`."),
                )
                .attribute(
                    Attribute::string("status")
                        .optional()
                        .validate(OneOf(STATUSES))
                        .description("Only revisions in this state: `ACTIVE` (the default), `INACTIVE` (deregistered) or `DELETE_IN_PROGRESS`. Revisions that are not `ACTIVE` cannot be imported."),
                ),
        )
    }

    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics) {
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let status = req
            .config
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("ACTIVE");
        let Some(prefix) = req.config.get("family_prefix").and_then(Value::as_str) else {
            revisions(&cfg, &req, None, status, sink, diags).await;
            return;
        };
        // ListTaskDefinitions takes a whole family name (its `familyPrefix` is no prefix);
        // ListTaskDefinitionFamilies matches the start of family names.
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html
        let mut token = None;
        loop {
            let page = cfg
                .clients
                .ecs
                .list_task_definition_families()
                .family_prefix(prefix)
                .status(TaskDefinitionFamilyStatus::All)
                .set_next_token(token)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    diags.error(
                        "Could not list task definition families",
                        format!("ListTaskDefinitionFamilies failed: {}", describe(&e)),
                    );
                    return;
                }
            };
            for family in page.families() {
                if !revisions(&cfg, &req, Some(family), status, sink, diags).await {
                    return;
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return;
            }
        }
    }
}

/// Sends the revisions of `family` (of every family when `None`) in `status`, a batch at a
/// time; `false` when listing should stop.
async fn revisions(
    cfg: &Configured,
    req: &ListRequest,
    family: Option<&str>,
    status: &str,
    sink: &mut dyn ListSink,
    diags: &mut Diagnostics,
) -> bool {
    let resource = TaskDefinitionResource;
    let mut token = None;
    loop {
        let page = cfg
            .clients
            .ecs
            .list_task_definitions()
            .set_family_prefix(family.map(str::to_string))
            .status(TaskDefinitionStatus::from(status))
            .max_results(BATCH)
            .set_next_token(token)
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                diags.error(
                    "Could not list task definitions",
                    format!("ListTaskDefinitions failed: {}", describe(&e)),
                );
                return false;
            }
        };
        let mut batch = Vec::new();
        for arn in page.task_definition_arns() {
            if let Some(stub) = imported(&resource, &req.ctx, arn, diags).await {
                batch.push(Found {
                    display_name: name_of(arn).to_string(),
                    stub,
                });
            }
        }
        // Only ACTIVE revisions can be managed: the others are sent as import describes
        // them, since read drops them.
        if !read_and_send(&resource, &req.ctx, batch, status != "ACTIVE", sink, diags).await {
            return false;
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return true;
        }
    }
}
