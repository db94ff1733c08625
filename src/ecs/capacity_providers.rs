//! `ecs_cluster_capacity_providers`: which capacity providers a cluster may use and its default
//! strategy. Create and update put both lists; delete puts empty ones.
//!
//! Managed-instances providers belong to the cluster they were created in, and
//! PutClusterCapacityProviders refuses them ("Cannot associate Managed Instances capacity
//! provider to clusters using this API"), yet the cluster lists them. They may be named in
//! `capacity_providers` (so a strategy can use them next to Auto Scaling group and Fargate
//! providers) but are never sent; one the configuration does not name is left out of the
//! state, so it never shows as a diff.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::Cluster;
use serde::{Deserialize, Serialize};

use super::arn::{is_name_char, name_of};
use super::configured::Configured;
use super::model::string;
use super::strategy::{self, StrategyItem};
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ReadRequest,
    Resource, StateResponse, UpdateRequest, ValidateConfig,
};
use crate::framework::schema::validators::Length;
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Ctx, Diagnostics, Value};

pub struct ClusterCapacityProvidersResource;

/// The private state an import leaves for the first read.
const IMPORTED: &[u8] = b"imported";

/// How long a put may wait for an update already in progress on the cluster.
const PUT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("The capacity providers of an ECS cluster and its default capacity-provider strategy. Manage them here rather than in several places: this resource replaces both lists on every change.")
            .attribute(
                Attribute::string("cluster_name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 2048 })
                    .description("Name of the cluster (its ARN is accepted too). Changing it moves the association to another cluster."),
            )
            .attribute(
                Attribute::string_set("capacity_providers")
                    .optional()
                    .description("Capacity providers the cluster may use: `FARGATE`, `FARGATE_SPOT`, Auto Scaling group providers and, together with them, the cluster's managed-instances providers. Managed-instances providers belong to their cluster from creation (ECS refuses to associate them here): naming one only lets the default strategy use it; one not named here is left out of the state."),
            )
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("The cluster name."))
            .block(NestedBlock::set(
                "default_capacity_provider_strategy",
                strategy::block("How services without their own strategy or launch type spread their tasks."),
            )),
    )
}

/// The resource's values, one field per attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ClusterCapacityProvidersModel {
    cluster_name: String,
    capacity_providers: Attr<Vec<String>>,
    id: Attr<String>,
    default_capacity_provider_strategy: Vec<StrategyItem>,
}

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

/// The model as a state value; `None` (reported) if it does not fit the schema.
fn write(model: &ClusterCapacityProvidersModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(model, &schema().implied_type()).or_report(diags)
}

/// Which of `names` are managed-instances providers (one DescribeCapacityProviders call; the
/// Fargate providers are never asked about).
pub(crate) async fn managed_instances(
    clients: &Clients,
    names: &[String],
) -> Result<Vec<String>, String> {
    let custom: Vec<String> = names
        .iter()
        .filter(|n| !matches!(n.as_str(), "FARGATE" | "FARGATE_SPOT"))
        .cloned()
        .collect();
    if custom.is_empty() {
        return Ok(Vec::new());
    }
    let out = clients
        .ecs
        .describe_capacity_providers()
        .set_capacity_providers(Some(custom))
        .send()
        .await
        .map_err(|e| format!("DescribeCapacityProviders failed: {}", describe(&e)))?;
    Ok(out
        .capacity_providers()
        .iter()
        .filter(|p| p.managed_instances_provider().is_some() || p.cluster().is_some())
        .filter_map(|p| p.name().map(str::to_string))
        .collect())
}

/// The reported providers without the managed-instances ones the prior state did not name.
async fn without_unnamed_managed_instances(
    clients: &Clients,
    reported: &mut ClusterCapacityProvidersModel,
    prior: &ClusterCapacityProvidersModel,
) -> Result<(), String> {
    let Attr::Known(names) = &reported.capacity_providers else {
        return Ok(());
    };
    let named = prior
        .capacity_providers
        .known()
        .cloned()
        .unwrap_or_default();
    let extra: Vec<String> = names
        .iter()
        .filter(|n| !named.contains(n))
        .cloned()
        .collect();
    let dropped = managed_instances(clients, &extra).await?;
    if dropped.is_empty() {
        return Ok(());
    }
    let kept: Vec<String> = names
        .iter()
        .filter(|n| !dropped.contains(n))
        .cloned()
        .collect();
    reported.capacity_providers = if kept.is_empty() && prior.capacity_providers.is_null() {
        Attr::Null
    } else {
        Attr::Known(kept)
    };
    Ok(())
}

