//! The deployment settings of `ecs_service` that came with ECS's 2025 deployments: the
//! `deployment_configuration` block (strategy, bake time, lifecycle hooks, linear and canary
//! steps), `alarms`, `load_balancer.advanced_configuration`, `sigint_rollback`, `force_delete`
//! and `pending_deployment_arn`; their models and the mapping to and from the SDK.

use aws_sdk_ecs::types::{
    AdvancedConfiguration, CanaryConfiguration, DeploymentAlarms, DeploymentConfiguration,
    DeploymentLifecycleHook, DeploymentLifecycleHookStage, DeploymentStrategy, LinearConfiguration,
    builders::DeploymentConfigurationBuilder,
};
use aws_smithy_types::{Document, Number as DocNumber};
use serde::{Deserialize, Serialize};

use crate::framework::model::{Attr, Set};
use crate::framework::schema::Validator;
use crate::framework::schema::validators::{Each, FloatBetween, IntBetween, OneOf, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

/// The string must be a JSON document (ECS takes `hookDetails` as one).
struct Json;

impl Validator for Json {
    fn description(&self) -> String {
        "A JSON document.".into()
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(text) = value.as_str() else { return };
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            diags.error_at(
                path.clone(),
                "Invalid JSON",
                format!("{path} must be a JSON document (e.g. written with jsonencode): {e}."),
            );
        }
    }
}

