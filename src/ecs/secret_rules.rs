//! What Parameter Store refuses in an `ecs_secret` configuration, checked at plan time: exactly
//! one of the three value arguments, `insecure_value` only on an unencrypted type, the value
//! against `allowed_pattern`, and an AMI ID for `data_type = "aws:ec2:image"`. A sensitive value
//! is never shown in these diagnostics.

use regex::Regex;

use super::model::string;
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

/// The arguments that hold the value; the first two are sensitive.
pub const VALUE_ARGUMENTS: [&str; 3] = ["value", "value_wo", "insecure_value"];

pub const DATA_TYPES: &[&str] = &["text", "aws:ec2:image", "aws:ssm:integration"];

fn set(config: &Value, name: &str) -> bool {
    config.get(name).is_some_and(|v| !v.is_null())
}

fn known(config: &Value, name: &str) -> bool {
    config.get(name).is_none_or(Value::is_known)
}

/// Exactly one of `value`, `value_wo` and `insecure_value`.
pub fn check_value_arguments(config: &Value, diags: &mut Diagnostics) {
    let given: Vec<&str> = VALUE_ARGUMENTS
        .into_iter()
        .filter(|a| set(config, a))
        .collect();
    if given.len() > 1 {
        diags.error_at(
            AttrPath::root().attr(given[1]),
            "Conflicting values",
            format!(
                "Set exactly one of `{}` and `{}`, not both: `value`, `value_wo` and `insecure_value` are three ways to give the one value.",
                given[0], given[1]
            ),
        );
    } else if given.is_empty() && VALUE_ARGUMENTS.iter().all(|a| known(config, a)) {
        diags.error_at(
            AttrPath::root().attr("value"),
            "Missing value",
            "Set exactly one of `value` (kept in state, sensitive), `value_wo` (write-only, never stored) and `insecure_value` (not sensitive: shown in plans).",
        );
    }
}

/// `insecure_value` is shown in plans, so it cannot be a SecureString (the default type).
pub fn check_insecure_type(config: &Value, diags: &mut Diagnostics) {
    if !set(config, "insecure_value") || !known(config, "type") {
        return;
    }
    let kind = string(config, "type").unwrap_or("SecureString");
    if kind == "SecureString" {
        diags.error_at(
            AttrPath::root().attr("insecure_value"),
            "`insecure_value` needs an unencrypted type",
            "`insecure_value` is not sensitive and appears in plans, so it cannot hold a `SecureString` (the default `type`). Set `type = \"String\"` or `\"StringList\"`, or use `value` for a secret.",
        );
    }
}

/// The argument holding the value and the value, when the configuration knows it.
fn known_value(config: &Value) -> Option<(&'static str, &str)> {
    VALUE_ARGUMENTS
        .into_iter()
        .find_map(|a| string(config, a).map(|v| (a, v)))
}

/// How a value is named in a diagnostic: only `insecure_value` is shown.
fn shown(argument: &str, value: &str) -> String {
    if argument == "insecure_value" {
        format!("{value:?}")
    } else {
        format!("The value of `{argument}` (sensitive, not shown)")
    }
}

/// `allowed_pattern` as Parameter Store applies it: the whole value must match. `None` when
/// the pattern is not one this check can read (Parameter Store's regular expressions are
/// Java's; lookaround and the like are left to Parameter Store).
pub fn pattern_matcher(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).ok()
}

/// A known value that `allowed_pattern` refuses.
pub fn check_allowed_pattern(config: &Value, diags: &mut Diagnostics) {
    let Some(pattern) = string(config, "allowed_pattern").filter(|p| !p.is_empty()) else {
        return;
    };
    let Some(matcher) = pattern_matcher(pattern) else {
        return;
    };
    if let Some((argument, value)) = known_value(config)
        && !matcher.is_match(value)
    {
        diags.error_at(
            AttrPath::root().attr(argument),
            "Value does not match `allowed_pattern`",
            format!(
                "{} does not match `allowed_pattern` {pattern:?}; Parameter Store refuses it (the whole value must match).",
                shown(argument, value)
            ),
        );
    }
}

/// The form of an AMI ID: `ami-` and 8 or 17 hexadecimal digits.
pub fn is_ami_id(value: &str) -> bool {
    let Some(hex) = value.strip_prefix("ami-") else {
        return false;
    };
    matches!(hex.len(), 8 | 17)
        && hex
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// `data_type = "aws:ec2:image"` takes an AMI ID. Parameter Store checks it after answering
/// PutParameter, and then silently does not write the parameter: catch it here.
pub fn check_data_type(config: &Value, diags: &mut Diagnostics) {
    if string(config, "data_type") != Some("aws:ec2:image") {
        return;
    }
    if let Some((argument, value)) = known_value(config)
        && !is_ami_id(value)
    {
        diags.error_at(
            AttrPath::root().attr(argument),
            "Not an AMI ID",
            format!(
                "{} is not an AMI ID (`ami-` and 8 or 17 hexadecimal digits), which `data_type = \"aws:ec2:image\"` requires. Parameter Store would accept the request and then not write the parameter.",
                shown(argument, value)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::model::object;

    fn diags(config: Value) -> String {
        let mut d = Diagnostics::new();
        check_value_arguments(&config, &mut d);
        check_insecure_type(&config, &mut d);
        check_allowed_pattern(&config, &mut d);
        check_data_type(&config, &mut d);
        format!("{d:?}")
    }

    #[test]
    fn the_pattern_must_match_the_whole_value() {
        let m = pattern_matcher(r"\d{1,4}").unwrap();
        assert!(m.is_match("1234"));
        assert!(!m.is_match("12345"));
        assert!(pattern_matcher("(?<=a)b").is_none());
    }

    #[test]
    fn a_refused_secret_is_never_shown() {
        let shown = diags(object([
            ("value", Value::string("hunter2-secret")),
            ("allowed_pattern", Value::string(r"\d+")),
        ]));
        assert!(shown.contains("allowed_pattern"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let insecure = diags(object([
            ("insecure_value", Value::string("plain")),
            ("type", Value::string("String")),
            ("allowed_pattern", Value::string(r"\d+")),
        ]));
        assert!(insecure.contains("plain"), "{insecure}");
    }

    #[test]
    fn ami_ids_have_8_or_17_hex_digits() {
        assert!(is_ami_id("ami-12345678"));
        assert!(is_ami_id("ami-0123456789abcdef0"));
        assert!(!is_ami_id("ami-1234567"));
        assert!(!is_ami_id("ami-ABCDEF12"));
        assert!(!is_ami_id("image-12345678"));
        let shown = diags(object([
            ("value", Value::string("not-an-ami")),
            ("data_type", Value::string("aws:ec2:image")),
        ]));
        assert!(
            shown.contains("Not an AMI ID") && !shown.contains("not-an-ami"),
            "{shown}"
        );
    }

    #[test]
    fn insecure_value_excludes_the_others_and_secure_strings() {
        let both = diags(object([
            ("value", Value::string("a")),
            ("insecure_value", Value::string("a")),
            ("type", Value::string("String")),
        ]));
        assert!(
            both.contains("Set exactly one of `value` and `insecure_value`"),
            "{both}"
        );
        let secure = diags(object([("insecure_value", Value::string("a"))]));
        assert!(secure.contains("needs an unencrypted type"), "{secure}");
        let unknown_type = diags(object([
            ("insecure_value", Value::string("a")),
            ("type", Value::Unknown),
        ]));
        assert!(!unknown_type.contains("unencrypted"), "{unknown_type}");
    }
}
