use std::collections::{BTreeMap, BTreeSet};

use super::error::CodecError;
use super::path::AttrPath;

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
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

    pub fn object(attrs: impl IntoIterator<Item = (String, Type)>) -> Self {
        Type::Object(ObjectType {
            attrs: attrs.into_iter().collect(),
            optional: BTreeSet::new(),
        })
    }

    pub fn object_with_optional(
        attrs: impl IntoIterator<Item = (String, Type)>,
        optional: impl IntoIterator<Item = String>,
    ) -> Self {
        Type::Object(ObjectType {
            attrs: attrs.into_iter().collect(),
            optional: optional.into_iter().collect(),
        })
    }

    /// The type as cty's JSON type syntax: `"string"`, `["list","number"]`, `["object",{…}]`.
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
                let attrs: serde_json::Map<String, J> = o
                    .attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                if o.optional.is_empty() {
                    json!(["object", attrs])
                } else {
                    json!(["object", attrs, o.optional.iter().collect::<Vec<_>>()])
                }
            }
        }
    }

    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json()).unwrap_or_default()
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CodecError> {
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| CodecError::new(&AttrPath::root(), format!("invalid type JSON: {e}")))?;
        Type::from_json(&v)
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Type, CodecError> {
        use serde_json::Value as J;
        let bad = || CodecError::new(&AttrPath::root(), format!("invalid type JSON: {v}"));
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(items) => {
                let kind = items.first().and_then(J::as_str).ok_or_else(bad)?;
                let arg = items.get(1).ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "tuple" => Ok(Type::Tuple(
                        arg.as_array()
                            .ok_or_else(bad)?
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()?,
                    )),
                    "object" => {
                        let attrs = arg
                            .as_object()
                            .ok_or_else(bad)?
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Type::from_json(t)?)))
                            .collect::<Result<BTreeMap<_, _>, CodecError>>()?;
                        let optional = match items.get(2) {
                            Some(J::Array(names)) => names
                                .iter()
                                .map(|n| n.as_str().map(str::to_string).ok_or_else(bad))
                                .collect::<Result<_, _>>()?,
                            None => BTreeSet::new(),
                            Some(_) => return Err(bad()),
                        };
                        Ok(Type::Object(ObjectType { attrs, optional }))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_matches_cty() {
        let t = Type::object_with_optional(
            [
                ("a".to_string(), Type::String),
                ("b".to_string(), Type::list(Type::Number)),
            ],
            ["b".to_string()],
        );
        let text = String::from_utf8(t.to_json_bytes()).unwrap();
        assert_eq!(
            text,
            r#"["object",{"a":"string","b":["list","number"]},["b"]]"#
        );
        assert_eq!(Type::from_json_bytes(text.as_bytes()).unwrap(), t);
        assert_eq!(
            Type::map(Type::String).to_json_bytes(),
            br#"["map","string"]"#
        );
        let tuple = Type::Tuple(vec![Type::Bool, Type::Dynamic, Type::set(Type::String)]);
        assert_eq!(Type::from_json(&tuple.to_json()).unwrap(), tuple);
    }
}
