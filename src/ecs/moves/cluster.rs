//! `aws_ecs_cluster` (schema version 0 in v5 and v6) → `ecs_cluster`. The AWS provider keeps the
//! cluster settings as a `setting` set, which Read always fills (`containerInsights`); ours has
//! `container_insights`. `configuration` and `service_connect_defaults` keep the AWS spelling,
//! which `ecs_cluster` accepts too, so the translated configuration may keep it as well.

use serde_json::Value as J;

use super::sdkv2::{self, Rules, attributes};
use super::{aws, finish};
use crate::ecs::cluster::ClusterResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ecs_cluster", &[0]),
    transform,
}]);

const RULES: Rules = Rules {
    // The region (v6) is in the ARN; ours is the provider's.
    drop: &["region"],
    zero_is_unset: &[],
    source: "aws_ecs_cluster",
    target: "ecs_cluster",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    let mut src = attributes(input.state);
    let settings = src.remove("setting").unwrap_or(J::Null);
    for setting in settings.as_array().into_iter().flatten() {
        let name = setting.get("name").and_then(J::as_str).unwrap_or("");
        let value = setting.get("value").cloned().unwrap_or(J::Null);
        if name == "containerInsights" {
            src.insert("container_insights".into(), value);
        } else if !sdkv2::is_empty(setting) {
            diags.error(
                "Cannot move this state",
                format!("The aws_ecs_cluster sets `setting` {name:?}, which ecs_cluster cannot hold (it has `container_insights` only)."),
            );
        }
    }
    finish(&ClusterResource.schema(), src, &RULES, diags)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ecs::moves::testing::run;

    fn v6() -> J {
        json!({"arn":"arn:aws:ecs:us-east-1:123456789012:cluster/tf6-acc-cluster","configuration":[],
            "id":"arn:aws:ecs:us-east-1:123456789012:cluster/tf6-acc-cluster","name":"tf6-acc-cluster","region":"us-east-1",
            "service_connect_defaults":[],"setting":[{"name":"containerInsights","value":"enabled"}],"tags":{},"tags_all":{}})
    }

    #[test]
    fn a_v6_cluster_moves_with_its_container_insights_setting() {
        let out = run(&ClusterResource, "aws_ecs_cluster", 0, v6()).unwrap();
        assert_eq!(out["container_insights"], "enabled");
        assert_eq!(out["arn"], v6()["arn"]);
        assert_eq!(out["id"], v6()["id"]);
        assert_eq!(out["name"], "tf6-acc-cluster");
        assert_eq!(out["tags"], J::Null);
        assert!(out.get("region").is_none() && out.get("setting").is_none());
    }

    #[test]
    fn a_v5_cluster_keeps_the_configuration_spelling() {
        let mut v5 = v6();
        v5.as_object_mut().unwrap().remove("region");
        v5["configuration"] = json!([{"execute_command_configuration":[{"kms_key_id":"","log_configuration":[{"cloud_watch_encryption_enabled":true,
            "cloud_watch_log_group_name":"/ecs/exec","s3_bucket_encryption_enabled":false,"s3_bucket_name":"","s3_key_prefix":""}],
            "logging":"OVERRIDE"}],"managed_storage_configuration":[]}]);
        v5["tags"] = json!({"env": "dev"});
        let out = run(&ClusterResource, "aws_ecs_cluster", 0, v5).unwrap();
        let exec = &out["configuration"]["execute_command_configuration"];
        assert_eq!(exec["logging"], "OVERRIDE");
        assert_eq!(exec["kms_key_id"], J::Null);
        assert_eq!(
            exec["log_configuration"]["cloud_watch_log_group_name"],
            "/ecs/exec"
        );
        assert_eq!(exec["log_configuration"]["s3_bucket_name"], J::Null);
        assert_eq!(out["execute_command_configuration"], J::Null);
        assert_eq!(out["tags"], json!({"env": "dev"}));
    }

    #[test]
    fn another_cluster_setting_is_an_error_naming_it() {
        let mut state = v6();
        state["setting"] = json!([{"name":"containerInsights","value":"enabled"},{"name":"futureThing","value":"on"}]);
        let diags = run(&ClusterResource, "aws_ecs_cluster", 0, state).unwrap_err();
        assert!(diags.0[0].detail.contains("\"futureThing\""), "{diags:?}");
    }
}
