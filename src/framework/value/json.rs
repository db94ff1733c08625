//! cty's JSON value encoding, used for stored state (`RawState.json`). It cannot carry
//! unknowns; a `dynamic` slot holds `{"value": …, "type": <type JSON>}`.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::error::CodecError;
use super::number::Number;
use super::path::AttrPath;
use super::types::Type;
use super::value::Value;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JsonDecodeOptions {
    /// Drop object attributes the type does not have, at any depth (state written under an
    /// older schema); otherwise they are an error.
    pub ignore_undefined_attributes: bool,
}

/// Encodes `value` as compact JSON of type `ty`. Unknown values are an error.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    Ok(to_serde(value, ty)?.to_string().into_bytes())
}

/// Decodes JSON of type `ty`. Missing object attributes become null.
pub fn decode(bytes: &[u8], ty: &Type, opts: JsonDecodeOptions) -> Result<Value, CodecError> {
    let v: J = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::new(&AttrPath::root(), format!("invalid JSON: {e}")))?;
    from_serde(&v, ty, opts)
}

/// The JSON form of `value` as a serde value; numbers keep their full precision.
pub fn to_serde(value: &Value, ty: &Type) -> Result<J, CodecError> {
    write(value, ty, &AttrPath::root())
}

/// Reads a serde JSON value as a value of type `ty`.
pub fn from_serde(v: &J, ty: &Type, opts: JsonDecodeOptions) -> Result<Value, CodecError> {
    read(v, ty, opts, &AttrPath::root())
}

fn write(value: &Value, ty: &Type, path: &AttrPath) -> Result<J, CodecError> {
    let mismatch = || {
        CodecError::new(
            path,
            format!("a {} value cannot be written as {ty}", value.kind()),
        )
    };
    Ok(match (ty, value) {
        (_, Value::Null) => J::Null,
        (_, Value::Unknown) => {
            return Err(CodecError::new(
                path,
                "unknown values cannot be written as JSON",
            ));
        }
        (Type::Dynamic, Value::Dynamic(t, v)) if **t == Type::Dynamic => write(v, ty, path)?,
        (Type::Dynamic, Value::Dynamic(t, v)) => write_dynamic(v, t, path)?,
        (Type::Dynamic, v) => write_dynamic(v, &v.infer_type(), path)?,
        (_, Value::Dynamic(_, v)) => write(v, ty, path)?,
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::Bool, Value::Bool(b)) => J::Bool(*b),
        (Type::Number, Value::Number(n)) => J::Number(
            n.as_str()
                .parse::<serde_json::Number>()
                .map_err(|e| CodecError::new(path, format!("number {n}: {e}")))?,
        ),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| write(v, et, &path.clone().index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Tuple(types), Value::Tuple(items) | Value::List(items)) => {
            if types.len() != items.len() {
                return Err(CodecError::new(
                    path,
                    format!(
                        "a tuple of {} elements is required, the value has {}",
                        types.len(),
                        items.len()
                    ),
                ));
            }
            J::Array(
                items
                    .iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (v, t))| write(v, t, &path.clone().index(i as i64)))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map(et), Value::Map(entries)) => J::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), write(v, et, &path.clone().key(k.clone()))?)))
                .collect::<Result<_, CodecError>>()?,
        ),
        (Type::Object(ot), Value::Object(attrs)) => {
            if let Some(extra) = attrs.keys().find(|k| !ot.attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    &path.clone().attr(extra.clone()),
                    format!("unsupported attribute \"{extra}\""),
                ));
            }
            J::Object(
                ot.attrs
                    .iter()
                    .map(|(k, t)| {
                        let v = attrs.get(k).unwrap_or(&Value::Null);
                        Ok((k.clone(), write(v, t, &path.clone().attr(k.clone()))?))
                    })
                    .collect::<Result<_, CodecError>>()?,
            )
        }
        _ => return Err(mismatch()),
    })
}

fn write_dynamic(value: &Value, ty: &Type, path: &AttrPath) -> Result<J, CodecError> {
    let mut m = serde_json::Map::new();
    m.insert("value".into(), write(value, ty, path)?);
    m.insert("type".into(), ty.to_json());
    Ok(J::Object(m))
}

