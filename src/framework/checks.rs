//! Local checks of the invariants Terraform enforces on every plan and apply. A violation here
//! becomes a provider diagnostic naming the attribute, so a bug shows up in our tests instead of as
//! "Provider produced inconsistent result" in a user's terminal.

use super::diag::Diagnostics;
use super::schema::{Block, Nesting};
use super::value::{AttrPath, Value};

const BUG: &str = "Provider bug";

fn get<'a>(object: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    object.get(name).unwrap_or(&NULL)
}

/// The plan must keep configured values (or the prior value when only the spelling differs),
/// may only invent values for computed attributes, and never plans write-only values.
pub fn check_plan(
    block: &Block,
    path: &AttrPath,
    config: &Value,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) {
    if !planned.is_known() || planned.is_null() {
        return;
    }
    for attribute in &block.attributes {
        let at = path.clone().attr(attribute.name.clone());
        let (c, p, v) = (
            get(config, &attribute.name),
            get(prior, &attribute.name),
            get(planned, &attribute.name),
        );
        if attribute.write_only {
            if !v.is_null() {
                diags.error_at(
                    at.clone(),
                    BUG,
                    format!("planned a value for write-only attribute {at}"),
                );
            }
            continue;
        }
        if c.is_null() {
            if !attribute.computed && !v.is_null() {
                diags.error_at(
                    at.clone(),
                    BUG,
                    format!("planned a value for {at}, which is not computed and not configured"),
                );
            }
            continue;
        }
        if c.is_wholly_known() && v != c && v != p {
            // Nested attributes may hold computed members; only whole values are compared here.
            if attribute.nested.is_none() {
                diags.error_at(at.clone(), BUG, format!("planned value for {at} differs from both the configuration and the prior state"));
            }
        }
    }
    for nested in &block.blocks {
        let name = &nested.type_name;
        let at = path.clone().attr(name.clone());
        let (c, p, v) = (get(config, name), get(prior, name), get(planned, name));
        match nested.nesting {
            Nesting::Single | Nesting::Group => check_plan(&nested.block, &at, c, p, v, diags),
            Nesting::List => {
                let (cs, vs) = (c.elements().unwrap_or(&[]), v.elements().unwrap_or(&[]));
                if c.is_known() && v.is_known() && cs.len() != vs.len() {
                    diags.error_at(
                        at.clone(),
                        BUG,
                        format!(
                            "planned {} {name} blocks but the configuration has {}",
                            vs.len(),
                            cs.len()
                        ),
                    );
                }
                for (i, (ce, ve)) in cs.iter().zip(vs).enumerate() {
                    let pe = p.elements().and_then(|e| e.get(i)).unwrap_or(&Value::Null);
                    check_plan(
                        &nested.block,
                        &at.clone().index(i as i64),
                        ce,
                        pe,
                        ve,
                        diags,
                    );
                }
            }
            Nesting::Set | Nesting::Map => {}
        }
    }
}

/// After apply every value known in the plan must come back unchanged and nothing may stay unknown.
pub fn check_apply(path: &AttrPath, planned: &Value, new: &Value, diags: &mut Diagnostics) {
    if !new.is_wholly_known() {
        diags.error_at(
            path.clone(),
            BUG,
            format!(
                "the applied state still has unknown values at {}",
                display(path)
            ),
        );
        return;
    }
    match (planned, new) {
        (Value::Unknown, _) => {}
        (Value::Object(p), Value::Object(n)) => {
            for (name, pv) in p {
                let nv = n.get(name).unwrap_or(&Value::Null);
                check_apply(&path.clone().attr(name.clone()), pv, nv, diags);
            }
        }
        (Value::List(p), Value::List(n)) if p.len() == n.len() => {
            for (i, (pv, nv)) in p.iter().zip(n).enumerate() {
                check_apply(&path.clone().index(i as i64), pv, nv, diags);
            }
        }
        (Value::Map(p), Value::Map(n)) if p.len() == n.len() => {
            for (k, pv) in p {
                let nv = n.get(k).unwrap_or(&Value::Null);
                check_apply(&path.clone().key(k.clone()), pv, nv, diags);
            }
        }
        (Value::Set(p), Value::Set(n))
            if !p.is_empty() && p.iter().any(|e| !e.is_wholly_known()) =>
        {
            if p.len() != n.len() {
                diags.error_at(
                    path.clone(),
                    BUG,
                    format!(
                        "planned {} elements for {} but applied {}",
                        p.len(),
                        display(path),
                        n.len()
                    ),
                );
            }
        }
        (p, n) => {
            if p != n {
                diags.error_at(
                    path.clone(),
                    BUG,
                    format!(
                        "the applied value of {} differs from the planned value",
                        display(path)
                    ),
                );
            }
        }
    }
}

fn display(path: &AttrPath) -> String {
    let s = path.to_string();
    if s.is_empty() { "the object".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Block};

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("arn").computed())
            .attribute(Attribute::string("secret").optional().write_only())
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn plan_may_not_change_configured_values() {
        let config = obj(&[
            ("name", Value::string("a")),
            ("arn", Value::Null),
            ("secret", Value::Null),
        ]);
        let planned = obj(&[
            ("name", Value::string("b")),
            ("arn", Value::Unknown),
            ("secret", Value::Null),
        ]);
        let mut diags = Diagnostics::new();
        check_plan(
            &block(),
            &AttrPath::root(),
            &config,
            &Value::Null,
            &planned,
            &mut diags,
        );
        assert!(diags.has_errors());
        assert_eq!(diags.0[0].path.as_ref().unwrap().to_string(), "name");
    }

    #[test]
    fn plan_must_null_write_only_values() {
        let config = obj(&[
            ("name", Value::string("a")),
            ("arn", Value::Null),
            ("secret", Value::string("s")),
        ]);
        let planned = obj(&[
            ("name", Value::string("a")),
            ("arn", Value::Unknown),
            ("secret", Value::string("s")),
        ]);
        let mut diags = Diagnostics::new();
        check_plan(
            &block(),
            &AttrPath::root(),
            &config,
            &Value::Null,
            &planned,
            &mut diags,
        );
        assert!(diags.has_errors());
    }

    #[test]
    fn apply_must_keep_known_planned_values() {
        let planned = obj(&[("name", Value::string("a")), ("arn", Value::Unknown)]);
        let good = obj(&[
            ("name", Value::string("a")),
            ("arn", Value::string("arn:x")),
        ]);
        let bad = obj(&[
            ("name", Value::string("A")),
            ("arn", Value::string("arn:x")),
        ]);
        let mut diags = Diagnostics::new();
        check_apply(&AttrPath::root(), &planned, &good, &mut diags);
        assert!(diags.is_empty());
        check_apply(&AttrPath::root(), &planned, &bad, &mut diags);
        assert!(diags.has_errors());
        let mut diags = Diagnostics::new();
        check_apply(
            &AttrPath::root(),
            &planned,
            &obj(&[("name", Value::string("a")), ("arn", Value::Unknown)]),
            &mut diags,
        );
        assert!(diags.has_errors());
    }
}
