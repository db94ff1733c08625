//! Attribute validators. The framework calls them only with known, non-null values, so a value
//! that is unknown at plan time never fails a check; it is checked again once known.

use crate::framework::diag::Diagnostics;
use crate::framework::suggest::did_you_mean;
use crate::framework::value::{AttrPath, Value};

pub trait Validator: Send + Sync {
    /// A sentence for documentation, e.g. "one of `a`, `b`".
    fn description(&self) -> String;
    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics);
}

fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The string must be one of a fixed set of values (case-sensitive, as AWS is).
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn description(&self) -> String {
        let items: Vec<String> = self.0.iter().map(|v| format!("`{v}`")).collect();
        format!("One of {}.", items.join(", "))
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if self.0.contains(&s) {
            return;
        }
        diags.error_at(
            path.clone(),
            "Invalid value",
            format!(
                "{path} is \"{s}\", which is not allowed. Allowed values: {}.{}",
                quoted_list(self.0),
                did_you_mean(s, self.0.iter().copied())
            ),
        );
    }
}

/// String length in characters, inclusive.
pub struct Length {
    pub min: usize,
    pub max: usize,
}

impl Validator for Length {
    fn description(&self) -> String {
        format!("Between {} and {} characters long.", self.min, self.max)
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        let len = s.chars().count();
        if len < self.min || len > self.max {
            diags.error_at(
                path.clone(),
                "Invalid length",
                format!(
                    "{path} must be between {} and {} characters long; it has {len}.",
                    self.min, self.max
                ),
            );
        }
    }
}

/// Every character must satisfy a predicate, e.g. the ECS name alphabet.
pub struct Chars {
    pub allowed: fn(char) -> bool,
    /// Human description of the alphabet, e.g. "letters, digits, hyphens and underscores".
    pub alphabet: &'static str,
}

impl Validator for Chars {
    fn description(&self) -> String {
        format!("Only {}.", self.alphabet)
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if let Some(bad) = s.chars().find(|c| !(self.allowed)(*c)) {
            diags.error_at(
                path.clone(),
                "Invalid character",
                format!(
                    "{path} contains {bad:?}; only {} are allowed.",
                    self.alphabet
                ),
            );
        }
    }
}

/// Whole number within an inclusive range.
pub struct IntBetween {
    pub min: i64,
    pub max: i64,
}

impl Validator for IntBetween {
    fn description(&self) -> String {
        format!("A whole number from {} to {}.", self.min, self.max)
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(n) = value.as_number() else { return };
        match n.as_i64() {
            Some(i) if (self.min..=self.max).contains(&i) => {}
            _ => diags.error_at(
                path.clone(),
                "Value out of range",
                format!(
                    "{path} is {n}; it must be a whole number from {} to {}.",
                    self.min, self.max
                ),
            ),
        }
    }
}

/// The string must start with a prefix, e.g. `arn:`.
pub struct Prefix {
    pub prefix: &'static str,
    pub what: &'static str,
}

impl Validator for Prefix {
    fn description(&self) -> String {
        format!("{} (starts with `{}`).", self.what, self.prefix)
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if !s.starts_with(self.prefix) {
            diags.error_at(
                path.clone(),
                "Invalid value",
                format!(
                    "{path} must be {}, starting with \"{}\"; got \"{s}\".",
                    self.what, self.prefix
                ),
            );
        }
    }
}

/// Applies a validator to each known element of a list, set or map.
pub struct Each<V>(pub V);

impl<V: Validator> Validator for Each<V> {
    fn description(&self) -> String {
        format!("Each element: {}", self.0.description())
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_known() && !item.is_null() {
                        // Set elements have no address; report at the set itself.
                        let at = if matches!(value, Value::Set(_)) {
                            path.clone()
                        } else {
                            path.clone().index(i as i64)
                        };
                        self.0.validate(&at, item, diags);
                    }
                }
            }
            Value::Map(entries) => {
                for (k, item) in entries {
                    if item.is_known() && !item.is_null() {
                        self.0.validate(&path.clone().key(k.clone()), item, diags);
                    }
                }
            }
            _ => {}
        }
    }
}
