//! `ecs_secret`: an SSM Parameter Store parameter that containers read through `secrets[].valueFrom`.
//!
//! The value is sensitive: it never appears in logs or diagnostics (AWS error messages are scrubbed
//! of it). With `value_wo` it is write-only and never stored in state or plan; `value_wo_version`
//! says when to send it again.

use std::fmt;
use std::sync::LazyLock;

use async_trait::async_trait;
use aws_sdk_ssm::types::{
    Parameter, ParameterMetadata, ParameterTier, ParameterType, ResourceTypeForTagging, Tag,
};

use super::configured::Configured;
use super::model::{set, string};
use super::secret_rules::{self, DATA_TYPES};
use super::tags::{self, Tags};
use crate::aws::Clients;
use crate::aws::errors::{code, describe};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ImportResponse, ImportState, ModifyPlan,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, Resource, StateResponse, UpdateRequest,
    ValidateConfig,
};
use crate::framework::schema::validators::{Length, OneOf};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::{AttrPath, Number, Type};
use crate::framework::{Ctx, Diagnostics, Value};
use serde::{Deserialize, Serialize};

pub struct SecretResource;

const TYPES: &[&str] = &["String", "StringList", "SecureString"];
const TIERS: &[&str] = &["Standard", "Advanced", "Intelligent-Tiering"];

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("A parameter in AWS Systems Manager Parameter Store, for containers to read as a secret (`secrets = [{ name = \"DB_PASSWORD\", valueFrom = ecs_secret.db.arn }]`).\n\nRefer to the secret through `ecs_secret.NAME.arn` (or `.name`) in the task definition: Terraform then destroys the services first, the task definitions next and the secret last, so running tasks never lose a secret they read. A task definition that spells the parameter name out needs `depends_on = [ecs_secret.NAME]` for the same order.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 2048 })
                    .description("Name of the parameter, e.g. `db-password` or `/web/prod/db-password` (letters, digits and `.-_/`; not starting with `aws` or `ssm`). Changing it replaces the parameter."),
            )
            .attribute(
                Attribute::string("type")
                    .optional()
                    .default(Value::string("SecureString"))
                    .validate(OneOf(TYPES))
                    .description("`String`, `StringList` or `SecureString` (default, encrypted with KMS)."),
            )
            .attribute(
                Attribute::string("value")
                    .optional()
                    .sensitive()
                    .description("The value, stored in Terraform state (marked sensitive). Exactly one of `value`, `value_wo` and `insecure_value`. Changing it writes a new parameter version in place."),
            )
            .attribute(
                Attribute::string("value_wo")
                    .optional()
                    .write_only()
                    .description("The value as a write-only argument (Terraform 1.11 or later): sent to AWS but never stored in state or plan. Exactly one of `value`, `value_wo` and `insecure_value`; bump `value_wo_version` to send a new value."),
            )
            .attribute(
                Attribute::string("insecure_value")
                    .optional()
                    .description("The value when it is no secret (an image tag, a feature flag): not marked sensitive, so plans show it. Only for `type = \"String\"` or `\"StringList\"`. Exactly one of `value`, `value_wo` and `insecure_value`; changing it writes a new version in place, and moving the same text between `value` and `insecure_value` writes none."),
            )
            .attribute(
                Attribute::string("data_type")
                    .optional()
                    .default(Value::string("text"))
                    .requires_replace()
                    .validate(OneOf(DATA_TYPES))
                    .description("`text` (default), `aws:ec2:image` (the value must be an AMI ID, `ami-` and 8 or 17 hexadecimal digits, of an image available to the account; Parameter Store checks it after answering, so the provider waits up to two minutes for the parameter to appear) or `aws:ssm:integration`. Changing it replaces the parameter."),
            )
            .attribute(
                Attribute::string("allowed_pattern")
                    .optional()
                    .validate(Length { min: 0, max: 1024 })
                    .description("A regular expression the whole value must match, e.g. `^\\d+$`; Parameter Store refuses other values. A known value is checked at plan time (the diagnostic never shows a sensitive value); a value known only at apply fails then. Changing it applies in place."),
            )
            .attribute(
                Attribute::bool("overwrite")
                    .optional()
                    .description("On create, adopt a parameter of this name that already exists (a new version of it is written, with this configuration's tags) instead of failing with `ParameterAlreadyExists`. Updates overwrite the parameter whatever this says, and changing it changes nothing in AWS. The AWS provider deprecates it (and sends `overwrite = false` on updates too, which then fail); here it has only this create-time meaning."),
            )
            .attribute(
                Attribute::number("value_wo_version")
                    .optional()
                    .description("Any number; changing it sends `value_wo` again (a write-only value cannot be compared with the previous one)."),
            )
            .attribute(
                Attribute::string("key_id")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .description("KMS key (ID, ARN or alias) that encrypts a `SecureString`. Defaults to the AWS-managed key `alias/aws/ssm`."),
            )
            .attribute(
                Attribute::string("description")
                    .optional()
                    .validate(Length { min: 0, max: 1024 })
                    .description("Description, up to 1024 characters."),
            )
            .attribute(
                Attribute::string("tier")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .validate(OneOf(TIERS))
                    .description("`Standard` (values up to 4 KB, the default), `Advanced` (8 KB) or `Intelligent-Tiering` (AWS picks; reads back as the tier chosen, which is no diff)."),
            )
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the parameter: what `secrets[].valueFrom` takes."))
            .attribute(Attribute::number("version").computed().use_state_for_unknown().description("Version of the parameter; grows with every value change."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `name`.")),
    )
}

