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

/// The longest duration accepted: a year, far beyond any operation (a longer one is a typo).
pub const MAX_DURATION: Duration = Duration::from_secs(8760 * 3600);

/// The timeout for `operation` from an object holding a `timeouts` attribute, else `default`.
/// Validation refuses bad durations; should one get here anyway, it never panics: unreadable
/// means `default`, too long means [`MAX_DURATION`].
pub fn get(object: &Value, operation: &str, default: Duration) -> Duration {
    let text = object
        .get("timeouts")
        .and_then(|t| t.get(operation))
        .and_then(Value::as_str);
    match text.map(parse_duration) {
        Some(Ok(d)) => d,
        Some(Err(DurationError::TooLong)) => MAX_DURATION,
        Some(Err(_)) | None => default,
    }
}

/// Why a duration string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not Go duration syntax.
    Syntax,
    /// Go allows negative durations; a timeout cannot be negative.
    Negative,
    /// Longer than [`MAX_DURATION`].
    TooLong,
}

/// Nanoseconds per unit, as Go's `time.ParseDuration` names them.
const UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses `1h30m`, `90s`, `1.5m`, `250ms` as Go's `time.ParseDuration` does, in exact integer
/// nanoseconds, up to [`MAX_DURATION`]. Arithmetic saturates, so no input can overflow.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let s = s.trim();
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(DurationError::Syntax);
    }
    let max = MAX_DURATION.as_nanos();
    // Anything above `max` is "too long"; capping keeps every product and sum in range.
    let cap = max + 1;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut whole: u128 = 0;
        for d in rest[..int_len].bytes() {
            whole = (whole * 10 + u128::from(d - b'0')).min(cap);
        }
        rest = &rest[int_len..];
        let mut fraction: u128 = 0;
        let mut scale: u128 = 1;
        let mut frac_len = 0;
        if let Some(after) = rest.strip_prefix('.') {
            frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            // Digits beyond the 18th are below a nanosecond even in hours.
            for d in after[..frac_len].bytes().take(18) {
                fraction = fraction * 10 + u128::from(d - b'0');
                scale *= 10;
            }
            rest = &after[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(DurationError::Syntax);
        }
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let Some((_, nanos)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(DurationError::Syntax);
        };
        rest = &rest[unit_len..];
        let part = whole
            .saturating_mul(*nanos)
            .saturating_add(fraction * nanos / scale);
        total = total.saturating_add(part).min(cap);
    }
    if negative && total > 0 {
        return Err(DurationError::Negative);
    }
    if total > max {
        return Err(DurationError::TooLong);
    }
    // `total` <= `max`, a year of nanoseconds, which fits a u64.
    Ok(Duration::from_nanos(
        u64::try_from(total).unwrap_or(u64::MAX),
    ))
}

/// Validates a Go duration string, at most [`MAX_DURATION`].
struct GoDuration;

impl Validator for GoDuration {
    fn description(&self) -> String {
        "A duration such as `30s`, `10m` or `1h30m`, at most `8760h` (a year).".into()
    }

