//! Walks a configuration value against its schema and runs every attribute's validators on the
//! values that are known; unknown values are skipped and checked again when known.

use super::diag::Diagnostics;
use super::schema::{Block, Nesting};
use super::value::{AttrPath, Value};

pub struct ValidateOptions {
    /// From the client capabilities: Terraform < 1.11 cannot handle write-only attributes.
    pub write_only_allowed: bool,
}

pub fn validate_block(
    block: &Block,
    path: &AttrPath,
    config: &Value,
    opts: &ValidateOptions,
    diags: &mut Diagnostics,
) {
    if !config.is_known() || config.is_null() {
        return;
    }
    for attribute in &block.attributes {
        let at = path.clone().attr(attribute.name.clone());
        let value = config.get(&attribute.name).cloned().unwrap_or(Value::Null);
        if value.is_null() {
            continue;
        }
        if attribute.write_only && !opts.write_only_allowed {
            diags.error_at(
                at.clone(),
                "Write-only attribute not supported",
                format!(
                    "{at} is write-only, which needs Terraform 1.11 or later (or OpenTofu 1.11). \
                     Upgrade, or use the attribute that is stored in state instead."
                ),
            );
        }
        if let Some(message) = &attribute.deprecated {
            diags.warning_at(at.clone(), "Deprecated attribute", message.clone());
        }
        if !value.is_known() {
            continue;
        }
        for validator in &attribute.validators {
            validator.validate(&at, &value, diags);
        }
        if let Some(nested) = &attribute.nested {
            let block = Block {
                attributes: nested.attributes.clone(),
                ..Block::default()
            };
            each_element(&block, nested.nesting, &at, &value, opts, diags);
        }
    }
    for nested in &block.blocks {
        let at = path.clone().attr(nested.type_name.clone());
        let value = config
            .get(&nested.type_name)
            .cloned()
            .unwrap_or(Value::Null);
        each_element(&nested.block, nested.nesting, &at, &value, opts, diags);
    }
}

fn each_element(
    block: &Block,
    nesting: Nesting,
    path: &AttrPath,
    value: &Value,
    opts: &ValidateOptions,
    diags: &mut Diagnostics,
) {
    match (nesting, value) {
        (Nesting::Single | Nesting::Group, v) => validate_block(block, path, v, opts, diags),
        (Nesting::List, Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                validate_block(block, &path.clone().index(i as i64), item, opts, diags);
            }
        }
        // Set elements have no address: diagnostics point at the set.
        (Nesting::Set, Value::Set(items)) => {
            for item in items {
                validate_block(block, path, item, opts, diags);
            }
        }
        (Nesting::Map, Value::Map(entries)) => {
            for (k, item) in entries {
                validate_block(block, &path.clone().key(k.clone()), item, opts, diags);
            }
        }
        _ => {}
    }
}