/// The resource's values. `value_wo` is only ever set in the configuration (null in plan and
/// state); `tags` is known wherever a model is read (state, and plan and configuration at apply).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct SecretModel {
    name: String,
    r#type: Attr<String>,
    value: Attr<String>,
    value_wo: Attr<String>,
    /// Any number, fractions included.
    value_wo_version: Attr<Number>,
    insecure_value: Attr<String>,
    data_type: Attr<String>,
    allowed_pattern: Attr<String>,
    overwrite: Attr<bool>,
    key_id: Attr<String>,
    description: Attr<String>,
    tier: Attr<String>,
    tags: Option<Tags>,
    tags_all: Attr<Tags>,
    arn: Attr<String>,
    version: Attr<i64>,
    id: Attr<String>,
}

/// Whether a sensitive value is there, never what it is.
pub(crate) fn redacted(value: &Attr<String>) -> Attr<&'static str> {
    value.as_ref().map(|_| "(sensitive value)")
}

impl fmt::Debug for SecretModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretModel")
            .field("name", &self.name)
            .field("type", &self.r#type)
            .field("value", &redacted(&self.value))
            .field("value_wo", &redacted(&self.value_wo))
            .field("value_wo_version", &self.value_wo_version)
            .field("insecure_value", &self.insecure_value)
            .field("data_type", &self.data_type)
            .field("allowed_pattern", &self.allowed_pattern)
            .field("overwrite", &self.overwrite)
            .field("key_id", &self.key_id)
            .field("description", &self.description)
            .field("tier", &self.tier)
            .field("tags", &self.tags)
            .field("tags_all", &self.tags_all)
            .field("arn", &self.arn)
            .field("version", &self.version)
            .field("id", &self.id)
            .finish()
    }
}

fn state_type() -> &'static Type {
    static TYPE: LazyLock<Type> = LazyLock::new(|| schema().implied_type());
    &TYPE
}

/// The state as a value; `None` (with the error reported) when the model does not fit.
fn encode_state(state: &SecretModel, diags: &mut Diagnostics) -> Option<Value> {
    encode(state, state_type()).or_report(diags)
}

fn configured(ctx: &Ctx, diags: &mut Diagnostics) -> Option<std::sync::Arc<Configured>> {
    ctx.provider::<Configured>(diags)
}

/// Replace every occurrence of the secret in an AWS message: some validation errors echo input.
fn scrub(message: String, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => message.replace(s, "(sensitive value)"),
        _ => message,
    }
}

/// The value to send: `value` or `insecure_value`, or `value_wo` from the configuration (never
/// from state).
fn value_to_send<'a>(plan: &'a SecretModel, config: &'a SecretModel) -> Option<&'a str> {
    plan.value
        .known()
        .or(plan.insecure_value.known())
        .or(config.value_wo.known())
        .map(String::as_str)
}

