//! Data source `ecs_task_definition`: a revision (the latest ACTIVE one for a bare family) with
//! every attribute the resource has.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::aws::raw_json;
use crate::ecs::configured::Configured;
use crate::ecs::tags::Tags;
use crate::ecs::task_definition::remote;
use crate::ecs::task_definition::schema::{
    EphemeralStorage, PlacementConstraint, ProxyConfiguration, RuntimePlatform,
    TaskDefinitionModel, Volume, schema,
};
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::value::AttrPath;

pub struct TaskDefinitionDataSource;

/// The resource's attributes as AWS knows them, found by `task_definition`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct TaskDefinitionDataModel {
    task_definition: String,
    family: String,
    container_definitions: String,
    cpu: Attr<String>,
    memory: Attr<String>,
    network_mode: Attr<String>,
    requires_compatibilities: Attr<Vec<String>>,
    execution_role_arn: Attr<String>,
    task_role_arn: Attr<String>,
    ipc_mode: Attr<String>,
    pid_mode: Attr<String>,
    enable_fault_injection: Attr<bool>,
    tags: Attr<Tags>,
    arn: Attr<String>,
    arn_without_revision: Attr<String>,
    revision: Attr<i64>,
    id: Attr<String>,
    status: String,
    runtime_platform: Option<RuntimePlatform>,
    ephemeral_storage: Option<EphemeralStorage>,
    volume: Vec<Volume>,
    placement_constraints: Vec<PlacementConstraint>,
    proxy_configuration: Option<ProxyConfiguration>,
}

/// What the lookup reads of the configuration.
#[derive(Deserialize)]
struct Lookup {
    task_definition: String,
}

impl TaskDefinitionDataModel {
    /// `found` without what only the resource has (`PROVIDER_ONLY`).
    fn new(task_definition: String, found: TaskDefinitionModel, status: &str) -> Self {
        Self {
            task_definition,
            family: found.family,
            container_definitions: found.container_definitions,
            cpu: found.cpu,
            memory: found.memory,
            network_mode: found.network_mode,
            requires_compatibilities: found.requires_compatibilities,
            execution_role_arn: found.execution_role_arn,
            task_role_arn: found.task_role_arn,
            ipc_mode: found.ipc_mode,
            pid_mode: found.pid_mode,
            enable_fault_injection: found.enable_fault_injection,
            tags: found.tags,
            arn: found.arn,
            arn_without_revision: found.arn_without_revision,
            revision: found.revision,
            id: found.id,
            status: status.to_string(),
            runtime_platform: found.runtime_platform,
            ephemeral_storage: found.ephemeral_storage,
            volume: found.volume,
            placement_constraints: found.placement_constraints,
            proxy_configuration: found.proxy_configuration,
        }
    }
}

const PROVIDER_ONLY: &[&str] = &[
    "skip_destroy",
    "delete_revisions",
    "track_latest",
    "tags_all",
];

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
        let Some(lookup) = decode::<Lookup>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let wanted = lookup.task_definition;
        let answer = match raw_json::describe_task_definition(&cfg.clients.ecs, &wanted).await {
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
        let found = remote::flatten(&answer, None, &Default::default());
        let model = TaskDefinitionDataModel::new(wanted, found, remote::status(&answer));
        if let Some(value) =
            encode(&model, &self.schema().implied_type()).or_report(&mut resp.diags)
        {
            resp.state = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<TaskDefinitionDataModel>(&TaskDefinitionDataSource.schema());
    }
}
