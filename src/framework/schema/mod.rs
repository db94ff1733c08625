//! Schemas as data with behaviour: the shape Terraform sees, plus the validators, plan modifiers
//! and defaults the framework applies on the provider's side.

mod attribute;
mod block;
pub mod modifiers;
pub mod validators;

pub use attribute::{Attribute, NestedAttributes};
pub use block::{Block, NestedBlock, Nesting};
pub use modifiers::{ModifyRequest, ModifyResponse, PlanModifier};
pub use validators::Validator;

use super::value::Type;

/// The schema of a provider, resource or data source: a versioned top-level block.
#[derive(Clone, Default)]
pub struct Schema {
    /// Bumped when the stored state's shape changes, so `UpgradeResourceState` can convert it.
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The cty type every value of this schema is encoded with on the wire.
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }
}
