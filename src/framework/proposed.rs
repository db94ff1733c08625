//! Terraform's proposed new state with the schema's own rules applied: defaults where the
//! configuration is null and write-only values nulled. The plan compares *this* value with the
//! prior state; comparing Terraform's raw proposal would see a configured write-only value, or
//! a removed argument whose prior value Terraform carried over, as a change that is not one.

use std::collections::BTreeMap;

use super::schema::{Attribute, Block, Nesting};
use super::value::Value;

/// Attribute `name` of an object, null when absent (or when `object` is not an object).
pub(super) fn attr<'a>(object: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    object.get(name).unwrap_or(&NULL)
}

/// `proposed` with defaults and write-only nulling applied throughout `block`.
pub fn settle(block: &Block, config: &Value, proposed: &Value) -> Value {
    let Value::Object(proposed_attrs) = proposed else {
        return proposed.clone();
    };
    let mut out: BTreeMap<String, Value> = proposed_attrs.clone();
    for attribute in &block.attributes {
        let value = settle_attribute(
            attribute,
            attr(config, &attribute.name),
            attr(proposed, &attribute.name),
        );
        out.insert(attribute.name.clone(), value);
    }
    for nested in &block.blocks {
        let name = &nested.type_name;
        let value = settle_nested(
            &nested.block,
            nested.nesting,
            attr(config, name),
            attr(proposed, name),
        );
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

fn settle_attribute(attribute: &Attribute, config: &Value, proposed: &Value) -> Value {
    if attribute.write_only {
        return Value::Null;
    }
    if config.is_null()
        && let Some(default) = &attribute.default
    {
        return default.clone();
    }
    match &attribute.nested {
        Some(nested) if proposed.is_known() => {
            let block = Block {
                attributes: nested.attributes.clone(),
                ..Block::default()
            };
            settle_nested(&block, nested.nesting, config, proposed)
        }
        _ => proposed.clone(),
    }
}

fn settle_nested(block: &Block, nesting: Nesting, config: &Value, proposed: &Value) -> Value {
    match (nesting, proposed) {
        (Nesting::Single | Nesting::Group, Value::Object(_)) => settle(block, config, proposed),
        (Nesting::List, Value::List(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| settle(block, element(config, i), item))
                .collect(),
        ),
        (Nesting::Set, Value::Set(items)) => {
            let configs = correlate(config.elements().unwrap_or(&[]), items);
            Value::Set(
                items
                    .iter()
                    .zip(configs)
                    .map(|(item, cfg)| settle(block, cfg.unwrap_or(&Value::Null), item))
                    .collect(),
            )
        }
        (Nesting::Map, Value::Map(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, item)| (k.clone(), settle(block, entry(config, k), item)))
                .collect(),
        ),
        _ => proposed.clone(),
    }
}

/// Element `i` of a list or set, null when absent.
pub(super) fn element(value: &Value, i: usize) -> &Value {
    static NULL: Value = Value::Null;
    value.elements().and_then(|e| e.get(i)).unwrap_or(&NULL)
}

/// Entry `key` of a map, null when absent.
pub(super) fn entry<'a>(value: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    match value {
        Value::Map(m) => m.get(key).unwrap_or(&NULL),
        _ => &NULL,
    }
}

/// For each proposed set element, the configuration element it came from. Terraform builds a
/// proposed set element from each configuration element, filling in computed values, so the
/// configuration element is the one whose set (non-null, known) values the proposed element
/// carries; each configuration element is used once.
pub fn correlate<'a>(configs: &'a [Value], proposed: &[Value]) -> Vec<Option<&'a Value>> {
    let mut used = vec![false; configs.len()];
    proposed
        .iter()
        .map(|item| {
            let found = (0..configs.len()).find(|&i| !used[i] && carries(item, &configs[i]));
            found.map(|i| {
                used[i] = true;
                &configs[i]
            })
        })
        .collect()
}

