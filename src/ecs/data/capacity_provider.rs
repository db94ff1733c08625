//! Data source `ecs_capacity_provider`: a capacity provider by name, with its status and its
//! provider block as ECS reports it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ecs::capacity_provider::model::{AsgProvider, MiProvider, flatten_reported};
use crate::ecs::capacity_provider::{find, schema::schema};
use crate::ecs::configured::Configured;
use crate::ecs::tags::Tags;
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::value::AttrPath;

pub struct CapacityProviderDataSource;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct CapacityProviderDataModel {
    name: String,
    cluster: Attr<String>,
    tags: Attr<Tags>,
    tags_all: Attr<Tags>,
    arn: Attr<String>,
    id: Attr<String>,
    status: Attr<String>,
    auto_scaling_group_provider: Option<AsgProvider>,
    managed_instances_provider: Option<MiProvider>,
}

#[derive(Deserialize)]
struct Lookup {
    name: String,
}

fn data_schema() -> Schema {
    let mut block = schema()
        .block
        .read_only_except(&["name"])
        .blocks_as_computed_attributes();
    // The resource's words about changing a value do not fit a lookup.
    for a in &mut block.attributes {
        let text = match a.name.as_str() {
            "name" => "Name or ARN of the capacity provider.",
            "cluster" => {
                "Cluster a managed-instances provider belongs to; null for Auto Scaling group providers."
            }
            "tags" | "tags_all" => "Tags of the capacity provider.",
            "auto_scaling_group_provider" => {
                "The Auto Scaling group provider, with the settings ECS filled in; null for managed-instances providers."
            }
            "managed_instances_provider" => {
                "The managed-instances provider; null for Auto Scaling group providers."
            }
            _ => continue,
        };
        a.description = text.to_string();
    }
    block = block
        .description("Looks up an ECS capacity provider by name (or ARN): its ARN, status and provider block as ECS reports them.")
        .attribute(Attribute::string("status").computed().description("`ACTIVE` (the data source fails for deleted, INACTIVE providers)."));
    Schema::new(block)
}

#[async_trait]
impl DataSource for CapacityProviderDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_capacity_provider"
    }

    fn schema(&self) -> Schema {
        data_schema()
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
        let provider = match find(&cfg.clients, &name).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                return resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Capacity provider not found",
                    format!(
                        "No ACTIVE ECS capacity provider named \"{name}\" exists in {}.",
                        cfg.clients.region
                    ),
                );
            }
            Err(e) => return resp.diags.error("Could not read the capacity provider", e),
        };
        let m = flatten_reported(&provider);
        let model = CapacityProviderDataModel {
            name,
            cluster: m.cluster,
            tags: Attr::Known(m.tags_all.known().cloned().unwrap_or_default()),
            tags_all: m.tags_all,
            arn: m.arn,
            id: m.id,
            status: Attr::from(provider.status().map(|s| s.as_str().to_string())),
            auto_scaling_group_provider: m.auto_scaling_group_provider,
            managed_instances_provider: m.managed_instances_provider,
        };
        if let Some(state) =
            encode(&model, &data_schema().implied_type()).or_report(&mut resp.diags)
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
        assert_model_agrees::<CapacityProviderDataModel>(&data_schema());
    }
}
