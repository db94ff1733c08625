//! `aws_ecs_service` (schema version 0 up to 5.57, 1 since) → `ecs_service`. Reshapes: a v5
//! state has no `arn` (its `id` is the ARN); the bake times under `deployment_configuration` and,
//! in version 0, `managed_ebs_volume.throughput` are strings in the source and numbers here (the
//! copy converts by the target's type, `""` being unset). `cluster`, `task_definition` and
//! `iam_role` keep the spelling stored.
//!
//! `wait_for_steady_state` defaults to false in the AWS provider and to true here. A stored
//! `false` is indistinguishable from the AWS default, which configurations rarely override, so
//! it becomes unset and takes our default: a translated configuration without the argument then
//! plans no change (one that writes `false` explicitly plans `true → false`, a provider-only
//! update). `true` is kept.
//!
//! The AWS provider stores what ECS reports for blocks a configuration never wrote (a disabled
//! circuit breaker, the ECS controller, alarms switched off, the rolling strategy) and hides
//! them with diff suppression. Ours reads them back as absent for a service that never set them
//! (`remote.rs`, `deployment.rs`), so a block holding only those reports is left out here too:
//! the translated configuration without it then plans no change.

use serde_json::{Map, Value as J};

use super::sdkv2::{Rules, attributes, first, is_empty};
use super::{aws, finish};
use crate::ecs::service::ServiceResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ecs_service", &[0, 1]),
    transform,
}]);

const RULES: Rules = Rules {
    drop: &["region"],
    // SDKv2 stores these unset numbers as 0.
    zero_is_unset: &[
        "health_check_grace_period_seconds",
        "volume_configuration.managed_ebs_volume.iops",
        "volume_configuration.managed_ebs_volume.size_in_gb",
        "volume_configuration.managed_ebs_volume.throughput",
        "volume_configuration.managed_ebs_volume.volume_initialization_rate",
        "service_connect_configuration.service.ingress_port_override",
        "service_connect_configuration.service.timeout.idle_timeout_seconds",
        "service_connect_configuration.service.timeout.per_request_timeout_seconds",
        "service_registries.port",
        "service_registries.container_port",
    ],
    source: "aws_ecs_service",
    target: "ecs_service",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    let mut src = attributes(input.state);
    if src.get("arn").is_none_or(J::is_null)
        && let Some(id) = src.get("id").cloned()
    {
        src.insert("arn".into(), id);
    }
    if src.get("wait_for_steady_state") == Some(&J::Bool(false)) {
        src.remove("wait_for_steady_state");
    }
    for (block, reported) in [
        (
            "deployment_circuit_breaker",
            breaker_off as fn(&Map<String, J>) -> bool,
        ),
        ("deployment_controller", ecs_controller),
        ("alarms", alarms_off),
        ("deployment_configuration", rolling),
    ] {
        if first(src.get(block)).is_some_and(reported) {
            src.remove(block);
        }
    }
    finish(&ServiceResource.schema(), src, &RULES, diags)
}

fn breaker_off(b: &Map<String, J>) -> bool {
    ["enable", "rollback"]
        .iter()
        .all(|k| b.get(*k).is_none_or(is_empty))
}

fn ecs_controller(c: &Map<String, J>) -> bool {
    matches!(c.get("type").and_then(J::as_str), None | Some("" | "ECS"))
}

fn alarms_off(a: &Map<String, J>) -> bool {
    a.values().all(is_empty)
}

