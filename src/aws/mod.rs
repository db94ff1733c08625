//! AWS access: SDK configuration the way AWS tools do it, and the clients the resources use.
//! Only the SDK features the provider needs are compiled in (no SSO, no credential_process).

pub mod account;
pub mod batched;
pub mod coalesce;
mod config;
pub mod errors;
mod named;
pub mod pace;
pub mod raw_json;
pub mod wait;

pub use config::{AssumeRole, AwsSettings, Clients, Endpoints};
