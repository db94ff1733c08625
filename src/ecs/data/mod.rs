//! Data sources: read-only views of ECS and Parameter Store objects Terraform does not manage.

pub mod capacity_provider;
pub mod cluster;
pub mod container_definition;
pub mod secret;
pub mod service;
pub mod task_definition;
