//! `ecs_cluster`: an ECS cluster with its settings, execute-command configuration and tags.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Cluster, ClusterConfiguration, ClusterField, ClusterServiceConnectDefaultsRequest,
    ClusterSetting, ClusterSettingName, ExecuteCommandConfiguration,
    ExecuteCommandLogConfiguration, ExecuteCommandLogging,
};
use serde::{Deserialize, Serialize};

use super::arn::{is_name_char, name_of};
use super::cluster_configuration::{
    Configuration, ManagedStorage, ServiceConnectDefaults, configuration_block,
    expand_managed_storage, flatten_managed_storage, service_connect_defaults_block,
    validate_spellings,
};
use super::configured::Configured;
use super::tags::{self, Tags};
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig,
};
use crate::framework::schema::validators::{Chars, Length, OneOf, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::{Ctx, Diagnostics, Value, timeouts};

pub struct ClusterResource;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

fn schema() -> Schema {
    let log_configuration = Block::new()
        .description("Where execute-command session logs go when `logging = \"OVERRIDE\"`.")
        .attribute(
            Attribute::bool("cloud_watch_encryption_enabled")
                .optional()
                .description("Encrypt the CloudWatch log data."),
        )
        .attribute(
            Attribute::string("cloud_watch_log_group_name")
                .optional()
                .description("CloudWatch Logs group to send logs to."),
        )
        .attribute(
            Attribute::bool("s3_bucket_encryption_enabled")
                .optional()
                .description("Encrypt the logs in the S3 bucket."),
        )
        .attribute(
            Attribute::string("s3_bucket_name")
                .optional()
                .description("S3 bucket to send logs to."),
        )
        .attribute(
            Attribute::string("s3_key_prefix")
                .optional()
                .description("Prefix of the S3 objects."),
        );
    let execute_command = Block::new()
        .description("Settings for `ecs execute-command` sessions in this cluster.")
        .attribute(Attribute::string("kms_key_id").optional().description("KMS key that encrypts the session data."))
        .attribute(
            Attribute::string("logging")
                .optional()
                .default(Value::string("DEFAULT"))
                .validate(OneOf(&["NONE", "DEFAULT", "OVERRIDE"]))
                .description("Where session output is logged: `NONE`, `DEFAULT` (the task's log configuration) or `OVERRIDE` (see `log_configuration`). Default `DEFAULT`."),
        )
        .block(NestedBlock::single("log_configuration", log_configuration));
    Schema::new(
        Block::new()
            .description("An Amazon ECS cluster.\n\nThe AWS provider's spellings work too, so an `aws_ecs_cluster` configuration carries over by renaming the resource type: `service_connect_defaults { namespace = ... }` is the same setting as `service_connect_namespace`, and `configuration { execute_command_configuration { ... } }` the same as the top-level `execute_command_configuration`. Set one spelling of each, not both; the state keeps the one you wrote (an import fills in the short one). `configuration { managed_storage_configuration { ... } }` sets the KMS keys of the storage ECS manages.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 255 })
                    .validate(Chars { allowed: is_name_char, alphabet: "letters, digits, hyphens (-) and underscores (_)" })
                    .description("Name of the cluster: 1 to 255 letters, digits, hyphens and underscores. Changing it replaces the cluster."),
            )
            .attribute(
                Attribute::string("container_insights")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .validate(OneOf(&["enabled", "enhanced", "disabled"]))
                    .description("CloudWatch Container Insights: `enabled`, `enhanced` or `disabled`. When unset, the account's default applies and is read back."),
            )
            .attribute(
                Attribute::string("service_connect_namespace")
                    .optional()
                    .validate(Prefix { prefix: "arn:", what: "an AWS Cloud Map namespace ARN" })
                    .description("ARN of the AWS Cloud Map namespace that services of this cluster use for Service Connect by default."),
            )
            .attribute(
                Attribute::bool("force_destroy")
                    .optional()
                    .default(Value::Bool(false))
                    .description("On destroy, first empty the cluster in the order ECS demands: scale every service to 0, delete the services and wait until they are INACTIVE, stop remaining tasks, deregister container instances, detach capacity providers, delete the cluster's managed-instances capacity providers; then delete it. Without it, the destroy waits (up to the delete timeout) for other resources to leave the cluster and then fails, naming what is still there."),
            )
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the cluster."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `arn`."))
            .block(NestedBlock::single("execute_command_configuration", execute_command.clone()))
            .block(configuration_block(execute_command))
            .block(service_connect_defaults_block())
            .block(timeouts::block(&["create", "delete"])),
    )
}

