use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::error::CodecError;
use super::path::AttrPath;

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// cty's `DynamicPseudoType`: the concrete type travels with the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(ObjectType),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ObjectType {
    pub attrs: BTreeMap<String, Type>,
    /// Attributes that may be omitted in configuration (type constraints only).
    pub optional: BTreeSet<String>,
}

impl Type {
    pub fn list(t: Type) -> Self {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Self {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Self {
        Type::Map(Box::new(t))
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Self {
        Self::object_with_optional(attrs, std::iter::empty::<String>())
    }

    pub fn object_with_optional<K: Into<String>, O: Into<String>>(
        attrs: impl IntoIterator<Item = (K, Type)>,
        optional: impl IntoIterator<Item = O>,
    ) -> Self {
        Type::Object(ObjectType {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: optional.into_iter().map(Into::into).collect(),
        })
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The type of an object attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(o) => o.attrs.get(name),
            _ => None,
        }
    }

    /// Whether `dynamic` appears anywhere in the type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
            Type::Object(o) => o.attrs.values().any(Type::has_dynamic),
        }
    }

    /// The type in cty's JSON type syntax: `"string"`, `["list","number"]`, `["object",{…}]`,
    /// with optional attributes as a sorted third element.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Value as J, json};
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(o) => {
                // BTreeMap iteration keeps the keys sorted, as Go's encoder writes them.
                let attrs: serde_json::Map<String, J> = o
                    .attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                if o.optional.is_empty() {
                    json!(["object", attrs])
                } else {
                    json!(["object", attrs, o.optional])
                }
            }
        }
    }

    /// Compact type JSON, as sent in the protocol's `bytes type` fields.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CodecError> {
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| CodecError::new(&AttrPath::root(), format!("invalid type JSON: {e}")))?;
        Type::from_json(&v)
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Type, CodecError> {
        use serde_json::Value as J;
        let bad =
            |why: &str| CodecError::new(&AttrPath::root(), format!("invalid type {v}: {why}"));
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad("unknown primitive type")),
            },
            J::Array(items) => {
                let kind = items
                    .first()
                    .and_then(J::as_str)
                    .ok_or_else(|| bad("a type kind name must come first"))?;
                let arg = items.get(1).ok_or_else(|| bad("missing type argument"))?;
                let max_len = if kind == "object" { 3 } else { 2 };
                if items.len() > max_len {
                    return Err(bad("too many elements"));
                }
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "tuple" => Ok(Type::Tuple(
                        arg.as_array()
                            .ok_or_else(|| bad("tuple element types must be an array"))?
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()?,
                    )),
                    "object" => {
                        let attrs = arg
                            .as_object()
                            .ok_or_else(|| bad("object attribute types must be an object"))?
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Type::from_json(t)?)))
                            .collect::<Result<BTreeMap<_, _>, CodecError>>()?;
                        let optional = match items.get(2) {
                            None => BTreeSet::new(),
                            Some(J::Array(names)) => names
                                .iter()
                                .map(|n| match n.as_str() {
                                    Some(n) if attrs.contains_key(n) => Ok(n.to_string()),
                                    _ => Err(bad("optional attributes must name attributes")),
                                })
                                .collect::<Result<_, _>>()?,
                            Some(_) => return Err(bad("optional attributes must be an array")),
                        };
                        Ok(Type::Object(ObjectType { attrs, optional }))
                    }
                    _ => Err(bad("unknown type kind")),
                }
            }
            _ => Err(bad("a type is a string or an array")),
        }
    }
}

/// Shows the type JSON, which is how Terraform spells types in its own messages.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &Type) -> String {
        String::from_utf8(t.to_json_bytes()).unwrap()
    }

    #[test]
    fn type_json_matches_cty() {
        let t = Type::object_with_optional(
            [("b", Type::list(Type::Number)), ("a", Type::String)],
            ["b"],
        );
        assert_eq!(
            text(&t),
            r#"["object",{"a":"string","b":["list","number"]},["b"]]"#
        );
        assert_eq!(Type::from_json_bytes(text(&t).as_bytes()).unwrap(), t);
        let cases = [
            (Type::String, r#""string""#),
            (Type::Number, r#""number""#),
            (Type::Bool, r#""bool""#),
            (Type::Dynamic, r#""dynamic""#),
            (Type::map(Type::String), r#"["map","string"]"#),
            (Type::set(Type::Bool), r#"["set","bool"]"#),
            (Type::Tuple(vec![]), r#"["tuple",[]]"#),
            (
                Type::Tuple(vec![Type::Bool, Type::Dynamic]),
                r#"["tuple",["bool","dynamic"]]"#,
            ),
            (Type::object::<String>([]), r#"["object",{}]"#),
            (
                Type::object_with_optional(
                    [("z", Type::String), ("m", Type::Number), ("a", Type::Bool)],
                    ["z", "a"],
                ),
                r#"["object",{"a":"bool","m":"number","z":"string"},["a","z"]]"#,
            ),
        ];
        for (t, json) in cases {
            assert_eq!(text(&t), json);
            assert_eq!(t.to_string(), json);
            assert_eq!(Type::from_json_bytes(json.as_bytes()).unwrap(), t);
        }
    }

    #[test]
    fn malformed_type_json_is_refused() {
        for json in [
            r#""str""#,
            "1",
            "null",
            "[]",
            r#"["list"]"#,
            r#"["list","string","x"]"#,
            r#"["tuple","string"]"#,
            r#"["object",["a"]]"#,
            r#"["object",{"a":"string"},["b"]]"#,
            r#"["object",{"a":"string"},"a"]"#,
            r#"["object",{},[],1]"#,
            r#"["bag","string"]"#,
            "not json",
        ] {
            assert!(Type::from_json_bytes(json.as_bytes()).is_err(), "{json}");
        }
    }

    #[test]
    fn accessors() {
        let t = Type::object([("l", Type::list(Type::Dynamic))]);
        assert_eq!(t.attribute_type("l"), Some(&Type::list(Type::Dynamic)));
        assert_eq!(
            t.attribute_type("l").and_then(Type::element_type),
            Some(&Type::Dynamic)
        );
        assert!(t.has_dynamic());
        assert!(!Type::set(Type::String).has_dynamic());
        assert!(Type::Number.is_primitive());
    }
}
