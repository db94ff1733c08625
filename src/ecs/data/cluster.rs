//! Data source `ecs_cluster`: a cluster's identity, state, counts, capacity providers and tags.

use async_trait::async_trait;
use aws_sdk_ecs::types::ClusterSettingName;

use crate::ecs::cluster::describe_cluster;
use crate::ecs::configured::Configured;
use crate::ecs::model::{map_value, set, string, string_value};
use crate::ecs::strategy;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub struct ClusterDataSource;

fn count(name: &str, what: &str) -> Attribute {
    Attribute::number(name).computed().description(what)
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
        let name = string(&req.config, "name").unwrap_or_default();
        let cluster = match describe_cluster(&cfg.clients, name).await {
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
        let state = &mut resp.state;
        let arn = cluster.cluster_arn().unwrap_or_default();
        set(state, "arn", Value::string(arn));
        set(state, "id", Value::string(arn));
        set(state, "status", string_value(cluster.status()));
        let insights = cluster
            .settings()
            .iter()
            .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
            .and_then(|s| s.value());
        set(state, "container_insights", string_value(insights));
        for (attr, n) in [
            ("active_services_count", cluster.active_services_count()),
            ("running_tasks_count", cluster.running_tasks_count()),
            ("pending_tasks_count", cluster.pending_tasks_count()),
            (
                "registered_container_instances_count",
                cluster.registered_container_instances_count(),
            ),
        ] {
            set(state, attr, Value::number_i64(i64::from(n)));
        }
        set(
            state,
            "capacity_providers",
            Value::list(cluster.capacity_providers().iter().map(Value::string)),
        );
        set(
            state,
            "default_capacity_provider_strategy",
            Value::list(strategy::from_sdk(
                cluster.default_capacity_provider_strategy(),
            )),
        );
        let tags = cluster
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect();
        set(state, "tags", map_value(&tags));
    }
}