/// The resource's values, one field per attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ClusterModel {
    name: String,
    container_insights: Attr<String>,
    service_connect_namespace: Attr<String>,
    force_destroy: Attr<bool>,
    tags: Attr<Tags>,
    tags_all: Attr<Tags>,
    arn: Attr<String>,
    id: Attr<String>,
    execute_command_configuration: Option<ExecuteCommand>,
    configuration: Option<Configuration>,
    service_connect_defaults: Option<ServiceConnectDefaults>,
    /// Read through `timeouts::get`, like every resource's.
    timeouts: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ExecuteCommand {
    kms_key_id: Attr<String>,
    logging: Attr<String>,
    log_configuration: Option<LogConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct LogConfiguration {
    cloud_watch_encryption_enabled: Attr<bool>,
    cloud_watch_log_group_name: Attr<String>,
    s3_bucket_encryption_enabled: Attr<bool>,
    s3_bucket_name: Attr<String>,
    s3_key_prefix: Attr<String>,
}

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

/// The model as a state value; `None` (reported) if it does not fit the schema.
fn write(model: &ClusterModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(model, &schema().implied_type()).or_report(diags)
}

fn settings(plan: &ClusterModel) -> Option<Vec<ClusterSetting>> {
    let value = plan.container_insights.known()?;
    Some(vec![
        ClusterSetting::builder()
            .name(ClusterSettingName::ContainerInsights)
            .value(value)
            .build(),
    ])
}

impl ClusterModel {
    /// The execute-command settings, in either spelling.
    fn exec(&self) -> Option<&ExecuteCommand> {
        self.execute_command_configuration.as_ref().or(self
            .configuration
            .as_ref()
            .and_then(|c| c.execute_command_configuration.as_ref()))
    }

    fn managed_storage(&self) -> Option<&ManagedStorage> {
        self.configuration
            .as_ref()
            .and_then(|c| c.managed_storage_configuration.as_ref())
    }

    /// The default Service Connect namespace, in either spelling.
    fn namespace(&self) -> &Attr<String> {
        match &self.service_connect_defaults {
            Some(d) => &d.namespace,
            None => &self.service_connect_namespace,
        }
    }

    /// Whether the user wrote the execute-command settings inside `configuration`.
    fn exec_in_configuration(&self) -> bool {
        self.configuration
            .as_ref()
            .is_some_and(|c| c.execute_command_configuration.is_some())
    }
}

/// The configuration to create with; `None` when the plan sets none.
fn configuration(plan: &ClusterModel) -> Option<ClusterConfiguration> {
    let exec = plan.exec().map(expand_exec);
    let managed = plan.managed_storage().map(expand_managed_storage);
    if exec.is_none() && managed.is_none() {
        return None;
    }
    Some(
        ClusterConfiguration::builder()
            .set_execute_command_configuration(exec)
            .set_managed_storage_configuration(managed)
            .build(),
    )
}

fn expand_exec(exec: &ExecuteCommand) -> ExecuteCommandConfiguration {
    let mut cfg = ExecuteCommandConfiguration::builder()
        .set_kms_key_id(exec.kms_key_id.known().cloned())
        .set_logging(
            exec.logging
                .known()
                .map(|l| ExecuteCommandLogging::from(l.as_str())),
        );
    if let Some(log) = &exec.log_configuration {
        cfg = cfg.log_configuration(
            ExecuteCommandLogConfiguration::builder()
                .set_cloud_watch_encryption_enabled(
                    log.cloud_watch_encryption_enabled.known().copied(),
                )
                .set_cloud_watch_log_group_name(log.cloud_watch_log_group_name.known().cloned())
                .set_s3_encryption_enabled(log.s3_bucket_encryption_enabled.known().copied())
                .set_s3_bucket_name(log.s3_bucket_name.known().cloned())
                .set_s3_key_prefix(log.s3_key_prefix.known().cloned())
                .build(),
        );
    }
    cfg.build()
}

/// The model from what AWS reports, keeping the prior spelling where only spelling differs.
/// `force_destroy` and `timeouts` live only in Terraform: they stay as in `prior`.
fn flatten(cluster: &Cluster, prior: &ClusterModel, default_tags: &Tags) -> ClusterModel {
    let arn = cluster.cluster_arn().unwrap_or_default().to_string();
    let insights = cluster
        .settings()
        .iter()
        .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
        .and_then(|s| s.value());
    let namespace: Attr<String> = cluster
        .service_connect_defaults()
        .and_then(|d| d.namespace())
        .filter(|ns| !ns.is_empty())
        .map(str::to_string)
        .into();
    let prior_exec = prior.exec();
    let exec = cluster
        .configuration()
        .and_then(|c| c.execute_command_configuration())
        .filter(|e| !(is_default_exec(e) && prior_exec.is_none()));
    let remote: Tags = cluster
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    let (tags, tags_all) = tags::split_remote_tags(&remote, prior.tags.known(), default_tags);
    ClusterModel {
        name: cluster
            .cluster_name()
            .map_or_else(|| prior.name.clone(), str::to_string),
        container_insights: insights.map(str::to_string).into(),
        service_connect_namespace: if prior.service_connect_defaults.is_some() {
            Attr::Null
        } else {
            namespace.clone()
        },
        // The AWS provider's spelling stays while the user writes it and ECS has a namespace.
        service_connect_defaults: prior
            .service_connect_defaults
            .as_ref()
            .filter(|_| namespace.is_known())
            .map(|_| ServiceConnectDefaults { namespace }),
        force_destroy: prior.force_destroy.clone(),
        tags: tags.into(),
        tags_all: Attr::Known(tags_all),
        arn: Attr::Known(arn.clone()),
        id: Attr::Known(arn),
        execute_command_configuration: exec
            .filter(|_| !prior.exec_in_configuration())
            .map(|e| flatten_exec(e, prior_exec)),
        configuration: flatten_configuration(cluster, prior),
        timeouts: prior.timeouts.clone(),
    }
}

/// The `configuration` block: managed storage, and execute-command settings where the user
/// wrote them there. An empty block the user wrote stays.
fn flatten_configuration(cluster: &Cluster, prior: &ClusterModel) -> Option<Configuration> {
    let remote = cluster.configuration();
    let managed_storage_configuration =
        flatten_managed_storage(remote.and_then(|c| c.managed_storage_configuration()));
    let execute_command_configuration = remote
        .and_then(|c| c.execute_command_configuration())
        .filter(|_| prior.exec_in_configuration())
        .filter(|e| !is_default_exec(e) || prior.exec().is_some())
        .map(|e| flatten_exec(e, prior.exec()));
    let empty = managed_storage_configuration.is_none() && execute_command_configuration.is_none();
    if empty && prior.configuration.is_none() {
        return None;
    }
    Some(Configuration {
        execute_command_configuration,
        managed_storage_configuration,
    })
}

/// What ECS keeps after the block is removed (there is no "unset"): the same as no block.
fn is_default_exec(exec: &ExecuteCommandConfiguration) -> bool {
    exec.kms_key_id().is_none()
        && exec.log_configuration().is_none()
        && matches!(exec.logging(), None | Some(ExecuteCommandLogging::Default))
}

fn flatten_exec(
    exec: &ExecuteCommandConfiguration,
    prior: Option<&ExecuteCommand>,
) -> ExecuteCommand {
    let prior_log = prior.and_then(|e| e.log_configuration.as_ref());
    // AWS reports `false` for flags never sent; keep the user's null then.
    let flag = |remote: bool, prior: Option<&Attr<bool>>| match (remote, prior) {
        (false, Some(Attr::Null) | None) => Attr::Null,
        (v, _) => Attr::Known(v),
    };
    let text = |s: Option<&str>| Attr::from(s.map(str::to_string));
    ExecuteCommand {
        kms_key_id: text(exec.kms_key_id()),
        logging: Attr::Known(exec.logging().map_or("DEFAULT", |l| l.as_str()).to_string()),
        log_configuration: exec.log_configuration().map(|l| LogConfiguration {
            cloud_watch_encryption_enabled: flag(
                l.cloud_watch_encryption_enabled(),
                prior_log.map(|p| &p.cloud_watch_encryption_enabled),
            ),
            cloud_watch_log_group_name: text(l.cloud_watch_log_group_name()),
            s3_bucket_encryption_enabled: flag(
                l.s3_encryption_enabled(),
                prior_log.map(|p| &p.s3_bucket_encryption_enabled),
            ),
            s3_bucket_name: text(l.s3_bucket_name()),
            s3_key_prefix: text(l.s3_key_prefix()),
        }),
    }
}

/// Looks the cluster up; `Ok(None)` when it does not exist or is INACTIVE (deleted).
pub(crate) async fn describe_cluster(
    clients: &crate::aws::Clients,
    name_or_arn: &str,
) -> Result<Option<Cluster>, String> {
    let out = clients
        .ecs
        .describe_clusters()
        .clusters(name_or_arn)
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .include(ClusterField::Configurations)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .cloned())
}