/// Whether `proposed` holds every value that `config` sets.
fn carries(proposed: &Value, config: &Value) -> bool {
    match (config, proposed) {
        (Value::Null | Value::Unknown, _) => true,
        (_, Value::Unknown) => true,
        (Value::Object(c), Value::Object(p)) | (Value::Map(c), Value::Map(p)) => c
            .iter()
            .all(|(k, cv)| carries(p.get(k).unwrap_or(&Value::Null), cv)),
        (Value::List(c), Value::List(p)) => {
            c.len() == p.len() && c.iter().zip(p).all(|(cv, pv)| carries(pv, cv))
        }
        (Value::Set(c), Value::Set(p)) => {
            c.len() == p.len() && correlate(c, p).iter().all(Option::is_some)
        }
        _ => config == proposed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::NestedBlock;

    fn strategy_block() -> Block {
        Block::new().block(NestedBlock::set(
            "strategy",
            Block::new()
                .attribute(Attribute::string("provider").required())
                .attribute(
                    Attribute::number("weight")
                        .optional()
                        .default(Value::number_i64(0)),
                ),
        ))
    }

    fn item(provider: &str, weight: Value) -> Value {
        Value::object([("provider", Value::string(provider)), ("weight", weight)])
    }

    #[test]
    fn removed_value_in_a_set_element_gets_its_default_again() {
        // Terraform carries the prior weight into the proposal of the matching element.
        let config = Value::object([(
            "strategy",
            Value::set([
                item("FARGATE", Value::Null),
                item("SPOT", Value::number_i64(2)),
            ]),
        )]);
        let proposed = Value::object([(
            "strategy",
            Value::set([
                item("SPOT", Value::number_i64(2)),
                item("FARGATE", Value::number_i64(5)),
            ]),
        )]);
        let settled = settle(&strategy_block(), &config, &proposed);
        assert_eq!(
            settled.get("strategy"),
            Some(&Value::set([
                item("FARGATE", Value::number_i64(0)),
                item("SPOT", Value::number_i64(2)),
            ]))
        );
    }

    #[test]
    fn write_only_values_are_nulled() {
        let block = Block::new().attribute(Attribute::string("secret").optional().write_only());
        let v = Value::object([("secret", Value::string("s3cr3t"))]);
        assert_eq!(
            settle(&block, &v, &v).get("secret"),
            Some(&Value::Null),
            "a configured write-only value is not part of the planned state"
        );
    }

    #[test]
    fn correlation_uses_each_configuration_element_once() {
        let configs = [item("A", Value::Null), item("A", Value::Null)];
        let proposed = [
            item("A", Value::number_i64(1)),
            item("A", Value::number_i64(2)),
        ];
        let found = correlate(&configs, &proposed);
        assert!(found.iter().all(Option::is_some));
        assert!(!std::ptr::eq(found[0].unwrap(), found[1].unwrap()));
    }
}

#[cfg(test)]
mod nesting_tests {
    use super::*;
    use crate::framework::schema::NestedBlock;

    fn inner() -> Block {
        Block::new()
            .attribute(
                Attribute::string("d")
                    .optional()
                    .default(Value::string("D")),
            )
            .attribute(Attribute::string("w").optional().write_only())
    }

    fn el(d: Value, w: Value) -> Value {
        Value::object([("d", d), ("w", w)])
    }

    /// Defaults and write-only nulling reach into single, list and map blocks and nested
    /// attributes; a configured value inside a map element stays the configured one.
    #[test]
    fn defaults_and_write_only_nulling_apply_in_every_nesting() {
        let schema = Block::new()
            .attribute(
                Attribute::nested(
                    "opts",
                    Nesting::Single,
                    vec![
                        Attribute::string("d")
                            .optional()
                            .default(Value::string("D")),
                    ],
                )
                .optional(),
            )
            .block(NestedBlock::single("one", inner()))
            .block(NestedBlock::list("many", inner()))
            .block(NestedBlock::new("named", Nesting::Map, inner()));
        let secret = || Value::string("s3cr3t");
        let whole = |d: Value, kept: Value, w: Value| {
            Value::object([
                ("opts", Value::object([("d", d.clone())])),
                ("one", el(d.clone(), w.clone())),
                ("many", Value::List(vec![el(d.clone(), w.clone())])),
                (
                    "named",
                    Value::Map(
                        [
                            ("x".to_string(), el(d, w.clone())),
                            ("y".to_string(), el(kept, w)),
                        ]
                        .into(),
                    ),
                ),
            ])
        };
        let config = whole(Value::Null, Value::string("C"), secret());
        // The prior values Terraform carried over for the removed arguments.
        let proposed = whole(Value::string("X"), Value::string("C"), secret());
        let settled = settle(&schema, &config, &proposed);
        let expected = whole(Value::string("D"), Value::string("C"), Value::Null);
        assert_eq!(settled, expected);
    }

    #[test]
    fn set_elements_match_configurations_through_lists_sets_and_unknowns() {
        let item = |tags: Value| Value::object([("tags", tags)]);
        let list = |xs: &[&str]| Value::List(xs.iter().map(|x| Value::string(*x)).collect());
        let set = |xs: &[&str]| Value::Set(xs.iter().map(|x| Value::string(*x)).collect());
        let configs = [item(list(&["a", "b"]))];
        assert!(correlate(&configs, &[item(list(&["a", "b"]))])[0].is_some());
        assert!(
            correlate(&configs, &[item(list(&["a"]))])[0].is_none(),
            "lengths differ"
        );
        assert!(correlate(&configs, &[item(list(&["a", "c"]))])[0].is_none());
        let configs = [item(set(&["a", "b"]))];
        assert!(correlate(&configs, &[item(set(&["b", "a"]))])[0].is_some());
        assert!(
            correlate(&configs, &[item(set(&["a"]))])[0].is_none(),
            "sizes differ"
        );
        assert!(correlate(&configs, &[item(set(&["a", "c"]))])[0].is_none());
        assert!(
            correlate(&configs, &[Value::Unknown])[0].is_some(),
            "an unknown proposal may be any configuration"
        );
        // Inside lists and sets, elements that leave a value to the proposal still match.
        let open = || Value::object([("a", Value::Null)]);
        let filled = || Value::object([("a", Value::string("x"))]);
        let configs = [item(Value::List(vec![open()]))];
        assert!(correlate(&configs, &[item(Value::List(vec![filled()]))])[0].is_some());
        let configs = [item(Value::Set(vec![open()]))];
        assert!(correlate(&configs, &[item(Value::Set(vec![filled()]))])[0].is_some());
    }
}
