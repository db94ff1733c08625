//! cty's msgpack encoding (what Terraform sends in `DynamicValue.msgpack`): null is nil, unknown
//! is an extension, objects are maps with exactly one entry per attribute, dynamic slots carry a
//! `[type JSON, value]` pair.

use std::collections::BTreeMap;

use rmp::Marker;
use rmp::decode::read_marker;

use super::error::CodecError;
use super::number::Number;
use super::path::AttrPath;
use super::types::Type;
use super::value::Value;

/// Refinement payloads larger than this are refused, as Terraform does.
const MAX_EXT_PAYLOAD: usize = 1024;

pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    write(&mut out, value, ty, &AttrPath::root())?;
    Ok(out)
}

/// Writing into a Vec cannot fail, but rmp's signatures say it could.
fn io<E: std::fmt::Display>(path: &AttrPath) -> impl Fn(E) -> CodecError + '_ {
    move |e| CodecError::new(path, e.to_string())
}

fn write(out: &mut Vec<u8>, value: &Value, ty: &Type, path: &AttrPath) -> Result<(), CodecError> {
    let mismatch = || {
        CodecError::new(
            path,
            format!("value {} does not match type {}", kind(value), ty.to_json()),
        )
    };
    match (ty, value) {
        (_, Value::Null) => rmp::encode::write_nil(out).map_err(io(path)),
        (Type::Dynamic, Value::Unknown) | (_, Value::Unknown) => {
            out.extend_from_slice(&[0xd4, 0, 0]);
            Ok(())
        }
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            rmp::encode::write_array_len(out, 2).map_err(io(path))?;
            rmp::encode::write_bin(out, &inner_ty.to_json_bytes()).map_err(io(path))?;
            write(out, inner, inner_ty, path)
        }
        (Type::Dynamic, v) => {
            let inferred = infer(v);
            rmp::encode::write_array_len(out, 2).map_err(io(path))?;
            rmp::encode::write_bin(out, &inferred.to_json_bytes()).map_err(io(path))?;
            write(out, v, &inferred, path)
        }
        (t, Value::Dynamic(_, inner)) => write(out, inner, t, path),
        (Type::String, Value::String(s)) => rmp::encode::write_str(out, s).map_err(io(path)),
        (Type::Bool, Value::Bool(b)) => rmp::encode::write_bool(out, *b).map_err(io(path)),
        (Type::Number, Value::Number(n)) => write_number(out, n, path),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => {
            rmp::encode::write_array_len(out, items.len() as u32).map_err(io(path))?;
            for (i, item) in items.iter().enumerate() {
                write(out, item, et, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
        (Type::Tuple(types), Value::Tuple(items) | Value::List(items)) => {
            if types.len() != items.len() {
                return Err(mismatch());
            }
            rmp::encode::write_array_len(out, items.len() as u32).map_err(io(path))?;
            for (i, (item, t)) in items.iter().zip(types).enumerate() {
                write(out, item, t, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
        (Type::Map(et), Value::Map(entries)) => {
            rmp::encode::write_map_len(out, entries.len() as u32).map_err(io(path))?;
            for (k, item) in entries {
                rmp::encode::write_str(out, k).map_err(io(path))?;
                write(out, item, et, &path.clone().key(k.clone()))?;
            }
            Ok(())
        }
        (Type::Object(ot), Value::Object(attrs)) => {
            if let Some(extra) = attrs.keys().find(|k| !ot.attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    path,
                    format!("unsupported attribute \"{extra}\""),
                ));
            }
            rmp::encode::write_map_len(out, ot.attrs.len() as u32).map_err(io(path))?;
            for (name, at) in &ot.attrs {
                rmp::encode::write_str(out, name).map_err(io(path))?;
                let v = attrs.get(name).unwrap_or(&Value::Null);
                write(out, v, at, &path.clone().attr(name.clone()))?;
            }
            Ok(())
        }
        _ => Err(mismatch()),
    }
}

/// Integers as msgpack ints, exactly representable values as float64, anything else as text.
fn write_number(out: &mut Vec<u8>, n: &Number, path: &AttrPath) -> Result<(), CodecError> {
    if let Some(i) = n.as_i64() {
        rmp::encode::write_sint(out, i).map_err(io(path))?;
    } else if let Some(u) = n.as_u64() {
        rmp::encode::write_uint(out, u).map_err(io(path))?;
    } else {
        let f = n.as_f64();
        if f.is_finite() && Number::from_f64(f).as_ref() == Some(n) {
            rmp::encode::write_f64(out, f).map_err(io(path))?;
        } else {
            rmp::encode::write_str(out, n.as_str()).map_err(io(path))?;
        }
    }
    Ok(())
}

/// The type a value would have if it were written literally (used for dynamic slots).
fn infer(value: &Value) -> Type {
    match value {
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::List(items) => Type::list(items.first().map(infer).unwrap_or(Type::Dynamic)),
        Value::Set(items) => Type::set(items.first().map(infer).unwrap_or(Type::Dynamic)),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer).collect()),
        Value::Map(entries) => {
            Type::map(entries.values().next().map(infer).unwrap_or(Type::Dynamic))
        }
        Value::Object(attrs) => Type::object(attrs.iter().map(|(k, v)| (k.clone(), infer(v)))),
        Value::Dynamic(t, _) => (**t).clone(),
        Value::Null | Value::Unknown => Type::Dynamic,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Tuple(_) => "tuple",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Dynamic(..) => "dynamic",
    }
}

pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut rd = bytes;
    let value = read(&mut rd, ty, &AttrPath::root())?;
    if !rd.is_empty() {
        return Err(CodecError::new(
            &AttrPath::root(),
            format!("{} unexpected trailing bytes", rd.len()),
        ));
    }
    Ok(value)
}

