//! Reading a state written by a terraform-plugin-sdk (v2) provider, leniently, into the JSON form
//! of one of our schemas. SDKv2 stores blocks of at most one element as lists, unset values as
//! `null` or as their zero value (`""`, `0`, `false`, `[]`, `{}`) depending on how Read filled
//! them, and some numbers as strings. The copy is driven by the target schema: each source key
//! goes to the target attribute or block of the same name, converted to its type; a key the
//! target lacks is dropped when the mover says it is computed (or meaningless here), skipped
//! when it holds nothing, and otherwise an error naming it, so nothing set is lost silently.

use serde_json::{Map, Value as J};

use crate::framework::diag::Diagnostics;
use crate::framework::schema::{Block, Nesting};
use crate::framework::value::Type;

/// What a mover tells the copy about its source.
pub struct Rules {
    /// Dotted paths (no indices) of source attributes the target lacks that are dropped: computed
    /// ones, or arguments with no meaning for the target (`region`, carried by every ARN).
    pub drop: &'static [&'static str],
    /// Dotted paths of numbers where SDKv2's `0` means unset: copied as null.
    pub zero_is_unset: &'static [&'static str],
    /// The source type, for messages.
    pub source: &'static str,
    pub target: &'static str,
}

/// `src` (a source object) copied into the JSON form of `block`.
pub fn copy(block: &Block, src: &J, rules: &Rules, diags: &mut Diagnostics) -> J {
    copy_block(block, src, "", rules, diags)
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn copy_block(block: &Block, src: &J, path: &str, rules: &Rules, diags: &mut Diagnostics) -> J {
    let Some(src) = src.as_object() else {
        return J::Null;
    };
    let mut out = Map::new();
    for (key, value) in src {
        let here = join(path, key);
        if let Some(attribute) = block.attributes.iter().find(|a| &a.name == key) {
            let converted = convert(&attribute.ty, value, &here, rules, diags);
            let converted = match converted {
                // A required string keeps whatever the source stored.
                J::Null if attribute.required && value.is_string() => value.clone(),
                other => other,
            };
            out.insert(key.clone(), converted);
        } else if let Some(nested) = block.blocks.iter().find(|b| &b.type_name == key) {
            let items: Vec<&J> = match value {
                J::Array(items) => items.iter().collect(),
                J::Null => Vec::new(),
                other => vec![other],
            };
            let copied: Vec<J> = items
                .into_iter()
                .map(|i| copy_block(&nested.block, i, &here, rules, diags))
                .collect();
            let v = match nested.nesting {
                Nesting::Single | Nesting::Group => {
                    if copied.len() > 1 {
                        diags.error(
                            "Cannot move this state",
                            format!(
                                "{} holds {} `{here}` blocks, but {} takes at most one.",
                                rules.source,
                                copied.len(),
                                rules.target
                            ),
                        );
                    }
                    copied.into_iter().next().unwrap_or(J::Null)
                }
                Nesting::Map => J::Null,
                Nesting::List | Nesting::Set => J::Array(copied),
            };
            out.insert(key.clone(), v);
        } else {
            lacking(value, &here, rules, diags);
        }
    }
    J::Object(out)
}

/// A source key the target has no place for.
fn lacking(value: &J, path: &str, rules: &Rules, diags: &mut Diagnostics) {
    if rules.drop.contains(&path) || is_empty(value) {
        return;
    }
    diags.error(
        "Cannot move this state",
        format!(
            "The {} sets `{path}`, which {} cannot hold. Remove it from the {} (and apply) before moving, or keep the {}.",
            rules.source, rules.target, rules.source, rules.source
        ),
    );
}

/// Nothing set: null, a zero value, or a collection of nothing but those.
pub fn is_empty(value: &J) -> bool {
    match value {
        J::Null => true,
        J::String(s) => s.is_empty(),
        J::Number(n) => n.as_f64() == Some(0.0),
        J::Bool(b) => !b,
        J::Array(items) => items.iter().all(is_empty),
        J::Object(attrs) => attrs.values().all(is_empty),
    }
}

fn convert(ty: &Type, value: &J, path: &str, rules: &Rules, diags: &mut Diagnostics) -> J {
    match (ty, value) {
        (_, J::Null) => J::Null,
        (Type::Dynamic, v) => v.clone(),
        (Type::String, J::String(s)) if s.is_empty() => J::Null,
        (Type::String, J::String(_)) => value.clone(),
        (Type::String, J::Number(n)) => J::String(n.to_string()),
        (Type::String, J::Bool(b)) => J::String(b.to_string()),
        (Type::Number, J::Number(n)) => {
            if rules.zero_is_unset.contains(&path) && n.as_f64() == Some(0.0) {
                J::Null
            } else {
                value.clone()
            }
        }
        // SDKv2's nullable integers are strings: "" is unset.
        (Type::Number, J::String(s)) if s.trim().is_empty() => J::Null,
        (Type::Number, J::String(s)) => match s.trim().parse::<serde_json::Number>() {
            Ok(n) => J::Number(n),
            Err(_) => mismatch(path, value, "a number", rules, diags),
        },
        (Type::Bool, J::Bool(_)) => value.clone(),
        (Type::Bool, J::String(s)) if s.is_empty() => J::Null,
        (Type::Bool, J::String(s)) => match s.as_str() {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            _ => mismatch(path, value, "true or false", rules, diags),
        },
        (Type::List(elem) | Type::Set(elem), J::Array(items)) => {
            if items.is_empty() {
                return J::Null;
            }
            J::Array(
                items
                    .iter()
                    .map(|i| convert(elem, i, path, rules, diags))
                    .collect(),
            )
        }
        (Type::Map(elem), J::Object(attrs)) => {
            if attrs.is_empty() {
                return J::Null;
            }
            J::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), convert(elem, v, path, rules, diags)))
                    .collect(),
            )
        }
        // A nested object the source stores as a one-element list.
        (Type::Object(_), J::Array(items)) => match items.as_slice() {
            [] => J::Null,
            [one] => convert(ty, one, path, rules, diags),
            _ => mismatch(path, value, "a single object", rules, diags),
        },
        (Type::Object(object), J::Object(attrs)) => {
            let mut out = Map::new();
            for (key, v) in attrs {
                let here = join(path, key);
                match object.attrs.get(key) {
                    Some(t) => {
                        out.insert(key.clone(), convert(t, v, &here, rules, diags));
                    }
                    None => lacking(v, &here, rules, diags),
                }
            }
            J::Object(out)
        }
        _ => mismatch(path, value, "another type", rules, diags),
    }
}

