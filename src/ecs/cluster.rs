//! `ecs_cluster`: an ECS cluster with its settings, execute-command configuration and tags.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Cluster, ClusterConfiguration, ClusterField, ClusterServiceConnectDefaultsRequest,
    ClusterSetting, ClusterSettingName, ExecuteCommandConfiguration,
    ExecuteCommandLogConfiguration, ExecuteCommandLogging,
};

use super::arn::{is_name_char, name_of};
use super::configured::Configured;
use super::model::{block, boolean, object, set, string, string_value};
use super::tags::{self, Tags};
use crate::aws::errors::{code, describe};
use crate::aws::wait::{self, Poll, WaitError};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
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
            .description("An Amazon ECS cluster.")
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
                    .description("On destroy, first empty the cluster in the order ECS demands: scale every service to 0, delete the services and wait until they are INACTIVE, stop remaining tasks, deregister container instances, detach capacity providers; then delete it. Without it, the destroy waits (up to the delete timeout) for other resources to leave the cluster and then fails, naming what is still there."),
            )
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the cluster."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `arn`."))
            .block(NestedBlock::single("execute_command_configuration", execute_command))
            .block(timeouts::block(&["create", "delete"])),
    )
}

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

fn settings(planned: &Value) -> Option<Vec<ClusterSetting>> {
    let value = string(planned, "container_insights")?;
    Some(vec![
        ClusterSetting::builder()
            .name(ClusterSettingName::ContainerInsights)
            .value(value)
            .build(),
    ])
}

fn configuration(planned: &Value) -> Option<ClusterConfiguration> {
    let exec = block(planned, "execute_command_configuration")?;
    let mut cfg = ExecuteCommandConfiguration::builder()
        .set_kms_key_id(string(exec, "kms_key_id").map(str::to_string))
        .set_logging(string(exec, "logging").map(ExecuteCommandLogging::from));
    if let Some(log) = block(exec, "log_configuration") {
        cfg = cfg.log_configuration(
            ExecuteCommandLogConfiguration::builder()
                .set_cloud_watch_encryption_enabled(boolean(log, "cloud_watch_encryption_enabled"))
                .set_cloud_watch_log_group_name(
                    string(log, "cloud_watch_log_group_name").map(str::to_string),
                )
                .set_s3_encryption_enabled(boolean(log, "s3_bucket_encryption_enabled"))
                .set_s3_bucket_name(string(log, "s3_bucket_name").map(str::to_string))
                .set_s3_key_prefix(string(log, "s3_key_prefix").map(str::to_string))
                .build(),
        );
    }
    Some(
        ClusterConfiguration::builder()
            .execute_command_configuration(cfg.build())
            .build(),
    )
}

/// Fills `state` with what AWS reports, keeping the prior spelling where only spelling differs.
fn apply_remote(state: &mut Value, cluster: &Cluster, prior: &Value, default_tags: &Tags) {
    let arn = cluster.cluster_arn().unwrap_or_default();
    set(state, "arn", Value::string(arn));
    set(state, "id", Value::string(arn));
    set(state, "name", string_value(cluster.cluster_name()));
    let insights = cluster
        .settings()
        .iter()
        .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
        .and_then(|s| s.value());
    set(state, "container_insights", string_value(insights));
    set(
        state,
        "service_connect_namespace",
        string_value(
            cluster
                .service_connect_defaults()
                .and_then(|d| d.namespace()),
        ),
    );
    let exec = cluster
        .configuration()
        .and_then(|c| c.execute_command_configuration())
        .filter(|e| {
            !(is_default_exec(e) && block(prior, "execute_command_configuration").is_none())
        });
    set(
        state,
        "execute_command_configuration",
        exec.map(|e| exec_value(e, prior)).unwrap_or(Value::Null),
    );
    let remote: Tags = cluster
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    let (own, all) = tags::split_remote(&remote, prior, default_tags);
    set(state, "tags", own);
    set(state, "tags_all", all);
}

/// What ECS keeps after the block is removed (there is no "unset"): the same as no block.
fn is_default_exec(exec: &ExecuteCommandConfiguration) -> bool {
    exec.kms_key_id().is_none()
        && exec.log_configuration().is_none()
        && matches!(exec.logging(), None | Some(ExecuteCommandLogging::Default))
}