fn timeout_diag(diags: &mut Diagnostics, what: &str, err: WaitError<String>) {
    match err {
        WaitError::Cancelled => diags.error(format!("{what} interrupted"), "Terraform asked the provider to stop; the operation was abandoned. Run the command again to finish it."),
        WaitError::TimedOut { last } => diags.error(
            format!("Timed out: {what}"),
            format!("Gave up waiting. Last seen: {}.", last.unwrap_or_else(|| "nothing".into())),
        ),
    }
}

#[async_trait]
impl Resource for ClusterResource {
    fn type_name(&self) -> &'static str {
        "ecs_cluster"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<ClusterModel>(&req.planned).or_report(&mut resp.diags) else {
            return;
        };
        let name = &plan.name;
        let all_tags = plan.tags_all.known().cloned().unwrap_or_default();
        let created = cfg
            .clients
            .ecs
            .create_cluster()
            .cluster_name(name)
            .set_settings(settings(&plan))
            .set_configuration(configuration(&plan))
            .set_service_connect_defaults(plan.namespace().known().and_then(|ns| {
                ClusterServiceConnectDefaultsRequest::builder()
                    .namespace(ns)
                    .build()
                    .ok()
            }))
            .set_tags((!all_tags.is_empty()).then(|| tags::ecs_tags(&all_tags)))
            .send()
            .await;
        let cluster = match created {
            Ok(out) => out.cluster,
            Err(err) => {
                // The API error may concern any argument; it names the one itself.
                resp.diags.error(
                    "Could not create the ECS cluster",
                    format!("CreateCluster for \"{name}\" failed: {}", describe(&err)),
                );
                return;
            }
        };
        let arn = cluster
            .as_ref()
            .and_then(|c| c.cluster_arn())
            .unwrap_or_default()
            .to_string();
        // From here on the cluster exists: keep it in state whatever happens next.
        let created = ClusterModel {
            arn: Attr::Known(arn.clone()),
            id: Attr::Known(arn.clone()),
            ..plan.clone()
        };
        let Some(state) = write(&created, &mut resp.diags) else {
            return;
        };
        resp.state = state;

