//! Typed models: serde-derived structs read from and written to [`Value`]s.
//!
//! A resource describes its values once as a struct (`#[derive(Serialize, Deserialize)]`),
//! `decode`s the planned or prior value into it and `encode`s it back with the schema's type.
//! Field types: `String`, `bool`, integers (refused with the path when not whole or out of
//! range), `f64`, [`Number`](crate::framework::value::Number) (lossless), `Option<T>` (null;
//! unknown is an error), [`Attr<T>`] (known, null or unknown), `Vec<T>` (list or set, as the
//! type says), `Option<Struct>` (a single block), `BTreeMap<String, T>` (map), structs
//! (objects and blocks), unit-only enums (strings) and [`Value`] itself, passed through as it
//! is (unknowns and dynamic types included). [`check_agrees`] proves a struct and a schema
//! agree.

mod agree;
mod attr;
mod de;
mod error;
mod raw;
mod ser;
mod set;
#[cfg(test)]
mod tests;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use agree::{ModelSchema, assert_model_agrees, check_agrees};
pub use attr::Attr;
pub use error::{ModelError, OrReport};
pub use set::Set;

use super::value::{AttrPath, Type, Value};

/// Newtype-struct names by which the model's own types talk to its (de)serializer.
mod magic {
    pub const ATTR: &str = "$ecs_provider::model::Attr";
    pub const NULL: &str = "$ecs_provider::model::Null";
    pub const UNKNOWN: &str = "$ecs_provider::model::Unknown";
    pub const RAW: &str = "$ecs_provider::model::Value";
    pub const NUMBER: &str = "$ecs_provider::model::Number";
}

/// Reads a model from a value; errors name the attribute path.
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    de::run(value, false).0
}

/// Writes a model as a value of `ty`: lists or sets, maps or objects as the type says, every
/// attribute of an object present. Fields the type lacks and attributes no field fills are
/// errors.
pub fn encode<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    ser::encode(model, ty)
}

/// A path as messages show it.
fn shown(path: &AttrPath) -> String {
    if path.is_root() {
        "the object".into()
    } else {
        path.to_string()
    }
}