fn exec_value(exec: &ExecuteCommandConfiguration, prior: &Value) -> Value {
    let prior_log =
        block(prior, "execute_command_configuration").and_then(|e| block(e, "log_configuration"));
    // AWS reports `false` for flags never sent; keep the user's null then.
    let flag = |name: &str, remote: bool| match (remote, prior_log.and_then(|p| p.get(name))) {
        (false, Some(Value::Null) | None) => Value::Null,
        (v, _) => Value::Bool(v),
    };
    let log = exec.log_configuration().map(|l| {
        object([
            (
                "cloud_watch_encryption_enabled",
                flag(
                    "cloud_watch_encryption_enabled",
                    l.cloud_watch_encryption_enabled(),
                ),
            ),
            (
                "cloud_watch_log_group_name",
                string_value(l.cloud_watch_log_group_name()),
            ),
            (
                "s3_bucket_encryption_enabled",
                flag("s3_bucket_encryption_enabled", l.s3_encryption_enabled()),
            ),
            ("s3_bucket_name", string_value(l.s3_bucket_name())),
            ("s3_key_prefix", string_value(l.s3_key_prefix())),
        ])
    });
    object([
        ("kms_key_id", string_value(exec.kms_key_id())),
        (
            "logging",
            string_value(exec.logging().map(|l| l.as_str()).or(Some("DEFAULT"))),
        ),
        ("log_configuration", log.unwrap_or(Value::Null)),
    ])
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
        let name = string(&req.planned, "name").unwrap_or_default().to_string();
        let all_tags = super::model::string_map(&req.planned, "tags_all").unwrap_or_default();
        let created = cfg
            .clients
            .ecs
            .create_cluster()
            .cluster_name(&name)
            .set_settings(settings(&req.planned))
            .set_configuration(configuration(&req.planned))
            .set_service_connect_defaults(
                string(&req.planned, "service_connect_namespace").and_then(|ns| {
                    ClusterServiceConnectDefaultsRequest::builder()
                        .namespace(ns)
                        .build()
                        .ok()
                }),
            )
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
        let mut state = req.planned.clone();
        set(&mut state, "arn", Value::string(&arn));
        set(&mut state, "id", Value::string(&arn));
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
                apply_remote(&mut resp.state, &cluster, &req.planned, &default_tags);
                keep_planned_spelling(&mut resp.state, &req.planned);
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
        let id = string(&req.state, "arn")
            .or_else(|| string(&req.state, "name"))
            .unwrap_or_default()
            .to_string();
        let others = req.ctx.in_read_burst();
        match cfg.clients.batch.clusters.get("", &id, others).await {
            Ok(Some(cluster)) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                apply_remote(&mut resp.state, &cluster, &req.state, &default_tags);
                if resp.state.get("force_destroy").is_none_or(Value::is_null) {
                    set(&mut resp.state, "force_destroy", Value::Bool(false));
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
        let arn = string(&req.prior, "arn").unwrap_or_default().to_string();
        let changed = |name: &str| req.prior.get(name) != req.planned.get(name);

        if changed("container_insights")
            || changed("execute_command_configuration")
            || changed("service_connect_namespace")
        {
            let mut update = cfg.clients.ecs.update_cluster().cluster(&arn);
            if changed("container_insights") {
                update = update.set_settings(settings(&req.planned));
            }
            if changed("execute_command_configuration") {
                // Removing the block resets to the defaults; AWS has no "unset".
                let cfgv = configuration(&req.planned).unwrap_or_else(|| {
                    ClusterConfiguration::builder()
                        .execute_command_configuration(
                            ExecuteCommandConfiguration::builder()
                                .logging(ExecuteCommandLogging::Default)
                                .build(),
                        )
                        .build()
                });
                update = update.configuration(cfgv);
            }
            if changed("service_connect_namespace") {
                // An empty namespace removes the default.
                let ns = string(&req.planned, "service_connect_namespace").unwrap_or_default();
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

        let old = super::model::string_map(&req.prior, "tags_all").unwrap_or_default();
        let new = super::model::string_map(&req.planned, "tags_all").unwrap_or_default();
        if let Err(message) = tags::update_ecs(&cfg.clients, &arn, &old, &new).await {
            resp.diags
                .error("Could not update the cluster's tags", message);
            return;
        }

        match describe_cluster(&cfg.clients, &arn).await {
            Ok(Some(cluster)) => {
                let mut state = req.planned.clone();
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                apply_remote(&mut state, &cluster, &req.planned, &default_tags);
                keep_planned_spelling(&mut state, &req.planned);
                resp.state = state;
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
        let arn = string(&req.prior, "arn").unwrap_or_default().to_string();
        let timeout = timeouts::get(&req.prior, "delete", DELETE_TIMEOUT);
        if req.prior.get("force_destroy").and_then(Value::as_bool) == Some(true)
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

    fn as_modify_plan(&self) -> Option<&dyn ModifyPlan> {
        Some(self)
    }

    fn as_import(&self) -> Option<&dyn ImportState> {
        Some(self)
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
fn keep_planned_spelling(state: &mut Value, planned: &Value) {
    for name in [
        "name",
        "force_destroy",
        "timeouts",
        "tags",
        "service_connect_namespace",
    ] {
        if let Some(v) = planned.get(name).filter(|v| v.is_known()) {
            set(state, name, v.clone());
        }
    }
    if let Some(v) = planned
        .get("container_insights")
        .filter(|v| v.is_known() && !v.is_null())
    {
        set(state, "container_insights", v.clone());
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
        resp.state = object([("name", Value::string(name)), ("tags", Value::Null)]);
        let mut diags = Diagnostics::new();
        if let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) {
            match describe_cluster(&cfg.clients, name).await {
                Ok(Some(c)) => {
                    let arn = c.cluster_arn().unwrap_or_default();
                    set(&mut resp.state, "arn", Value::string(arn));
                    set(&mut resp.state, "id", Value::string(arn));
                    set(&mut resp.state, "force_destroy", Value::Bool(false));
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
