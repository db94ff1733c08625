//! Helpers over raw object values, for the code that cannot use a resource's typed model: plan
//! hooks, whose configuration and plan may hold unknowns anywhere, and the tag and strategy
//! helpers those hooks share. CRUD code reads and writes its model (`framework::model`).

use std::collections::BTreeMap;

use crate::framework::Value;

/// A known, non-null string attribute.
pub fn string<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// A known map of strings; null or unknown give `None`.
pub fn string_map(object: &Value, name: &str) -> Option<BTreeMap<String, String>> {
    match object.get(name)? {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
        _ => None,
    }
}

pub fn map_value(map: &BTreeMap<String, String>) -> Value {
    Value::Map(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Sets an attribute of an object value (no-op on anything else).
pub fn set(object: &mut Value, name: &str, value: Value) {
    if let Value::Object(attrs) = object {
        attrs.insert(name.to_string(), value);
    }
}

pub fn object(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
