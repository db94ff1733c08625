//! The ECS provider: resources, data sources and the rules of ECS and Fargate.

pub mod arn;
pub mod cluster;
pub mod model;
pub mod provider;
pub mod secret;
pub mod tags;

pub use provider::{Configured, EcsProvider};
