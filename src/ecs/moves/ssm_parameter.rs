//! `aws_ssm_parameter` (schema version 0 in v5 and v6) → `ecs_secret`. The value stays where the
//! source kept it (`value` or `insecure_value`); a parameter written through `value_wo` has
//! `value = ""` in the source, which becomes null (`value_wo` itself is never stored).
//! `has_value_wo` (computed) has no counterpart: ours tells it from `value_wo_version`.

use super::sdkv2::{Rules, attributes};
use super::{aws, finish};
use crate::ecs::secret::SecretResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ssm_parameter", &[0]),
    transform,
}]);

const RULES: Rules = Rules {
    drop: &["region", "has_value_wo"],
    zero_is_unset: &[],
    source: "aws_ssm_parameter",
    target: "ecs_secret",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    finish(
        &SecretResource.schema(),
        attributes(input.state),
        &RULES,
        diags,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as J, json};

    use super::*;
    use crate::ecs::moves::testing::run;

    fn v6() -> J {
        json!({"allowed_pattern":"","arn":"arn:aws:ssm:us-east-1:123456789012:parameter/tf6-acc/secure","data_type":"text","description":"",
            "has_value_wo":false,"id":"/tf6-acc/secure","insecure_value":null,"key_id":"alias/aws/ssm","name":"/tf6-acc/secure",
            "overwrite":null,"region":"us-east-1","tags":{"env":"dev"},"tags_all":{"env":"dev"},"tier":"Standard","type":"SecureString",
            "value":"s3cr3t","value_wo":null,"value_wo_version":null,"version":1})
    }

    #[test]
    fn a_secure_string_moves_with_its_value() {
        let mut v5 = v6();
        v5.as_object_mut().unwrap().remove("region");
        v5["has_value_wo"] = J::Null;
        for state in [v6(), v5] {
            let out = run(&SecretResource, "aws_ssm_parameter", 0, state).unwrap();
            assert_eq!(out["value"], "s3cr3t");
            assert_eq!(out["type"], "SecureString");
            assert_eq!(out["key_id"], "alias/aws/ssm");
            assert_eq!(out["allowed_pattern"], J::Null);
            assert_eq!(out["description"], J::Null);
            assert_eq!(out["version"], 1);
            assert_eq!(out["id"], "/tf6-acc/secure");
            assert!(out.get("has_value_wo").is_none());
        }
    }

    #[test]
    fn a_write_only_value_leaves_value_null_and_insecure_value_stays() {
        let mut state = v6();
        state["has_value_wo"] = json!(true);
        state["value"] = json!("");
        state["value_wo_version"] = json!(1);
        let out = run(&SecretResource, "aws_ssm_parameter", 0, state).unwrap();
        assert_eq!(out["value"], J::Null);
        assert_eq!(out["value_wo_version"], 1);
        let mut state = v6();
        state["value"] = J::Null;
        state["insecure_value"] = json!("v1.2.3");
        state["type"] = json!("String");
        let out = run(&SecretResource, "aws_ssm_parameter", 0, state).unwrap();
        assert_eq!(out["insecure_value"], "v1.2.3");
        assert_eq!(out["type"], "String");
    }
}
