//! `track_latest`: the resource follows the latest ACTIVE revision of its family, so revisions
//! registered outside Terraform (by CI, say) are adopted rather than reverted.
//!
//! The AWS provider reads such a revision into every argument; a revision whose content differs
//! from the configuration then plans a replacement that reverts it. Here the adopted revision
//! gives the state its identity (`arn`, `revision`) and its tags, while the registered arguments
//! keep what this configuration last registered: the plan stays empty until the configuration
//! itself changes, and then a new revision is registered from it.

use super::schema::TaskDefinitionModel;
use crate::framework::model::Attr;

/// What Read asks DescribeTaskDefinition for: the family (its latest ACTIVE revision) when
/// tracking, else the revision in state.
pub fn wanted(prior: &TaskDefinitionModel) -> String {
    if tracking(prior) {
        prior.family.clone()
    } else {
        prior.arn.known().cloned().unwrap_or_default()
    }
}

pub fn tracking(prior: &TaskDefinitionModel) -> bool {
    prior.track_latest.known().copied().unwrap_or(false)
}

/// The state after reading `latest` while tracking: the revision is adopted by identity and
/// tags only. A revision never changes once registered, so the arguments the prior holds stay
/// true of the revision this configuration registered, whichever revision is adopted later.
pub fn adopt(latest: TaskDefinitionModel, prior: &TaskDefinitionModel) -> TaskDefinitionModel {
    if !tracking(prior) {
        return latest;
    }
    TaskDefinitionModel {
        arn: latest.arn,
        arn_without_revision: latest.arn_without_revision,
        revision: latest.revision,
        id: Attr::Known(prior.family.clone()),
        tags: latest.tags,
        tags_all: latest.tags_all,
        ..prior.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::task_definition::remote;

    fn read(revision: i64, image: &str) -> TaskDefinitionModel {
        let answer = serde_json::json!({ "taskDefinition": {
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/web:{revision}"),
            "family": "web", "revision": revision,
            "containerDefinitions": [{ "name": "web", "image": image, "memory": 128 }],
        }});
        remote::flatten(&answer, None, &Default::default())
    }

    #[test]
    fn a_newer_revision_is_adopted_by_identity_only() {
        let prior = TaskDefinitionModel {
            track_latest: Attr::Known(true),
            ..read(1, "nginx:1")
        };
        assert_eq!(wanted(&prior), "web");
        let state = adopt(read(2, "nginx:2"), &prior);
        assert_eq!(state.revision, Attr::Known(2));
        assert!(state.arn.known().unwrap().ends_with("web:2"));
        assert_eq!(state.container_definitions, prior.container_definitions);
        assert_eq!(state.track_latest, Attr::Known(true));
        let again = adopt(read(2, "nginx:2"), &state);
        assert_eq!(again.container_definitions, prior.container_definitions);
        assert_eq!(again.revision, Attr::Known(2));
    }

    #[test]
    fn without_tracking_the_revision_read_is_the_state() {
        let prior = read(1, "nginx:1");
        assert!(wanted(&prior).ends_with("web:1"));
        let latest = read(1, "nginx:1");
        assert_eq!(adopt(latest.clone(), &prior), latest);
    }
}