        let timeout = timeouts::get(&req.planned, "create", CREATE_TIMEOUT);
        let clients = cfg.clients.clone();
        let waited = wait::until(
            timeout,
            Duration::from_millis(200),
            Duration::from_secs(10),
            &req.ctx.cancel,
            || {
                let clients = clients.clone();
                let arn = arn.clone();
                async move {
                    match describe_cluster(&clients, &arn).await {
                        Ok(Some(c)) if c.status() == Some("ACTIVE") => Poll::Done(c),
                        Ok(Some(c)) => Poll::Pending(format!(
                            "cluster status {}",
                            c.status().unwrap_or("unknown")
                        )),
                        Ok(None) => Poll::Pending("cluster not visible yet".to_string()),
                        Err(e) => Poll::Pending(e),
                    }
                }
            },
        )
        .await;
        match waited {
            Ok(cluster) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let state = keep_planned_spelling(flatten(&cluster, &plan, &default_tags), &plan);
                if let Some(state) = write(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Err(err) => timeout_diag(
                &mut resp.diags,
                "waiting for the cluster to become ACTIVE",
                err,
            ),
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<ClusterModel>(&req.state).or_report(&mut resp.diags) else {
            return;
        };
        let id = prior.arn.known().unwrap_or(&prior.name).clone();
        let others = req.ctx.in_read_burst();
        match cfg.clients.batch.clusters.get("", &id, others).await {
            Ok(Some(cluster)) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let mut state = flatten(&cluster, &prior, &default_tags);
                // Imported and older states have no value yet: the schema's default.
                if state.force_destroy.is_null() {
                    state.force_destroy = Attr::Known(false);
                }
                if let Some(state) = write(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => {
                tracing::info!(cluster = %id, "cluster is gone; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error(
                "Could not read the ECS cluster",
                format!("DescribeClusters for \"{id}\" failed: {e}"),
            ),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<ClusterModel>(&req.prior).or_report(&mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<ClusterModel>(&req.planned).or_report(&mut resp.diags) else {
            return;
        };
        let arn = prior.arn.known().cloned().unwrap_or_default();
        let insights_changed = prior.container_insights != plan.container_insights;
        let exec_changed = prior.exec() != plan.exec();
        let storage_changed = prior.managed_storage() != plan.managed_storage();
        let namespace_changed = prior.namespace() != plan.namespace();

        if insights_changed || exec_changed || storage_changed || namespace_changed {
            let mut update = cfg.clients.ecs.update_cluster().cluster(&arn);
            if insights_changed {
                update = update.set_settings(settings(&plan));
            }
            if exec_changed || storage_changed {
                // The whole configuration, so neither part depends on how ECS merges. Removing
                // a part resets it: AWS has no "unset" for execute-command settings, and an
                // empty managed-storage object clears the keys.
                let exec = plan.exec().map_or_else(
                    || {
                        ExecuteCommandConfiguration::builder()
                            .logging(ExecuteCommandLogging::Default)
                            .build()
                    },
                    expand_exec,
                );
                let managed = plan
                    .managed_storage()
                    .map(expand_managed_storage)
                    .or_else(|| {
                        prior.managed_storage().map(|_| {
                            aws_sdk_ecs::types::ManagedStorageConfiguration::builder().build()
                        })
                    });
                update = update.configuration(
                    ClusterConfiguration::builder()
                        .execute_command_configuration(exec)
                        .set_managed_storage_configuration(managed)
                        .build(),
                );
            }
            if namespace_changed {
                // An empty namespace removes the default.
                let ns = plan.namespace().known().map_or("", String::as_str);
                if let Ok(d) = ClusterServiceConnectDefaultsRequest::builder()
                    .namespace(ns)
                    .build()
                {
                    update = update.service_connect_defaults(d);
                }
            }
            if let Err(err) = update.send().await {
                resp.diags.error(
                    "Could not update the ECS cluster",
                    format!("UpdateCluster for \"{arn}\" failed: {}", describe(&err)),
                );
                return;
            }
        }

        let old = prior.tags_all.known().cloned().unwrap_or_default();
        let new = plan.tags_all.known().cloned().unwrap_or_default();
        if let Err(message) = tags::update_ecs(&cfg.clients, &arn, &old, &new).await {
            resp.diags
                .error("Could not update the cluster's tags", message);
            return;
        }

        match describe_cluster(&cfg.clients, &arn).await {
            Ok(Some(cluster)) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let state = keep_planned_spelling(flatten(&cluster, &plan, &default_tags), &plan);
                if let Some(state) = write(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => resp.diags.error(
                "The ECS cluster disappeared",
                format!("{arn} was deleted while it was being updated."),
            ),
            Err(e) => resp
                .diags
                .error("Could not read the ECS cluster after updating it", e),
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let Some(prior) = decode::<ClusterModel>(&req.prior).or_report(diags) else {
            return;
        };
        let arn = prior.arn.known().cloned().unwrap_or_default();
        let timeout = timeouts::get(&req.prior, "delete", DELETE_TIMEOUT);
        if prior.force_destroy == Attr::Known(true)
            && let Err(e) = super::cluster_cleanup::empty_cluster(
                &cfg.clients,
                &arn,
                super::cluster_cleanup::deadline(timeout),
                &req.ctx.cancel,
            )
            .await
        {
            diags.error(
                "Could not empty the cluster before deleting it",
                format!("force_destroy of {arn}: {e}"),
            );
            return;
        }
        let clients = cfg.clients.clone();
        let result = wait::until(
            timeout,
            Duration::from_secs(2),
            Duration::from_secs(15),
            &req.ctx.cancel,
            || {
                let clients = clients.clone();
                let arn = arn.clone();
                async move { try_delete(&clients, &arn).await }
            },
        )
        .await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(message)) => diags.error("Could not delete the ECS cluster", message),
            Err(WaitError::Cancelled) => {
                timeout_diag(diags, "deleting the cluster", WaitError::Cancelled)
            }
            Err(WaitError::TimedOut { last }) => {
                let blockers = blockers(&cfg.clients, &arn).await;
                diags.error(
                    "The ECS cluster still holds resources",
                    format!(
                        "{arn} could not be deleted within {}s because it still contains: {}. Last answer from ECS: {}. \
                         Delete those first (or let Terraform manage them so it can order the destroy), or set \
                         `force_destroy = true` to have the provider clean them up.",
                        timeout.as_secs(),
                        blockers,
                        last.unwrap_or_default()
                    ),
                );
            }
        }
    }

    fn as_validate_config(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn as_modify_plan(&self) -> Option<&dyn ModifyPlan> {
        Some(self)
    }

    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::CLUSTER)
    }
}

/// One delete attempt: done, still blocked (retry), or a final error.
async fn try_delete(clients: &crate::aws::Clients, arn: &str) -> Poll<Result<(), String>, String> {
    match clients.ecs.delete_cluster().cluster(arn).send().await {
        Ok(_) => Poll::Done(Ok(())),
        Err(err) => match code(&err) {
            Some("ClusterNotFoundException") => Poll::Done(Ok(())),
            Some(
                "ClusterContainsServicesException"
                | "ClusterContainsTasksException"
                | "ClusterContainsContainerInstancesException"
                | "ClusterContainsCapacityProviderException"
                | "UpdateInProgressException",
            ) => {
                let why = describe(&err);
                tracing::info!(cluster = %arn, reason = %why, "cluster not deletable yet; retrying");
                Poll::Pending(why)
            }
            _ => Poll::Done(Err(format!(
                "DeleteCluster for \"{arn}\" failed: {}",
                describe(&err)
            ))),
        },
    }
}

/// A readable list of what still keeps a cluster alive.
async fn blockers(clients: &crate::aws::Clients, arn: &str) -> String {
    let mut found = Vec::new();
    if let Ok(out) = clients.ecs.list_services().cluster(arn).send().await {
        let names: Vec<&str> = out.service_arns().iter().map(|a| name_of(a)).collect();
        if !names.is_empty() {
            found.push(format!("services {}", names.join(", ")));
        }
    }
    if let Ok(Some(c)) = describe_cluster(clients, arn).await {
        if c.running_tasks_count() + c.pending_tasks_count() > 0 {
            found.push(format!(
                "{} tasks",
                c.running_tasks_count() + c.pending_tasks_count()
            ));
        }
        if c.registered_container_instances_count() > 0 {
            found.push(format!(
                "{} container instances",
                c.registered_container_instances_count()
            ));
        }
        if !c.capacity_providers().is_empty() {
            found.push(format!(
                "capacity providers {}",
                c.capacity_providers().join(", ")
            ));
        }
    }
    if found.is_empty() {
        "nothing that ECS reports any more".into()
    } else {
        found.join("; ")
    }
}

/// After apply, every value the plan knew must come back exactly as planned.
fn keep_planned_spelling(state: ClusterModel, plan: &ClusterModel) -> ClusterModel {
    fn known<T: Clone>(planned: &Attr<T>, state: Attr<T>) -> Attr<T> {
        if planned.is_unknown() {
            state
        } else {
            planned.clone()
        }
    }
    ClusterModel {
        name: plan.name.clone(),
        force_destroy: known(&plan.force_destroy, state.force_destroy),
        timeouts: if plan.timeouts.is_known() {
            plan.timeouts.clone()
        } else {
            state.timeouts
        },
        tags: known(&plan.tags, state.tags),
        service_connect_namespace: known(
            &plan.service_connect_namespace,
            state.service_connect_namespace,
        ),
        service_connect_defaults: match &plan.service_connect_defaults {
            Some(d) if !d.namespace.is_unknown() => Some(d.clone()),
            _ => state.service_connect_defaults,
        },
        configuration: keep_planned_configuration(state.configuration, plan.configuration.as_ref()),
        // Unset, the account's default is read back.
        container_insights: if plan.container_insights.is_known() {
            plan.container_insights.clone()
        } else {
            state.container_insights
        },
        ..state
    }
}

/// Managed-storage keys the plan knew come back as planned (ECS may report a key's ARN for its
/// ID); the rest is what ECS reports.
fn keep_planned_configuration(
    state: Option<Configuration>,
    plan: Option<&Configuration>,
) -> Option<Configuration> {
    let mut state = state?;
    let Some(plan) = plan else {
        return Some(state);
    };
    if let (Some(s), Some(p)) = (
        state.managed_storage_configuration.as_mut(),
        plan.managed_storage_configuration.as_ref(),
    ) {
        for (s, p) in [
            (
                &mut s.fargate_ephemeral_storage_kms_key_id,
                &p.fargate_ephemeral_storage_kms_key_id,
            ),
            (&mut s.kms_key_id, &p.kms_key_id),
        ] {
            if !p.is_unknown() {
                *s = p.clone();
            }
        }
    }
    Some(state)
}

impl ValidateConfig for ClusterResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        validate_spellings(config, diags);
    }
}

impl ModifyPlan for ClusterResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
    }
}

