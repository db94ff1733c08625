//! Capacity-provider strategies, shared by `ecs_cluster_capacity_providers` and `ecs_service`:
//! the block schema, conversions to and from the SDK, and the checks AWS applies.

use aws_sdk_ecs::types::CapacityProviderStrategyItem;
use serde::{Deserialize, Serialize};

use super::model::string;
use crate::framework::schema::validators::IntBetween;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub fn block(description: &str) -> Block {
    Block::new()
        .description(description)
        .attribute(
            Attribute::string("capacity_provider")
                .required()
                .description("Name of the capacity provider, e.g. `FARGATE`, `FARGATE_SPOT` or a custom provider."),
        )
        .attribute(
            Attribute::number("weight")
                .optional()
                .default(Value::number_i64(0))
                .validate(IntBetween { min: 0, max: 1000 })
                .description("Relative share of tasks placed with this provider, 0 to 1000. Default 0."),
        )
        .attribute(
            Attribute::number("base")
                .optional()
                .default(Value::number_i64(0))
                .validate(IntBetween { min: 0, max: 100_000 })
                .description("Tasks placed with this provider before weights apply, 0 to 100000; only one provider of a strategy may have a base. Default 0."),
        )
}

/// One `capacity_provider_strategy` block, as the resources' models hold it (after defaults:
/// `weight` and `base` are always known in a plan and in state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyItem {
    pub capacity_provider: String,
    pub weight: i64,
    pub base: i64,
}

/// The SDK's strategy from the models' blocks.
pub fn expand(items: &[StrategyItem]) -> Vec<CapacityProviderStrategyItem> {
    items
        .iter()
        .filter_map(|item| {
            CapacityProviderStrategyItem::builder()
                .capacity_provider(&item.capacity_provider)
                .weight(i32::try_from(item.weight).unwrap_or(0))
                .base(i32::try_from(item.base).unwrap_or(0))
                .build()
                .ok()
        })
        .collect()
}

/// The models' blocks from the SDK's strategy.
pub fn flatten(items: &[CapacityProviderStrategyItem]) -> Vec<StrategyItem> {
    items
        .iter()
        .map(|i| StrategyItem {
            capacity_provider: i.capacity_provider().to_string(),
            weight: i64::from(i.weight()),
            base: i64::from(i.base()),
        })
        .collect()
}

/// AWS allows a base on one provider of a strategy only; `path` names the blocks.
pub fn check_single_base(items: Option<&Value>, path: &AttrPath, diags: &mut Diagnostics) {
    let with_base: Vec<&str> = items
        .and_then(Value::elements)
        .unwrap_or_default()
        .iter()
        .filter(|i| i.get("base").and_then(Value::as_i64).is_some_and(|b| b > 0))
        .filter_map(|i| string(i, "capacity_provider"))
        .collect();
    if with_base.len() > 1 {
        diags.error_at(
            path.clone(),
            "Only one capacity provider may have a base",
            format!(
                "{} all set `base`; ECS accepts a base greater than 0 on one provider of a strategy only.",
                with_base.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;
    use crate::framework::schema::NestedBlock;

    #[test]
    fn strategy_item_model_agrees_with_its_block() {
        let nested = NestedBlock::set("capacity_provider_strategy", block("strategy"));
        assert_model_agrees::<StrategyItem>(&nested);
    }

    #[test]
    fn expand_and_flatten_are_inverse() {
        let items = vec![StrategyItem {
            capacity_provider: "FARGATE".into(),
            weight: 3,
            base: 1,
        }];
        assert_eq!(flatten(&expand(&items)), items);
    }
}
