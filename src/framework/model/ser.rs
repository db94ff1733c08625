//! Model → `Value`: a serde serializer guided by the schema type at every step.

use std::collections::BTreeMap;

use serde::ser::{self, Impossible, Serialize};

use super::error::ModelError;
use super::{magic, raw};
use crate::framework::value::{AttrPath, Number, ObjectType, Type, Value};

static DYNAMIC: Type = Type::Dynamic;
static STRING: Type = Type::String;

pub(super) fn encode<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    model.serialize(Ser {
        ty,
        path: AttrPath::root(),
    })
}

/// How a type is named in messages.
pub(super) fn describe(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "any value".into(),
        Type::List(t) => format!("list of {}", describe(t)),
        Type::Set(t) => format!("set of {}", describe(t)),
        Type::Map(t) => format!("map of {}", describe(t)),
        Type::Tuple(_) => "tuple".into(),
        Type::Object(_) => "object".into(),
    }
}

struct Ser<'a> {
    ty: &'a Type,
    path: AttrPath,
}

impl<'a> Ser<'a> {
    fn mismatch(&self, found: &str) -> ModelError {
        ModelError::expected(&self.path, &describe(self.ty), found)
    }

    /// A primitive value, if the type is `want` or dynamic.
    fn primitive(self, want: Type, found: &str, v: Value) -> Result<Value, ModelError> {
        if *self.ty == want || *self.ty == Type::Dynamic {
            Ok(v)
        } else {
            Err(self.mismatch(found))
        }
    }

    fn number(self, n: Option<Number>, found: &str) -> Result<Value, ModelError> {
        match n {
            Some(n) => self.primitive(Type::Number, found, Value::Number(n)),
            None => Err(ModelError::expected(&self.path, "a finite number", found)),
        }
    }

    fn child(&self, ty: &'a Type, path: AttrPath) -> Ser<'a> {
        Ser { ty, path }
    }
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = SeqSer<'a>;
    type SerializeTupleStruct = SeqSer<'a>;
    type SerializeTupleVariant = Impossible<Value, ModelError>;
    type SerializeMap = MapSer<'a>;
    type SerializeStruct = StructSer<'a>;
    type SerializeStructVariant = Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        self.primitive(Type::Bool, "a bool", Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Value, ModelError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<Value, ModelError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<Value, ModelError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        self.number(Some(Number::from_i64(v)), "a number")
    }

    fn serialize_i128(self, v: i128) -> Result<Value, ModelError> {
        self.number(Number::parse(&v.to_string()), "a number")
    }

    fn serialize_u8(self, v: u8) -> Result<Value, ModelError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<Value, ModelError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<Value, ModelError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        self.number(Some(Number::from_u64(v)), "a number")
    }

    fn serialize_u128(self, v: u128) -> Result<Value, ModelError> {
        self.number(Number::parse(&v.to_string()), "a number")
    }

    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        // Through its own text, so 0.1f32 stays 0.1 rather than its f64 widening.
        let n = v
            .is_finite()
            .then(|| Number::parse(&v.to_string()))
            .flatten();
        self.number(n, &v.to_string())
    }

    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        self.number(Number::from_f64(v), &v.to_string())
    }

    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        self.serialize_str(&v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        self.primitive(Type::String, "a string", Value::string(v))
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<Value, ModelError> {
        Err(ModelError::new(&self.path, "bytes have no Terraform type"))
    }

    /// Null, except for a list or set of objects: Terraform writes absent blocks as an empty
    /// collection, never null (an `Attr::Null` stays null).
    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(match self.ty {
            Type::List(t) if matches!(**t, Type::Object(_)) => Value::List(Vec::new()),
            Type::Set(t) if matches!(**t, Type::Object(_)) => Value::Set(Vec::new()),
            _ => Value::Null,
        })
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, ModelError> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<Value, ModelError> {
        Ok(match name {
            magic::UNKNOWN => Value::Unknown,
            _ => Value::Null,
        })
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Value, ModelError> {
        match name {
            magic::RAW => raw::take().ok_or_else(|| ModelError::new(&self.path, "lost raw value")),
            magic::NUMBER => {
                let text = v.serialize(self.child(&STRING, self.path.clone()))?;
                let n = text.as_str().and_then(Number::parse);
                self.number(n, "a number")
            }
            _ => v.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<Value, ModelError> {
        Err(self.mismatch(&format!("the enum variant {name}::{variant} with data")))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<SeqSer<'a>, ModelError> {
        match self.ty {
            Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Dynamic => Ok(SeqSer {
                ty: self.ty,
                path: self.path,
                items: Vec::new(),
            }),
            _ => Err(self.mismatch("a sequence")),
        }
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'a>, ModelError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqSer<'a>, ModelError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(self.mismatch(&format!("the enum variant {name}::{variant} with data")))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapSer<'a>, ModelError> {
        let element = match self.ty {
            Type::Map(t) => t,
            Type::Dynamic => &DYNAMIC,
            _ => return Err(self.mismatch("a map")),
        };
        Ok(MapSer {
            element,
            path: self.path,
            entries: BTreeMap::new(),
            key: None,
        })
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<StructSer<'a>, ModelError> {
        let (object, wrap) = match self.ty {
            Type::Object(o) => (Some(o), Wrap::None),
            Type::Dynamic => (None, Wrap::None),
            // A single block held in a list or set.
            Type::List(t) | Type::Set(t) if matches!(**t, Type::Object(_)) => {
                let Type::Object(o) = &**t else {
                    unreachable!()
                };
                let wrap = if matches!(self.ty, Type::List(_)) {
                    Wrap::List
                } else {
                    Wrap::Set
                };
                (Some(o), wrap)
            }
            _ => return Err(self.mismatch(&format!("a struct `{name}`"))),
        };
        Ok(StructSer {
            name,
            object,
            wrap,
            path: self.path,
            attrs: BTreeMap::new(),
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(self.mismatch(&format!("the enum variant {name}::{variant} with data")))
    }
}

pub(super) struct SeqSer<'a> {
    ty: &'a Type,
    path: AttrPath,
    items: Vec<Value>,
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ModelError> {
        let i = self.items.len();
        let ty = match self.ty {
            Type::List(t) | Type::Set(t) => t,
            Type::Tuple(ts) => ts.get(i).ok_or_else(|| {
                ModelError::expected(&self.path, &format!("{} elements", ts.len()), "more")
            })?,
            _ => &DYNAMIC,
        };
        let path = self.path.clone().index(i as i64);
        let depth = self.path.0.len();
        let item = v.serialize(Ser {
            ty,
            path: path.clone(),
        });
        let item = item.map_err(|e| {
            let e = e.at(&path);
            if matches!(self.ty, Type::Set(_)) {
                e.in_set(depth)
            } else {
                e
            }
        })?;
        self.items.push(item);
        Ok(())
    }

    fn end(self) -> Result<Value, ModelError> {
        Ok(match self.ty {
            Type::Set(_) => Value::Set(self.items),
            Type::Tuple(ts) if ts.len() != self.items.len() => {
                return Err(ModelError::expected(
                    &self.path,
                    &format!("{} elements", ts.len()),
                    &self.items.len().to_string(),
                ));
            }
            Type::Tuple(_) => Value::Tuple(self.items),
            _ => Value::List(self.items),
        })
    }
}

impl ser::SerializeTuple for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, v)
    }

    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, v)
    }

    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

