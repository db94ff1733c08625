//! Provider functions (`provider::ecs::NAME(…)`): pure helpers over the same parsers and tables
//! the resources use, so a module's checks agree with the provider's plans.

mod arn_parse;
mod container_definitions;
mod fargate_sizes;

use std::sync::Arc;

use crate::framework::function::Function;

pub use arn_parse::ArnParse;
pub use container_definitions::{ContainerDefinitionsEqual, ContainerDefinitionsNormalize};
pub use fargate_sizes::FargateSizes;

pub fn all() -> Vec<Arc<dyn Function>> {
    vec![
        Arc::new(ArnParse),
        Arc::new(ContainerDefinitionsEqual),
        Arc::new(ContainerDefinitionsNormalize),
        Arc::new(FargateSizes),
    ]
}