/// PutClusterCapacityProviders, retried while another update of the cluster is in progress.
async fn put(
    clients: &Clients,
    ctx: &Ctx,
    cluster: &str,
    providers: Vec<String>,
    strategy: Vec<aws_sdk_ecs::types::CapacityProviderStrategyItem>,
) -> Result<(), String> {
    let attempt = || {
        let (providers, strategy) = (providers.clone(), strategy.clone());
        async move {
            let out = clients
                .ecs
                .put_cluster_capacity_providers()
                .cluster(cluster)
                .set_capacity_providers(Some(providers))
                .set_default_capacity_provider_strategy(Some(strategy))
                .send()
                .await;
            match out {
                Ok(_) => Poll::Done(Ok(())),
                Err(e)
                    if matches!(
                        code(&e),
                        Some("UpdateInProgressException" | "ResourceInUseException")
                    ) =>
                {
                    Poll::Pending(describe(&e))
                }
                Err(e) => Poll::Done(Err(e)),
            }
        }
    };
    let waited = wait::until(
        PUT_TIMEOUT,
        Duration::from_secs(1),
        Duration::from_secs(10),
        &ctx.cancel,
        attempt,
    )
    .await;
    match waited {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "PutClusterCapacityProviders for \"{cluster}\" failed: {}",
            describe(&e)
        )),
        Err(WaitError::Cancelled) => {
            Err("interrupted: Terraform asked the provider to stop".into())
        }
        Err(WaitError::TimedOut { last }) => Err(format!(
            "the cluster stayed busy for {}s: {}",
            PUT_TIMEOUT.as_secs(),
            last.unwrap_or_default()
        )),
    }
}

async fn describe_cluster(clients: &Clients, cluster: &str) -> Result<Option<Cluster>, String> {
    let out = clients
        .ecs
        .describe_clusters()
        .clusters(cluster)
        .send()
        .await
        .map_err(|e| {
            format!(
                "DescribeClusters for \"{cluster}\" failed: {}",
                describe(&e)
            )
        })?;
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() == Some("ACTIVE"))
        .cloned())
}

/// The model from what AWS reports; `cluster_name` stays as the user wrote it.
fn flatten(
    cluster: &Cluster,
    prior: &ClusterCapacityProvidersModel,
) -> ClusterCapacityProvidersModel {
    let names = cluster.capacity_providers().to_vec();
    ClusterCapacityProvidersModel {
        cluster_name: prior.cluster_name.clone(),
        // None attached and none configured: keep the user's null.
        capacity_providers: if names.is_empty() && prior.capacity_providers.is_null() {
            Attr::Null
        } else {
            Attr::Known(names)
        },
        id: Attr::Known(name_of(&prior.cluster_name).to_string()),
        default_capacity_provider_strategy: strategy::flatten(
            cluster.default_capacity_provider_strategy(),
        ),
    }
}

async fn apply(cfg: &Configured, ctx: &Ctx, planned: &Value, resp: &mut StateResponse) {
    let Some(plan) = decode::<ClusterCapacityProvidersModel>(planned).or_report(&mut resp.diags)
    else {
        return;
    };
    let cluster = &plan.cluster_name;
    let mut providers = plan.capacity_providers.known().cloned().unwrap_or_default();
    match managed_instances(&cfg.clients, &providers).await {
        Ok(scoped) => providers.retain(|p| !scoped.contains(p)),
        Err(e) => {
            resp.diags
                .error("Could not look up the capacity providers", e);
            return;
        }
    }
    let items = strategy::expand(&plan.default_capacity_provider_strategy);
    if let Err(e) = put(&cfg.clients, ctx, cluster, providers, items).await {
        resp.diags
            .error("Could not set the cluster's capacity providers", e);
        return;
    }
    let state = ClusterCapacityProvidersModel {
        id: Attr::Known(name_of(cluster).to_string()),
        ..plan.clone()
    };
    if let Some(state) = write(&state, &mut resp.diags) {
        resp.state = state;
    }
}

