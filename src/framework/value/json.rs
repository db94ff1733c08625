//! cty's JSON encoding, used for stored state (`RawState.json`). It cannot carry unknowns.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::error::CodecError;
use super::number::Number;
use super::path::AttrPath;
use super::types::Type;
use super::value::Value;

#[derive(Clone, Copy, Debug, Default)]
pub struct JsonDecodeOptions {
    /// Drop object attributes the type does not have (stored state written by an older schema).
    pub ignore_undefined_attributes: bool,
}

pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let v = to_serde(value, ty)?;
    serde_json::to_vec(&v).map_err(|e| CodecError::new(&AttrPath::root(), e.to_string()))
}

pub fn decode(bytes: &[u8], ty: &Type, opts: JsonDecodeOptions) -> Result<Value, CodecError> {
    let v: J = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::new(&AttrPath::root(), format!("invalid JSON: {e}")))?;
    from_serde(&v, ty, opts)
}

pub fn to_serde(value: &Value, ty: &Type) -> Result<J, CodecError> {
    write(value, ty, &AttrPath::root())
}

fn write(value: &Value, ty: &Type, path: &AttrPath) -> Result<J, CodecError> {
    let mismatch = || CodecError::new(path, format!("value does not match type {}", ty.to_json()));
    Ok(match (ty, value) {
        (_, Value::Null) => J::Null,
        (_, Value::Unknown) => {
            return Err(CodecError::new(
                path,
                "unknown values cannot be written as JSON",
            ));
        }
        (Type::Dynamic, Value::Dynamic(t, v)) => {
            serde_json::json!({"value": write(v, t, path)?, "type": t.to_json()})
        }
        (Type::Dynamic, _) => return Err(mismatch()),
        (t, Value::Dynamic(_, v)) => write(v, t, path)?,
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::Bool, Value::Bool(b)) => J::Bool(*b),
        (Type::Number, Value::Number(n)) => J::Number(
            serde_json::from_str::<serde_json::Number>(n.as_str()).map_err(|_| mismatch())?,
        ),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| write(v, et, &path.clone().index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Tuple(types), Value::Tuple(items)) if types.len() == items.len() => J::Array(
            items
                .iter()
                .zip(types)
                .enumerate()
                .map(|(i, (v, t))| write(v, t, &path.clone().index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Map(et), Value::Map(entries)) => J::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), write(v, et, &path.clone().key(k.clone()))?)))
                .collect::<Result<_, CodecError>>()?,
        ),
        (Type::Object(ot), Value::Object(attrs)) => J::Object(
            ot.attrs
                .iter()
                .map(|(k, t)| {
                    Ok((
                        k.clone(),
                        write(
                            attrs.get(k).unwrap_or(&Value::Null),
                            t,
                            &path.clone().attr(k.clone()),
                        )?,
                    ))
                })
                .collect::<Result<_, CodecError>>()?,
        ),
        _ => return Err(mismatch()),
    })
}

pub fn from_serde(v: &J, ty: &Type, opts: JsonDecodeOptions) -> Result<Value, CodecError> {
    read(v, ty, opts, &AttrPath::root())
}

fn read(v: &J, ty: &Type, opts: JsonDecodeOptions, path: &AttrPath) -> Result<Value, CodecError> {
    let unexpected = || CodecError::new(path, format!("expected {}, found {v}", ty.to_json()));
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        Type::Dynamic => {
            let t = v.get("type").ok_or_else(unexpected)?;
            let t = Type::from_json(t).map_err(|e| CodecError::new(path, e.message))?;
            let inner = read(v.get("value").unwrap_or(&J::Null), &t, opts, path)?;
            if inner.is_null() {
                inner
            } else {
                Value::Dynamic(Box::new(t), Box::new(inner))
            }
        }
        Type::String => match v {
            J::String(s) => Value::String(s.clone()),
            // cty converts primitives to string on decode, as Terraform's state may hold them.
            J::Number(n) => Value::String(n.to_string()),
            J::Bool(b) => Value::String(b.to_string()),
            _ => return Err(unexpected()),
        },
        Type::Number => match v {
            J::Number(n) => Value::Number(Number::parse(&n.to_string()).ok_or_else(unexpected)?),
            J::String(s) => Value::Number(Number::parse(s).ok_or_else(unexpected)?),
            _ => return Err(unexpected()),
        },
        Type::Bool => match v {
            J::Bool(b) => Value::Bool(*b),
            J::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            _ => return Err(unexpected()),
        },
        Type::List(et) | Type::Set(et) => {
            let items = v.as_array().ok_or_else(unexpected)?;
            let items = items
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
                return Err(unexpected());
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
        Type::Map(et) => {
            let m = v.as_object().ok_or_else(unexpected)?;
            Value::Map(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), read(x, et, opts, &path.clone().key(k.clone()))?)))
                    .collect::<Result<BTreeMap<_, _>, CodecError>>()?,
            )
        }
        Type::Object(ot) => {
            let m = v.as_object().ok_or_else(unexpected)?;
            if !opts.ignore_undefined_attributes
                && let Some(extra) = m.keys().find(|k| !ot.attrs.contains_key(*k))
            {
                return Err(CodecError::new(
                    path,
                    format!("unsupported attribute \"{extra}\""),
                ));
            }
            Value::Object(
                ot.attrs
                    .iter()
                    .map(|(k, t)| {
                        Ok((
                            k.clone(),
                            read(
                                m.get(k).unwrap_or(&J::Null),
                                t,
                                opts,
                                &path.clone().attr(k.clone()),
                            )?,
                        ))
                    })
                    .collect::<Result<_, CodecError>>()?,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_attributes_are_null_and_extra_ones_refused_unless_ignored() {
        let ty = Type::object([
            ("a".to_string(), Type::String),
            ("n".to_string(), Type::Number),
        ]);
        let v = decode(br#"{"a":"x"}"#, &ty, JsonDecodeOptions::default()).unwrap();
        assert_eq!(v.get("n"), Some(&Value::Null));
        assert!(decode(br#"{"a":"x","gone":1}"#, &ty, JsonDecodeOptions::default()).is_err());
        let opts = JsonDecodeOptions {
            ignore_undefined_attributes: true,
        };
        assert!(decode(br#"{"a":"x","gone":1}"#, &ty, opts).is_ok());
    }

    #[test]
    fn numbers_keep_their_precision() {
        let v = decode(
            b"123456789012345678901234567890.5",
            &Type::Number,
            JsonDecodeOptions::default(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(encode(&v, &Type::Number).unwrap()).unwrap(),
            "123456789012345678901234567890.5"
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::Dynamic(
            Box::new(Type::list(Type::String)),
            Box::new(Value::List(vec![Value::string("a")])),
        );
        let bytes = encode(&v, &Type::Dynamic).unwrap();
        assert_eq!(
            decode(&bytes, &Type::Dynamic, JsonDecodeOptions::default()).unwrap(),
            v
        );
    }
}
