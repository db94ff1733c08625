//! The plan algorithm, owned by the framework so resources stay short:
//! proposed new state → defaults → write-only nulling → computed attributes unknown where the
//! change can affect them → attribute plan modifiers → the resource's own `modify_plan`.
//! Terraform's proposed new state already carries prior values for computed attributes that the
//! configuration leaves null, so "unchanged" is the proposal *after* defaults and write-only
//! nulling ([`proposed::settle`]) equal to the prior state.

use std::collections::BTreeMap;

use super::diag::Diagnostics;
use super::proposed::{self, attr, element, entry};
use super::schema::modifiers::{ModifyRequest, ModifyResponse};
use super::schema::{Attribute, Block, Nesting};
use super::value::{AttrPath, Value};

pub struct AttributePlan {
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub diags: Diagnostics,
}

/// Plans a create or update of one object of `block` (the resource schema's top-level block).
pub fn plan_object(
    block: &Block,
    config: &Value,
    prior: &Value,
    proposed: &Value,
) -> AttributePlan {
    let prior_exists = !prior.is_null();
    let proposed = &proposed::settle(block, config, proposed);
    let mut out = AttributePlan {
        planned: Value::Null,
        requires_replace: Vec::new(),
        diags: Diagnostics::new(),
    };
    let walk = Walk {
        changed: !prior_exists || proposed != prior,
        prior_exists,
    };
    out.planned = walk.block(block, &AttrPath::root(), config, prior, proposed, &mut out);
    out
}

struct Walk {
    /// Whether anything differs from the prior state; unchanged objects keep every value.
    changed: bool,
    prior_exists: bool,
}

impl Walk {
    fn block(
        &self,
        block: &Block,
        path: &AttrPath,
        config: &Value,
        prior: &Value,
        proposed: &Value,
        out: &mut AttributePlan,
    ) -> Value {
        let Value::Object(proposed_attrs) = proposed else {
            return proposed.clone();
        };
        let mut planned: BTreeMap<String, Value> = proposed_attrs.clone();
        for attribute in &block.attributes {
            let at = path.clone().attr(attribute.name.clone());
            let value = self.attribute(
                attribute,
                &at,
                attr(config, &attribute.name),
                attr(prior, &attribute.name),
                attr(proposed, &attribute.name),
                out,
            );
            planned.insert(attribute.name.clone(), value);
        }
        for nested in &block.blocks {
            let name = &nested.type_name;
            let at = path.clone().attr(name.clone());
            let value = self.nested_block(
                &nested.block,
                nested.nesting,
                &at,
                attr(config, name),
                attr(prior, name),
                attr(proposed, name),
                out,
            );
            planned.insert(name.clone(), value);
        }
        Value::Object(planned)
    }

