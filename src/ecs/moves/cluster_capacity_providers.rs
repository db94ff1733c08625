//! `aws_ecs_cluster_capacity_providers` (schema version 0 in v5 and v6) →
//! `ecs_cluster_capacity_providers`: the same attributes, without the v6 `region`.

use super::sdkv2::{Rules, attributes};
use super::{aws, finish};
use crate::ecs::capacity_providers::ClusterCapacityProvidersResource;
use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveInput, Moved, Mover, Movers};
use crate::framework::resource::Resource;

pub static MOVES: Movers = Movers(&[Mover {
    source: aws("aws_ecs_cluster_capacity_providers", &[0]),
    transform,
}]);

const RULES: Rules = Rules {
    drop: &["region"],
    zero_is_unset: &[],
    source: "aws_ecs_cluster_capacity_providers",
    target: "ecs_cluster_capacity_providers",
};

fn transform(input: &MoveInput<'_>, diags: &mut Diagnostics) -> Option<Moved> {
    finish(
        &ClusterCapacityProvidersResource.schema(),
        attributes(input.state),
        &RULES,
        diags,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ecs::moves::testing::run;

    #[test]
    fn v5_and_v6_states_move_unchanged_but_for_the_region() {
        let v6 = json!({"capacity_providers":["FARGATE"],"cluster_name":"tf6-acc-cluster",
            "default_capacity_provider_strategy":[{"base":1,"capacity_provider":"FARGATE","weight":100}],"id":"tf6-acc-cluster","region":"us-east-1"});
        let mut v5 = v6.clone();
        v5.as_object_mut().unwrap().remove("region");
        for state in [v6, v5] {
            let out = run(
                &ClusterCapacityProvidersResource,
                "aws_ecs_cluster_capacity_providers",
                0,
                state,
            )
            .unwrap();
            assert_eq!(
                out,
                json!({"capacity_providers":["FARGATE"],"cluster_name":"tf6-acc-cluster",
                    "default_capacity_provider_strategy":[{"base":1,"capacity_provider":"FARGATE","weight":100}],"id":"tf6-acc-cluster"})
            );
        }
    }
}
