//! `tags` and `tags_all`: provider `default_tags` merged under each resource's own tags.

use std::collections::BTreeMap;

use super::configured::Configured;
use super::model::{map_value, set, string_map};
use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::framework::schema::Attribute;
use crate::framework::{Ctx, Diagnostics, Value};

pub type Tags = BTreeMap<String, String>;

pub fn tags_attribute() -> Attribute {
    Attribute::string_map("tags")
        .optional()
        .description("Tags for the resource. Merged over the provider's `default_tags`.")
}

pub fn tags_all_attribute() -> Attribute {
    Attribute::string_map("tags_all")
        .computed()
        .description("All tags of the resource: the provider's `default_tags` with `tags` on top.")
}

/// The planned `tags_all`: unknown while either input is unknown.
pub fn plan_tags_all(config: &Value, default_tags: Option<&Tags>) -> Value {
    let Some(defaults) = default_tags else {
        return Value::Unknown;
    };
    match config.get("tags") {
        Some(Value::Unknown) => Value::Unknown,
        Some(Value::Map(m)) if m.values().any(|v| !v.is_known()) => Value::Unknown,
        _ => {
            let mut all = defaults.clone();
            all.extend(string_map(config, "tags").unwrap_or_default());
            map_value(&all)
        }
    }
}

/// Sets the planned `tags_all` from the configuration and the provider's `default_tags`.
pub fn plan_into(ctx: &Ctx, config: &Value, planned: &mut Value) {
    let mut quiet = Diagnostics::new();
    let defaults = ctx
        .provider::<Configured>(&mut quiet)
        .and_then(|c| c.default_tags.clone());
    set(
        planned,
        "tags_all",
        plan_tags_all(config, defaults.as_ref()),
    );
}

/// Brings the tags of the ECS resource `arn` from `old` to `new` (TagResource/UntagResource).
pub async fn update_ecs(
    clients: &Clients,
    arn: &str,
    old: &Tags,
    new: &Tags,
) -> Result<(), String> {
    let (upsert, remove) = diff(old, new);
    if !remove.is_empty() {
        clients
            .ecs
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(remove))
            .send()
            .await
            .map_err(|e| format!("UntagResource failed: {}", describe(&e)))?;
    }
    if !upsert.is_empty() {
        clients
            .ecs
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(ecs_tags(&upsert)))
            .send()
            .await
            .map_err(|e| format!("TagResource failed: {}", describe(&e)))?;
    }
    Ok(())
}

/// Tags in the ECS API's shape.
pub fn ecs_tags(tags: &Tags) -> Vec<aws_sdk_ecs::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(k).value(v).build())
        .collect()
}

/// Splits the tags AWS reports into the user's `tags` (the prior spelling kept) and `tags_all`.
/// A tag that only the provider's defaults set stays out of `tags`; a tag the user also set in
/// `tags` stays in it; anything else that appeared remotely lands in `tags` and shows as drift.
/// `prior_tags` is None when the prior `tags` was null, and `tags` stays None while nothing is
/// the user's own.
pub fn split_remote_tags(
    remote: &Tags,
    prior_tags: Option<&Tags>,
    default_tags: &Tags,
) -> (Option<Tags>, Tags) {
    let own: Tags = remote
        .iter()
        .filter(|(k, v)| {
            prior_tags.is_some_and(|t| t.contains_key(*k)) || default_tags.get(*k) != Some(*v)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let tags = (!own.is_empty() || prior_tags.is_some()).then_some(own);
    (tags, remote.clone())
}

/// What to add or change, and which keys to remove, to go from `old` to `new`.
pub fn diff(old: &Tags, new: &Tags) -> (Tags, Vec<String>) {
    let upsert = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    (upsert, remove)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::model::object;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merges_defaults_under_own_tags() {
        let config = object([("tags", map_value(&tags(&[("a", "1"), ("team", "api")])))]);
        let all = plan_tags_all(&config, Some(&tags(&[("team", "web"), ("env", "dev")])));
        assert_eq!(
            all,
            map_value(&tags(&[("a", "1"), ("env", "dev"), ("team", "api")]))
        );
        assert_eq!(plan_tags_all(&config, None), Value::Unknown);
    }

    #[test]
    fn remote_split_keeps_defaults_out_and_shows_drift() {
        let defaults = tags(&[("env", "dev")]);
        let remote = tags(&[("a", "2"), ("env", "dev"), ("new", "x")]);
        let (own, all) = split_remote_tags(&remote, Some(&tags(&[("a", "1")])), &defaults);
        assert_eq!(own, Some(tags(&[("a", "2"), ("new", "x")])));
        assert_eq!(all, remote);
        assert_eq!(split_remote_tags(&defaults, None, &defaults).0, None);
        assert_eq!(
            split_remote_tags(&defaults, Some(&Tags::new()), &defaults).0,
            Some(Tags::new())
        );
    }

    #[test]
    fn diff_finds_upserts_and_removals() {
        let (up, rm) = diff(
            &tags(&[("a", "1"), ("b", "2")]),
            &tags(&[("a", "1"), ("b", "3"), ("c", "4")]),
        );
        assert_eq!(up, tags(&[("b", "3"), ("c", "4")]));
        assert!(rm.is_empty());
        let (up, rm) = diff(&tags(&[("a", "1")]), &Tags::new());
        assert!(up.is_empty());
        assert_eq!(rm, vec!["a".to_string()]);
    }
}
