//! The provider framework: a value model for every cty type, schemas with behaviour, diagnostics,
//! the plan algorithm and one handler per RPC. It knows nothing about AWS and nothing about
//! protobuf; a second provider could reuse it unchanged.

pub mod action;
pub mod checks;
pub mod context;
pub mod data_source;
pub mod diag;
pub mod docs;
pub mod ephemeral;
pub mod function;
pub mod function_docs;
pub mod generate_config;
pub mod identity;
pub mod list;
pub mod model;
pub mod move_state;
pub mod plan;
pub mod proposed;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod suggest;
pub mod timeouts;
pub mod validate;
pub mod value;

pub use context::{Ctx, ProviderData};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use value::{AttrPath, PathStep, Type, Value};
