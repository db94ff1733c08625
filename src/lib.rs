//! terraform-provider-ecs: a Terraform/OpenTofu provider for Amazon ECS.
//!
//! Layers, from the wire down: [`plugin`] (go-plugin transport), [`protocol`] (tfplugin6 wire
//! types and their conversion), [`framework`] (values, schemas, the plan algorithm, one handler per
//! RPC), [`ecs`] (the resources) and [`aws`] (SDK clients). Data flows down; nothing flows back up.

pub mod aws;
pub mod ecs;
pub mod framework;
pub mod plugin;
pub mod protocol;