fn aws_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// PutParameter from the plan: `overwrite` for updates (AWS refuses tags then).
async fn put(
    clients: &Clients,
    plan: &SecretModel,
    secret: Option<&str>,
    overwrite: bool,
) -> Result<(), String> {
    let name = &plan.name;
    let kind = plan.r#type.known().map_or("SecureString", String::as_str);
    let tags = plan.tags_all.known().cloned().unwrap_or_default();
    let result = clients
        .ssm
        .put_parameter()
        .name(name)
        .value(secret.unwrap_or_default())
        .r#type(ParameterType::from(kind))
        // Only a SecureString is encrypted.
        .set_key_id(
            plan.key_id
                .known()
                .filter(|_| kind == "SecureString")
                .cloned(),
        )
        .set_description(plan.description.known().cloned())
        .set_tier(plan.tier.known().map(|t| ParameterTier::from(t.as_str())))
        .set_data_type(plan.data_type.known().cloned())
        // Always sent: an empty pattern removes one set before.
        .allowed_pattern(plan.allowed_pattern.known().map_or("", String::as_str))
        .overwrite(overwrite)
        .set_tags((!overwrite && !tags.is_empty()).then(|| aws_tags(&tags)))
        .send()
        .await;
    result.map(|_| ()).map_err(|e| {
        scrub(
            format!("PutParameter for \"{name}\" failed: {}", describe(&e)),
            secret,
        )
    })
}

/// How long Parameter Store may take to validate an `aws:ec2:image` value and write it.
const AMI_VALIDATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Whether the parameter exists, waiting while Parameter Store validates an AMI ID.
async fn appeared(clients: &Clients, name: &str, ctx: &Ctx) -> bool {
    let waited = crate::aws::wait::until(
        AMI_VALIDATION_TIMEOUT,
        std::time::Duration::from_millis(200),
        std::time::Duration::from_secs(5),
        &ctx.cancel,
        || async move {
            match clients.ssm.get_parameter().name(name).send().await {
                Ok(_) => crate::aws::wait::Poll::Done(()),
                Err(e) => crate::aws::wait::Poll::Pending(describe(&e)),
            }
        },
    )
    .await;
    waited.is_ok()
}

/// An adopted parameter keeps the tags it had (PutParameter cannot tag when overwriting):
/// make them this configuration's.
async fn adopt_tags(clients: &Clients, plan: &SecretModel) -> Result<(), String> {
    let old = list_tags(clients, &plan.name).await?;
    let new = plan.tags_all.known().cloned().unwrap_or_default();
    update_tags(clients, &plan.name, &old, &new).await
}