    #[allow(clippy::too_many_arguments)]
    fn nested_block(
        &self,
        block: &Block,
        nesting: Nesting,
        path: &AttrPath,
        config: &Value,
        prior: &Value,
        proposed: &Value,
        out: &mut AttributePlan,
    ) -> Value {
        match (nesting, proposed) {
            (Nesting::Single | Nesting::Group, Value::Object(_)) => {
                self.block(block, path, config, prior, proposed, out)
            }
            (Nesting::List, Value::List(items)) => {
                let planned = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let at = path.clone().index(i as i64);
                        self.block(block, &at, element(config, i), element(prior, i), item, out)
                    })
                    .collect();
                Value::List(planned)
            }
            (Nesting::Set, Value::Set(items)) => {
                // Set elements cannot be correlated with prior ones by position: an element equal to
                // a prior element is unchanged, any other one is planned as new.
                let prior_items = prior.elements().unwrap_or(&[]);
                let configs = proposed::correlate(config.elements().unwrap_or(&[]), items);
                let planned = items
                    .iter()
                    .zip(configs)
                    .map(|(item, cfg)| {
                        if prior_items.contains(item) {
                            item.clone()
                        } else {
                            let fresh = Walk {
                                changed: true,
                                prior_exists: false,
                            };
                            let cfg = cfg.unwrap_or(&Value::Null);
                            fresh.block(block, path, cfg, &Value::Null, item, out)
                        }
                    })
                    .collect();
                Value::Set(planned)
            }
            (Nesting::Map, Value::Map(entries)) => {
                let planned = entries
                    .iter()
                    .map(|(k, item)| {
                        let at = path.clone().key(k.clone());
                        let planned =
                            self.block(block, &at, entry(config, k), entry(prior, k), item, out);
                        (k.clone(), planned)
                    })
                    .collect();
                Value::Map(planned)
            }
            _ => proposed.clone(),
        }
    }

    fn attribute(
        &self,
        attribute: &Attribute,
        path: &AttrPath,
        config: &Value,
        prior: &Value,
        proposed: &Value,
        out: &mut AttributePlan,
    ) -> Value {
        if attribute.write_only {
            return Value::Null;
        }
        let mut planned = proposed.clone();
        if config.is_null() {
            if let Some(default) = &attribute.default {
                planned = default.clone();
            } else if attribute.computed && self.changed {
                planned = Value::Unknown;
            }
        }
        if let (Some(nested), true) = (&attribute.nested, planned.is_known()) {
            let block = Block {
                attributes: nested.attributes.clone(),
                ..Block::default()
            };
            planned = self.nested_block(&block, nested.nesting, path, config, prior, &planned, out);
        }
        if attribute.plan_modifiers.is_empty() {
            return planned;
        }
        let mut resp = ModifyResponse {
            planned,
            requires_replace: false,
            diags: Diagnostics::new(),
        };
        for modifier in &attribute.plan_modifiers {
            let req = ModifyRequest {
                path,
                config,
                prior,
                planned: &resp.planned.clone(),
                prior_exists: self.prior_exists,
            };
            modifier.modify(&req, &mut resp);
        }
        if resp.requires_replace {
            out.requires_replace.push(path.clone());
        }
        out.diags.extend(resp.diags);
        resp.planned
    }
}

/// After the resource's own hook: when it planned away every difference from the prior state
/// (another spelling of the same value, a default that does not apply to this object), the
/// unknowns [`plan_object`] marked because of those differences have no cause left, and the
/// update is no change at all. Returns the prior state then, `None` otherwise. Only the
/// unknowns the framework marked are taken back: unknown in its plan (`marked`, before the
/// hook) where Terraform's proposal held the prior value. An unknown from the configuration,
/// one the hook planned itself, or any other difference keeps the plan as it is.
pub fn unchanged_after_hook(
    proposed: &Value,
    marked: &Value,
    prior: &Value,
    planned: &Value,
) -> Option<Value> {
    if prior.is_null() || planned.is_null() || planned == prior {
        return None;
    }
    let candidate = restore_marked(planned, marked, proposed, prior);
    (candidate == *prior).then_some(candidate)
}