pub(super) struct MapSer<'a> {
    element: &'a Type,
    path: AttrPath,
    entries: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ModelError> {
        let key = key.serialize(Ser {
            ty: &STRING,
            path: self.path.clone(),
        });
        match key {
            Ok(Value::String(k)) => {
                self.key = Some(k);
                Ok(())
            }
            _ => Err(ModelError::expected(
                &self.path,
                "string keys",
                "another key",
            )),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .expect("serde writes a key before its value");
        let path = self.path.clone().key(key.clone());
        let value = v.serialize(Ser {
            ty: self.element,
            path: path.clone(),
        });
        self.entries.insert(key, value.map_err(|e| e.at(&path))?);
        Ok(())
    }

    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Map(self.entries))
    }
}

enum Wrap {
    None,
    List,
    Set,
}

pub(super) struct StructSer<'a> {
    name: &'static str,
    /// `None` in a dynamic slot: every field is written as it is.
    object: Option<&'a ObjectType>,
    wrap: Wrap,
    path: AttrPath,
    attrs: BTreeMap<String, Value>,
}

impl<'a> StructSer<'a> {
    fn attribute_type(&self, key: &str) -> Result<&'a Type, ModelError> {
        match self.object {
            None => Ok(&DYNAMIC),
            Some(o) => o.attrs.get(key).ok_or_else(|| {
                let at = self.path.clone().attr(key);
                let name = self.name;
                ModelError::new(
                    &at,
                    format!("the field of `{name}` is not an attribute of the schema"),
                )
            }),
        }
    }
}

impl ser::SerializeStruct for StructSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), ModelError> {
        let ty = self.attribute_type(key)?;
        let path = self.path.clone().attr(key);
        let value = v.serialize(Ser {
            ty,
            path: path.clone(),
        });
        self.attrs
            .insert(key.into(), value.map_err(|e| e.at(&path))?);
        Ok(())
    }

    /// A field serde skips (`skip_serializing_if`) is null.
    fn skip_field(&mut self, key: &'static str) -> Result<(), ModelError> {
        self.attribute_type(key)?;
        self.attrs.insert(key.into(), Value::Null);
        Ok(())
    }

    fn end(self) -> Result<Value, ModelError> {
        if let Some(o) = self.object {
            let missing: Vec<_> = o
                .attrs
                .keys()
                .filter(|k| !self.attrs.contains_key(*k))
                .map(|k| format!("`{k}`"))
                .collect();
            if !missing.is_empty() {
                let message = format!(
                    "the schema's attributes {} have no field in `{}`",
                    missing.join(", "),
                    self.name
                );
                return Err(ModelError::new(&self.path, message));
            }
        }
        let object = Value::Object(self.attrs);
        Ok(match self.wrap {
            Wrap::None => object,
            Wrap::List => Value::List(vec![object]),
            Wrap::Set => Value::Set(vec![object]),
        })
    }
}