fn describe(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

fn read(v: &J, ty: &Type, opts: JsonDecodeOptions, path: &AttrPath) -> Result<Value, CodecError> {
    let unexpected = || {
        CodecError::new(
            path,
            format!("expected a value of type {ty}, found {}", describe(v)),
        )
    };
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        Type::Dynamic => {
            let J::Object(m) = v else {
                return Err(CodecError::new(
                    path,
                    format!(
                        "a dynamic value must be an object with \"value\" and \"type\", found {}",
                        describe(v)
                    ),
                ));
            };
            if let Some(k) = m.keys().find(|k| *k != "value" && *k != "type") {
                return Err(CodecError::new(
                    path,
                    format!("invalid key \"{k}\" in a dynamic value"),
                ));
            }
            let t = m
                .get("type")
                .ok_or_else(|| CodecError::new(path, "a dynamic value is missing its type"))?;
            let t = Type::from_json(t).map_err(|e| CodecError::new(path, e.message))?;
            let inner = m
                .get("value")
                .ok_or_else(|| CodecError::new(path, "a dynamic value is missing its value"))?;
            let inner = read(inner, &t, opts, path)?;
            match t {
                Type::Dynamic => inner,
                t => Value::Dynamic(Box::new(t), Box::new(inner)),
            }
        }
        // cty accepts numbers and bools for strings and the reverse, as older state has them.
        Type::String => match v {
            J::String(s) => Value::String(s.clone()),
            J::Number(n) => Value::String(n.to_string()),
            J::Bool(b) => Value::String(b.to_string()),
            _ => return Err(unexpected()),
        },
        Type::Number => {
            let text = match v {
                J::Number(n) => n.to_string(),
                J::String(s) => s.clone(),
                _ => return Err(unexpected()),
            };
            Value::Number(
                Number::parse(&text)
                    .ok_or_else(|| CodecError::new(path, format!("{text:?} is not a number")))?,
            )
        }
        Type::Bool => match v {
            J::Bool(b) => Value::Bool(*b),
            J::String(s) if s == "true" => Value::Bool(true),
            J::String(s) if s == "false" => Value::Bool(false),
            _ => return Err(unexpected()),
        },
        Type::List(et) | Type::Set(et) => {
            let items = v
                .as_array()
                .ok_or_else(unexpected)?
                .iter()
                .enumerate()
                .map(|(i, x)| read(x, et, opts, &path.clone().index(i as i64)))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        Type::Tuple(types) => {
            let items = v.as_array().ok_or_else(unexpected)?;
            if items.len() != types.len() {
                return Err(CodecError::new(
                    path,
                    format!(
                        "a tuple of {} elements is required, found {}",
                        types.len(),
                        items.len()
                    ),
                ));
            }
            Value::Tuple(
                items
                    .iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (x, t))| read(x, t, opts, &path.clone().index(i as i64)))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Map(et) => Value::Map(
            v.as_object()
                .ok_or_else(unexpected)?
                .iter()
                .map(|(k, x)| Ok((k.clone(), read(x, et, opts, &path.clone().key(k.clone()))?)))
                .collect::<Result<BTreeMap<_, _>, CodecError>>()?,
        ),
        Type::Object(ot) => {
            let m = v.as_object().ok_or_else(unexpected)?;
            if !opts.ignore_undefined_attributes
                && let Some(extra) = m.keys().find(|k| !ot.attrs.contains_key(*k))
            {
                return Err(CodecError::new(
                    &path.clone().attr(extra.clone()),
                    format!("unsupported attribute \"{extra}\""),
                ));
            }
            Value::Object(
                ot.attrs
                    .iter()
                    .map(|(k, t)| {
                        let x = m.get(k).unwrap_or(&J::Null);
                        Ok((k.clone(), read(x, t, opts, &path.clone().attr(k.clone()))?))
                    })
                    .collect::<Result<_, CodecError>>()?,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: JsonDecodeOptions = JsonDecodeOptions {
        ignore_undefined_attributes: false,
    };
    const LENIENT: JsonDecodeOptions = JsonDecodeOptions {
        ignore_undefined_attributes: true,
    };

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    fn text(v: &Value, t: &Type) -> String {
        String::from_utf8(encode(v, t).unwrap()).unwrap()
    }

    #[test]
    fn encodes_like_cty() {
        let ty = Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
            ("m", Type::map(Type::Number)),
            ("t", Type::Tuple(vec![Type::Bool])),
            ("z", Type::set(Type::String)),
        ]);
        let v = Value::object([
            ("s", Value::string("x")),
            ("n", num("2.5")),
            ("b", Value::Bool(false)),
            ("l", Value::list([Value::string("a"), Value::Null])),
            ("m", Value::map([("k", Value::number_i64(1))])),
            ("t", Value::Tuple(vec![Value::Bool(true)])),
        ]);
        assert_eq!(
            text(&v, &ty),
            r#"{"b":false,"l":["a",null],"m":{"k":1},"n":2.5,"s":"x","t":[true],"z":null}"#
        );
        // The attribute left out comes back as null.
        let Value::Object(mut expected) = v.clone() else {
            unreachable!()
        };
        expected.insert("z".into(), Value::Null);
        assert_eq!(
            decode(text(&v, &ty).as_bytes(), &ty, STRICT).unwrap(),
            Value::Object(expected)
        );
    }

    #[test]
    fn missing_attributes_are_null_and_extra_ones_refused_unless_ignored() {
        let inner = Type::object([("x", Type::String)]);
        let ty = Type::object([("a", Type::String), ("n", Type::Number), ("o", inner)]);
        let v = decode(br#"{"a":"x"}"#, &ty, STRICT).unwrap();
        assert_eq!(v.get("n"), Some(&Value::Null));
        assert_eq!(v.get("o"), Some(&Value::Null));
        let err = decode(br#"{"a":"x","gone":1}"#, &ty, STRICT).unwrap_err();
        assert_eq!(err.to_string(), "at gone: unsupported attribute \"gone\"");
        let err = decode(br#"{"o":{"x":"1","old":2}}"#, &ty, STRICT).unwrap_err();
        assert_eq!(err.path, AttrPath::root().attr("o").attr("old"));
        let v = decode(br#"{"a":"x","gone":1,"o":{"x":"1","old":2}}"#, &ty, LENIENT).unwrap();
        assert_eq!(
            v.get("o").and_then(|o| o.get("x")).and_then(Value::as_str),
            Some("1")
        );
        assert!(v.get("gone").is_none());
    }

    #[test]
    fn numbers_keep_their_precision() {
        for lit in [
            "123456789012345678901234567890.5",
            "18446744073709551616",
            "0.1",
            "-7",
        ] {
            let v = decode(lit.as_bytes(), &Type::Number, STRICT).unwrap();
            assert_eq!(v, num(lit));
            assert_eq!(text(&v, &Type::Number), lit);
        }
        assert_eq!(decode(b"1.50", &Type::Number, STRICT).unwrap(), num("1.5"));
        assert_eq!(decode(b"1E2", &Type::Number, STRICT).unwrap(), num("100"));
        assert_eq!(
            decode(br#""42""#, &Type::Number, STRICT).unwrap(),
            num("42")
        );
        assert!(decode(br#""x""#, &Type::Number, STRICT).is_err());
    }

    #[test]
    fn primitives_convert_like_cty() {
        let s = |json: &[u8]| decode(json, &Type::String, STRICT).unwrap();
        assert_eq!(s(b"12.0"), Value::string("12.0"));
        assert_eq!(s(b"true"), Value::string("true"));
        assert_eq!(
            decode(br#""false""#, &Type::Bool, STRICT).unwrap(),
            Value::Bool(false)
        );
        assert!(decode(br#""yes""#, &Type::Bool, STRICT).is_err());
        assert!(decode(b"[]", &Type::String, STRICT).is_err());
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::Dynamic(
            Box::new(Type::list(Type::String)),
            Box::new(Value::list([Value::string("a")])),
        );
        let json = text(&v, &Type::Dynamic);
        assert_eq!(json, r#"{"value":["a"],"type":["list","string"]}"#);
        assert_eq!(decode(json.as_bytes(), &Type::Dynamic, STRICT).unwrap(), v);
        // Inferred when the value carries no type.
        assert_eq!(
            text(&Value::string("a"), &Type::Dynamic),
            r#"{"value":"a","type":"string"}"#
        );
        assert_eq!(text(&Value::Null, &Type::Dynamic), "null");
        let typed_null = r#"{"value":null,"type":"number"}"#;
        let tn = decode(typed_null.as_bytes(), &Type::Dynamic, STRICT).unwrap();
        assert!(tn.is_null());
        assert_eq!(text(&tn, &Type::Dynamic), typed_null);
        for bad in [
            r#""a""#,
            r#"{"value":"a"}"#,
            r#"{"type":"string"}"#,
            r#"{"value":"a","type":"string","x":1}"#,
            r#"{"value":1,"type":"bool"}"#,
        ] {
            assert!(
                decode(bad.as_bytes(), &Type::Dynamic, STRICT).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknowns_and_mismatches_are_refused() {
        let ty = Type::object([("a", Type::String)]);
        let err = encode(&Value::object([("a", Value::Unknown)]), &ty).unwrap_err();
        assert_eq!(err.path, AttrPath::root().attr("a"));
        assert!(encode(&Value::object([("b", Value::Null)]), &ty).is_err());
        assert!(encode(&Value::number_i64(1), &Type::String).is_err());
        assert!(decode(b"[1]", &Type::Tuple(vec![]), STRICT).is_err());
        assert!(decode(b"{", &Type::String, STRICT).is_err());
    }

    #[test]
    fn serde_values() {
        let ty = Type::map(Type::Number);
        let j = serde_json::json!({"a": 1, "b": null});
        let v = from_serde(&j, &ty, STRICT).unwrap();
        assert_eq!(
            v,
            Value::map([("a", Value::number_i64(1)), ("b", Value::Null)])
        );
        assert_eq!(to_serde(&v, &ty).unwrap(), j);
    }
}
