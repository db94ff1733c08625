use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use super::magic;

/// A value the configuration may leave null, or Terraform may not know yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attr<T> {
    Known(T),
    #[default]
    Null,
    Unknown,
}

impl<T> Attr<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Attr::Known(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    /// The known value; null and unknown both give `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Known(v) => Attr::Known(v),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Known(v) => Attr::Known(f(v)),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }
}

impl<T> From<T> for Attr<T> {
    fn from(v: T) -> Self {
        Attr::Known(v)
    }
}

/// `None` is null.
impl<T> From<Option<T>> for Attr<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Attr::Null, Attr::Known)
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Known(v) => v.serialize(s),
            // Unit structs, not `None`: null must stay null where `None` means "no blocks".
            Attr::Null => s.serialize_unit_struct(magic::NULL),
            Attr::Unknown => s.serialize_unit_struct(magic::UNKNOWN),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(magic::ATTR, AttrVisitor(PhantomData))
    }
}

/// The model's deserializer answers `none` for null, `unit` for unknown and `some` otherwise.
struct AttrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AttrVisitor<T> {
    type Value = Attr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, null or unknown")
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Attr::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::deserialize(d).map(Attr::Known)
    }

    // Other deserializers (e.g. JSON) see a newtype: null or a value.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Option::<T>::deserialize(d).map(Attr::from)
    }
}