/// `planned` with each unknown the framework marked replaced by the prior value.
fn restore_marked(planned: &Value, marked: &Value, proposed: &Value, prior: &Value) -> Value {
    match (planned, marked, proposed, prior) {
        (Value::Unknown, Value::Unknown, p, q) if p == q => q.clone(),
        (Value::Object(a), Value::Object(m), Value::Object(p), Value::Object(q)) => Value::Object(
            a.iter()
                .map(|(k, v)| {
                    let v = match (m.get(k), p.get(k), q.get(k)) {
                        (Some(m), Some(p), Some(q)) => restore_marked(v, m, p, q),
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (Value::List(a), Value::List(m), Value::List(p), Value::List(q))
            if a.len() == m.len() && a.len() == p.len() && a.len() == q.len() =>
        {
            Value::List(
                a.iter()
                    .zip(m)
                    .zip(p.iter().zip(q))
                    .map(|((v, m), (p, q))| restore_marked(v, m, p, q))
                    .collect(),
            )
        }
        _ => planned.clone(),
    }
}

/// Sorts and removes duplicates, as Terraform shows each path once.
pub fn normalise_paths(paths: &mut Vec<AttrPath>) {
    paths.sort_by_key(|p| p.to_string());
    paths.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Block, NestedBlock};

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(
                Attribute::string("mode")
                    .optional()
                    .default(Value::string("DEFAULT")),
            )
            .attribute(Attribute::string("arn").computed().use_state_for_unknown())
            .attribute(Attribute::string("status").computed())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::string("secret").optional().write_only())
            .block(NestedBlock::list(
                "item",
                Block::new()
                    .attribute(Attribute::string("key").required())
                    .attribute(Attribute::string("id").computed().use_state_for_unknown()),
            ))
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn config(name: &str, note: Value) -> Value {
        obj(&[
            ("name", Value::string(name)),
            ("mode", Value::Null),
            ("arn", Value::Null),
            ("status", Value::Null),
            ("note", note),
            ("secret", Value::string("s3cr3t")),
            ("item", Value::List(vec![])),
        ])
    }

    fn prior() -> Value {
        obj(&[
            ("name", Value::string("a")),
            ("mode", Value::string("DEFAULT")),
            ("arn", Value::string("arn:a")),
            ("status", Value::string("ACTIVE")),
            ("note", Value::Null),
            ("secret", Value::Null),
            ("item", Value::List(vec![])),
        ])
    }

    /// Terraform's proposed new state: config, with prior values for computed attributes left null.
    fn proposed(config: &Value, prior: &Value) -> Value {
        let mut out = config.clone();
        if let (Value::Object(o), Value::Object(p)) = (&mut out, prior) {
            for k in ["mode", "arn", "status"] {
                if o.get(k).is_some_and(Value::is_null) {
                    o.insert(k.into(), p.get(k).cloned().unwrap_or(Value::Null));
                }
            }
        }
        out
    }

    #[test]
    fn a_difference_the_hook_planned_away_leaves_no_marked_unknowns() {
        // The configuration spells `note` differently from the prior state; the hook decides
        // it is the same value and plans the prior spelling back.
        let mut prior = prior();
        if let Value::Object(o) = &mut prior {
            o.insert("note".into(), Value::string("arn:note"));
        }
        let cfg = config("a", Value::string("note"));
        let proposal = proposed(&cfg, &prior);
        let marked = plan_object(&block(), &cfg, &prior, &proposal).planned;
        assert_eq!(marked.get("status"), Some(&Value::Unknown), "marked");
        let mut planned = marked.clone();
        if let Value::Object(o) = &mut planned {
            o.insert("note".into(), Value::string("arn:note"));
        }
        assert_eq!(
            unchanged_after_hook(&proposal, &marked, &prior, &planned).as_ref(),
            Some(&prior)
        );

        // A difference the hook kept keeps the unknowns too.
        assert_eq!(
            unchanged_after_hook(&proposal, &marked, &prior, &marked),
            None
        );

        // An unknown of the hook's own stays.
        let mut own = planned.clone();
        if let Value::Object(o) = &mut own {
            o.insert("mode".into(), Value::Unknown);
        }
        assert_eq!(unchanged_after_hook(&proposal, &marked, &prior, &own), None);

        // An unknown from the configuration (a reference not known yet) is a change.
        let cfg = config("a", Value::Unknown);
        let proposal = proposed(&cfg, &prior);
        let marked = plan_object(&block(), &cfg, &prior, &proposal).planned;
        assert_eq!(marked.get("note"), Some(&Value::Unknown));
        assert_eq!(
            unchanged_after_hook(&proposal, &marked, &prior, &marked),
            None
        );
    }

    #[test]
    fn create_applies_defaults_and_marks_computed_unknown() {
        let cfg = config("a", Value::Null);
        let plan = plan_object(&block(), &cfg, &Value::Null, &cfg);
        assert_eq!(plan.planned.get("mode"), Some(&Value::string("DEFAULT")));
        assert_eq!(plan.planned.get("arn"), Some(&Value::Unknown));
        assert_eq!(plan.planned.get("status"), Some(&Value::Unknown));
        assert_eq!(
            plan.planned.get("secret"),
            Some(&Value::Null),
            "write-only values are never planned"
        );
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_object_keeps_every_value() {
        let mut cfg = config("a", Value::Null);
        if let Value::Object(o) = &mut cfg {
            o.insert("secret".into(), Value::Null);
        }
        let prior = prior();
        let plan = plan_object(&block(), &cfg, &prior, &proposed(&cfg, &prior));
        assert_eq!(plan.planned, prior);
    }

    #[test]
    fn a_configured_write_only_value_is_no_change() {
        // `secret` is configured and write-only: the proposal carries it, the prior never does.
        let cfg = config("a", Value::Null);
        let prior = prior();
        let plan = plan_object(&block(), &cfg, &prior, &proposed(&cfg, &prior));
        assert_eq!(
            plan.planned, prior,
            "computed values stay known, nothing changes"
        );
    }

    #[test]
    fn removing_a_value_with_a_default_plans_the_default() {
        let cfg = config("a", Value::Null);
        let mut prior = prior();
        if let Value::Object(p) = &mut prior {
            p.insert("mode".into(), Value::string("CUSTOM"));
        }
        // Terraform proposes the prior value of an optional+computed attribute left null.
        let plan = plan_object(&block(), &cfg, &prior, &proposed(&cfg, &prior));
        assert_eq!(plan.planned.get("mode"), Some(&Value::string("DEFAULT")));
        assert_eq!(plan.planned.get("status"), Some(&Value::Unknown));
    }

    #[test]
    fn update_marks_only_unpinned_computed_values_unknown() {
        let cfg = config("a", Value::string("changed"));
        let prior = prior();
        let plan = plan_object(&block(), &cfg, &prior, &proposed(&cfg, &prior));
        assert_eq!(
            plan.planned.get("arn"),
            Some(&Value::string("arn:a")),
            "use-state-for-unknown"
        );
        assert_eq!(plan.planned.get("status"), Some(&Value::Unknown));
        assert_eq!(plan.planned.get("note"), Some(&Value::string("changed")));
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn requires_replace_names_the_attribute() {
        let cfg = config("b", Value::Null);
        let prior = prior();
        let plan = plan_object(&block(), &cfg, &prior, &proposed(&cfg, &prior));
        assert_eq!(plan.requires_replace.len(), 1);
        assert_eq!(plan.requires_replace[0].to_string(), "name");
    }

    #[test]
    fn nested_block_elements_keep_their_computed_values() {
        let item = |id: Value| obj(&[("key", Value::string("k")), ("id", id)]);
        let mut cfg = config("a", Value::string("x"));
        let mut prior = prior();
        if let (Value::Object(c), Value::Object(p)) = (&mut cfg, &mut prior) {
            c.insert("item".into(), Value::List(vec![item(Value::Null)]));
            p.insert("item".into(), Value::List(vec![item(Value::string("i-1"))]));
        }
        let mut prop = proposed(&cfg, &prior);
        if let Value::Object(o) = &mut prop {
            o.insert("item".into(), Value::List(vec![item(Value::string("i-1"))]));
        }
        let plan = plan_object(&block(), &cfg, &prior, &prop);
        let items = plan
            .planned
            .get("item")
            .and_then(Value::elements)
            .unwrap()
            .to_vec();
        assert_eq!(items[0].get("id"), Some(&Value::string("i-1")));
    }

    /// Computed values inside every kind of nesting are planned like top-level ones.
    #[test]
    fn computed_values_in_nested_blocks_and_attributes_become_unknown_on_change() {
        use crate::framework::schema::Nesting;
        let inner = || {
            Block::new()
                .attribute(Attribute::string("k").optional())
                .attribute(Attribute::string("c").computed())
        };
        let schema = Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(
                Attribute::nested(
                    "opts",
                    Nesting::Single,
                    vec![
                        Attribute::string("mode")
                            .optional()
                            .default(Value::string("D")),
                        Attribute::string("c").computed(),
                    ],
                )
                .optional(),
            )
            .block(NestedBlock::single("one", inner()))
            .block(NestedBlock::list("many", inner()))
            .block(NestedBlock::set("bag", inner()))
            .block(NestedBlock::new("named", Nesting::Map, inner()));
        let el = |k: &str, c: Value| obj(&[("k", Value::string(k)), ("c", c)]);
        let opts = |mode: Value, c: Value| obj(&[("mode", mode), ("c", c)]);
        let whole = |name: &str, c: Value, bag_key: &str, opts_value: Value| {
            obj(&[
                ("name", Value::string(name)),
                ("opts", opts_value),
                ("one", el("a", c.clone())),
                ("many", Value::List(vec![el("a", c.clone())])),
                ("bag", Value::Set(vec![el(bag_key, c.clone())])),
                ("named", Value::Map([("x".to_string(), el("a", c))].into())),
            ])
        };
        let prior = whole(
            "a",
            Value::string("old"),
            "a",
            opts(Value::string("D"), Value::string("old")),
        );
        let config = whole("b", Value::Null, "b", opts(Value::Null, Value::Null));
        // Terraform's proposal carries the prior computed values where it can match them.
        let proposed = whole(
            "b",
            Value::string("old"),
            "b",
            opts(Value::string("D"), Value::string("old")),
        );
        let plan = plan_object(&schema, &config, &prior, &proposed);
        let p = &plan.planned;
        let at = |v: Option<&Value>| v.and_then(|v| v.get("c")).cloned();
        assert_eq!(at(p.get("one")), Some(Value::Unknown), "single block");
        assert_eq!(
            at(p.get("many")
                .and_then(Value::elements)
                .and_then(|e| e.first())),
            Some(Value::Unknown),
            "list block"
        );
        assert_eq!(
            at(p.get("bag")
                .and_then(Value::elements)
                .and_then(|e| e.first())),
            Some(Value::Unknown),
            "a new set element"
        );
        assert_eq!(
            at(p.get("named")
                .and_then(Value::entries)
                .and_then(|m| m.get("x"))),
            Some(Value::Unknown),
            "map block"
        );
        assert_eq!(at(p.get("opts")), Some(Value::Unknown), "nested attribute");
        assert_eq!(
            p.get("opts").and_then(|o| o.get("mode")),
            Some(&Value::string("D"))
        );
    }

    #[test]
    fn replacement_paths_are_sorted_and_listed_once() {
        let mut paths = vec![
            AttrPath::root().attr("name"),
            AttrPath::root().attr("cluster"),
            AttrPath::root().attr("name"),
        ];
        normalise_paths(&mut paths);
        let shown: Vec<String> = paths.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["cluster", "name"]);
    }

    /// A configured optional+computed value inside a map block is the configuration's, not
    /// "known after apply": each element is planned with its own configuration.
    #[test]
    fn map_block_elements_are_planned_with_their_configuration() {
        use crate::framework::schema::Nesting;
        let schema = Block::new()
            .attribute(Attribute::string("name").required())
            .block(NestedBlock::new(
                "named",
                Nesting::Map,
                Block::new().attribute(Attribute::string("oc").optional().computed()),
            ));
        let with = |name: &str, oc: &str| {
            obj(&[
                ("name", Value::string(name)),
                (
                    "named",
                    Value::Map([("x".to_string(), obj(&[("oc", Value::string(oc))]))].into()),
                ),
            ])
        };
        let (prior, config) = (with("a", "old"), with("b", "new"));
        let plan = plan_object(&schema, &config, &prior, &config);
        let oc = plan
            .planned
            .get("named")
            .and_then(Value::entries)
            .and_then(|m| m.get("x"))
            .and_then(|e| e.get("oc"))
            .cloned();
        assert_eq!(oc, Some(Value::string("new")));
    }
}