/// The tags the parameter `name` has.
async fn list_tags(clients: &Clients, name: &str) -> Result<Tags, String> {
    let listed = clients
        .ssm
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .send()
        .await
        .map_err(|e| {
            format!(
                "ListTagsForResource for \"{name}\" failed: {}",
                describe(&e)
            )
        })?;
    Ok(listed
        .tag_list()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// What AWS holds for the parameter; `Ok(None)` when it does not exist.
pub(crate) struct Remote {
    pub parameter: Parameter,
    pub metadata: Option<ParameterMetadata>,
    pub tags: Tags,
}

/// What AWS holds for `name`. `known_tags` (the tags just written) saves listing them again.
pub(crate) async fn fetch(
    clients: &Clients,
    name: &str,
    others: bool,
    known_tags: Option<Tags>,
) -> Result<Option<Remote>, String> {
    let Some((parameter, metadata)) = fetch_parameter(clients, name, others, true).await? else {
        return Ok(None);
    };
    let tags = match known_tags {
        Some(tags) => tags,
        None => list_tags(clients, name).await?,
    };
    Ok(Some(Remote {
        parameter,
        metadata,
        tags,
    }))
}

/// A parameter, by name or ARN, and its metadata. `decrypt = false` reads a SecureString's value
/// as Parameter Store keeps it, encrypted.
pub(crate) async fn fetch_parameter(
    clients: &Clients,
    name: &str,
    others: bool,
    decrypt: bool,
) -> Result<Option<(Parameter, Option<ParameterMetadata>)>, String> {
    let batch = if decrypt {
        &clients.batch.parameters
    } else {
        &clients.batch.encrypted_parameters
    };
    let Some(parameter) = batch.get("", name, others).await? else {
        return Ok(None);
    };
    // DescribeParameters filters on names: asked by ARN, the parameter answered with its name.
    // A parameter shared from another account has no metadata here (the ARNs then differ).
    let own = parameter.name().unwrap_or(name);
    let metadata = clients
        .batch
        .parameter_metadata
        .get("", own, others)
        .await?
        .filter(|m| m.arn().is_none() || m.arn() == parameter.arn());
    Ok(Some((parameter, metadata)))
}

/// The state from what AWS holds, over `prior` (the state, or the plan after a write).
fn flatten(remote: &Remote, prior: &SecretModel, default_tags: &Tags) -> SecretModel {
    let p = &remote.parameter;
    let name = p.name().unwrap_or_default().to_string();
    let (tags, tags_all) = tags::split_remote_tags(&remote.tags, prior.tags.as_ref(), default_tags);
    let secure = p.r#type() == Some(&ParameterType::SecureString);
    let mut state = SecretModel {
        id: Attr::Known(name.clone()),
        name,
        arn: p.arn().map(str::to_string).into(),
        version: Attr::Known(p.version()),
        r#type: p.r#type().map(|t| t.as_str().to_string()).into(),
        // With `value_wo` the state never holds the value (import fills it in for `value` users).
        value: if prior.value.is_null() && !(secure && prior.insecure_value.is_known()) {
            Attr::Null
        } else {
            p.value().map(str::to_string).into()
        },
        // A parameter changed to a SecureString outside Terraform never lands in the clear.
        insecure_value: if prior.insecure_value.is_null() || secure {
            Attr::Null
        } else {
            p.value().map(str::to_string).into()
        },
        tags,
        tags_all: Attr::Known(tags_all),
        ..prior.clone()
    };
    if let Some(meta) = &remote.metadata {
        state.description = meta.description().map(str::to_string).into();
        state.key_id = meta.key_id().filter(|_| secure).map(str::to_string).into();
        state.data_type = Attr::Known(meta.data_type().unwrap_or("text").to_string());
        state.allowed_pattern = meta
            .allowed_pattern()
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .into();
        // Intelligent-Tiering reads back as the tier AWS chose: keep the user's word.
        if prior.tier.known().map(String::as_str) != Some("Intelligent-Tiering") {
            state.tier = meta.tier().map(|t| t.as_str().to_string()).into();
        }
    }
    state
}

async fn update_tags(clients: &Clients, name: &str, old: &Tags, new: &Tags) -> Result<(), String> {
    let (upsert, remove) = tags::diff(old, new);
    if !remove.is_empty() {
        clients
            .ssm
            .remove_tags_from_resource()
            .resource_type(ResourceTypeForTagging::Parameter)
            .resource_id(name)
            .set_tag_keys(Some(remove))
            .send()
            .await
            .map_err(|e| format!("RemoveTagsFromResource failed: {}", describe(&e)))?;
    }
    if !upsert.is_empty() {
        clients
            .ssm
            .add_tags_to_resource()
            .resource_type(ResourceTypeForTagging::Parameter)
            .resource_id(name)
            .set_tags(Some(aws_tags(&upsert)))
            .send()
            .await
            .map_err(|e| format!("AddTagsToResource failed: {}", describe(&e)))?;
    }
    Ok(())
}

/// The planned value unless the plan did not know it.
fn unless_unknown<T: Clone>(planned: &Attr<T>, state: Attr<T>) -> Attr<T> {
    if planned.is_unknown() {
        state
    } else {
        planned.clone()
    }
}

/// The planned value when the plan set one (a computed one left null is AWS's to fill).
fn when_set<T: Clone>(planned: &Attr<T>, state: Attr<T>) -> Attr<T> {
    if planned.is_known() {
        planned.clone()
    } else {
        state
    }
}

/// After apply, values the plan knew come back as planned (AWS may spell them differently).
fn keep_planned(state: SecretModel, planned: &SecretModel) -> SecretModel {
    SecretModel {
        name: planned.name.clone(),
        r#type: unless_unknown(&planned.r#type, state.r#type),
        value: unless_unknown(&planned.value, state.value),
        insecure_value: unless_unknown(&planned.insecure_value, state.insecure_value),
        allowed_pattern: unless_unknown(&planned.allowed_pattern, state.allowed_pattern),
        data_type: unless_unknown(&planned.data_type, state.data_type),
        value_wo_version: unless_unknown(&planned.value_wo_version, state.value_wo_version),
        description: unless_unknown(&planned.description, state.description),
        tags: planned.tags.clone(),
        key_id: when_set(&planned.key_id, state.key_id),
        tier: when_set(&planned.tier, state.tier),
        ..state
    }
}

/// The state after a write of `planned`, read back from AWS; `None` with the error reported.
async fn read_back(
    cfg: &Configured,
    planned: &SecretModel,
    diags: &mut Diagnostics,
) -> Option<SecretModel> {
    let name = &planned.name;
    let written_tags = planned.tags_all.known().cloned();
    match fetch(&cfg.clients, name, false, written_tags).await {
        Ok(Some(remote)) => {
            let default_tags = cfg.default_tags.clone().unwrap_or_default();
            Some(keep_planned(
                flatten(&remote, planned, &default_tags),
                planned,
            ))
        }
        Ok(None) => {
            diags.error(
                "The parameter disappeared",
                format!("\"{name}\" was written but cannot be read back."),
            );
            None
        }
        Err(e) => {
            diags.error("Could not read the parameter back", e);
            None
        }
    }
}

#[async_trait]
impl Resource for SecretResource {
    fn type_name(&self) -> &'static str {
        "ecs_secret"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, req: CreateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<SecretModel>(&req.planned).or_report(&mut resp.diags) else {
            return;
        };
        let Some(config) = decode::<SecretModel>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let secret = value_to_send(&plan, &config);
        let adopt = plan.overwrite == Attr::Known(true);
        if let Err(e) = put(&cfg.clients, &plan, secret, adopt).await {
            let hint = if e.contains("ParameterAlreadyExists") {
                " Import it (`terraform import`), or set `overwrite = true` to adopt it."
            } else {
                ""
            };
            resp.diags
                .error("Could not create the parameter", format!("{e}{hint}"));
            return;
        }
        if plan.data_type.known().map(String::as_str) == Some("aws:ec2:image")
            && !appeared(&cfg.clients, &plan.name, &req.ctx).await
        {
            resp.remove();
            resp.diags.error(
                "Parameter Store did not create the parameter",
                format!("\"{}\" was accepted but never appeared: Parameter Store checks an `aws:ec2:image` value after answering, and drops the write when the value is not the ID of an AMI available to this account.", plan.name),
            );
            return;
        }
        if adopt && let Err(e) = adopt_tags(&cfg.clients, &plan).await {
            resp.diags
                .error("Could not set the adopted parameter's tags", e);
        }
        // From here on the parameter exists: keep it in state whatever happens next.
        let plan = SecretModel {
            id: Attr::Known(plan.name.clone()),
            ..plan
        };
        let Some(state) = encode_state(&plan, &mut resp.diags) else {
            return;
        };
        resp.state = state;
        if let Some(state) = read_back(&cfg, &plan, &mut resp.diags).await
            && let Some(state) = encode_state(&state, &mut resp.diags)
        {
            resp.state = state;
        }
    }

    async fn read(&self, req: ReadRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<SecretModel>(&req.state).or_report(&mut resp.diags) else {
            return;
        };
        let name = &prior.name;
        match fetch(&cfg.clients, name, req.ctx.in_read_burst(), None).await {
            Ok(Some(remote)) => {
                let default_tags = cfg.default_tags.clone().unwrap_or_default();
                let state = flatten(&remote, &prior, &default_tags);
                if let Some(state) = encode_state(&state, &mut resp.diags) {
                    resp.state = state;
                }
            }
            Ok(None) => {
                tracing::info!(parameter = %name, "parameter is gone; removing it from state");
                resp.remove();
            }
            Err(e) => resp.diags.error("Could not read the parameter", e),
        }
    }

    async fn update(&self, req: UpdateRequest, resp: &mut StateResponse) {
        let Some(cfg) = configured(&req.ctx, &mut resp.diags) else {
            return;
        };
        let Some(prior) = decode::<SecretModel>(&req.prior).or_report(&mut resp.diags) else {
            return;
        };
        let Some(plan) = decode::<SecretModel>(&req.planned).or_report(&mut resp.diags) else {
            return;
        };
        let Some(config) = decode::<SecretModel>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        if needs_new_version(&req.prior, &req.planned, &req.config) {
            let Some(secret) = value_to_send(&plan, &config) else {
                resp.diags.error_at(
                    AttrPath::root().attr("value_wo"),
                    "The write-only value is needed again",
                    "Changing this parameter writes a new version, which needs the value: `value_wo` is not set in the configuration.",
                );
                return;
            };
            if let Err(e) = put(&cfg.clients, &plan, Some(secret), true).await {
                resp.diags.error("Could not update the parameter", e);
                return;
            }
        }
        let old = prior.tags_all.known().cloned().unwrap_or_default();
        let new = plan.tags_all.known().cloned().unwrap_or_default();
        if let Err(e) = update_tags(&cfg.clients, &prior.name, &old, &new).await {
            resp.diags.error("Could not update the parameter's tags", e);
            return;
        }
        let state = read_back(&cfg, &plan, &mut resp.diags)
            .await
            .unwrap_or(plan);
        if let Some(state) = encode_state(&state, &mut resp.diags) {
            resp.state = state;
        }
    }

    async fn delete(&self, req: DeleteRequest, diags: &mut Diagnostics) {
        let Some(cfg) = configured(&req.ctx, diags) else {
            return;
        };
        let Some(prior) = decode::<SecretModel>(&req.prior).or_report(diags) else {
            return;
        };
        let name = &prior.name;
        match cfg.clients.ssm.delete_parameter().name(name).send().await {
            Ok(_) => {}
            Err(e) if code(&e) == Some("ParameterNotFound") => {}
            Err(e) => diags.error(
                "Could not delete the parameter",
                format!("DeleteParameter for \"{name}\" failed: {}", describe(&e)),
            ),
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
    fn as_move_state(&self) -> Option<&dyn crate::framework::move_state::MoveState> {
        Some(&crate::ecs::moves::ssm_parameter::MOVES)
    }

    fn as_generate_config(&self) -> Option<&dyn crate::framework::generate_config::GenerateConfig> {
        Some(self)
    }

    fn as_identity(&self) -> Option<&dyn crate::framework::identity::ResourceIdentity> {
        Some(&crate::ecs::identity::SECRET)
    }
}

/// The arguments whose change needs PutParameter (a new version), not just tags, that differ
/// between `prior` and `planned`.
fn version_changes(prior: &Value, planned: &Value) -> Vec<&'static str> {
    let mut changes: Vec<&'static str> = [
        "type",
        "value_wo_version",
        "key_id",
        "description",
        "tier",
        "allowed_pattern",
        "data_type",
    ]
    .into_iter()
    .filter(|name| {
        let (old, new) = (prior.get(name), planned.get(name));
        // A computed attribute left to AWS (null in the plan) is no change.
        old != new && !(matches!(*name, "key_id" | "tier") && new.is_none_or(Value::is_null))
    })
    .collect();
    // `value` and `insecure_value` are two spellings of one value: moving it is no change.
    if shown_value(prior) != shown_value(planned) {
        changes.push("value");
    }
    changes
}

/// `value`, or else `insecure_value`.
fn shown_value(object: &Value) -> Option<&Value> {
    ["value", "insecure_value"]
        .into_iter()
        .filter_map(|name| object.get(name))
        .find(|v| !v.is_null())
}

/// Whether going from `prior` to `planned` writes a new version. An import brings the value
/// into `value` (import cannot see the configuration); when the configuration holds it in
/// `value_wo` instead, only `value` leaving the state is no new version: AWS holds that value.
fn needs_new_version(prior: &Value, planned: &Value, config: &Value) -> bool {
    let changes = version_changes(prior, planned);
    let drops_imported_value = changes == ["value"]
        && planned.get("value").is_none_or(Value::is_null)
        && config.get("value_wo").is_some_and(|v| !v.is_null());
    !changes.is_empty() && !drops_imported_value
}

/// Why AWS would refuse `name`, if it would.
pub fn name_problem(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-/".contains(c);
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        return Some(format!(
            "{bad:?} is not allowed: use letters, digits, and . - _ /"
        ));
    }
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Some(
            "names may not begin with \"aws\" or \"ssm\" (any case): AWS reserves them".into(),
        );
    }
    if name.contains('/') && !name.starts_with('/') {
        return Some("a hierarchical name must begin with \"/\", e.g. \"/web/db-password\"".into());
    }
    if name.matches('/').count() > 15 {
        return Some("at most 15 levels of hierarchy are allowed".into());
    }
    None
}

