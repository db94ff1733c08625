//! Serde for the framework's own `Value` and `Number`, so model fields can hold them.
//!
//! A visitor cannot carry a foreign type, so a `Value` travels beside the call: the side putting
//! it in the thread-local slot hands over a magic newtype (as serde_json's `RawValue` does) and
//! the other side takes it out at once. Only the model's (de)serializer knows the magic; any
//! other one gets an error instead of a wrong value.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{self, Serialize, Serializer};

use super::magic;
use crate::framework::value::{Number, Value};

thread_local! {
    static SLOT: RefCell<Option<Value>> = const { RefCell::new(None) };
}

pub(super) fn put(value: Value) {
    SLOT.with(|s| *s.borrow_mut() = Some(value));
}

pub(super) fn take() -> Option<Value> {
    SLOT.with(|s| s.borrow_mut().take())
}

const ONLY_MODEL: &str = "a framework Value passes only through model::encode and model::decode";

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        put(self.clone());
        s.serialize_newtype_struct(magic::RAW, &Token)
    }
}

/// What a serializer other than the model's sees inside the newtype.
struct Token;

impl Serialize for Token {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        take();
        Err(ser::Error::custom(ONLY_MODEL))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(magic::RAW, RawVisitor)
    }
}

/// The model's deserializer fills the slot, then calls `visit_unit`.
struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ONLY_MODEL)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        take().ok_or_else(|| E::custom(ONLY_MODEL))
    }
}

/// As its canonical text inside a magic newtype; other serializers write the text.
impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(magic::NUMBER, self.as_str())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(magic::NUMBER, NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Number, E> {
        Number::parse(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Number, E> {
        Ok(Number::from_i64(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Number, E> {
        Ok(Number::from_u64(n))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Number, E> {
        Number::from_f64(f).ok_or_else(|| E::invalid_value(de::Unexpected::Float(f), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Number, D::Error> {
        d.deserialize_any(self)
    }
}
