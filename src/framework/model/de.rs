//! `Value` → model: a serde deserializer over a borrowed value, tracking the attribute path.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::error::ModelError;
use super::{magic, raw, shown};
use crate::framework::value::{AttrPath, Value};

/// State shared by one decoding pass.
struct Cx {
    /// Agreement check: compare struct fields with object attributes, and on a mismatch record
    /// it and carry on with placeholder values so every mismatch is found in one pass.
    strict: bool,
    /// Paths where an empty list or set is an absent single block: `Option`/`Attr` give `None`.
    none_at: BTreeSet<AttrPath>,
    mismatches: RefCell<Vec<String>>,
}

/// Decodes `value` into `T`; in strict mode also returns every disagreement found.
///
/// Whether `Option<X>` over an empty list means "no block" (`X` a struct) or "empty list" (`X`
/// a `Vec`) is only known once `X` asks for its shape, too late for the `Option`. So an empty
/// list is first offered to `X`; a struct refuses it, and the decode runs again with that path
/// marked absent. Only empty single blocks pay for this.
pub(super) fn run<T: DeserializeOwned>(
    value: &Value,
    strict: bool,
) -> (Result<T, ModelError>, Vec<String>) {
    let mut none_at = BTreeSet::new();
    loop {
        let cx = Cx {
            strict,
            none_at,
            mismatches: RefCell::default(),
        };
        let result = T::deserialize(De {
            value: Some(value),
            path: AttrPath::root(),
            cx: &cx,
        });
        match result {
            Err(e) if e.is_empty_single() && !cx.none_at.contains(e.path()) => {
                none_at = cx.none_at;
                none_at.insert(e.path().clone());
            }
            r => return (r, cx.mismatches.into_inner()),
        }
    }
}

fn text(s: &str) -> StrDeserializer<'_, ModelError> {
    s.into_deserializer()
}

struct De<'a> {
    /// `None` is a placeholder (strict mode only): it yields a default of whatever is asked.
    value: Option<&'a Value>,
    path: AttrPath,
    cx: &'a Cx,
}

impl<'a> De<'a> {
    fn value(&self) -> Option<&'a Value> {
        self.value.map(Value::strip_dynamic)
    }

    fn record(&self, at: &AttrPath, what: String) {
        self.cx
            .mismatches
            .borrow_mut()
            .push(format!("{}: {what}", shown(at)));
    }

    /// A value of the wrong shape: an error, or in strict mode a recorded mismatch and a
    /// placeholder to go on with.
    fn wrong(self, expected: &str, found: &Value) -> Result<Self, ModelError> {
        if !self.cx.strict {
            return Err(ModelError::expected(&self.path, expected, found.kind()));
        }
        let what = format!(
            "the field expects {expected}, the schema has {}",
            found.kind()
        );
        self.record(&self.path, what);
        Ok(De {
            value: None,
            ..self
        })
    }

    fn seq<V: Visitor<'a>>(
        self,
        items: &'a [Value],
        set: bool,
        v: V,
    ) -> Result<V::Value, ModelError> {
        v.visit_seq(Seq {
            items: items.iter().enumerate(),
            path: self.path,
            set,
            cx: self.cx,
        })
    }

    fn entries<V: Visitor<'a>>(
        self,
        entries: Vec<(&'a str, Option<&'a Value>)>,
        object: bool,
        v: V,
    ) -> Result<V::Value, ModelError> {
        v.visit_map(Entries {
            entries: entries.into_iter(),
            pending: None,
            path: self.path,
            object,
            cx: self.cx,
        })
    }
}

/// Integers refuse fractions and anything out of range; they never wrap or truncate.
macro_rules! integers {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
            let Some(value) = self.value() else { return v.$visit(0) };
            match value {
                Value::Number(n) => match n.as_str().parse::<$t>() {
                    Ok(i) => v.$visit(i),
                    Err(_) if n.is_integer() => Err(ModelError::expected(
                        &self.path,
                        concat!("a whole number that fits ", stringify!($t)),
                        n.as_str(),
                    )),
                    Err(_) => Err(ModelError::expected(&self.path, "a whole number", n.as_str())),
                },
                other => self.wrong("a whole number", other)?.$method(v),
            }
        }
    )*};
}

