//! Data source `ecs_task_definition`: a revision (the latest ACTIVE one for a bare family) with
//! every attribute the resource has.

use async_trait::async_trait;

use crate::aws::raw_json;
use crate::ecs::configured::Configured;
use crate::ecs::model::{set, string, string_value, unset};
use crate::ecs::task_definition::{remote, schema::schema};
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub struct TaskDefinitionDataSource;

const PROVIDER_ONLY: &[&str] = &["skip_destroy", "delete_revisions", "tags_all"];

#[async_trait]
impl DataSource for TaskDefinitionDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_task_definition"
    }

    fn schema(&self) -> Schema {
        let mut block = schema().block.read_only_except(&[]);
        block
            .attributes
            .retain(|a| !PROVIDER_ONLY.contains(&a.name.as_str()));
        block.description = "Looks up a task definition revision: `family` (the latest ACTIVE revision), `family:revision` or an ARN.".into();
        block.attributes.insert(
            0,
            Attribute::string("task_definition")
                .required()
                .description("`family`, `family:revision` or the ARN of a revision."),
        );
        block.attributes.push(
            Attribute::string("status")
                .computed()
                .description("`ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`."),
        );
        Schema::new(block)
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let wanted = string(&req.config, "task_definition").unwrap_or_default();
        let answer = match raw_json::describe_task_definition(&cfg.clients.ecs, wanted).await {
            Ok(answer) => answer,
            Err(e) => {
                resp.diags.error_at(
                    AttrPath::root().attr("task_definition"),
                    "Task definition not found",
                    format!("DescribeTaskDefinition for \"{wanted}\" failed: {e}"),
                );
                return;
            }
        };
        remote::apply(&mut resp.state, &answer, &Value::Null, &Default::default());
        for name in PROVIDER_ONLY {
            unset(&mut resp.state, name);
        }
        set(
            &mut resp.state,
            "status",
            string_value(Some(remote::status(&answer))),
        );
    }
}