#[async_trait]
impl ImportState for ClusterResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        // Name or ARN: read resolves either, and both land on the same state.
        let name = name_of(req.id.trim());
        if name.is_empty() || !name.chars().all(is_name_char) {
            resp.diags.error(
                "Invalid import ID",
                format!("\"{}\" is neither a cluster name nor a cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME).", req.id),
            );
            return;
        }
        let mut diags = Diagnostics::new();
        if let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) {
            match describe_cluster(&cfg.clients, name).await {
                Ok(Some(c)) => {
                    // Read fills in the rest.
                    let arn = c.cluster_arn().unwrap_or_default().to_string();
                    let imported = ClusterModel {
                        name: name.to_string(),
                        container_insights: Attr::Null,
                        service_connect_namespace: Attr::Null,
                        force_destroy: Attr::Known(false),
                        tags: Attr::Null,
                        tags_all: Attr::Null,
                        arn: Attr::Known(arn.clone()),
                        id: Attr::Known(arn),
                        execute_command_configuration: None,
                        configuration: None,
                        service_connect_defaults: None,
                        timeouts: Value::Null,
                    };
                    if let Some(state) = write(&imported, &mut resp.diags) {
                        resp.state = state;
                    }
                }
                Ok(None) => resp.diags.error(
                    "Cannot import a cluster that does not exist",
                    format!("No ACTIVE ECS cluster named \"{name}\" was found."),
                ),
                Err(e) => resp.diags.error("Could not look up the cluster", e),
            }
        } else {
            resp.diags.extend(diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<ClusterModel>(&schema());
    }
}