impl<'a> de::Deserializer<'a> for De<'a> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        let Some(value) = self.value() else {
            return v.visit_unit();
        };
        match value {
            Value::Null => v.visit_none(),
            Value::Unknown => Err(ModelError::expected(&self.path, "a known value", "unknown")),
            Value::Bool(b) => v.visit_bool(*b),
            Value::String(s) => v.visit_str(s),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => v.visit_i64(i),
                (_, Some(u)) => v.visit_u64(u),
                _ => v.visit_f64(n.as_f64()),
            },
            Value::List(items) | Value::Tuple(items) => self.seq(items, false, v),
            Value::Set(items) => self.seq(items, true, v),
            Value::Map(m) => self.entries(
                m.iter().map(|(k, x)| (k.as_str(), Some(x))).collect(),
                false,
                v,
            ),
            Value::Object(m) => self.entries(
                m.iter().map(|(k, x)| (k.as_str(), Some(x))).collect(),
                true,
                v,
            ),
            Value::Dynamic(..) => unreachable!("value() strips dynamic wrappers"),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None => v.visit_bool(false),
            Some(Value::Bool(b)) => v.visit_bool(*b),
            Some(other) => self.wrong("a bool", other)?.deserialize_bool(v),
        }
    }

    integers! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    fn deserialize_f32<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None => v.visit_f64(0.0),
            Some(Value::Number(n)) if n.as_f64().is_finite() => v.visit_f64(n.as_f64()),
            Some(Value::Number(n)) => Err(ModelError::expected(
                &self.path,
                "a number that fits f64",
                n.as_str(),
            )),
            Some(other) => self.wrong("a number", other)?.deserialize_f64(v),
        }
    }

    fn deserialize_char<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None => v.visit_str(""),
            Some(Value::String(s)) => v.visit_str(s),
            Some(other) => self.wrong("a string", other)?.deserialize_str(v),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, _: V) -> Result<V::Value, ModelError> {
        Err(ModelError::new(&self.path, "bytes have no Terraform type"))
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None | Some(Value::Null) => v.visit_none(),
            _ if self.cx.none_at.contains(&self.path) => v.visit_none(),
            Some(Value::Unknown) => Err(ModelError::expected(
                &self.path,
                "a known value or null (only an Attr field takes unknown)",
                "unknown",
            )),
            Some(_) => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None | Some(Value::Null) => v.visit_unit(),
            Some(other) => self.wrong("null", other)?.deserialize_unit(v),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, ModelError> {
        match name {
            magic::ATTR => match self.value() {
                None | Some(Value::Null) => v.visit_none(),
                _ if self.cx.none_at.contains(&self.path) => v.visit_none(),
                Some(Value::Unknown) => v.visit_unit(),
                Some(_) => v.visit_some(self),
            },
            magic::RAW => {
                // As it is: dynamic wrappers and unknowns inside stay.
                raw::put(self.value.cloned().unwrap_or(Value::Null));
                v.visit_unit()
            }
            magic::NUMBER => match self.value() {
                None => v.visit_str("0"),
                Some(Value::Number(n)) => v.visit_str(n.as_str()),
                Some(other) => self
                    .wrong("a number", other)?
                    .deserialize_newtype_struct(name, v),
            },
            _ => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None => self.seq(&[], false, v),
            Some(Value::List(items) | Value::Tuple(items)) => self.seq(items, false, v),
            Some(Value::Set(items)) => self.seq(items, true, v),
            Some(other) => self.wrong("a list or set", other)?.deserialize_seq(v),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _: usize, v: V) -> Result<V::Value, ModelError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        match self.value() {
            None => self.entries(Vec::new(), false, v),
            Some(Value::Map(m)) => self.entries(
                m.iter().map(|(k, x)| (k.as_str(), Some(x))).collect(),
                false,
                v,
            ),
            Some(other) => self.wrong("a map", other)?.deserialize_map(v),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, ModelError> {
        let attrs = match self.value() {
            None => {
                let placeholders = fields.iter().map(|f| (*f, None)).collect();
                return self.entries(placeholders, true, v);
            }
            Some(Value::Object(attrs)) => attrs,
            // A single block held in a list or set (one with at most one element).
            Some(list @ (Value::List(items) | Value::Set(items))) => {
                let depth = self.path.0.len();
                let set = matches!(list, Value::Set(_));
                return match items.as_slice() {
                    [one] => De {
                        value: Some(one),
                        path: self.path.clone().index(0),
                        cx: self.cx,
                    }
                    .deserialize_struct(name, fields, v)
                    .map_err(|e| if set { e.in_set(depth) } else { e }),
                    [] => Err(ModelError::expected(&self.path, "one block", "none").empty_single()),
                    more => Err(ModelError::expected(
                        &self.path,
                        "at most one block",
                        &format!("{} blocks", more.len()),
                    )),
                };
            }
            Some(other) => {
                return self
                    .wrong("an object", other)?
                    .deserialize_struct(name, fields, v);
            }
        };
        let mut entries: Vec<_> = attrs.iter().map(|(k, x)| (k.as_str(), Some(x))).collect();
        if self.cx.strict {
            for k in attrs.keys().filter(|k| !fields.contains(&k.as_str())) {
                let at = self.path.clone().attr(k.clone());
                self.record(
                    &at,
                    format!("the schema's attribute has no field in `{name}`"),
                );
            }
            for f in fields.iter().filter(|f| !attrs.contains_key(**f)) {
                let at = self.path.clone().attr(*f);
                self.record(
                    &at,
                    format!("the field of `{name}` is not an attribute of the schema"),
                );
                entries.push((f, None));
            }
        }
        self.entries(entries, true, v)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, ModelError> {
        // Only unit variants, spelled as strings.
        match self.value() {
            None => v.visit_enum(text(variants.first().copied().unwrap_or(""))),
            // The agreement check's sample text names no variant; the shape is what it checks.
            Some(Value::String(_)) if self.cx.strict => {
                v.visit_enum(text(variants.first().copied().unwrap_or("")))
            }
            Some(Value::String(s)) => v.visit_enum(text(s)).map_err(|e| e.at(&self.path)),
            Some(other) => self
                .wrong("a string", other)?
                .deserialize_enum(name, variants, v),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, ModelError> {
        v.visit_unit()
    }
}

struct Seq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    path: AttrPath,
    set: bool,
    cx: &'a Cx,
}

impl<'a> de::SeqAccess<'a> for Seq<'a> {
    type Error = ModelError;

    fn next_element_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ModelError> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let path = self.path.clone().index(i as i64);
        let depth = self.path.0.len();
        let de = De {
            value: Some(item),
            path: path.clone(),
            cx: self.cx,
        };
        seed.deserialize(de).map(Some).map_err(|e| {
            let e = e.at(&path);
            if self.set { e.in_set(depth) } else { e }
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// Object attributes or map entries; a `None` value is a placeholder (strict mode).
struct Entries<'a> {
    entries: std::vec::IntoIter<(&'a str, Option<&'a Value>)>,
    pending: Option<(&'a str, Option<&'a Value>)>,
    path: AttrPath,
    object: bool,
    cx: &'a Cx,
}

impl<'a> de::MapAccess<'a> for Entries<'a> {
    type Error = ModelError;

    fn next_key_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ModelError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(entry);
        seed.deserialize(text(entry.0)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, ModelError> {
        let (key, value) = self
            .pending
            .take()
            .expect("serde asks for a key before its value");
        let path = if self.object {
            self.path.clone().attr(key)
        } else {
            self.path.clone().key(key)
        };
        let de = De {
            value,
            path: path.clone(),
            cx: self.cx,
        };
        seed.deserialize(de).map_err(|e| e.at(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}
