//! cty's msgpack encoding, what Terraform sends in `DynamicValue.msgpack`: null is nil, unknown
//! is an extension, objects are maps with exactly one entry per attribute, and a `dynamic` slot
//! carries a `[type JSON, value]` pair.

use std::collections::BTreeMap;

use rmp::Marker;
use rmp::decode::read_marker;
use rmp::encode as w;

use super::error::CodecError;
use super::number::Number;
use super::path::AttrPath;
use super::types::Type;
use super::value::Value;

/// Terraform refuses unknown-value refinements larger than this, and so do we.
const MAX_EXT_PAYLOAD: usize = 1024;

/// The schema bounds nesting, except through `dynamic` slots whose types come from the data;
/// this stops hostile input from exhausting the stack.
const MAX_DEPTH: usize = 256;

/// An unrefined unknown: fixext1, extension type 0, one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0, 0];

/// Encodes `value` as a value of type `ty`.
///
/// Unknowns are written without refinements. An object value may leave out attributes (they
/// are written as null) but may not have attributes the type lacks. In a `dynamic` slot a
/// [`Value::Dynamic`] is written with its type; any other known value with the type it
/// implies ([`Value::infer_type`]).
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    write(&mut out, value, ty, &AttrPath::root())?;
    Ok(out)
}

/// Writing into a Vec cannot fail, but rmp's signatures allow for it.
fn io<E: std::fmt::Display>(path: &AttrPath) -> impl Fn(E) -> CodecError + '_ {
    move |e| CodecError::new(path, format!("msgpack write failed: {e}"))
}

fn len32(n: usize, path: &AttrPath) -> Result<u32, CodecError> {
    u32::try_from(n).map_err(|_| CodecError::new(path, "collection too large for msgpack"))
}

fn write(out: &mut Vec<u8>, value: &Value, ty: &Type, path: &AttrPath) -> Result<(), CodecError> {
    let mismatch = || {
        CodecError::new(
            path,
            format!("a {} value cannot be written as {ty}", value.kind()),
        )
    };
    match (ty, value) {
        (_, Value::Null) => w::write_nil(out).map_err(io(path)),
        (_, Value::Unknown) => {
            out.extend_from_slice(&UNKNOWN);
            Ok(())
        }
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) if **inner_ty == Type::Dynamic => {
            write(out, inner, ty, path)
        }
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            write_dynamic(out, inner, inner_ty, path)
        }
        (Type::Dynamic, v) => write_dynamic(out, v, &v.infer_type(), path),
        // A concrete slot needs no wrapper; the value keeps the type the schema gives it.
        (_, Value::Dynamic(_, inner)) => write(out, inner, ty, path),
        (Type::String, Value::String(s)) => w::write_str(out, s).map_err(io(path)),
        (Type::Bool, Value::Bool(b)) => w::write_bool(out, *b).map_err(io(path)),
        (Type::Number, Value::Number(n)) => write_number(out, n, path),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => {
            w::write_array_len(out, len32(items.len(), path)?).map_err(io(path))?;
            for (i, item) in items.iter().enumerate() {
                write(out, item, et, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
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
            w::write_array_len(out, len32(items.len(), path)?).map_err(io(path))?;
            for (i, (item, t)) in items.iter().zip(types).enumerate() {
                write(out, item, t, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
        (Type::Map(et), Value::Map(entries)) => {
            w::write_map_len(out, len32(entries.len(), path)?).map_err(io(path))?;
            for (k, item) in entries {
                w::write_str(out, k).map_err(io(path))?;
                write(out, item, et, &path.clone().key(k.clone()))?;
            }
            Ok(())
        }
        (Type::Object(ot), Value::Object(attrs)) => {
            if let Some(extra) = attrs.keys().find(|k| !ot.attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    &path.clone().attr(extra.clone()),
                    format!("unsupported attribute \"{extra}\""),
                ));
            }
            // BTreeMap order is the sorted key order cty writes.
            w::write_map_len(out, len32(ot.attrs.len(), path)?).map_err(io(path))?;
            for (name, at) in &ot.attrs {
                w::write_str(out, name).map_err(io(path))?;
                let v = attrs.get(name).unwrap_or(&Value::Null);
                write(out, v, at, &path.clone().attr(name.clone()))?;
            }
            Ok(())
        }
        _ => Err(mismatch()),
    }
}

/// `[bin(type JSON), value]`, the wrapper a `dynamic` slot needs for any typed value.
fn write_dynamic(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    path: &AttrPath,
) -> Result<(), CodecError> {
    w::write_array_len(out, 2).map_err(io(path))?;
    w::write_bin(out, &ty.to_json_bytes()).map_err(io(path))?;
    write(out, value, ty, path)
}

/// As cty does: an int when the number is an integer that fits (u64 too, which decoders
/// accept), a float64 when a non-integer is exactly representable, otherwise decimal text.
/// Integers are never sent as floats, which would lose precision.
fn write_number(out: &mut Vec<u8>, n: &Number, path: &AttrPath) -> Result<(), CodecError> {
    if let Some(i) = n.as_i64() {
        w::write_sint(out, i).map_err(io(path))?;
    } else if let Some(u) = n.as_u64() {
        w::write_uint(out, u).map_err(io(path))?;
    } else if let Some(f) = (!n.is_integer()).then(|| n.to_f64_exact()).flatten() {
        w::write_f64(out, f).map_err(io(path))?;
    } else {
        w::write_str(out, n.as_str()).map_err(io(path))?;
    }
    Ok(())
}

/// Decodes msgpack bytes as a value of type `ty`.
///
/// Any extension decodes as [`Value::Unknown`] (refinements are dropped, which is always
/// safe). A `dynamic` slot yields [`Value::Dynamic`] with the type from the wire; a bare nil
/// or extension there yields plain `Null` or `Unknown`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut rd = bytes;
    let value = read(&mut rd, ty, &AttrPath::root(), 0)?;
    if !rd.is_empty() {
        return Err(CodecError::new(
            &AttrPath::root(),
            format!("{} unexpected bytes after the value", rd.len()),
        ));
    }
    Ok(value)
}

