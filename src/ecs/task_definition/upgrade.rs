//! Stored state of older schema versions. Version 1 renamed `volume.configured_at_launch` to
//! the AWS provider's `configure_at_launch`, so configurations move between the providers by
//! renaming the resource type only.

use serde_json::Value;

use crate::framework::Diagnostics;
use crate::framework::resource::UpgradeState;

use super::TaskDefinitionResource;

/// The schema version the current state shape has.
pub const VERSION: i64 = 1;

impl UpgradeState for TaskDefinitionResource {
    fn upgrade_state(
        &self,
        from_version: i64,
        mut raw: Value,
        _: &mut Diagnostics,
    ) -> Option<Value> {
        if from_version < 1 {
            rename_volume_flag(&mut raw);
        }
        Some(raw)
    }
}

fn rename_volume_flag(raw: &mut Value) {
    let Some(volumes) = raw.get_mut("volume").and_then(Value::as_array_mut) else {
        return;
    };
    for volume in volumes.iter_mut().filter_map(Value::as_object_mut) {
        if let Some(flag) = volume.remove("configured_at_launch") {
            volume.insert("configure_at_launch".to_string(), flag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn version_0_state_keeps_its_configured_at_launch_flag_under_the_new_name() {
        let old = json!({
            "family": "web",
            "volume": [
                {"name": "data", "configured_at_launch": true},
                {"name": "scratch", "configured_at_launch": null}
            ]
        });
        let mut diags = Diagnostics::new();
        let new = TaskDefinitionResource
            .upgrade_state(0, old, &mut diags)
            .expect("upgraded");
        assert_eq!(
            new["volume"],
            json!([
                {"name": "data", "configure_at_launch": true},
                {"name": "scratch", "configure_at_launch": null}
            ])
        );
        assert!(!diags.has_errors());
    }

    #[test]
    fn current_state_is_left_as_it_is() {
        let state = json!({"volume": [{"name": "data", "configure_at_launch": false}]});
        let mut diags = Diagnostics::new();
        let same = TaskDefinitionResource.upgrade_state(VERSION, state.clone(), &mut diags);
        assert_eq!(same, Some(state));
    }
}