impl ValidateConfig for SecretResource {
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(name) = string(config, "name")
            && let Some(problem) = name_problem(name)
        {
            diags.error_at(
                AttrPath::root().attr("name"),
                "Invalid parameter name",
                problem,
            );
        }
        let value_wo = config.get("value_wo").unwrap_or(&Value::Null);
        secret_rules::check_value_arguments(config, diags);
        secret_rules::check_insecure_type(config, diags);
        secret_rules::check_allowed_pattern(config, diags);
        secret_rules::check_data_type(config, diags);
        if value_wo.is_null()
            && value_wo.is_known()
            && config.get("value_wo_version").is_some_and(|v| !v.is_null())
        {
            diags.error_at(
                AttrPath::root().attr("value_wo_version"),
                "`value_wo_version` without `value_wo`",
                "`value_wo_version` only says when to send `value_wo` again; set `value_wo` or remove it.",
            );
        }
        if let Some(kind) = string(config, "type")
            && kind != "SecureString"
            && config.get("key_id").is_some_and(|v| !v.is_null())
        {
            diags.error_at(
                AttrPath::root().attr("key_id"),
                "`key_id` needs a SecureString",
                format!("Only `SecureString` parameters are encrypted; this one is a `{kind}`. Remove `key_id` or use `type = \"SecureString\"`."),
            );
        }
        let limit = match string(config, "tier") {
            Some("Advanced") | Some("Intelligent-Tiering") => 8192,
            Some(_) | None if config.get("tier").is_some_and(Value::is_unknown) => usize::MAX,
            _ => 4096,
        };
        for attr in secret_rules::VALUE_ARGUMENTS {
            if let Some(v) = string(config, attr)
                && v.len() > limit
            {
                diags.error_at(
                    AttrPath::root().attr(attr),
                    "Value too large for the tier",
                    format!("The value is {} bytes; the Standard tier takes at most 4096 bytes and `Advanced` 8192. Set `tier = \"Advanced\"` for larger values.", v.len()),
                );
            }
            if string(config, attr) == Some("") {
                diags.error_at(
                    AttrPath::root().attr(attr),
                    "Empty value",
                    "Parameter Store does not accept an empty value.",
                );
            }
        }
    }
}