fn take<'a>(rd: &mut &'a [u8], n: usize, path: &AttrPath) -> Result<&'a [u8], CodecError> {
    if rd.len() < n {
        return Err(CodecError::new(path, "unexpected end of msgpack data"));
    }
    let (head, tail) = rd.split_at(n);
    *rd = tail;
    Ok(head)
}

fn take_array<const N: usize>(rd: &mut &[u8], path: &AttrPath) -> Result<[u8; N], CodecError> {
    let bytes = take(rd, N, path)?;
    Ok(bytes.try_into().expect("take returns exactly N bytes"))
}

fn read_len(rd: &mut &[u8], width: usize, path: &AttrPath) -> Result<usize, CodecError> {
    Ok(match width {
        1 => take_array::<1>(rd, path)?[0] as usize,
        2 => u16::from_be_bytes(take_array(rd, path)?) as usize,
        _ => u32::from_be_bytes(take_array(rd, path)?) as usize,
    })
}

/// One msgpack item, with its payload read where that is cheap.
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
    /// Any extension: an unknown value.
    Ext,
}

impl Item<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Item::Nil => "nil",
            Item::Bool(_) => "a bool",
            Item::Int(_) | Item::Uint(_) => "an integer",
            Item::Float(_) => "a float",
            Item::Str(_) => "a string",
            Item::Bin(_) => "binary data",
            Item::Array(_) => "an array",
            Item::Map(_) => "a map",
            Item::Ext => "an extension",
        }
    }
}

