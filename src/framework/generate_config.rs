//! Configuration generated from a resource's state (`-generate-config-out`, `terraform query`).
//!
//! Terraform renders the returned value as HCL: it skips computed attributes left null, writes
//! `name = null` for other null attributes, `null # sensitive` for sensitive ones and
//! `jsonencode(…)` for strings holding JSON objects or arrays. The value must therefore name
//! only what a user would write, and planning it against the imported state must change nothing:
//!
//! - computed-only and write-only attributes are null (Terraform refuses them in configuration,
//!   and write-only values are never in state);
//! - an attribute equal to its schema default is null (the default plans the same value);
//! - deprecated attributes that are also computed are null (a null keeps the state's value, so
//!   no warning is generated for nothing);
//! - an optional and computed attribute is kept unless empty (`""`, `[]`, `{}`): null keeps the
//!   state's value, so only a value with something in it is worth writing;
//! - everything else, required and optional arguments included, is kept as it is.
//!
//! A resource adjusts the result through [`GenerateConfig`] where the generic rules cannot know
//! better (an attribute that only mirrors another one, say).

use super::schema::{Attribute, Block, Nesting};
use super::value::Value;

/// A resource's adjustment of its generated configuration, after the generic rules ran.
pub trait GenerateConfig: Send + Sync {
    /// `config` starts as [`config_from_state`]'s result for `state`.
    fn generate_config(&self, state: &Value, config: &mut Value);
}

/// The configuration a user would write for an object whose state is `state` (see the module
/// documentation for the rules). A null state stays null.
pub fn config_from_state(block: &Block, state: &Value) -> Value {
    let Value::Object(attrs) = state else {
        return state.clone();
    };
    let mut out = attrs.clone();
    for attribute in &block.attributes {
        if let Some(v) = out.get_mut(&attribute.name) {
            *v = attribute_config(attribute, v);
        }
    }
    for nested in &block.blocks {
        if let Some(v) = out.get_mut(&nested.type_name) {
            *v = each_object(nested.nesting, v, |o| config_from_state(&nested.block, o));
        }
    }
    Value::Object(out)
}

fn attribute_config(attribute: &Attribute, value: &Value) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    let read_only = attribute.computed && !attribute.optional && !attribute.required;
    if read_only || attribute.write_only {
        return Value::Null;
    }
    if attribute.deprecated.is_some() && attribute.computed {
        return Value::Null;
    }
    if attribute.default.as_ref() == Some(value) {
        return Value::Null;
    }
    if attribute.optional && attribute.computed && is_empty(value) {
        return Value::Null;
    }
    match &attribute.nested {
        Some(nested) => each_object(nested.nesting, value, |o| {
            let Value::Object(attrs) = o else {
                return o.clone();
            };
            let mut out = attrs.clone();
            for a in &nested.attributes {
                if let Some(v) = out.get_mut(&a.name) {
                    *v = attribute_config(a, v);
                }
            }
            Value::Object(out)
        }),
        None => value.clone(),
    }
}

/// Applies `f` to the object, or to each object of the collection, `nesting` says `value` is.
fn each_object(nesting: Nesting, value: &Value, f: impl Fn(&Value) -> Value) -> Value {
    match (nesting, value) {
        (_, Value::Null | Value::Unknown) => value.clone(),
        (Nesting::Single | Nesting::Group, v) => f(v),
        (_, Value::List(items)) => Value::List(items.iter().map(&f).collect()),
        (_, Value::Set(items)) => Value::Set(items.iter().map(&f).collect()),
        (_, Value::Map(items)) => {
            Value::Map(items.iter().map(|(k, v)| (k.clone(), f(v))).collect())
        }
        (_, v) => v.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value.strip_dynamic() {
        Value::String(s) => s.is_empty(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.is_empty(),
        Value::Map(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::NestedBlock;

    fn block() -> Block {
        let nested = Block::new()
            .attribute(
                Attribute::string("mode")
                    .optional()
                    .default(Value::string("ON")),
            )
            .attribute(Attribute::string("seen").computed());
        Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::string("arn").computed())
            .attribute(Attribute::string("secret").optional().write_only())
            .attribute(
                Attribute::bool("force")
                    .optional()
                    .default(Value::Bool(false)),
            )
            .attribute(Attribute::string("insights").optional().computed())
            .attribute(Attribute::string_map("labels").optional().computed())
            .attribute(
                Attribute::string("old")
                    .optional()
                    .computed()
                    .deprecated("use name"),
            )
            .attribute(Attribute::nested(
                "rules",
                Nesting::List,
                vec![
                    Attribute::string("port").required(),
                    Attribute::string("id").computed(),
                ],
            ))
            .block(NestedBlock::list("setting", nested))
    }

    fn state() -> Value {
        Value::object([
            ("name", Value::string("web")),
            ("note", Value::string("")),
            ("arn", Value::string("arn:aws:ecs:x")),
            ("secret", Value::Null),
            ("force", Value::Bool(false)),
            ("insights", Value::string("enabled")),
            ("labels", Value::map::<String>([])),
            ("old", Value::string("web")),
            (
                "rules",
                Value::list([Value::object([
                    ("port", Value::string("80")),
                    ("id", Value::string("r-1")),
                ])]),
            ),
            (
                "setting",
                Value::list([Value::object([
                    ("mode", Value::string("ON")),
                    ("seen", Value::string("yes")),
                ])]),
            ),
        ])
    }

    #[test]
    fn only_what_a_user_writes_is_kept() {
        let config = config_from_state(&block(), &state());
        let get = |name: &str| config.get(name).cloned().unwrap();
        assert_eq!(get("name"), Value::string("web"), "required kept");
        assert_eq!(get("arn"), Value::Null, "computed-only nulled");
        assert_eq!(get("secret"), Value::Null, "write-only nulled");
        assert_eq!(get("force"), Value::Null, "equal to the default nulled");
        assert_eq!(get("insights"), Value::string("enabled"), "set O+C kept");
        assert_eq!(get("labels"), Value::Null, "empty O+C nulled");
        assert_eq!(get("old"), Value::Null, "deprecated and computed nulled");
    }

    #[test]
    fn an_optional_argument_keeps_even_an_empty_value() {
        // Null would plan `"" -> null`: only computed attributes keep their state when null.
        let config = config_from_state(&block(), &state());
        assert_eq!(config.get("note"), Some(&Value::string("")));
    }

    #[test]
    fn a_value_other_than_the_default_is_kept() {
        let mut state = state();
        *state.get_mut("force").unwrap() = Value::Bool(true);
        let config = config_from_state(&block(), &state);
        assert_eq!(config.get("force"), Some(&Value::Bool(true)));
    }

    #[test]
    fn the_rules_apply_inside_blocks_and_nested_attributes() {
        let config = config_from_state(&block(), &state());
        assert_eq!(
            config.get("setting"),
            Some(&Value::list([Value::object([
                ("mode", Value::Null),
                ("seen", Value::Null),
            ])]))
        );
        assert_eq!(
            config.get("rules"),
            Some(&Value::list([Value::object([
                ("port", Value::string("80")),
                ("id", Value::Null),
            ])]))
        );
    }

    #[test]
    fn a_null_state_stays_null() {
        assert_eq!(config_from_state(&block(), &Value::Null), Value::Null);
    }
}