fn mismatch(path: &str, value: &J, wanted: &str, rules: &Rules, diags: &mut Diagnostics) -> J {
    let kind = match value {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "an object",
    };
    diags.error(
        "Cannot move this state",
        format!(
            "`{path}` of the {} holds {kind} where {} needs {wanted}.",
            rules.source, rules.target
        ),
    );
    J::Null
}

/// The source's attributes as a mutable object (movers reshape a copy before [`copy`]).
pub fn attributes(state: &J) -> Map<String, J> {
    state.as_object().cloned().unwrap_or_default()
}

/// The first object of an SDKv2 block-as-list (or the object itself).
pub fn first(value: Option<&J>) -> Option<&Map<String, J>> {
    match value? {
        J::Array(items) => items.first()?.as_object(),
        J::Object(o) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock};

    const RULES: Rules = Rules {
        drop: &["region"],
        zero_is_unset: &["inner.port"],
        source: "aws_thing",
        target: "thing",
    };

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::number("bake").optional())
            .attribute(Attribute::new("groups", Type::Set(Box::new(Type::String))).optional())
            .attribute(Attribute::new("tags", Type::Map(Box::new(Type::String))).optional())
            .block(NestedBlock::single(
                "inner",
                Block::new()
                    .attribute(Attribute::number("port").optional())
                    .attribute(Attribute::bool("on").optional()),
            ))
    }

    #[test]
    fn zero_values_blocks_as_lists_and_string_numbers_are_read_leniently() {
        let mut diags = Diagnostics::new();
        let src = json!({"name": "x", "note": "", "bake": "5", "groups": [], "tags": {},
            "inner": [{"port": 0, "on": false}], "region": "us-east-1"});
        let out = copy(&block(), &src, &RULES, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            out,
            json!({"name": "x", "note": null, "bake": 5, "groups": null, "tags": null,
                "inner": {"port": null, "on": false}})
        );
    }

    #[test]
    fn a_set_attribute_the_target_lacks_is_an_error_naming_it_and_an_empty_one_is_skipped() {
        let mut diags = Diagnostics::new();
        copy(
            &block(),
            &json!({"name": "x", "extra": [], "inner": [{"gone": ""}]}),
            &RULES,
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        copy(
            &block(),
            &json!({"name": "x", "inner": [{"gone": "yes"}], "extra": [{"a": 1}]}),
            &RULES,
            &mut diags,
        );
        let details: Vec<&str> = diags.0.iter().map(|d| d.detail.as_str()).collect();
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(
            details.iter().any(|d| d.contains("`inner.gone`")),
            "{details:?}"
        );
        assert!(details.iter().any(|d| d.contains("`extra`")), "{details:?}");
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_an_error_naming_its_path() {
        let mut diags = Diagnostics::new();
        copy(
            &block(),
            &json!({"name": "x", "bake": "soon"}),
            &RULES,
            &mut diags,
        );
        assert!(diags.0[0].detail.contains("`bake`"), "{diags:?}");
    }
}
