//! tfplugin6 wire types (generated from `proto/tfplugin6.proto`) and their conversion to and from the
//! framework's own types. No prost type leaks past this module: the framework sees plain structs.

mod convert;
mod functions;
mod grpc;
mod unsupported;

pub use grpc::{GrpcProvider, MAX_MESSAGE_SIZE, routes};

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}