fn read_item<'a>(rd: &mut &'a [u8], path: &AttrPath) -> Result<Item<'a>, CodecError> {
    let marker =
        read_marker(rd).map_err(|_| CodecError::new(path, "unexpected end of msgpack data"))?;
    Ok(match marker {
        Marker::Null => Item::Nil,
        Marker::True => Item::Bool(true),
        Marker::False => Item::Bool(false),
        Marker::FixPos(n) => Item::Int(n.into()),
        Marker::FixNeg(n) => Item::Int(n.into()),
        Marker::U8 => Item::Uint(u8::from_be_bytes(take_array(rd, path)?).into()),
        Marker::U16 => Item::Uint(u16::from_be_bytes(take_array(rd, path)?).into()),
        Marker::U32 => Item::Uint(u32::from_be_bytes(take_array(rd, path)?).into()),
        Marker::U64 => Item::Uint(u64::from_be_bytes(take_array(rd, path)?)),
        Marker::I8 => Item::Int(i8::from_be_bytes(take_array(rd, path)?).into()),
        Marker::I16 => Item::Int(i16::from_be_bytes(take_array(rd, path)?).into()),
        Marker::I32 => Item::Int(i32::from_be_bytes(take_array(rd, path)?).into()),
        Marker::I64 => Item::Int(i64::from_be_bytes(take_array(rd, path)?)),
        Marker::F32 => Item::Float(f32::from_be_bytes(take_array(rd, path)?).into()),
        Marker::F64 => Item::Float(f64::from_be_bytes(take_array(rd, path)?)),
        Marker::FixStr(n) => Item::Str(take(rd, n.into(), path)?),
        Marker::Str8 | Marker::Str16 | Marker::Str32 => {
            let width = match marker {
                Marker::Str8 => 1,
                Marker::Str16 => 2,
                _ => 4,
            };
            let n = read_len(rd, width, path)?;
            Item::Str(take(rd, n, path)?)
        }
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
            let width = match marker {
                Marker::Bin8 => 1,
                Marker::Bin16 => 2,
                _ => 4,
            };
            let n = read_len(rd, width, path)?;
            Item::Bin(take(rd, n, path)?)
        }
        Marker::FixArray(n) => Item::Array(n.into()),
        Marker::Array16 => Item::Array(read_len(rd, 2, path)?),
        Marker::Array32 => Item::Array(read_len(rd, 4, path)?),
        Marker::FixMap(n) => Item::Map(n.into()),
        Marker::Map16 => Item::Map(read_len(rd, 2, path)?),
        Marker::Map32 => Item::Map(read_len(rd, 4, path)?),
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
                    format!("unknown value refinements too long ({len} bytes)"),
                ));
            }
            // The extension type byte, then the payload; only code 12 carries refinements,
            // and they may be dropped.
            take(rd, 1 + len, path)?;
            Item::Ext
        }
        Marker::Reserved => return Err(CodecError::new(path, "invalid msgpack marker 0xc1")),
    })
}

fn text(bytes: &[u8], path: &AttrPath) -> Result<String, CodecError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| CodecError::new(path, "string is not valid UTF-8"))
}

