//! Small helpers to read and build the object values resources exchange with the framework.

use std::collections::BTreeMap;

use crate::framework::Value;

/// A known, non-null string attribute.
pub fn string<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

pub fn boolean(object: &Value, name: &str) -> Option<bool> {
    object.get(name).and_then(Value::as_bool)
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

/// A nested single block as an object, if present.
pub fn block<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| matches!(v, Value::Object(_)))
}

pub fn string_value(s: Option<impl Into<String>>) -> Value {
    s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
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

/// Removes an attribute from an object value (no-op on anything else).
pub fn unset(object: &mut Value, name: &str) {
    if let Value::Object(attrs) = object {
        attrs.remove(name);
    }
}