fn eof(path: &AttrPath) -> CodecError {
    CodecError::new(path, "unexpected end of msgpack data")
}

fn take<'a>(rd: &mut &'a [u8], n: usize, path: &AttrPath) -> Result<&'a [u8], CodecError> {
    if rd.len() < n {
        return Err(eof(path));
    }
    let (head, tail) = rd.split_at(n);
    *rd = tail;
    Ok(head)
}

fn read_len(rd: &mut &[u8], bytes: usize, path: &AttrPath) -> Result<usize, CodecError> {
    let b = take(rd, bytes, path)?;
    Ok(b.iter().fold(0usize, |acc, x| (acc << 8) | *x as usize))
}

/// What one msgpack item is, with its payload read where that is cheap.
enum Item<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

fn read_item<'a>(rd: &mut &'a [u8], path: &AttrPath) -> Result<Item<'a>, CodecError> {
    let marker = read_marker(rd).map_err(|_| eof(path))?;
    let be = |b: &[u8]| b.iter().fold(0u64, |acc, x| (acc << 8) | *x as u64);
    Ok(match marker {
        Marker::Null => Item::Nil,
        Marker::True => Item::Bool(true),
        Marker::False => Item::Bool(false),
        Marker::FixPos(n) => Item::Int(n as i64),
        Marker::FixNeg(n) => Item::Int(n as i64),
        Marker::U8 => Item::Uint(be(take(rd, 1, path)?)),
        Marker::U16 => Item::Uint(be(take(rd, 2, path)?)),
        Marker::U32 => Item::Uint(be(take(rd, 4, path)?)),
        Marker::U64 => Item::Uint(be(take(rd, 8, path)?)),
        Marker::I8 => Item::Int(take(rd, 1, path)?[0] as i8 as i64),
        Marker::I16 => Item::Int(be(take(rd, 2, path)?) as u16 as i16 as i64),
        Marker::I32 => Item::Int(be(take(rd, 4, path)?) as u32 as i32 as i64),
        Marker::I64 => Item::Int(be(take(rd, 8, path)?) as i64),
        Marker::F32 => Item::Float(f32::from_bits(be(take(rd, 4, path)?) as u32) as f64),
        Marker::F64 => Item::Float(f64::from_bits(be(take(rd, 8, path)?))),
        Marker::FixStr(n) => Item::Str(take(rd, n as usize, path)?),
        Marker::Str8 => {
            let n = read_len(rd, 1, path)?;
            Item::Str(take(rd, n, path)?)
        }
        Marker::Str16 => {
            let n = read_len(rd, 2, path)?;
            Item::Str(take(rd, n, path)?)
        }
        Marker::Str32 => {
            let n = read_len(rd, 4, path)?;
            Item::Str(take(rd, n, path)?)
        }
        Marker::Bin8 => {
            let n = read_len(rd, 1, path)?;
            Item::Bin(take(rd, n, path)?)
        }
        Marker::Bin16 => {
            let n = read_len(rd, 2, path)?;
            Item::Bin(take(rd, n, path)?)
        }
        Marker::Bin32 => {
            let n = read_len(rd, 4, path)?;
            Item::Bin(take(rd, n, path)?)
        }
        Marker::FixArray(n) => Item::Array(n as usize),
        Marker::Array16 => Item::Array(read_len(rd, 2, path)?),
        Marker::Array32 => Item::Array(read_len(rd, 4, path)?),
        Marker::FixMap(n) => Item::Map(n as usize),
        Marker::Map16 => Item::Map(read_len(rd, 2, path)?),
        Marker::Map32 => Item::Map(read_len(rd, 4, path)?),
        // Any extension is an unknown value; only refinements (code 12) carry meaning, and
        // dropping them is always safe.
        Marker::FixExt1
        | Marker::FixExt2
        | Marker::FixExt4
        | Marker::FixExt8
        | Marker::FixExt16
        | Marker::Ext8
        | Marker::Ext16
        | Marker::Ext32 => {
            let len = match marker {
                Marker::FixExt1 => 1,
                Marker::FixExt2 => 2,
                Marker::FixExt4 => 4,
                Marker::FixExt8 => 8,
                Marker::FixExt16 => 16,
                Marker::Ext8 => read_len(rd, 1, path)?,
                Marker::Ext16 => read_len(rd, 2, path)?,
                _ => read_len(rd, 4, path)?,
            };
            if len > MAX_EXT_PAYLOAD {
                return Err(CodecError::new(
                    path,
                    "unknown-value refinements are too large",
                ));
            }
            take(rd, 1 + len, path)?; // type byte + payload
            Item::Ext
        }
        Marker::Reserved => return Err(CodecError::new(path, "invalid msgpack marker")),
    })
}

