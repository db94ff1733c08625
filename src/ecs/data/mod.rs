//! Data sources: read-only views of ECS and Parameter Store objects Terraform does not manage.

pub mod cluster;
pub mod secret;