fn read(rd: &mut &[u8], ty: &Type, path: &AttrPath, depth: usize) -> Result<Value, CodecError> {
    if depth > MAX_DEPTH {
        return Err(CodecError::new(path, "value nested too deeply"));
    }
    // Each kind is read by its own function so this recursive frame stays small.
    match read_item(rd, path)? {
        Item::Nil => Ok(Value::Null),
        Item::Ext => Ok(Value::Unknown),
        Item::Array(2) if *ty == Type::Dynamic => read_dynamic(rd, path, depth),
        item => match ty {
            Type::Dynamic => Err(CodecError::new(
                path,
                format!(
                    "a dynamic value must be a [type, value] array, found {}",
                    item.describe()
                ),
            )),
            Type::String | Type::Bool | Type::Number => read_primitive(item, ty, path),
            Type::List(et) | Type::Set(et) => {
                let Item::Array(n) = item else {
                    return Err(unexpected(&item, ty, path));
                };
                let items = (0..n)
                    .map(|i| read(rd, et, &path.clone().index(i as i64), depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(types) => {
                let Item::Array(n) = item else {
                    return Err(unexpected(&item, ty, path));
                };
                read_tuple(rd, n, types, path, depth)
            }
            Type::Map(et) => {
                let Item::Map(n) = item else {
                    return Err(unexpected(&item, ty, path));
                };
                read_map(rd, n, et, path, depth)
            }
            Type::Object(ot) => {
                let Item::Map(n) = item else {
                    return Err(unexpected(&item, ty, path));
                };
                read_object(rd, n, &ot.attrs, path, depth)
            }
        },
    }
}

#[cold]
fn unexpected(item: &Item<'_>, ty: &Type, path: &AttrPath) -> CodecError {
    CodecError::new(
        path,
        format!("expected a value of type {ty}, found {}", item.describe()),
    )
}

fn read_primitive(item: Item<'_>, ty: &Type, path: &AttrPath) -> Result<Value, CodecError> {
    match (ty, item) {
        (Type::String, Item::Str(b)) => Ok(Value::String(text(b, path)?)),
        (Type::Bool, Item::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Number, Item::Int(i)) => Ok(Value::Number(Number::from_i64(i))),
        (Type::Number, Item::Uint(u)) => Ok(Value::Number(Number::from_u64(u))),
        // Exact, so the number goes back as the same float.
        (Type::Number, Item::Float(f)) => Number::from_f64_exact(f)
            .map(Value::Number)
            .ok_or_else(|| CodecError::new(path, format!("unsupported number {f}"))),
        (Type::Number, Item::Str(b)) => {
            let s = text(b, path)?;
            Number::parse(&s)
                .map(Value::Number)
                .ok_or_else(|| CodecError::new(path, format!("{s:?} is not a number")))
        }
        (_, item) => Err(unexpected(&item, ty, path)),
    }
}

/// The rest of a `[type JSON, value]` wrapper, after its array header.
fn read_dynamic(rd: &mut &[u8], path: &AttrPath, depth: usize) -> Result<Value, CodecError> {
    let type_json = match read_item(rd, path)? {
        Item::Bin(b) | Item::Str(b) => b,
        other => {
            return Err(CodecError::new(
                path,
                format!(
                    "a dynamic value's type must be JSON bytes, found {}",
                    other.describe()
                ),
            ));
        }
    };
    let inner_ty =
        Type::from_json_bytes(type_json).map_err(|e| CodecError::new(path, e.message))?;
    let inner = read(rd, &inner_ty, path, depth + 1)?;
    Ok(match inner_ty {
        // Nothing concrete to remember; the inner read already unwrapped.
        Type::Dynamic => inner,
        t => Value::Dynamic(Box::new(t), Box::new(inner)),
    })
}

fn read_tuple(
    rd: &mut &[u8],
    n: usize,
    types: &[Type],
    path: &AttrPath,
    depth: usize,
) -> Result<Value, CodecError> {
    if n != types.len() {
        return Err(CodecError::new(
            path,
            format!("a tuple of {} elements is required, found {n}", types.len()),
        ));
    }
    let items = types
        .iter()
        .enumerate()
        .map(|(i, t)| read(rd, t, &path.clone().index(i as i64), depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Tuple(items))
}

fn read_key(rd: &mut &[u8], what: &str, path: &AttrPath) -> Result<String, CodecError> {
    match read_item(rd, path)? {
        Item::Str(k) => text(k, path),
        other => Err(CodecError::new(
            path,
            format!("{what} must be strings, found {}", other.describe()),
        )),
    }
}

fn read_map(
    rd: &mut &[u8],
    n: usize,
    et: &Type,
    path: &AttrPath,
    depth: usize,
) -> Result<Value, CodecError> {
    let mut entries = BTreeMap::new();
    for _ in 0..n {
        let k = read_key(rd, "map keys", path)?;
        let v = read(rd, et, &path.clone().key(k.clone()), depth + 1)?;
        entries.insert(k, v);
    }
    Ok(Value::Map(entries))
}

/// Exactly one entry per attribute, in any order; errors name the attribute at fault.
fn read_object(
    rd: &mut &[u8],
    n: usize,
    types: &BTreeMap<String, Type>,
    path: &AttrPath,
    depth: usize,
) -> Result<Value, CodecError> {
    let mut attrs = BTreeMap::new();
    for _ in 0..n {
        let k = read_key(rd, "attribute names", path)?;
        let attr_path = path.clone().attr(k.clone());
        let Some(at) = types.get(&k) else {
            return Err(CodecError::new(
                &attr_path,
                format!("unsupported attribute \"{k}\""),
            ));
        };
        let v = read(rd, at, &attr_path, depth + 1)?;
        if attrs.insert(k.clone(), v).is_some() {
            return Err(CodecError::new(
                &attr_path,
                format!("duplicate attribute \"{k}\""),
            ));
        }
    }
    if let Some(missing) = types.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(CodecError::new(
            &path.clone().attr(missing.clone()),
            format!(
                "missing attribute \"{missing}\": an object with {} attributes is required, \
                 found {n}",
                types.len()
            ),
        ));
    }
    Ok(Value::Object(attrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    fn dynamic(t: Type, v: Value) -> Value {
        Value::Dynamic(Box::new(t), Box::new(v))
    }

    fn obj() -> Type {
        Type::object([("b", Type::Number), ("a", Type::String)])
    }

    fn enc(v: &Value, t: &Type) -> Vec<u8> {
        encode(v, t).unwrap()
    }

    fn dec(b: &[u8], t: &Type) -> Value {
        decode(b, t).unwrap()
    }

    #[test]
    fn null_and_unknown() {
        assert_eq!(enc(&Value::Unknown, &Type::String), [0xd4, 0, 0]);
        assert_eq!(enc(&Value::Unknown, &obj()), [0xd4, 0, 0]);
        assert_eq!(enc(&Value::Unknown, &Type::Dynamic), [0xd4, 0, 0]);
        assert_eq!(enc(&Value::Null, &obj()), [0xc0]);
        assert_eq!(enc(&Value::Null, &Type::Dynamic), [0xc0]);
        assert_eq!(dec(&[0xd4, 0, 0], &Type::Number), Value::Unknown);
        assert_eq!(dec(&[0xc0], &Type::list(Type::String)), Value::Null);
        assert_eq!(dec(&[0xc0], &Type::Dynamic), Value::Null);
        assert_eq!(dec(&[0xd4, 0, 0], &Type::Dynamic), Value::Unknown);
    }

    #[test]
    fn any_extension_is_unknown() {
        // ext 12 with refinements {1: false} (definitely not null).
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(dec(&refined, &Type::String), Value::Unknown);
        // ext 12 with a string prefix refinement {2: "ab"}.
        let prefix = [0xc7, 0x05, 0x0c, 0x81, 0x02, 0xa2, b'a', b'b'];
        assert_eq!(dec(&prefix, &Type::String), Value::Unknown);
        // Refined unknowns inside collections do not disturb what follows.
        let list = [0x92, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2, 0xa1, b'z'];
        assert_eq!(
            dec(&list, &Type::list(Type::String)),
            Value::list([Value::Unknown, Value::string("z")])
        );
        // Any other extension type or size counts too.
        assert_eq!(dec(&[0xd5, 0x07, 0, 0], &Type::Bool), Value::Unknown);
        assert_eq!(
            dec(&[0xd6, 0x0c, 0x81, 0x01, 0xc2, 0xc0], &Type::Bool),
            Value::Unknown
        );
        let mut big = vec![0xc8, 0x04, 0x01, 0x0c];
        big.extend(std::iter::repeat_n(0, 1025));
        assert!(decode(&big, &Type::String).is_err());
        let mut ok = vec![0xc8, 0x04, 0x00, 0x0c];
        ok.extend(std::iter::repeat_n(0, 1024));
        assert_eq!(dec(&ok, &Type::String), Value::Unknown);
    }

    #[test]
    fn numbers() {
        assert_eq!(enc(&Value::number_i64(1), &Type::Number), [0x01]);
        assert_eq!(enc(&Value::number_i64(-1), &Type::Number), [0xff]);
        assert_eq!(
            enc(&Value::number_i64(300), &Type::Number),
            [0xcd, 0x01, 0x2c]
        );
        assert_eq!(
            enc(&Value::number_i64(i64::MIN), &Type::Number),
            [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]
        );
        let mut f = vec![0xcb];
        f.extend(1.5f64.to_be_bytes());
        assert_eq!(enc(&num("1.5"), &Type::Number), f);
        assert_eq!(dec(&f, &Type::Number), num("1.5"));
        // 0.1 has no exact float, so it goes as text to keep its value.
        assert_eq!(enc(&num("0.1"), &Type::Number), [0xa3, b'0', b'.', b'1']);
        // 2^70 is an integer beyond u64: text, never a float.
        let two70 = "1180591620717411303424";
        let mut s = vec![0xb6];
        s.extend(two70.as_bytes());
        assert_eq!(enc(&num(two70), &Type::Number), s);
        assert_eq!(dec(&s, &Type::Number), num(two70));
        let u64max = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(dec(&u64max, &Type::Number), num("18446744073709551615"));
        assert_eq!(enc(&num("18446744073709551615"), &Type::Number), u64max);
        assert_eq!(dec(&[0xcc, 0xff], &Type::Number), num("255"));
        assert_eq!(dec(&[0xd0, 0x80], &Type::Number), num("-128"));
        assert_eq!(dec(&[0xd1, 0xff, 0x00], &Type::Number), num("-256"));
        assert_eq!(dec(&[0xe0], &Type::Number), num("-32"));
        assert_eq!(dec(&[0xca, 0x3f, 0xc0, 0, 0], &Type::Number), num("1.5"));
        // A float Terraform sends comes back as the same float.
        let mut tenth = vec![0xcb];
        tenth.extend(0.1f64.to_be_bytes());
        assert_eq!(enc(&dec(&tenth, &Type::Number), &Type::Number), tenth);
        assert_eq!(dec(b"\xa41e-3", &Type::Number), num("0.001"));
        assert!(decode(b"\xa3abc", &Type::Number).is_err());
        let mut inf = vec![0xcb];
        inf.extend(f64::INFINITY.to_be_bytes());
        assert!(decode(&inf, &Type::Number).is_err());
    }

    #[test]
    fn objects_are_sorted_maps_with_every_attribute() {
        let v = Value::object([("b", Value::number_i64(2)), ("a", Value::string("x"))]);
        let bytes = [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0x02];
        assert_eq!(enc(&v, &obj()), bytes);
        assert_eq!(dec(&bytes, &obj()), v);
        // Key order on the wire does not matter.
        let swapped = [0x82, 0xa1, b'b', 0x02, 0xa1, b'a', 0xa1, b'x'];
        assert_eq!(dec(&swapped, &obj()), v);
        // Attributes left out of the value are written as null.
        let partial = Value::object([("b", Value::number_i64(2))]);
        assert_eq!(
            enc(&partial, &obj()),
            [0x82, 0xa1, b'a', 0xc0, 0xa1, b'b', 0x02]
        );
    }

    #[test]
    fn object_errors_name_the_attribute() {
        let ty = Type::object([("o", obj())]);
        let missing = [0x81, 0xa1, b'o', 0x81, 0xa1, b'a', 0xa1, b'x'];
        let err = decode(&missing, &ty).unwrap_err();
        assert_eq!(err.path, AttrPath::root().attr("o").attr("b"));
        assert!(err.message.contains("missing attribute \"b\""), "{err}");
        assert!(err.message.contains("2 attributes"), "{err}");

        let unknown = [0x81, 0xa1, b'o', 0x81, 0xa1, b'z', 0xc0];
        let err = decode(&unknown, &ty).unwrap_err();
        assert_eq!(err.to_string(), "at o.z: unsupported attribute \"z\"");

        let dup = [0x82, 0xa1, b'a', 0xc0, 0xa1, b'a', 0xc0];
        let err = decode(&dup, &obj()).unwrap_err();
        assert!(err.message.contains("duplicate"), "{err}");

        let extra = Value::object([("zz", Value::Null)]);
        let err = encode(&extra, &obj()).unwrap_err();
        assert_eq!(err.path, AttrPath::root().attr("zz"));
    }

    #[test]
    fn dynamic_wrapper() {
        let v = dynamic(Type::String, Value::string("hi"));
        let bytes = [
            0x92, 0xc4, 0x08, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa2, b'h', b'i',
        ];
        assert_eq!(enc(&v, &Type::Dynamic), bytes);
        assert_eq!(dec(&bytes, &Type::Dynamic), v);
        // Inferred when the value carries no type.
        assert_eq!(enc(&Value::string("hi"), &Type::Dynamic), bytes);
        // The type may also arrive as a str.
        let as_str = [
            0x92, 0xa8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa2, b'h', b'i',
        ];
        assert_eq!(dec(&as_str, &Type::Dynamic), v);
        // A typed null or unknown keeps its type.
        let typed_null = [0x92, 0xc4, 0x06, b'"', b'b', b'o', b'o', b'l', b'"', 0xc0];
        let tn = dec(&typed_null, &Type::Dynamic);
        assert_eq!(tn, dynamic(Type::Bool, Value::Null));
        assert!(tn.is_null());
        assert_eq!(enc(&tn, &Type::Dynamic), typed_null);
        // A bare value where the schema says dynamic is refused, as Terraform would.
        assert!(decode(&[0xa2, b'h', b'i'], &Type::Dynamic).is_err());
        // Inside a concrete slot the wrapper is not written.
        assert_eq!(enc(&v, &Type::String), [0xa2, b'h', b'i']);
        // Inferred collection types.
        let list = Value::list([Value::number_i64(1)]);
        let bytes = enc(&list, &Type::Dynamic);
        assert_eq!(
            dec(&bytes, &Type::Dynamic),
            dynamic(Type::list(Type::Number), list)
        );
        let empty = enc(&Value::list([]), &Type::Dynamic);
        assert_eq!(&empty[..3], [0x92, 0xc4, 18]);
        assert_eq!(&empty[3..21], br#"["list","dynamic"]"#);
    }

    #[test]
    fn round_trips_nested_values() {
        let ty = Type::object([
            ("s", Type::set(Type::String)),
            ("m", Type::map(Type::list(Type::Bool))),
            ("d", Type::Dynamic),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
        ]);
        let v = Value::object([
            ("s", Value::set([Value::string("b"), Value::Unknown])),
            (
                "m",
                Value::map([("k", Value::list([Value::Bool(true), Value::Null]))]),
            ),
            (
                "d",
                dynamic(Type::map(Type::String), Value::map([("x", Value::Unknown)])),
            ),
            ("t", Value::Tuple(vec![Value::Null, Value::number_i64(-5)])),
        ]);
        assert_eq!(dec(&enc(&v, &ty), &ty), v);
    }

    #[test]
    fn malformed_input_is_refused() {
        let cases: &[(&[u8], Type)] = &[
            (&[], Type::String),
            (&[0xa3, b'a'], Type::String),
            (&[0x01], Type::String),
            (&[0xa1, b'a', 0x00], Type::String),
            (&[0xc1], Type::String),
            (&[0xa2, 0xff, 0xfe], Type::String),
            (&[0x91, 0x01], Type::Tuple(vec![Type::Number, Type::Number])),
            (&[0x81, 0x01, 0x01], Type::map(Type::Number)),
            (&[0x93, 0xc0, 0xc0, 0xc0], Type::Dynamic),
            (&[0x92, 0x01, 0xc0], Type::Dynamic),
            (&[0x92, 0xa3, b'b', b'a', b'd', 0xc0], Type::Dynamic),
            (&[0xdd, 0xff, 0xff, 0xff, 0xff], Type::list(Type::Bool)),
        ];
        for (bytes, ty) in cases {
            assert!(decode(bytes, ty).is_err(), "{bytes:x?} as {ty}");
        }
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        // Each level: [ "[\"list\",\"dynamic\"]", [ <next level> ] ]
        let level: &[u8] = b"\x92\xc4\x12[\"list\",\"dynamic\"]\x91";
        let mut bytes = level.repeat(10_000);
        bytes.push(0xc0);
        let err = decode(&bytes, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("too deeply"), "{err}");
    }

    #[test]
    fn mismatched_values_are_refused_on_encode() {
        assert!(encode(&Value::string("x"), &Type::Number).is_err());
        assert!(encode(&Value::list([Value::Null]), &Type::Tuple(vec![])).is_err());
        assert!(encode(&Value::Bool(true), &obj()).is_err());
    }
}
