//! go-plugin transport: handshake, AutoMTLS, side services, reattach mode, hclog logging.
//!
//! [`run`] is the whole of it for `main`: everything a Terraform or OpenTofu plugin host
//! expects of a provider process besides the tfplugin6 service itself.

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    tonic::include_proto!("plugin");
}

pub mod debug;
pub mod handshake;
pub mod logging;
mod serve;
pub mod services;
pub mod socket;
pub mod tls;

#[cfg(test)]
mod h2_test_client;

pub use serve::{ServeConfig, run};
