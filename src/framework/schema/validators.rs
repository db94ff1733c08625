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

/// Number (fractions allowed) within an inclusive range.
pub struct FloatBetween {
    pub min: f64,
    pub max: f64,
}

impl Validator for FloatBetween {
    fn description(&self) -> String {
        format!("A number from {} to {}.", self.min, self.max)
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(n) = value.as_number() else { return };
        let f = n.as_f64();
        if !(f.is_finite() && (self.min..=self.max).contains(&f)) {
            diags.error_at(
                path.clone(),
                "Value out of range",
                format!(
                    "{path} is {n}; it must be a number from {} to {}.",
                    self.min, self.max
                ),
            );
        }
    }
}

#[cfg(test)]
mod float_between_tests {
    use super::*;
    use crate::framework::value::Number;

    #[test]
    fn fractions_inside_pass_and_outside_fail_naming_the_range() {
        let v = FloatBetween {
            min: 0.1,
            max: 100.0,
        };
        let path = AttrPath::root().attr("p");
        let check = |text: &str| {
            let mut diags = Diagnostics::new();
            let n: Number = text.parse().unwrap();
            v.validate(&path, &Value::Number(n), &mut diags);
            diags
        };
        assert!(!check("0.1").has_errors());
        assert!(!check("100").has_errors());
        assert!(!check("2.5").has_errors());
        let low = check("0.05");
        assert!(low.has_errors());
        assert!(format!("{low:?}").contains("from 0.1 to 100"), "{low:?}");
        assert!(check("100.5").has_errors());
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

#[cfg(test)]
mod proptests {
    //! Arbitrary input never panics a validator, and each one refuses exactly what its rule
    //! refuses, at the path it was given, with a message that starts with that path.

    use super::*;
    use crate::framework::value::Number;
    use proptest::prelude::*;

    fn run(v: &dyn Validator, value: &Value) -> Diagnostics {
        let path = AttrPath::root().attr("block").index(0).attr("name");
        let mut diags = Diagnostics::new();
        v.validate(&path, value, &mut diags);
        for d in &diags.0 {
            assert_eq!(d.path.as_ref(), Some(&path));
            assert!(d.detail.starts_with("block[0].name "), "{}", d.detail);
        }
        diags
    }

    /// Strings of any characters, with the validators' alphabets over-represented.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,40}",
            "[a-zA-Z0-9_:/-]{0,40}",
            ".{0,300}",
            "arn:[a-z:/-]{0,20}"
        ]
    }

    /// Numbers of every shape the decoder produces: integers, fractions, huge exponents.
    fn number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::from_i64),
            any::<u64>().prop_map(Number::from_u64),
            any::<f64>().prop_filter_map("finite", Number::from_f64),
            "-?[0-9]{1,30}(\\.[0-9]{1,10})?(e-?[0-9]{1,4})?"
                .prop_filter_map("decimal", |s| Number::parse(&s)),
        ]
    }

    fn name_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    }

    const ALLOWED: &[&str] = &["FARGATE", "EC2", "EXTERNAL", "awsvpc"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn string_validators_refuse_exactly_what_their_rule_refuses(s in text(), min in 0usize..5, max in 0usize..60) {
            let value = Value::string(s.clone());
            let one_of = run(&OneOf(ALLOWED), &value);
            prop_assert_eq!(one_of.has_errors(), !ALLOWED.contains(&s.as_str()));

            let len = s.chars().count();
            let length = run(&Length { min, max }, &value);
            prop_assert_eq!(length.has_errors(), len < min || len > max);

            let chars = run(&Chars { allowed: name_char, alphabet: "letters" }, &value);
            prop_assert_eq!(chars.has_errors(), !s.chars().all(name_char));

            let prefix = run(&Prefix { prefix: "arn:", what: "an ARN" }, &value);
            prop_assert_eq!(prefix.has_errors(), !s.starts_with("arn:"));

            // Each diagnostic is about one value: never more than one per validator.
            for d in [&one_of, &length, &chars, &prefix] {
                prop_assert!(d.0.len() <= 1);
            }
        }

        #[test]
        fn int_between_refuses_exactly_what_is_outside_the_range(n in number(), lo in -1000i64..1000, span in 0i64..2000) {
            let hi = lo + span;
            let diags = run(&IntBetween { min: lo, max: hi }, &Value::number(n.clone()));
            let inside = n.as_i64().is_some_and(|i| (lo..=hi).contains(&i));
            prop_assert_eq!(diags.has_errors(), !inside);
        }

        #[test]
        fn validators_ignore_values_of_other_types(n in number(), b in any::<bool>()) {
            for value in [Value::number(n.clone()), Value::bool(b), Value::list([])] {
                prop_assert!(run(&OneOf(ALLOWED), &value).is_empty());
                let length = Length { min: 1, max: 2 };
                prop_assert!(run(&length, &value).is_empty());
                let prefix = Prefix { prefix: "arn:", what: "an ARN" };
                prop_assert!(run(&prefix, &value).is_empty());
            }
            let between = IntBetween { min: 0, max: 1 };
            prop_assert!(run(&between, &Value::string("1")).is_empty());
        }

        #[test]
        fn each_reports_every_bad_element_at_its_index(items in prop::collection::vec(text(), 0..8)) {
            let list = Value::list(items.iter().cloned().map(Value::string));
            let path = AttrPath::root().attr("names");
            let mut diags = Diagnostics::new();
            Each(OneOf(ALLOWED)).validate(&path, &list, &mut diags);
            let bad: Vec<AttrPath> = items
                .iter()
                .enumerate()
                .filter(|(_, s)| !ALLOWED.contains(&s.as_str()))
                .map(|(i, _)| path.clone().index(i as i64))
                .collect();
            let reported: Vec<AttrPath> = diags.0.iter().filter_map(|d| d.path.clone()).collect();
            prop_assert_eq!(reported, bad);

            let map = Value::map(items.iter().enumerate().map(|(i, s)| (format!("k{i}"), Value::string(s.clone()))));
            let mut diags = Diagnostics::new();
            Each(OneOf(ALLOWED)).validate(&path, &map, &mut diags);
            prop_assert_eq!(diags.0.len(), items.iter().filter(|s| !ALLOWED.contains(&s.as_str())).count());
        }
    }
}
