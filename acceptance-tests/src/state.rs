//! Reading `terraform show -json` output: resources by address, attributes by path.
//!
//! Attribute paths are dotted, with list indexes as numbers: `tags.Name`,
//! `setting.0.value`. A map key containing dots can be given as `tags["a.b"]`.

use std::collections::BTreeMap;

use serde_json::Value;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute or map key.
    Key(String),
    /// A list index (also accepted as a key for objects with numeric keys).
    Index(usize),
}

/// Parse `a.b.0.c` / `tags["a.b"]` into steps.
pub fn parse_path(path: &str) -> Vec<PathStep> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]").unwrap_or(after.len());
            steps.push(PathStep::Key(after[..end].to_string()));
            rest = after.get(end + 2..).unwrap_or("");
            rest = rest.strip_prefix('.').unwrap_or(rest);
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let part = &rest[..end];
        steps.push(match part.parse::<usize>() {
            Ok(i) => PathStep::Index(i),
            Err(_) => PathStep::Key(part.to_string()),
        });
        rest = &rest[end..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    steps
}

/// The value at `path` inside `value` (`None` when a step is missing).
pub fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for step in parse_path(path) {
        current = match (&step, current) {
            (PathStep::Key(k), Value::Object(map)) => map.get(k)?,
            (PathStep::Index(i), Value::Array(items)) => items.get(*i)?,
            (PathStep::Index(i), Value::Object(map)) => map.get(&i.to_string())?,
            _ => return None,
        };
    }
    Some(current)
}

fn modules(state: &Value) -> Vec<&Value> {
    fn walk<'a>(module: &'a Value, out: &mut Vec<&'a Value>) {
        out.push(module);
        if let Some(children) = module.get("child_modules").and_then(Value::as_array) {
            for child in children {
                walk(child, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(root) = state.get("values").and_then(|v| v.get("root_module")) {
        walk(root, &mut out);
    }
    out
}

/// All resources (`{address, type, name, values, …}`) of a `show -json` state, in every module.
pub fn resources(state: &Value) -> Vec<&Value> {
    modules(state)
        .into_iter()
        .filter_map(|m| m.get("resources").and_then(Value::as_array))
        .flatten()
        .collect()
}

/// Addresses of all resources in the state.
pub fn addresses(state: &Value) -> Vec<String> {
    resources(state)
        .into_iter()
        .filter_map(|r| r.get("address").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// The resource with `address` (e.g. `ecs_cluster.main`, `data.ecs_cluster.x`, `module.m.x.y[0]`).
pub fn resource<'a>(state: &'a Value, address: &str) -> Option<&'a Value> {
    resources(state)
        .into_iter()
        .find(|r| r.get("address").and_then(Value::as_str) == Some(address))
}

/// The attribute values (`values`) of the resource with `address`, or a message listing the
/// addresses that exist.
pub fn resource_values<'a>(state: &'a Value, address: &str) -> Result<&'a Value, String> {
    resource(state, address)
        .and_then(|r| r.get("values"))
        .ok_or_else(|| {
            format!(
                "resource {address} is not in the state (state has: {})",
                list_or_none(&addresses(state))
            )
        })
}

/// The value of attribute `path` of resource `address`; a missing attribute is `null`.
pub fn attr<'a>(state: &'a Value, address: &str, path: &str) -> Result<&'a Value, String> {
    static NULL: Value = Value::Null;
    Ok(get_path(resource_values(state, address)?, path).unwrap_or(&NULL))
}

/// The attribute as a string (strings as they are, numbers and booleans formatted).
pub fn attr_string(state: &Value, address: &str, path: &str) -> Result<String, String> {
    match attr(state, address, path)? {
        Value::String(s) => Ok(s.clone()),
        v @ (Value::Number(_) | Value::Bool(_)) => Ok(v.to_string()),
        other => Err(format!(
            "{address}.{path} is not a string, number or bool: {other}"
        )),
    }
}

/// Flatten a value into `path -> leaf` pairs (dotted paths as accepted by [`get_path`]);
/// nulls are left out, empty lists and objects appear as `[]` / `{}` leaves.
pub fn flatten(value: &Value) -> BTreeMap<String, Value> {
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match value {
            Value::Null => {}
            Value::Array(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    walk(&join(&i.to_string()), item, out);
                }
            }
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    walk(&join(k), v, out);
                }
            }
            leaf => {
                out.insert(prefix.to_string(), leaf.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}

/// Differences between two resources' attributes, skipping paths equal to or under any of
/// `ignore`. Each line reads `path: expected <a>, got <b>`.
pub fn diff_values(expected: &Value, actual: &Value, ignore: &[String]) -> Vec<String> {
    let ignored = |path: &str| {
        ignore.iter().any(|i| {
            path == i
                || path
                    .strip_prefix(i.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    };
    let a = flatten(expected);
    let b = flatten(actual);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !ignored(k))
        .filter_map(|k| {
            let (x, y) = (a.get(k), b.get(k));
            (x != y).then(|| {
                let show = |v: Option<&Value>| v.map_or("(absent)".to_string(), Value::to_string);
                format!("{k}: expected {}, got {}", show(x), show(y))
            })
        })
        .collect()
}

pub(crate) fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let v = json!({"tags": {"a.b": "x", "Name": "n"}, "s": [{"v": 1}]});
        assert_eq!(get_path(&v, "tags.Name"), Some(&json!("n")));
        assert_eq!(get_path(&v, "tags[\"a.b\"]"), Some(&json!("x")));
        assert_eq!(get_path(&v, "s.0.v"), Some(&json!(1)));
        assert_eq!(get_path(&v, "s.1.v"), None);
    }

    #[test]
    fn diffs_ignore_prefixes() {
        let a = json!({"id": "1", "tags": {"x": "1"}, "n": null, "l": []});
        let b = json!({"id": "1", "tags": {"x": "2"}, "l": []});
        assert!(diff_values(&a, &b, &["tags".to_string()]).is_empty());
        assert_eq!(
            diff_values(&a, &b, &[]),
            vec!["tags.x: expected \"1\", got \"2\"".to_string()]
        );
    }
}
