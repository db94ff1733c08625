//! Data source `ecs_cluster`: a cluster's identity, state, counts, capacity providers and tags.

use async_trait::async_trait;
use aws_sdk_ecs::types::{Cluster, ClusterSettingName};
use serde::{Deserialize, Serialize};

use crate::ecs::cluster::describe_cluster;
use crate::ecs::configured::Configured;
use crate::ecs::strategy::{self, StrategyItem};
use crate::ecs::tags::Tags;
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{OrReport, decode, encode};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::value::AttrPath;

pub struct ClusterDataSource;

fn count(name: &str, what: &str) -> Attribute {
    Attribute::number(name).computed().description(what)
}

/// The data source's values, one field per attribute; all but `name` are read from AWS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ClusterDataModel {
    name: String,
    arn: Option<String>,
    id: Option<String>,
    status: Option<String>,
    container_insights: Option<String>,
    active_services_count: Option<i64>,
    running_tasks_count: Option<i64>,
    pending_tasks_count: Option<i64>,
    registered_container_instances_count: Option<i64>,
    capacity_providers: Option<Vec<String>>,
    tags: Option<Tags>,
    default_capacity_provider_strategy: Vec<StrategyItem>,
}

/// What the configuration says: only the name. The computed attributes (and any read-only
/// block written there) are replaced by what AWS reports, so they are not read.
#[derive(Deserialize)]
struct Lookup {
    name: String,
}

/// The state from what AWS reports; `name` stays as the user wrote it.
fn flatten(cluster: &Cluster, name: &str) -> ClusterDataModel {
    let arn = cluster.cluster_arn().unwrap_or_default().to_string();
    let insights = cluster
        .settings()
        .iter()
        .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
        .and_then(|s| s.value());
    let count = |n: i32| Some(i64::from(n));
    ClusterDataModel {
        name: name.to_string(),
        arn: Some(arn.clone()),
        id: Some(arn),
        status: cluster.status().map(str::to_string),
        container_insights: insights.map(str::to_string),
        active_services_count: count(cluster.active_services_count()),
        running_tasks_count: count(cluster.running_tasks_count()),
        pending_tasks_count: count(cluster.pending_tasks_count()),
        registered_container_instances_count: count(cluster.registered_container_instances_count()),
        capacity_providers: Some(cluster.capacity_providers().to_vec()),
        tags: Some(
            cluster
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect(),
        ),
        default_capacity_provider_strategy: strategy::flatten(
            cluster.default_capacity_provider_strategy(),
        ),
    }
}

#[async_trait]
impl DataSource for ClusterDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_cluster"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Looks up an ECS cluster by name or ARN.")
                .attribute(
                    Attribute::string("name")
                        .required()
                        .description("Name or ARN of the cluster."),
                )
                .attribute(
                    Attribute::string("arn")
                        .computed()
                        .description("ARN of the cluster."),
                )
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .description("Same as `arn`."),
                )
                .attribute(Attribute::string("status").computed().description(
                    "`ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED` or `INACTIVE`.",
                ))
                .attribute(
                    Attribute::string("container_insights")
                        .computed()
                        .description(
                            "The Container Insights setting: `enabled`, `enhanced` or `disabled`.",
                        ),
                )
                .attribute(count(
                    "active_services_count",
                    "Services in the ACTIVE state.",
                ))
                .attribute(count("running_tasks_count", "Tasks in the RUNNING state."))
                .attribute(count("pending_tasks_count", "Tasks in the PENDING state."))
                .attribute(count(
                    "registered_container_instances_count",
                    "Registered container instances.",
                ))
                .attribute(
                    Attribute::string_list("capacity_providers")
                        .computed()
                        .description("Capacity providers the cluster may use."),
                )
                .attribute(
                    Attribute::string_map("tags")
                        .computed()
                        .description("Tags of the cluster."),
                )
                .block(NestedBlock::list(
                    "default_capacity_provider_strategy",
                    strategy::block(
                        "The cluster's default capacity-provider strategy (read-only).",
                    ),
                )),
        )
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let Some(Lookup { name }) = decode(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let cluster = match describe_cluster(&cfg.clients, &name).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Cluster not found",
                    format!(
                        "No ACTIVE ECS cluster named \"{name}\" exists in {}.",
                        cfg.clients.region
                    ),
                );
                return;
            }
            Err(e) => {
                resp.diags.error("Could not read the cluster", e);
                return;
            }
        };
        if let Some(state) = encode(&flatten(&cluster, &name), &self.schema().implied_type())
            .or_report(&mut resp.diags)
        {
            resp.state = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<ClusterDataModel>(&ClusterDataSource.schema());
    }
}
