//! `aws_ecs_capacity_provider` (schema version 0 in v5 and v6) → `ecs_capacity_provider`. The
//! AWS provider fills `managed_scaling` with ECS's defaults when it is not configured; a block
//! holding only those is left out, as our import does, so a configuration without it plans no
//! change. `instance_requirements` members ours lacks (accelerators, network and storage
//! bandwidth, hibernation, …) are an error when set.

use serde_json::{Value as J, json};

use super::sdkv2::{Rules, attributes};
use super::{aws, finish};
use crate::ecs::capacity_provider::CapacityProviderResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ecs_capacity_provider", &[0]),
    transform,
}]);

const RULES: Rules = Rules {
    drop: &["region"],
    zero_is_unset: &[],
    source: "aws_ecs_capacity_provider",
    target: "ecs_capacity_provider",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    let mut src = attributes(input.state);
    if let Some(J::Array(groups)) = src.get_mut("auto_scaling_group_provider") {
        for group in groups.iter_mut() {
            if group.get("managed_scaling").is_some_and(only_defaults) {
                group["managed_scaling"] = json!([]);
            }
        }
    }
    finish(&CapacityProviderResource.schema(), src, &RULES, diags)
}

fn only_defaults(scaling: &J) -> bool {
    scaling
        == &json!([{"instance_warmup_period":300,"maximum_scaling_step_size":10000,
            "minimum_scaling_step_size":1,"status":"DISABLED","target_capacity":100}])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::moves::testing::run;

    fn v6() -> J {
        json!({"arn":"arn:aws:ecs:us-east-1:123456789012:capacity-provider/tf6-acc-cp",
            "auto_scaling_group_provider":[{"auto_scaling_group_arn":"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:aeb99479:autoScalingGroupName/tf6-acc-asg",
            "managed_draining":"","managed_scaling":[{"instance_warmup_period":300,"maximum_scaling_step_size":10000,"minimum_scaling_step_size":1,
            "status":"DISABLED","target_capacity":100}],"managed_termination_protection":"DISABLED"}],
            "cluster":"","id":"arn:aws:ecs:us-east-1:123456789012:capacity-provider/tf6-acc-cp","managed_instances_provider":[],
            "name":"tf6-acc-cp","region":"us-east-1","tags":{},"tags_all":{}})
    }

    #[test]
    fn v5_and_v6_providers_move_without_a_default_only_managed_scaling() {
        let mut v5 = v6();
        for key in ["region", "cluster", "managed_instances_provider"] {
            v5.as_object_mut().unwrap().remove(key);
        }
        for state in [v6(), v5] {
            let out = run(
                &CapacityProviderResource,
                "aws_ecs_capacity_provider",
                0,
                state,
            )
            .unwrap();
            let asg = &out["auto_scaling_group_provider"];
            assert_eq!(asg["managed_termination_protection"], "DISABLED");
            assert_eq!(asg["managed_draining"], J::Null);
            assert_eq!(asg["managed_scaling"], J::Null);
            assert_eq!(out["cluster"], J::Null);
            assert_eq!(out["name"], "tf6-acc-cp");
        }
    }

    #[test]
    fn a_configured_managed_scaling_is_kept() {
        let mut state = v6();
        state["auto_scaling_group_provider"][0]["managed_scaling"][0]["status"] = json!("ENABLED");
        let out = run(
            &CapacityProviderResource,
            "aws_ecs_capacity_provider",
            0,
            state,
        )
        .unwrap();
        assert_eq!(
            out["auto_scaling_group_provider"]["managed_scaling"]["status"],
            "ENABLED"
        );
        assert_eq!(
            out["auto_scaling_group_provider"]["managed_scaling"]["target_capacity"],
            100
        );
    }

    #[test]
    fn an_instance_requirement_ours_lacks_is_an_error_naming_it() {
        let mut state = v6();
        state["managed_instances_provider"] = json!([{"infrastructure_role_arn":"arn:aws:iam::123456789012:role/infra","propagate_tags":"",
            "infrastructure_optimization":[],
            "instance_launch_template":[{"ec2_instance_profile_arn":"arn:aws:iam::123456789012:instance-profile/p","monitoring":"","capacity_option_type":"",
              "network_configuration":[{"subnets":["subnet-1"],"security_groups":[]}],"storage_configuration":[],
              "instance_requirements":[{"vcpu_count":[{"min":1,"max":4}],"memory_mib":[{"min":1024,"max":0}],"accelerator_count":[],
                "accelerator_types":["gpu"],"require_hibernate_support":false}]}]}]);
        let diags = run(
            &CapacityProviderResource,
            "aws_ecs_capacity_provider",
            0,
            state,
        )
        .unwrap_err();
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        assert!(diags.0[0].detail.contains("`managed_instances_provider.instance_launch_template.instance_requirements.accelerator_types`"), "{diags:?}");
    }
}