impl ModifyPlan for SecretResource {
    fn modify_plan(&self, req: ModifyPlanRequest<'_>, resp: &mut ModifyPlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        tags::plan_into(req.ctx, req.config, &mut resp.planned);
        // Only a SecureString has a key: for the others it stays null, not "known after apply"
        // (which would also count as a change that writes a version).
        if let Some(kind) = string(&resp.planned, "type")
            && kind != "SecureString"
            && resp.planned.get("key_id").is_some_and(Value::is_unknown)
        {
            set(&mut resp.planned, "key_id", Value::Null);
        }
        if req.prior.is_null() {
            if let Some(name) = req.config.get("name").filter(|v| v.is_known()) {
                set(&mut resp.planned, "id", name.clone());
            }
            return;
        }
        if needs_new_version(req.prior, &resp.planned, req.config) {
            set(&mut resp.planned, "version", Value::Unknown);
        }
    }
}

#[async_trait]
impl ImportState for SecretResource {
    async fn import_state(&self, req: ImportRequest, resp: &mut ImportResponse) {
        let name = req.id.trim();
        if name.is_empty() {
            resp.diags.error(
                "Invalid import ID",
                "Give the parameter's name, e.g. `/web/db-password`.",
            );
            return;
        }
        let mut state = SecretModel {
            name: name.to_string(),
            r#type: Attr::Null,
            value: Attr::Null,
            value_wo: Attr::Null,
            value_wo_version: Attr::Null,
            insecure_value: Attr::Null,
            data_type: Attr::Null,
            allowed_pattern: Attr::Null,
            overwrite: Attr::Null,
            key_id: Attr::Null,
            description: Attr::Null,
            tier: Attr::Null,
            tags: None,
            tags_all: Attr::Null,
            arn: Attr::Null,
            version: Attr::Null,
            id: Attr::Known(name.to_string()),
        };
        let Some(stub) = encode_state(&state, &mut resp.diags) else {
            return;
        };
        resp.state = stub;
        // Read only refreshes a value the state already tracks: bring it in once here.
        let Some(cfg) = req.ctx.provider::<Configured>(&mut resp.diags) else {
            return;
        };
        match fetch(&cfg.clients, name, false, None).await {
            Ok(Some(remote)) => {
                state.value = remote.parameter.value().map(str::to_string).into();
                if let Some(value) = encode_state(&state, &mut resp.diags) {
                    resp.state = value;
                }
            }
            Ok(None) => resp.diags.error(
                "Cannot import a parameter that does not exist",
                format!("No parameter named \"{name}\" was found."),
            ),
            Err(e) => resp.diags.error("Could not look up the parameter", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::model::object;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<SecretModel>(&schema());
    }

    fn model(value: Value) -> SecretModel {
        let value = crate::framework::server::conform(&schema().block, &value);
        decode(&value).unwrap()
    }

    #[test]
    fn debug_output_never_shows_the_value() {
        let m = model(object([
            ("name", Value::string("db")),
            ("value", Value::string("hunter2")),
            ("value_wo", Value::string("hunter3")),
        ]));
        let shown = format!("{m:?}");
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(
            shown.contains("value: Known(\"(sensitive value)\")"),
            "{shown}"
        );
    }

    #[test]
    fn after_a_write_known_planned_values_win() {
        let planned = model(object([
            ("name", Value::string("db")),
            ("description", Value::Null),
            ("tier", Value::Null),
            ("key_id", Value::string("alias/mine")),
            ("value_wo_version", Value::Unknown),
        ]));
        let remote = model(object([
            ("name", Value::string("db")),
            ("description", Value::string("from AWS")),
            ("tier", Value::string("Standard")),
            ("key_id", Value::string("arn:aws:kms:key")),
            ("value_wo_version", Value::number_i64(3)),
        ]));
        let state = keep_planned(remote, &planned);
        assert_eq!(state.description, Attr::Null);
        assert_eq!(state.tier, Attr::Known("Standard".into()));
        assert_eq!(state.key_id, Attr::Known("alias/mine".into()));
        assert_eq!(state.value_wo_version, Attr::Known(Number::from_i64(3)));
    }

    #[test]
    fn names_follow_parameter_store_rules() {
        assert_eq!(name_problem("db-password"), None);
        assert_eq!(name_problem("/web/prod/db.password_1"), None);
        assert!(name_problem("has space").unwrap().contains("' '"));
        assert!(name_problem("/aws/reserved").unwrap().contains("aws"));
        assert!(name_problem("SSM-thing").unwrap().contains("ssm"));
        assert!(name_problem("web/db").unwrap().contains("begin with"));
    }

    #[test]
    fn scrub_removes_every_occurrence() {
        let msg = "Value 'hunter2' failed: hunter2 too short".to_string();
        assert_eq!(
            scrub(msg, Some("hunter2")),
            "Value '(sensitive value)' failed: (sensitive value) too short"
        );
    }

    #[test]
    fn tag_only_changes_keep_the_version() {
        let prior = object([
            ("value", Value::string("a")),
            ("type", Value::string("SecureString")),
            ("tier", Value::string("Standard")),
        ]);
        let mut planned = prior.clone();
        set(
            &mut planned,
            "tags",
            Value::map([("a", Value::string("b"))]),
        );
        let config = Value::Null;
        assert!(!needs_new_version(&prior, &planned, &config));
        set(&mut planned, "tier", Value::Null);
        assert!(
            !needs_new_version(&prior, &planned, &config),
            "tier left to AWS"
        );
        set(&mut planned, "value", Value::string("b"));
        assert!(needs_new_version(&prior, &planned, &config));
    }

    #[test]
    fn an_insecure_value_turned_secure_outside_terraform_stays_sensitive() {
        let prior = model(object([
            ("name", Value::string("p")),
            ("type", Value::string("String")),
            ("insecure_value", Value::string("was-plain")),
        ]));
        let remote = Remote {
            parameter: Parameter::builder()
                .name("p")
                .r#type(ParameterType::SecureString)
                .value("now-secret")
                .build(),
            metadata: None,
            tags: Tags::new(),
        };
        let state = flatten(&remote, &prior, &Tags::new());
        assert_eq!(state.insecure_value, Attr::Null);
        assert_eq!(state.value, Attr::Known("now-secret".into()));
    }

    #[test]
    fn moving_the_value_between_value_and_insecure_value_writes_no_version() {
        let prior = model_value(object([
            ("name", Value::string("p")),
            ("type", Value::string("String")),
            ("insecure_value", Value::string("v2")),
        ]));
        let mut planned = prior.clone();
        set(&mut planned, "insecure_value", Value::Null);
        set(&mut planned, "value", Value::string("v2"));
        assert_eq!(version_changes(&prior, &planned), Vec::<&str>::new());
        set(&mut planned, "value", Value::string("v3"));
        assert_eq!(version_changes(&prior, &planned), ["value"]);
    }

    fn model_value(value: Value) -> Value {
        crate::framework::server::conform(&schema().block, &value)
    }

    #[test]
    fn an_imported_value_leaving_for_value_wo_writes_no_version() {
        let prior = object([("value", Value::string("a"))]);
        let planned = object([("value", Value::Null)]);
        let write_only = object([("value_wo", Value::string("a"))]);
        assert!(!needs_new_version(&prior, &planned, &write_only));
        assert!(
            needs_new_version(&prior, &planned, &Value::Null),
            "removing the value without value_wo writes"
        );
        let bumped = object([
            ("value", Value::Null),
            ("value_wo_version", Value::number_i64(2)),
        ]);
        assert!(
            needs_new_version(&prior, &bumped, &write_only),
            "a new value_wo_version sends the value"
        );
    }
}