#[async_trait]
impl Resource for ClusterCapacityProvidersResource {
    fn type_name(&self) -> &'static str {
        "ecs_cluster_capacity_providers"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        if let Some(cfg) = configured(&req.ctx, &mut resp.diags) {
            apply(&cfg, &req.ctx, &req.planned, resp).await;
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) =
            decode::<ClusterCapacityProvidersModel>(&req.state).or_report(&mut resp.diags)
        else {
            return;
        };
        let cluster = &prior.cluster_name;
        let others = req.ctx.in_read_burst();
        match cfg.clients.batch.clusters.get("", cluster, others).await {
            Ok(Some(c)) => {
                let mut state = flatten(&c, &prior);
                // Just imported, nothing is known of the configuration yet: report all.
                let imported = req.private == IMPORTED;
                resp.private = Vec::new();
                if !imported
                    && let Err(e) =
                        without_unnamed_managed_instances(&cfg.clients, &mut state, &prior).await
                {
                    resp.diags
                        .error("Could not read the cluster's capacity providers", e);
                    return;
                }
                if let Some(state) = write(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => {
                tracing::info!(cluster = %cluster, "cluster is gone; removing its capacity providers from state");
                resp.remove();
            }
            Err(e) => resp
                .diags
                .error("Could not read the cluster's capacity providers", e),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        if let Some(cfg) = configured(&req.ctx, &mut resp.diags) {
            apply(&cfg, &req.ctx, &req.planned, resp).await;
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let Some(prior) = decode::<ClusterCapacityProvidersModel>(&req.prior).or_report(diags)
        else {
            return;
        };
        let cluster = &prior.cluster_name;
        match describe_cluster(&cfg.clients, cluster).await {
            Ok(None) => return,
            Ok(Some(_)) => {}
            Err(e) => {
                diags.error("Could not read the cluster", e);
                return;
            }
        }
        if let Err(e) = put(&cfg.clients, &req.ctx, cluster, vec![], vec![]).await {
            diags.error("Could not remove the cluster's capacity providers", e);
        }
    }

    fn as_validate_config(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::CLUSTER_CAPACITY_PROVIDERS)
    }
}

impl ValidateConfig for ClusterCapacityProvidersResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        let path = AttrPath::root().attr("default_capacity_provider_strategy");
        let strategy = config.get("default_capacity_provider_strategy");
        strategy::check_single_base(strategy, &path, diags);
        check_one_kind(strategy, &path, diags);
        // Every provider of the strategy must be one the cluster may use.
        let Some(Value::Set(listed)) = config.get("capacity_providers") else {
            return;
        };
        if listed.iter().any(|v| !v.is_known()) {
            return;
        }
        let allowed: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
        for item in strategy.and_then(Value::elements).unwrap_or_default() {
            if let Some(name) = string(item, "capacity_provider")
                && !allowed.contains(&name)
            {
                diags.error_at(
                    path.clone(),
                    "Strategy names a capacity provider the cluster does not have",
                    format!(
                        "\"{name}\" is not in `capacity_providers` ({}). Add it there or remove it from the strategy.",
                        if allowed.is_empty() { "empty".to_string() } else { allowed.join(", ") }
                    ),
                );
            }
        }
    }
}

/// "A capacity provider strategy can only contain Auto Scaling group capacity providers or
/// Fargate capacity providers" (ECS Developer Guide, Amazon ECS capacity providers): a known
/// Fargate provider next to a known other one is refused. Names not known yet are skipped.
fn check_one_kind(strategy: Option<&Value>, path: &AttrPath, diags: &mut Diagnostics) {
    let names: Vec<&str> = strategy
        .and_then(Value::elements)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| string(i, "capacity_provider"))
        .collect();
    let (fargate, other): (Vec<&str>, Vec<&str>) = names
        .iter()
        .partition(|n| matches!(**n, "FARGATE" | "FARGATE_SPOT"));
    if let (Some(f), Some(o)) = (fargate.first(), other.first()) {
        diags.error_at(
            path.clone(),
            "Strategy mixes Fargate and other capacity providers",
            format!(
                "The strategy names \"{f}\" and \"{o}\": a capacity provider strategy holds either Fargate providers (FARGATE, FARGATE_SPOT) or others (Auto Scaling group, managed instances), not both. The cluster itself may hold both kinds in `capacity_providers`."
            ),
        );
    }
}

#[async_trait]
impl ImportState for ClusterCapacityProvidersResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        let name = name_of(req.id.trim());
        if name.is_empty() || !name.chars().all(is_name_char) {
            resp.diags.error(
                "Invalid import ID",
                format!("\"{}\" is not a cluster name.", req.id),
            );
            return;
        }
        let imported = ClusterCapacityProvidersModel {
            cluster_name: name.to_string(),
            capacity_providers: Attr::Null,
            id: Attr::Known(name.to_string()),
            default_capacity_provider_strategy: Vec::new(),
        };
        if let Some(state) = write(&imported, &mut resp.diags) {
            resp.state = state;
            resp.private = IMPORTED.to_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<ClusterCapacityProvidersModel>(&schema());
    }

    #[test]
    fn a_strategy_holds_fargate_or_other_providers_not_both() {
        let item = |name: &str| Value::object([("capacity_provider", Value::string(name))]);
        let errors = |items: Vec<Value>| {
            let mut diags = Diagnostics::new();
            check_one_kind(Some(&Value::set(items)), &AttrPath::root(), &mut diags);
            diags.iter().count()
        };
        assert_eq!(errors(vec![item("FARGATE"), item("web-asg")]), 1);
        assert_eq!(errors(vec![item("FARGATE"), item("FARGATE_SPOT")]), 0);
        assert_eq!(errors(vec![item("web-asg"), item("web-mi")]), 0);
        let unknown = Value::object([("capacity_provider", Value::Unknown)]);
        assert_eq!(errors(vec![item("FARGATE"), unknown]), 0);
    }
}