    fn validate(&self, path: &AttrPath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        let why = match parse_duration(s) {
            Ok(_) => return,
            Err(DurationError::Syntax) => "which is not a duration",
            Err(DurationError::Negative) => "which is negative",
            Err(DurationError::TooLong) => "which is longer than the maximum of 8760h (a year)",
        };
        diags.error_at(
            path.clone(),
            "Invalid duration",
            format!(
                "{path} is \"{s}\", {why}. Use numbers with units (h, m, s, ms, us, ns), such as \"30s\", \"10m\" or \"1h30m\", up to \"8760h\"."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::validate::{ValidateOptions, validate_block};
    use proptest::prelude::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("+2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("\u{b5}s"), Err(DurationError::Syntax));
        assert_eq!(parse_duration("3\u{b5}s"), Ok(Duration::from_micros(3)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("-0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("10"), Err(DurationError::Syntax));
        assert_eq!(parse_duration("."), Err(DurationError::Syntax));
        assert_eq!(parse_duration("ten minutes"), Err(DurationError::Syntax));
        assert_eq!(parse_duration("1d"), Err(DurationError::Syntax));
        assert_eq!(parse_duration("-5m"), Err(DurationError::Negative));
    }

    #[test]
    fn durations_stop_at_a_year() {
        assert_eq!(parse_duration("8760h"), Ok(MAX_DURATION));
        assert_eq!(parse_duration("525600m"), Ok(MAX_DURATION));
        assert_eq!(parse_duration("8760h1ns"), Err(DurationError::TooLong));
        assert_eq!(
            parse_duration("99999999999999999999h"),
            Err(DurationError::TooLong)
        );
        let huge = format!("{}s", "9".repeat(400));
        assert_eq!(parse_duration(&huge), Err(DurationError::TooLong));
    }

    #[test]
    fn timeouts_beyond_a_year_fail_validation_at_their_path() {
        let schema = Block::new().block(block(&["create"]));
        let config = Value::object([(
            "timeouts",
            Value::object([("create", Value::string("99999999999999999999h"))]),
        )]);
        let mut diags = Diagnostics::new();
        let opts = ValidateOptions {
            write_only_allowed: true,
        };
        validate_block(&schema, &AttrPath::root(), &config, &opts, &mut diags);
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let d = &diags.0[0];
        assert_eq!(
            d.path.as_ref().map(ToString::to_string).as_deref(),
            Some("timeouts.create")
        );
        assert!(d.detail.starts_with("timeouts.create is"), "{}", d.detail);
        assert!(d.detail.contains("8760h"), "{}", d.detail);
    }

    #[test]
    fn get_never_panics_on_what_validation_would_refuse() {
        let with = |text: &str| {
            Value::object([("timeouts", Value::object([("create", Value::string(text))]))])
        };
        let default = Duration::from_secs(60);
        assert_eq!(
            get(&with("99999999999999999999h"), "create", default),
            MAX_DURATION
        );
        assert_eq!(get(&with("soon"), "create", default), default);
        assert_eq!(
            get(&with("2m"), "create", default),
            Duration::from_secs(120)
        );
    }

    /// A Go duration written from parts, with its value in nanoseconds.
    fn spelled_duration() -> impl Strategy<Value = (String, u128)> {
        let part = (0u64..100_000, prop::sample::select(&UNITS[..]));
        prop::collection::vec(part, 1..5).prop_map(|parts| {
            let text = parts
                .iter()
                .map(|(n, (unit, _))| format!("{n}{unit}"))
                .collect();
            let nanos = parts.iter().map(|(n, (_, per))| u128::from(*n) * per).sum();
            (text, nanos)
        })
    }

    /// What `get` makes of a refused duration stays within [`MAX_DURATION`].
    fn get_is_bounded(s: &str, e: DurationError) -> bool {
        let object = Value::object([("timeouts", Value::object([("create", Value::string(s))]))]);
        let got = get(&object, "create", Duration::from_secs(1));
        match e {
            DurationError::TooLong => got == MAX_DURATION,
            _ => got == Duration::from_secs(1),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_string_parses_or_is_refused_without_panicking(s in "\\PC{0,40}") {
            if let Ok(d) = parse_duration(&s) {
                prop_assert!(d <= MAX_DURATION);
            }
            // The validator agrees with the parser and, when it refuses, names the path.
            let path = AttrPath::root().attr("timeouts").attr("create");
            let mut diags = Diagnostics::new();
            GoDuration.validate(&path, &Value::string(s.clone()), &mut diags);
            prop_assert_eq!(diags.has_errors(), parse_duration(&s).is_err());
            for d in &diags.0 {
                prop_assert!(d.detail.starts_with("timeouts.create is"));
            }
            let _ = get(&Value::object([("timeouts", Value::object([("create", Value::string(s))]))]), "create", Duration::ZERO);
        }

        #[test]
        fn digit_and_unit_soup_never_panics(
            soup in "[0-9.+\\-hmsnu\u{b5}\u{3bc}]{0,60}",
            // Well-formed but with runs of up to 40 digits: far beyond any clock.
            huge in "[+-]?([0-9]{1,40}(\\.[0-9]{0,25})?(h|m|s|ms|us|ns|\u{b5}s|d|)){1,4}",
        ) {
            for s in [soup, huge] {
                match parse_duration(&s) {
                    Ok(d) => prop_assert!(d <= MAX_DURATION),
                    Err(e) => prop_assert!(get_is_bounded(&s, e)),
                }
            }
        }

        #[test]
        fn spelled_durations_are_exact_or_too_long((text, nanos) in spelled_duration()) {
            match parse_duration(&text) {
                Ok(d) => prop_assert_eq!(d.as_nanos(), nanos),
                Err(e) => {
                    prop_assert_eq!(e, DurationError::TooLong);
                    prop_assert!(nanos > MAX_DURATION.as_nanos());
                }
            }
        }

        #[test]
        fn concatenation_adds((a, x) in spelled_duration(), (b, y) in spelled_duration()) {
            let joined = parse_duration(&format!("{a}{b}"));
            match (parse_duration(&a), parse_duration(&b)) {
                (Ok(p), Ok(q)) if p + q <= MAX_DURATION => prop_assert_eq!(joined, Ok(p + q)),
                _ => prop_assert!(x + y > MAX_DURATION.as_nanos() && joined == Err(DurationError::TooLong)),
            }
        }
    }
}
