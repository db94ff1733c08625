//! The cty value model: types, values with null and unknown, attribute paths, and the msgpack
//! and JSON encodings Terraform uses on the wire.

mod error;
pub mod json;
pub mod msgpack;
mod number;
mod path;
mod types;
#[allow(clippy::module_inception)]
mod value;

pub use error::CodecError;
pub use number::Number;
pub use path::{AttrPath, PathStep};
pub use types::{ObjectType, Type};
pub use value::Value;

#[cfg(test)]
mod proptests;
