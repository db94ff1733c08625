//! The cty value model Terraform speaks: types, values with null and unknown, attribute
//! paths, and the msgpack and JSON encodings used on the wire.
//!
//! Values carry no type of their own; every codec call takes the schema type, because the
//! wire format depends on it (a `dynamic` slot is wrapped, an object must list every
//! attribute).

mod error;
pub mod json;
pub mod msgpack;
mod number;
mod path;
mod types;
// The layout names the value tree after the module on purpose.
#[allow(clippy::module_inception)]
mod value;

pub use error::CodecError;
pub use json::JsonDecodeOptions;
pub use number::Number;
pub use path::{AttrPath, PathStep};
pub use types::{ObjectType, Type};
pub(crate) use value::same_elements;
pub use value::{Presence, Value};

#[cfg(test)]
mod proptests;