fn text(bytes: &[u8], path: &AttrPath) -> Result<String, CodecError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| CodecError::new(path, "string is not valid UTF-8"))
}

fn read(rd: &mut &[u8], ty: &Type, path: &AttrPath) -> Result<Value, CodecError> {
    let item = read_item(rd, path)?;
    let unexpected =
        |what: &str| CodecError::new(path, format!("expected {}, found {what}", ty.to_json()));
    match item {
        Item::Nil => return Ok(Value::Null),
        Item::Ext => return Ok(Value::Unknown),
        _ => {}
    }
    match ty {
        Type::Dynamic => {
            let Item::Array(2) = item else {
                return Err(unexpected("a value without its [type, value] wrapper"));
            };
            let type_bytes = match read_item(rd, path)? {
                Item::Bin(b) | Item::Str(b) => b,
                _ => return Err(unexpected("a malformed dynamic type")),
            };
            let inner_ty =
                Type::from_json_bytes(type_bytes).map_err(|e| CodecError::new(path, e.message))?;
            let inner = read(rd, &inner_ty, path)?;
            Ok(match inner {
                Value::Null | Value::Unknown => inner,
                v => Value::Dynamic(Box::new(inner_ty), Box::new(v)),
            })
        }
        Type::String => match item {
            Item::Str(b) => Ok(Value::String(text(b, path)?)),
            _ => Err(unexpected("another kind of value")),
        },
        Type::Bool => match item {
            Item::Bool(b) => Ok(Value::Bool(b)),
            _ => Err(unexpected("another kind of value")),
        },
        Type::Number => match item {
            Item::Int(i) => Ok(Value::Number(Number::from_i64(i))),
            Item::Uint(u) => Ok(Value::Number(Number::from_u64(u))),
            Item::Float(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| unexpected("a non-finite float")),
            Item::Str(b) => Number::parse(&text(b, path)?)
                .map(Value::Number)
                .ok_or_else(|| unexpected("a malformed number")),
            _ => Err(unexpected("another kind of value")),
        },
        Type::List(et) | Type::Set(et) => {
            let Item::Array(n) = item else {
                return Err(unexpected("another kind of value"));
            };
            let items = (0..n)
                .map(|i| read(rd, et, &path.clone().index(i as i64)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(types) => {
            let Item::Array(n) = item else {
                return Err(unexpected("another kind of value"));
            };
            if n != types.len() {
                return Err(CodecError::new(
                    path,
                    format!("a tuple of {} elements is required", types.len()),
                ));
            }
            let items = types
                .iter()
                .enumerate()
                .map(|(i, t)| read(rd, t, &path.clone().index(i as i64)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(items))
        }
        Type::Map(et) => {
            let Item::Map(n) = item else {
                return Err(unexpected("another kind of value"));
            };
            let mut entries = BTreeMap::new();
            for _ in 0..n {
                let Item::Str(k) = read_item(rd, path)? else {
                    return Err(unexpected("a map key that is not a string"));
                };
                let k = text(k, path)?;
                let v = read(rd, et, &path.clone().key(k.clone()))?;
                entries.insert(k, v);
            }
            Ok(Value::Map(entries))
        }
        Type::Object(ot) => {
            let Item::Map(n) = item else {
                return Err(unexpected("another kind of value"));
            };
            if n != ot.attrs.len() {
                return Err(CodecError::new(
                    path,
                    format!(
                        "an object with {} attributes is required (found {n})",
                        ot.attrs.len()
                    ),
                ));
            }
            let mut attrs = BTreeMap::new();
            for _ in 0..n {
                let Item::Str(k) = read_item(rd, path)? else {
                    return Err(unexpected("an attribute name that is not a string"));
                };
                let k = text(k, path)?;
                let Some(at) = ot.attrs.get(&k) else {
                    return Err(CodecError::new(
                        path,
                        format!("unsupported attribute \"{k}\""),
                    ));
                };
                let v = read(rd, at, &path.clone().attr(k.clone()))?;
                attrs.insert(k, v);
            }
            Ok(Value::Object(attrs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj() -> Type {
        Type::object([
            ("b".to_string(), Type::Number),
            ("a".to_string(), Type::String),
        ])
    }

    #[test]
    fn fixed_encodings() {
        assert_eq!(
            encode(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0, 0]
        );
        assert_eq!(
            encode(&Value::number_i64(1), &Type::Number).unwrap(),
            vec![0x01]
        );
        assert_eq!(encode(&Value::Null, &obj()).unwrap(), vec![0xc0]);
        let v = Value::object([("a", Value::string("x")), ("b", Value::number_i64(2))]);
        // Keys sorted: a then b.
        assert_eq!(
            encode(&v, &obj()).unwrap(),
            vec![0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0x02]
        );
        let f = encode(&Value::Number(Number::parse("1.5").unwrap()), &Type::Number).unwrap();
        assert_eq!(f[0], 0xcb);
        let big = encode(
            &Value::Number(Number::parse("1180591620717411303424").unwrap()),
            &Type::Number,
        )
        .unwrap();
        assert_eq!(
            decode(&big, &Type::Number).unwrap(),
            Value::Number(Number::parse("1180591620717411303424").unwrap())
        );
    }

    #[test]
    fn refined_unknowns_decode_as_unknown() {
        // ext 12 with payload {1: false} (definitely not null)
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(decode(&bytes, &Type::String).unwrap(), Value::Unknown);
        let u64max = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            decode(&u64max, &Type::Number).unwrap(),
            Value::Number(Number::from_u64(u64::MAX))
        );
    }

    #[test]
    fn round_trips_nested_values() {
        let ty = Type::object([
            ("s".to_string(), Type::set(Type::String)),
            ("m".to_string(), Type::map(Type::list(Type::Bool))),
            ("d".to_string(), Type::Dynamic),
            (
                "t".to_string(),
                Type::Tuple(vec![Type::String, Type::Number]),
            ),
        ]);
        let v = Value::object([
            ("s", Value::Set(vec![Value::string("b"), Value::Unknown])),
            (
                "m",
                Value::Map(
                    [(
                        "k".to_string(),
                        Value::List(vec![Value::Bool(true), Value::Null]),
                    )]
                    .into(),
                ),
            ),
            (
                "d",
                Value::Dynamic(Box::new(Type::String), Box::new(Value::string("x"))),
            ),
            ("t", Value::Tuple(vec![Value::Null, Value::number_i64(-5)])),
        ]);
        let bytes = encode(&v, &ty).unwrap();
        assert_eq!(decode(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn objects_must_have_every_attribute() {
        let bytes = [0x81, 0xa1, b'a', 0xa1, b'x'];
        let err = decode(&bytes, &obj()).unwrap_err();
        assert!(err.message.contains("2 attributes"), "{err}");
    }
}