pub const STRATEGIES: &[&str] = &["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];

pub const HOOK_STAGES: &[&str] = &[
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
];

fn arn(name: &str) -> Attribute {
    Attribute::string(name).validate(Prefix {
        prefix: "arn:",
        what: "an ARN",
    })
}

fn bake(name: &str, what: &str) -> Attribute {
    Attribute::number(name)
        .optional()
        .validate(IntBetween { min: 0, max: 1440 })
        .description(format!("{what}, in minutes: 0 to 1440."))
}

/// The `deployment_configuration` block.
pub fn configuration_block() -> NestedBlock {
    let hook = Block::new()
        .description("Run a Lambda function at lifecycle stages of each deployment; a hook that answers FAILED rolls the deployment back.")
        .attribute(arn("hook_target_arn").required().description("ARN of the Lambda function to invoke."))
        .attribute(arn("role_arn").required().description("ARN of the IAM role that lets ECS invoke the function."))
        .attribute(
            Attribute::string_list("lifecycle_stages")
                .required()
                .validate(Each(OneOf(HOOK_STAGES)))
                .description("Stages at which the hook runs: `RECONCILE_SERVICE`, `PRE_SCALE_UP`, `POST_SCALE_UP`, `TEST_TRAFFIC_SHIFT`, `POST_TEST_TRAFFIC_SHIFT`, `PRE_PRODUCTION_TRAFFIC_SHIFT`, `PRODUCTION_TRAFFIC_SHIFT`, `POST_PRODUCTION_TRAFFIC_SHIFT`."),
        )
        .attribute(
            Attribute::string("hook_details")
                .optional()
                .validate(Json)
                .description("JSON passed to the hook; compared as JSON, so spacing and key order are no change."),
        );
    let linear = Block::new()
        .description("Traffic steps of a `LINEAR` deployment.")
        .attribute(
            Attribute::number("step_percent")
                .optional()
                .validate(FloatBetween {
                    min: 3.0,
                    max: 100.0,
                })
                .description("Percent of production traffic shifted per step: 3.0 to 100.0."),
        )
        .attribute(bake("step_bake_time_in_minutes", "Wait after each step"));
    let canary = Block::new()
        .description("The canary step of a `CANARY` deployment.")
        .attribute(
            Attribute::number("canary_percent")
                .optional()
                .validate(FloatBetween {
                    min: 0.1,
                    max: 100.0,
                })
                .description("Percent of production traffic shifted first: 0.1 to 100.0."),
        )
        .attribute(bake(
            "canary_bake_time_in_minutes",
            "Wait before the rest of the traffic shifts",
        ));
    let block = Block::new()
        .description("How ECS deploys: the strategy, bake time, lifecycle hooks and traffic steps. Strategies other than `ROLLING` need the `ECS` deployment controller and a `load_balancer` with `advanced_configuration` (or Service Connect).")
        .attribute(
            Attribute::string("strategy")
                .optional()
                .default(Value::string("ROLLING"))
                .validate(OneOf(STRATEGIES))
                .description("`ROLLING` (default), `BLUE_GREEN`, `LINEAR` or `CANARY`."),
        )
        .attribute(bake("bake_time_in_minutes", "How long the old and new revisions run side by side after production traffic has shifted"))
        .block(NestedBlock::set("lifecycle_hook", hook))
        .block(NestedBlock::single("linear_configuration", linear))
        .block(NestedBlock::single("canary_configuration", canary));
    NestedBlock::single("deployment_configuration", block)
}

/// The top-level `alarms` block.
pub fn alarms_block() -> NestedBlock {
    let block = Block::new()
        .description("CloudWatch alarms that fail a deployment when they go off.")
        .attribute(
            Attribute::string_set("alarm_names")
                .required()
                .description("Names of the alarms ECS watches during a deployment."),
        )
        .attribute(
            Attribute::bool("enable")
                .required()
                .description("Watch the alarms."),
        )
        .attribute(
            Attribute::bool("rollback")
                .required()
                .description("Roll back when an alarm goes off (otherwise the deployment stops)."),
        );
    NestedBlock::single("alarms", block)
}

/// `load_balancer.advanced_configuration`, for blue/green, linear and canary deployments.
pub fn advanced_configuration_block() -> NestedBlock {
    let block = Block::new()
        .description("The second target group and listener rules that blue/green, linear and canary deployments shift traffic with.")
        .attribute(arn("alternate_target_group_arn").required().description("Target group the new revision registers with before traffic shifts."))
        .attribute(arn("production_listener_rule").required().description("Listener rule that routes production traffic."))
        .attribute(arn("test_listener_rule").optional().description("Listener rule that routes test traffic."))
        .attribute(arn("role_arn").required().description("IAM role that lets ECS change the listener rules."));
    NestedBlock::single("advanced_configuration", block)
}

/// The top-level attributes and blocks, added to the resource's block.
pub fn extend(block: Block) -> Block {
    block
        .attribute(Attribute::bool("sigint_rollback").optional().description("When Terraform is interrupted (Ctrl-C) while waiting for a deployment of the `ECS` controller, ask ECS to roll that deployment back (StopServiceDeployment) and wait until it has."))
        .attribute(Attribute::bool("force_delete").optional().description("Delete the service without scaling it to zero first (its tasks are stopped by ECS)."))
        .attribute(Attribute::string("pending_deployment_arn").computed().use_state_for_unknown_including_null().description("The service deployment an interrupted or timed-out wait left running; the next apply waits for it instead of starting another. Null when no wait is pending."))
        .block(configuration_block())
        .block(alarms_block())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationModel {
    pub strategy: Option<String>,
    pub bake_time_in_minutes: Option<i64>,
    pub lifecycle_hook: Set<HookModel>,
    pub linear_configuration: Option<LinearModel>,
    pub canary_configuration: Option<CanaryModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HookModel {
    pub hook_target_arn: String,
    pub role_arn: String,
    pub lifecycle_stages: Vec<String>,
    pub hook_details: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub step_percent: Option<f64>,
    pub step_bake_time_in_minutes: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CanaryModel {
    pub canary_percent: Option<f64>,
    pub canary_bake_time_in_minutes: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmsModel {
    pub alarm_names: Set<String>,
    pub enable: bool,
    pub rollback: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdvancedModel {
    pub alternate_target_group_arn: String,
    pub production_listener_rule: String,
    pub test_listener_rule: Option<String>,
    pub role_arn: String,
}

fn int(n: Option<i64>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

fn json_to_document(value: serde_json::Value) -> Document {
    match value {
        serde_json::Value::Null => Document::Null,
        serde_json::Value::Bool(b) => Document::Bool(b),
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Document::Number(DocNumber::PosInt(u)),
            (_, Some(i)) => Document::Number(DocNumber::NegInt(i)),
            _ => Document::Number(DocNumber::Float(n.as_f64().unwrap_or_default())),
        },
        serde_json::Value::String(s) => Document::String(s),
        serde_json::Value::Array(items) => {
            Document::Array(items.into_iter().map(json_to_document).collect())
        }
        serde_json::Value::Object(map) => Document::Object(
            map.into_iter()
                .map(|(k, v)| (k, json_to_document(v)))
                .collect(),
        ),
    }
}

fn document_to_json(doc: &Document) -> serde_json::Value {
    match doc {
        Document::Null => serde_json::Value::Null,
        Document::Bool(b) => serde_json::Value::Bool(*b),
        Document::Number(DocNumber::PosInt(u)) => serde_json::Value::from(*u),
        Document::Number(DocNumber::NegInt(i)) => serde_json::Value::from(*i),
        Document::Number(DocNumber::Float(f)) => serde_json::Value::from(*f),
        Document::String(s) => serde_json::Value::String(s.clone()),
        Document::Array(items) => {
            serde_json::Value::Array(items.iter().map(document_to_json).collect())
        }
        Document::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), document_to_json(v)))
                .collect(),
        ),
    }
}

fn parse_json(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

/// Adds the strategy settings and alarms to a deployment configuration being built.
pub fn configure(
    builder: DeploymentConfigurationBuilder,
    config: Option<&ConfigurationModel>,
    alarms: Option<&AlarmsModel>,
) -> DeploymentConfigurationBuilder {
    // The builder only fails without its required members, which are all set.
    let builder = builder.set_alarms(alarms.and_then(|a| {
        DeploymentAlarms::builder()
            .set_alarm_names(Some(a.alarm_names.0.clone()))
            .enable(a.enable)
            .rollback(a.rollback)
            .build()
            .ok()
    }));
    let Some(c) = config else { return builder };
    let strategy = c.strategy.as_deref().unwrap_or("ROLLING");
    let hooks: Vec<DeploymentLifecycleHook> = c
        .lifecycle_hook
        .0
        .iter()
        .map(|h| {
            DeploymentLifecycleHook::builder()
                .hook_target_arn(&h.hook_target_arn)
                .role_arn(&h.role_arn)
                .set_lifecycle_stages(Some(
                    h.lifecycle_stages
                        .iter()
                        .map(|s| DeploymentLifecycleHookStage::from(s.as_str()))
                        .collect(),
                ))
                .set_hook_details(
                    h.hook_details
                        .as_deref()
                        .and_then(parse_json)
                        .map(json_to_document),
                )
                .build()
        })
        .collect();
    builder
        .strategy(DeploymentStrategy::from(strategy))
        .set_bake_time_in_minutes(int(c.bake_time_in_minutes))
        .set_lifecycle_hooks((!hooks.is_empty()).then_some(hooks))
        .set_linear_configuration(c.linear_configuration.as_ref().map(|l| {
            LinearConfiguration::builder()
                .set_step_percent(l.step_percent)
                .set_step_bake_time_in_minutes(int(l.step_bake_time_in_minutes))
                .build()
        }))
        .set_canary_configuration(c.canary_configuration.as_ref().map(|k| {
            CanaryConfiguration::builder()
                .set_canary_percent(k.canary_percent)
                .set_canary_bake_time_in_minutes(int(k.canary_bake_time_in_minutes))
                .build()
        }))
}

/// A `deployment_configuration` or `alarms` block the plan removes: the rolling strategy and
/// switched-off alarms, which ECS reports for services that never set them.
pub fn reset_removed(
    config: &mut DeploymentConfiguration,
    strategy: (&Option<ConfigurationModel>, &Option<ConfigurationModel>),
    alarms: (&Option<AlarmsModel>, &Option<AlarmsModel>),
) {
    if strategy.0.is_some() && strategy.1.is_none() {
        config.strategy = Some(DeploymentStrategy::Rolling);
    }
    if alarms.0.is_some() && alarms.1.is_none() {
        config.alarms = DeploymentAlarms::builder()
            .set_alarm_names(Some(Vec::new()))
            .enable(false)
            .rollback(false)
            .build()
            .ok();
    }
}

pub fn expand_advanced(model: Option<&AdvancedModel>) -> Option<AdvancedConfiguration> {
    let a = model?;
    Some(
        AdvancedConfiguration::builder()
            .alternate_target_group_arn(&a.alternate_target_group_arn)
            .production_listener_rule(&a.production_listener_rule)
            .set_test_listener_rule(a.test_listener_rule.clone())
            .role_arn(&a.role_arn)
            .build(),
    )
}

pub fn flatten_advanced(remote: Option<&AdvancedConfiguration>) -> Option<AdvancedModel> {
    let a = remote?;
    Some(AdvancedModel {
        alternate_target_group_arn: a
            .alternate_target_group_arn()
            .unwrap_or_default()
            .to_string(),
        production_listener_rule: a.production_listener_rule().unwrap_or_default().to_string(),
        test_listener_rule: a.test_listener_rule().map(str::to_string),
        role_arn: a.role_arn().unwrap_or_default().to_string(),
    })
}

/// The `deployment_configuration` block from what AWS reports, against `prior`. A service that
/// never set the block reads back without one while ECS reports the default rolling strategy.
pub fn flatten_configuration(
    remote: Option<&DeploymentConfiguration>,
    prior: Option<&ConfigurationModel>,
) -> Option<ConfigurationModel> {
    let strategy = remote
        .and_then(|c| c.strategy())
        .map_or("ROLLING", |s| s.as_str())
        .to_string();
    let prior_hooks = prior.map(|p| p.lifecycle_hook.0.as_slice()).unwrap_or(&[]);
    let hooks: Vec<HookModel> = remote
        .map(|c| c.lifecycle_hooks())
        .unwrap_or_default()
        .iter()
        .map(|h| {
            let target = h.hook_target_arn().unwrap_or_default().to_string();
            let details = h.hook_details().map(document_to_json);
            // Keep the user's spelling of JSON that means the same.
            let spelled = prior_hooks
                .iter()
                .find(|p| p.hook_target_arn == target)
                .and_then(|p| p.hook_details.clone())
                .filter(|text| parse_json(text) == details);
            HookModel {
                hook_target_arn: target,
                role_arn: h.role_arn().unwrap_or_default().to_string(),
                lifecycle_stages: h
                    .lifecycle_stages()
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
                hook_details: spelled.or_else(|| details.map(|d| d.to_string())),
            }
        })
        .collect();
    let linear = remote
        .and_then(|c| c.linear_configuration())
        .map(|l| LinearModel {
            step_percent: l.step_percent(),
            step_bake_time_in_minutes: l.step_bake_time_in_minutes().map(i64::from),
        });
    let canary = remote
        .and_then(|c| c.canary_configuration())
        .map(|k| CanaryModel {
            canary_percent: k.canary_percent(),
            canary_bake_time_in_minutes: k.canary_bake_time_in_minutes().map(i64::from),
        });
    let bake = remote.and_then(|c| c.bake_time_in_minutes()).map(i64::from);
    let default = strategy == "ROLLING"
        && hooks.is_empty()
        && linear.is_none()
        && canary.is_none()
        && bake.is_none();
    if default && prior.is_none() {
        return None;
    }
    Some(ConfigurationModel {
        strategy: Some(strategy),
        bake_time_in_minutes: bake,
        lifecycle_hook: Set(hooks),
        linear_configuration: linear,
        canary_configuration: canary,
    })
}

/// The `alarms` block from what AWS reports: none for a service that never set one while AWS
/// reports alarms switched off.
pub fn flatten_alarms(
    remote: Option<&DeploymentAlarms>,
    prior: Option<&AlarmsModel>,
) -> Option<AlarmsModel> {
    let a = remote?;
    let off = !a.enable() && !a.rollback() && a.alarm_names().is_empty();
    if off && prior.is_none() {
        return None;
    }
    Some(AlarmsModel {
        alarm_names: Set(a.alarm_names().to_vec()),
        enable: a.enable(),
        rollback: a.rollback(),
    })
}

/// Whether a change of the deployment controller from `old` to `new` replaces the service:
/// UpdateService moves CODE_DEPLOY to ECS or EXTERNAL, ECS to EXTERNAL and EXTERNAL to ECS
/// (developer guide, "Update Amazon ECS service parameters", Deployment controller); nothing
/// moves a service to CODE_DEPLOY. `None` is a controller not known yet.
pub fn controller_change_replaces(old: Option<&str>, new: Option<&str>) -> bool {
    match (old, new) {
        (Some(a), Some(b)) if a == b => false,
        (Some(a), Some(b)) => !matches!(
            (a, b),
            ("CODE_DEPLOY", "ECS")
                | ("CODE_DEPLOY", "EXTERNAL")
                | ("ECS", "EXTERNAL")
                | ("EXTERNAL", "ECS")
        ),
        _ => old != new,
    }
}

/// A pending deployment recorded in state, as the plan sees it.
pub fn pending(value: &Attr<String>) -> Option<&str> {
    value.known().map(String::as_str).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn models_agree_with_their_blocks() {
        assert_model_agrees::<ConfigurationModel>(&configuration_block());
        assert_model_agrees::<AlarmsModel>(&alarms_block());
        assert_model_agrees::<AdvancedModel>(&advanced_configuration_block());
    }

    #[test]
    fn hook_details_must_be_json() {
        let path = AttrPath::root().attr("hook_details");
        let mut bad = Diagnostics::new();
        Json.validate(&path, &Value::string("{not json"), &mut bad);
        assert!(bad.has_errors());
        let mut good = Diagnostics::new();
        Json.validate(&path, &Value::string(r#"{"a": [1]}"#), &mut good);
        assert!(!good.has_errors());
    }

    #[test]
    fn controller_transitions_follow_ecs() {
        let r = |a, b| controller_change_replaces(Some(a), Some(b));
        assert!(!r("CODE_DEPLOY", "ECS"));
        assert!(!r("CODE_DEPLOY", "EXTERNAL"));
        assert!(!r("ECS", "EXTERNAL"));
        assert!(!r("EXTERNAL", "ECS"));
        assert!(r("ECS", "CODE_DEPLOY"));
        assert!(r("EXTERNAL", "CODE_DEPLOY"));
        assert!(!r("ECS", "ECS"));
        assert!(controller_change_replaces(Some("ECS"), None));
    }

    #[test]
    fn a_rolling_default_reads_back_as_no_block_and_hook_json_keeps_its_spelling() {
        let rolling = DeploymentConfiguration::builder()
            .strategy(DeploymentStrategy::Rolling)
            .build();
        assert_eq!(flatten_configuration(Some(&rolling), None), None);
        let hook = DeploymentLifecycleHook::builder()
            .hook_target_arn("arn:aws:lambda:us-east-1:1:function:h")
            .role_arn("arn:aws:iam::1:role/r")
            .lifecycle_stages(DeploymentLifecycleHookStage::PostScaleUp)
            .hook_details(json_to_document(serde_json::json!({"a": 1, "b": [true]})))
            .build();
        let remote = DeploymentConfiguration::builder()
            .strategy(DeploymentStrategy::BlueGreen)
            .bake_time_in_minutes(5)
            .lifecycle_hooks(hook)
            .build();
        let prior = ConfigurationModel {
            strategy: Some("BLUE_GREEN".into()),
            bake_time_in_minutes: Some(5),
            lifecycle_hook: Set(vec![HookModel {
                hook_target_arn: "arn:aws:lambda:us-east-1:1:function:h".into(),
                role_arn: "arn:aws:iam::1:role/r".into(),
                lifecycle_stages: vec!["POST_SCALE_UP".into()],
                hook_details: Some(r#"{ "b": [true], "a": 1 }"#.into()),
            }]),
            linear_configuration: None,
            canary_configuration: None,
        };
        assert_eq!(
            flatten_configuration(Some(&remote), Some(&prior)),
            Some(prior)
        );
    }
}
