//! What each resource's generated configuration (`-generate-config-out`) leaves out beyond the
//! framework's generic rules: values AWS picks by itself when the argument is not set, which
//! a user would not write.

use super::capacity_provider::CapacityProviderResource;
use super::container_definitions::{self, NetworkMode};
use super::secret::SecretResource;
use super::service::ServiceResource;
use super::task_definition::TaskDefinitionResource;
use crate::framework::Value;
use crate::framework::generate_config::GenerateConfig;

/// Nulls `name` in `config` when the state holds `aws_default` there. Only for optional and
/// computed attributes: null keeps the state's value, so the plan stays empty.
fn drop_if(config: &mut Value, state: &Value, name: &str, aws_default: &Value) {
    if state.get(name) == Some(aws_default)
        && let Some(v) = config.get_mut(name)
    {
        *v = Value::Null;
    }
}

/// The object a block of at most one element holds (`[obj]` or `obj`), in state and config.
fn only_block<'a>(
    config: &'a mut Value,
    state: &'a Value,
    name: &str,
) -> Option<(&'a mut Value, &'a Value)> {
    fn only(v: &Value) -> Option<&Value> {
        match v {
            Value::List(items) | Value::Set(items) if items.len() == 1 => items.first(),
            Value::Object(_) => Some(v),
            _ => None,
        }
    }
    let state = only(state.get(name)?)?;
    let listed = match config.get(name)? {
        Value::List(items) | Value::Set(items) if items.len() == 1 => true,
        Value::Object(_) => false,
        _ => return None,
    };
    let slot = config.get_mut(name)?;
    let config = if listed {
        match slot {
            Value::List(items) | Value::Set(items) => items.first_mut()?,
            _ => return None,
        }
    } else {
        slot
    };
    Some((config, state))
}

fn text(s: &str) -> Value {
    Value::string(s)
}

impl GenerateConfig for ServiceResource {
    fn generate_config(&self, state: &Value, config: &mut Value) {
        // ECS turns rebalancing on for a new service and reports LATEST for an unset platform.
        drop_if(
            config,
            state,
            "availability_zone_rebalancing",
            &text("ENABLED"),
        );
        drop_if(config, state, "platform_version", &text("LATEST"));
    }
}

impl GenerateConfig for CapacityProviderResource {
    fn generate_config(&self, state: &Value, config: &mut Value) {
        let Some((provider, state)) = only_block(config, state, "auto_scaling_group_provider")
        else {
            return;
        };
        drop_if(provider, state, "managed_draining", &text("ENABLED"));
        if let Some((scaling, state)) = only_block(provider, state, "managed_scaling") {
            // ECS's defaults (CreateCapacityProvider, ManagedScaling).
            drop_if(
                scaling,
                state,
                "minimum_scaling_step_size",
                &Value::number_i64(1),
            );
            drop_if(
                scaling,
                state,
                "maximum_scaling_step_size",
                &Value::number_i64(10000),
            );
            drop_if(
                scaling,
                state,
                "instance_warmup_period",
                &Value::number_i64(300),
            );
        }
    }
}

impl GenerateConfig for TaskDefinitionResource {
    /// `container_definitions` stays JSON, without what ECS adds to every container (empty
    /// lists, `cpu = 0`, `essential = true`, `protocol = "tcp"`, a `hostPort` that follows
    /// `containerPort`), when that spelling means the same containers.
    fn generate_config(&self, state: &Value, config: &mut Value) {
        let mode = NetworkMode::of(state.get("network_mode").and_then(Value::as_str));
        let Some(text) = state.get("container_definitions").and_then(Value::as_str) else {
            return;
        };
        let Some(short) = container_definitions::without_ecs_defaults(text, mode) else {
            return;
        };
        if container_definitions::equivalent(&short, text, mode)
            && let Some(v) = config.get_mut("container_definitions")
        {
            *v = Value::string(short);
        }
    }
}

impl GenerateConfig for SecretResource {
    fn generate_config(&self, state: &Value, config: &mut Value) {
        // Parameter Store encrypts with the AWS-managed key and stores in the standard tier
        // unless told otherwise.
        drop_if(config, state, "key_id", &text("alias/aws/ssm"));
        drop_if(config, state, "tier", &text("Standard"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::generate_config::config_from_state;
    use crate::framework::resource::Resource;

    #[test]
    fn a_secret_leaves_out_the_default_key_and_tier_but_keeps_chosen_ones() {
        let r = SecretResource;
        let schema = r.schema();
        let state = |key: &str, tier: &str| {
            let Value::Object(mut attrs) = crate::framework::server::conform(
                &schema.block,
                &Value::object([("name", Value::string("/a"))]),
            ) else {
                unreachable!()
            };
            attrs.insert("key_id".into(), Value::string(key));
            attrs.insert("tier".into(), Value::string(tier));
            Value::Object(attrs)
        };
        let generated = |state: &Value| {
            let mut config = config_from_state(&schema.block, state);
            r.as_generate_config()
                .unwrap()
                .generate_config(state, &mut config);
            config
        };
        let defaults = generated(&state("alias/aws/ssm", "Standard"));
        assert_eq!(defaults.get("key_id"), Some(&Value::Null));
        assert_eq!(defaults.get("tier"), Some(&Value::Null));
        let chosen = generated(&state("alias/mine", "Advanced"));
        assert_eq!(chosen.get("key_id"), Some(&Value::string("alias/mine")));
        assert_eq!(chosen.get("tier"), Some(&Value::string("Advanced")));
    }

    #[test]
    fn container_definitions_leave_out_what_ecs_adds_and_mean_the_same() {
        let described = r#"[{"name":"app","image":"nginx","cpu":0,"essential":true,"mountPoints":[],"volumesFrom":[],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}]}]"#;
        let short =
            container_definitions::without_ecs_defaults(described, NetworkMode::HostPortFollows)
                .unwrap();
        for added in [
            "cpu",
            "essential",
            "mountPoints",
            "volumesFrom",
            "hostPort",
            "protocol",
        ] {
            assert!(!short.contains(added), "{added} left out: {short}");
        }
        assert!(short.contains("\"A\""), "the environment stays: {short}");
        assert!(container_definitions::equivalent(
            &short,
            described,
            NetworkMode::HostPortFollows
        ));
        // Under bridge networking a host port equal to the container port was chosen: kept.
        let bridge =
            container_definitions::without_ecs_defaults(described, NetworkMode::Dynamic).unwrap();
        assert!(bridge.contains("hostPort"), "{bridge}");
    }
}
