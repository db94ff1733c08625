//! What each resource's generated configuration (`-generate-config-out`) leaves out beyond the
//! framework's generic rules: values AWS picks by itself when the argument is not set, which
//! a user would not write.

use super::secret::SecretResource;
use crate::framework::Value;
use crate::framework::generate_config::GenerateConfig;

/// Nulls `name` in `config` when the state holds `aws_default` there. Only for optional and
/// computed attributes: null keeps the state's value, so the plan stays empty.
fn drop_if(config: &mut Value, state: &Value, name: &str, aws_default: &str) {
    if state.get(name).and_then(Value::as_str) == Some(aws_default)
        && let Some(v) = config.get_mut(name)
    {
        *v = Value::Null;
    }
}

impl GenerateConfig for SecretResource {
    fn generate_config(&self, state: &Value, config: &mut Value) {
        // Parameter Store encrypts with the AWS-managed key and stores in the standard tier
        // unless told otherwise.
        drop_if(config, state, "key_id", "alias/aws/ssm");
        drop_if(config, state, "tier", "Standard");
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
}
