//! The ECS provider: resources, data sources, actions and the rules of ECS and Fargate.

pub mod actions;
pub mod arn;
pub mod capacity_provider;
pub mod capacity_providers;
pub mod cluster;
pub mod cluster_cleanup;
pub mod cluster_configuration;
pub mod configured;
pub mod container_definitions;
pub mod data;
pub mod functions;
pub mod generated_config;
pub mod identity;
pub mod list;
pub mod model;
pub mod moves;
pub mod provider;
pub mod secret;
pub mod secret_ephemeral;
pub mod secret_rules;
pub mod service;
pub mod strategy;
pub mod tags;
pub mod task_definition;

pub use provider::{Configured, EcsProvider};
