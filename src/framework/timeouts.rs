//! The `timeouts { create = "20m" }` block and Go-style duration strings.

use std::time::Duration;

use super::diag::Diagnostics;
use super::schema::validators::Validator;
use super::schema::{Attribute, Block, NestedBlock};
use super::value::{AttrPath, Value};

/// A `timeouts` block with one optional string attribute per operation.
pub fn block(operations: &[&str]) -> NestedBlock {
    let mut block = Block::new().description("How long operations may take before they fail.");
    for op in operations {
        block = block.attribute(
            Attribute::string(*op)
                .optional()
                .validate(GoDuration)
                .description(format!(
                    "How long {op} may take, e.g. `30s`, `10m`, `1h30m`."
                )),
        );
    }
    NestedBlock::single("timeouts", block)
}

/// The timeout for `operation` from an object holding a `timeouts` attribute, else `default`.
pub fn get(object: &Value, operation: &str, default: Duration) -> Duration {
    object
        .get("timeouts")
        .and_then(|t| t.get(operation))
        .and_then(Value::as_str)
        .and_then(parse_duration)
        .unwrap_or(default)
}

/// Parses `1h30m`, `90s`, `1.5m`, `250ms` as Go's `time.ParseDuration` does (non-negative only).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return None;
        }
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    Some(Duration::from_secs_f64(total))
}

struct GoDuration;

impl Validator for GoDuration {
    fn description(&self) -> String {
        "A duration such as `30s`, `10m` or `1h30m`.".into()
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && parse_duration(s).is_none()
        {
            diags.error_at(
                    path.clone(),
                    "Invalid duration",
                    format!("{path} is \"{s}\"; use a number with a unit (h, m, s, ms), such as \"30s\", \"10m\" or \"1h30m\"."),
                );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5m"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("ten minutes"), None);
    }
}
