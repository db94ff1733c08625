//! `aws_ecs_task_definition` (schema version 1 in v5 and v6) → `ecs_task_definition`.
//! `container_definitions` is kept as the AWS provider stored it: ours compares it by meaning,
//! and the refresh reads the revision back. Version 0 (a checksum of the containers, from 2017)
//! is refused: recovering it needs an API call, which a move cannot make. What the target has no
//! place for — `inference_accelerator` (v5), `volume.s3files_volume_configuration` (6.41+) — is
//! an error when set and skipped when empty, as the copy does for any such attribute.

use super::sdkv2::{Rules, attributes};
use super::{aws, finish};
use crate::ecs::task_definition::TaskDefinitionResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ecs_task_definition", &[1]),
    transform,
}]);

const RULES: Rules = Rules {
    drop: &["region"],
    // SDKv2 stores an unset port as 0.
    zero_is_unset: &["volume.efs_volume_configuration.transit_encryption_port"],
    source: "aws_ecs_task_definition",
    target: "ecs_task_definition",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    // `container_definitions` is a required string: the copy keeps it exactly as stored.
    finish(
        &TaskDefinitionResource.schema(),
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
        json!({"arn":"arn:aws:ecs:us-east-1:123456789012:task-definition/tf6-acc-td:1",
            "arn_without_revision":"arn:aws:ecs:us-east-1:123456789012:task-definition/tf6-acc-td",
            "container_definitions":"[{\"command\":[\"sleep\",\"360\"],\"cpu\":10,\"environment\":[],\"essential\":true,\"image\":\"busybox\",\"memory\":10,\"mountPoints\":[],\"name\":\"sleep\",\"portMappings\":[{\"containerPort\":8000,\"protocol\":\"tcp\"}],\"volumesFrom\":[]}]",
            "cpu":"256","enable_fault_injection":false,"ephemeral_storage":[],"execution_role_arn":"","family":"tf6-acc-td","id":"tf6-acc-td",
            "ipc_mode":"","memory":"512","network_mode":"awsvpc","pid_mode":"","placement_constraints":[],"proxy_configuration":[],
            "region":"us-east-1","requires_compatibilities":["FARGATE"],"revision":1,"runtime_platform":[],"skip_destroy":false,
            "tags":{},"tags_all":{},"task_role_arn":"","track_latest":false,"volume":[]})
    }

    fn v5() -> J {
        let mut v5 = v6();
        v5.as_object_mut().unwrap().remove("region");
        v5["inference_accelerator"] = json!([]);
        v5
    }

    #[test]
    fn v5_and_v6_task_definitions_move_with_the_containers_as_stored() {
        for state in [v6(), v5()] {
            let out = run(&TaskDefinitionResource, "aws_ecs_task_definition", 1, state).unwrap();
            assert_eq!(out["container_definitions"], v6()["container_definitions"]);
            assert_eq!(out["cpu"], "256");
            assert_eq!(out["memory"], "512");
            assert_eq!(out["revision"], 1);
            assert_eq!(out["requires_compatibilities"], json!(["FARGATE"]));
            assert_eq!(out["execution_role_arn"], J::Null);
            assert_eq!(out["ipc_mode"], J::Null);
            assert!(out.get("inference_accelerator").is_none());
        }
    }

    #[test]
    fn an_efs_volume_moves_with_an_unset_port() {
        let mut state = v6();
        state["volume"] = json!([{"configure_at_launch":false,"docker_volume_configuration":[],"efs_volume_configuration":[{"authorization_config":[],
            "file_system_id":"fs-12345678","root_directory":"/","transit_encryption":"ENABLED","transit_encryption_port":0}],
            "fsx_windows_file_server_volume_configuration":[],"host_path":"","name":"efs","s3files_volume_configuration":[]}]);
        let out = run(&TaskDefinitionResource, "aws_ecs_task_definition", 1, state).unwrap();
        let efs = &out["volume"][0]["efs_volume_configuration"];
        assert_eq!(efs["file_system_id"], "fs-12345678");
        assert_eq!(efs["transit_encryption_port"], J::Null);
        assert_eq!(out["volume"][0]["host_path"], J::Null);
    }

    #[test]
    fn an_inference_accelerator_or_s3_files_volume_is_an_error_naming_it() {
        let mut state = v5();
        state["inference_accelerator"] =
            json!([{"device_name":"device_1","device_type":"eia1.medium"}]);
        let diags = run(&TaskDefinitionResource, "aws_ecs_task_definition", 1, state).unwrap_err();
        assert!(
            diags.0[0].detail.contains("`inference_accelerator`"),
            "{diags:?}"
        );
        let mut state = v6();
        state["volume"] = json!([{"name":"s3","s3files_volume_configuration":[{"file_system_arn":"arn:aws:s3files:us-east-1:123456789012:file-system/x"}]}]);
        let diags = run(&TaskDefinitionResource, "aws_ecs_task_definition", 1, state).unwrap_err();
        assert!(
            diags.0[0]
                .detail
                .contains("`volume.s3files_volume_configuration`"),
            "{diags:?}"
        );
    }
}