/// The rolling strategy with nothing else set.
fn rolling(d: &Map<String, J>) -> bool {
    d.iter()
        .all(|(k, v)| is_empty(v) || (k == "strategy" && v == "ROLLING"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ecs::moves::testing::run;

    const ARN: &str = "arn:aws:ecs:us-east-1:123456789012:service/tf6-svc-cluster/tf6-svc";

    fn v6() -> J {
        json!({"alarms":[],"arn":ARN,"availability_zone_rebalancing":"",
            "capacity_provider_strategy":[],"cluster":"tf6-svc-cluster","deployment_circuit_breaker":[],"deployment_configuration":null,
            "deployment_controller":[{"type":"ECS"}],"deployment_maximum_percent":200,"deployment_minimum_healthy_percent":100,"desired_count":1,
            "enable_ecs_managed_tags":false,"enable_execute_command":false,"force_delete":null,"force_new_deployment":null,
            "health_check_grace_period_seconds":0,"iam_role":null,"id":ARN,
            "launch_type":"FARGATE","load_balancer":[],"name":"tf6-svc",
            "network_configuration":[{"assign_public_ip":true,"security_groups":null,"subnets":["subnet-8f407ab3256fcb365"]}],
            "ordered_placement_strategy":[],"placement_constraints":[],"platform_version":"","propagate_tags":"NONE","region":"us-east-1",
            "scheduling_strategy":"REPLICA","service_connect_configuration":[],"service_registries":[],"sigint_rollback":null,
            "tags":{"app":"web"},"tags_all":{"app":"web"},"task_definition":"arn:aws:ecs:us-east-1:123456789012:task-definition/tf6-svc-td:1",
            "timeouts":null,"triggers":{},"volume_configuration":[],"vpc_lattice_configurations":[],"wait_for_steady_state":false})
    }

    fn v5() -> J {
        let mut v5 = v6();
        for key in [
            "arn",
            "deployment_configuration",
            "region",
            "sigint_rollback",
        ] {
            v5.as_object_mut().unwrap().remove(key);
        }
        v5
    }

    #[test]
    fn v5_and_v6_services_move_with_the_arn_and_our_steady_state_default() {
        for state in [v6(), v5()] {
            let out = run(&ServiceResource, "aws_ecs_service", 1, state).unwrap();
            assert_eq!(out["arn"], ARN);
            assert_eq!(out["id"], ARN);
            assert_eq!(out["cluster"], "tf6-svc-cluster");
            assert_eq!(out["launch_type"], "FARGATE");
            assert_eq!(out["platform_version"], J::Null);
            assert_eq!(out["availability_zone_rebalancing"], J::Null);
            assert_eq!(out["health_check_grace_period_seconds"], J::Null);
            assert_eq!(out["desired_count"], 1);
            assert_eq!(out["wait_for_steady_state"], J::Null);
            assert_eq!(
                out["network_configuration"]["subnets"],
                json!(["subnet-8f407ab3256fcb365"])
            );
            assert_eq!(out.get("deployment_controller"), None);
            assert_eq!(out["tags"], json!({"app":"web"}));
        }
    }

    #[test]
    fn blocks_holding_only_what_ecs_reports_for_unset_ones_are_left_out() {
        let mut state = v6();
        state["deployment_circuit_breaker"] = json!([{"enable":false,"rollback":false}]);
        state["alarms"] = json!([{"alarm_names":[],"enable":false,"rollback":false}]);
        state["deployment_configuration"] = json!([{"strategy":"ROLLING","bake_time_in_minutes":"","lifecycle_hook":[],
            "linear_configuration":[],"canary_configuration":[]}]);
        let out = run(&ServiceResource, "aws_ecs_service", 1, state).unwrap();
        for block in [
            "deployment_circuit_breaker",
            "deployment_controller",
            "alarms",
            "deployment_configuration",
        ] {
            assert_eq!(out.get(block), None, "{block}");
        }
        let mut state = v6();
        state["deployment_circuit_breaker"] = json!([{"enable":true,"rollback":false}]);
        state["deployment_controller"] = json!([{"type":"EXTERNAL"}]);
        let out = run(&ServiceResource, "aws_ecs_service", 1, state).unwrap();
        assert_eq!(out["deployment_circuit_breaker"]["enable"], true);
        assert_eq!(out["deployment_controller"]["type"], "EXTERNAL");
    }

    #[test]
    fn bake_times_become_numbers_and_timeouts_carry_over() {
        let mut state = v6();
        state["wait_for_steady_state"] = json!(true);
        state["timeouts"] = json!({"create":"30m","delete":null,"update":null});
        state["deployment_configuration"] = json!([{"strategy":"CANARY","bake_time_in_minutes":"5","lifecycle_hook":[],
            "linear_configuration":[],"canary_configuration":[{"canary_percent":10,"canary_bake_time_in_minutes":""}]}]);
        let out = run(&ServiceResource, "aws_ecs_service", 1, state).unwrap();
        let deployment = &out["deployment_configuration"];
        assert_eq!(deployment["bake_time_in_minutes"], 5);
        assert_eq!(
            deployment["canary_configuration"]["canary_bake_time_in_minutes"],
            J::Null
        );
        assert_eq!(deployment["canary_configuration"]["canary_percent"], 10);
        assert_eq!(out["timeouts"]["create"], "30m");
        assert_eq!(out["wait_for_steady_state"], true);
    }

    #[test]
    fn a_version_0_throughput_string_becomes_a_number() {
        let mut state = v5();
        state["volume_configuration"] = json!([{"name":"data","managed_ebs_volume":[{"role_arn":"arn:aws:iam::123456789012:role/ebs",
            "encrypted":true,"file_system_type":"xfs","iops":0,"kms_key_id":"","size_in_gb":20,"snapshot_id":"","throughput":"125",
            "volume_type":"gp3","tag_specifications":[]}]}]);
        let out = run(&ServiceResource, "aws_ecs_service", 0, state).unwrap();
        let ebs = &out["volume_configuration"]["managed_ebs_volume"];
        assert_eq!(ebs["throughput"], 125);
        assert_eq!(ebs["iops"], J::Null);
        assert_eq!(ebs["size_in_gb"], 20);
    }
}
