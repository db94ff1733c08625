//! State moved from the hashicorp/aws provider's ECS and SSM resources (a `moved` block from
//! `aws_ecs_cluster.x` to `ecs_cluster.x`): one file per source type, each a pure transformation
//! of the stored SDKv2 JSON (`sdkv2.rs` reads it leniently) into the target's state. Terraform
//! runs it on an unconfigured provider: nothing is looked up; the refresh after the move reads
//! the object from AWS.

pub mod capacity_provider;
pub mod cluster;
pub mod cluster_capacity_providers;
pub mod sdkv2;
pub mod service;
pub mod ssm_parameter;
pub mod task_definition;

use serde_json::{Map, Value as J};

use crate::framework::diag::Diagnostics;
use crate::framework::move_state::{MoveSource, Moved};
use crate::framework::schema::Schema;

/// The source provider, matched on namespace and type whatever registry host the CLI names.
pub const AWS: &str = "hashicorp/aws";

pub const fn aws(type_name: &'static str, versions: &'static [i64]) -> MoveSource {
    MoveSource {
        provider: AWS,
        type_name,
        versions,
    }
}

/// `src` (reshaped by the mover) copied into `schema`'s form; nothing when an attribute could
/// not be moved. The AWS provider's private data (SDKv2 timeouts, schema version) means nothing
/// here and is not carried.
pub fn finish(
    schema: &Schema,
    src: Map<String, J>,
    rules: &sdkv2::Rules,
    diags: &mut Diagnostics,
) -> Option<Moved> {
    let state = sdkv2::copy(&schema.block, &J::Object(src), rules, diags);
    (!diags.has_errors()).then_some(Moved {
        state,
        private: Vec::new(),
    })
}

#[cfg(test)]
pub(crate) mod testing {
    use serde_json::Value as J;

    use crate::framework::diag::Diagnostics;
    use crate::framework::move_state::MoveInput;
    use crate::framework::resource::Resource;
    use crate::framework::server::conform;
    use crate::framework::value::json::{JsonDecodeOptions, from_serde};

    /// Runs the resource's mover for `source` on `state` and checks the result decodes strictly
    /// with the target schema (as the server does); the JSON result or the diagnostics.
    pub fn run(
        resource: &dyn Resource,
        source: &str,
        version: i64,
        state: J,
    ) -> Result<J, Diagnostics> {
        let movers = resource.as_move_state().expect("movable").movers();
        let mover = movers
            .iter()
            .find(|m| m.source.type_name == source)
            .expect("a mover for the source");
        assert!(mover.source.versions.contains(&version));
        let mut diags = Diagnostics::new();
        let input = MoveInput {
            schema_version: version,
            state: &state,
            private: &[],
        };
        let moved = (mover.transform)(&input, &mut diags).ok_or_else(|| diags.clone())?;
        assert!(!diags.has_errors(), "{diags:?}");
        let schema = resource.schema();
        let strict = JsonDecodeOptions {
            ignore_undefined_attributes: false,
        };
        let value = from_serde(&moved.state, &schema.implied_type(), strict)
            .unwrap_or_else(|e| panic!("moved state does not conform: {e}"));
        let _ = conform(&schema.block, &value);
        Ok(moved.state)
    }
}
