use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Beyond this many places the canonical text switches to scientific notation, so a literal
/// like `1e100000` stays small.
const MAX_PLAIN_PLACES: i64 = 400;

/// Every finite f64 has at most 1074 fractional decimal digits, so printing this many places
/// shows its exact binary value with no rounding.
const F64_EXACT_PLACES: usize = 1074;

/// An arbitrary-precision decimal number (cty numbers are not floats).
///
/// It is kept as canonical decimal text, so equal numbers have equal text and derived
/// equality and hashing are numeric: `1`, `1.0` and `1e0` are the same number. The text is
/// plain decimal (`12345678901234567890123`, `-2.5`, `0.001`) unless the number needs more
/// than 400 places, where it becomes scientific (`1e1000`, `-1.5e-500`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(String);

/// sign × 0.DIGITS × 10^point; `digits` has no leading or trailing zeros and is empty for zero.
struct Decimal<'a> {
    negative: bool,
    digits: std::borrow::Cow<'a, str>,
    point: i64,
}

impl Number {
    pub fn from_i64(n: i64) -> Self {
        Self(n.to_string())
    }

    pub fn from_u64(n: u64) -> Self {
        Self(n.to_string())
    }

    /// The shortest decimal that reads back as `f` (what people mean by the float: `0.1`, not
    /// its binary approximation). `None` for NaN and infinities, which cty numbers cannot hold.
    pub fn from_f64(f: f64) -> Option<Self> {
        f.is_finite()
            .then(|| Self::parse(&format!("{f}")))
            .flatten()
    }

    /// The exact binary value of `f` (`0.1` becomes `0.1000000000000000055511151231257827…`).
    /// The msgpack decoder uses this so a float Terraform sends goes back bit-identical.
    pub fn from_f64_exact(f: f64) -> Option<Self> {
        f.is_finite()
            .then(|| Self::parse(&format!("{f:.F64_EXACT_PLACES$}")))
            .flatten()
    }

    /// Parses decimal text such as `-12.5`, `1e400`, `.5` or `0.001` into canonical form.
    pub fn parse(text: &str) -> Option<Self> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e = &rest[i + 1..];
                // i64's parser accepts a sign, but only one, and no empty text.
                (&rest[..i], e.parse::<i64>().ok()?)
            }
            None => (rest, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let all = format!("{int_part}{frac_part}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0');
        if digits.is_empty() {
            return Some(Self("0".into()));
        }
        // The point sits after int_part, shifted by the exponent and the stripped zeros.
        let point = exponent
            .checked_add(i64::try_from(int_part.len()).ok()?)?
            .checked_sub(i64::try_from(lead).ok()?)?;
        // Keep headroom so later arithmetic on the exponent cannot overflow.
        if point.unsigned_abs() > (i64::MAX as u64) / 2 {
            return None;
        }
        Some(Self::render(&Decimal {
            negative,
            digits: digits.into(),
            point,
        }))
    }

    fn render(d: &Decimal<'_>) -> Self {
        let sign = if d.negative { "-" } else { "" };
        let digits = d.digits.as_ref();
        let len = digits.len() as i64;
        let text = if d.point >= len && d.point - len <= MAX_PLAIN_PLACES {
            format!("{sign}{digits}{}", "0".repeat((d.point - len) as usize))
        } else if d.point > 0 && d.point < len {
            let (a, b) = digits.split_at(d.point as usize);
            format!("{sign}{a}.{b}")
        } else if d.point <= 0 && -d.point < MAX_PLAIN_PLACES {
            format!("{sign}0.{}{digits}", "0".repeat((-d.point) as usize))
        } else {
            let (first, more) = digits.split_at(1);
            let dot = if more.is_empty() { "" } else { "." };
            format!("{sign}{first}{dot}{more}e{}", d.point - 1)
        };
        Self(text)
    }

    /// Splits the canonical text back into sign, significant digits and point position.
    fn decimal(&self) -> Decimal<'_> {
        let (negative, rest) = match self.0.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, self.0.as_str()),
        };
        let (mantissa, exp) = match rest.split_once('e') {
            Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
            None => (rest, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int_part == "0" && frac_part.is_empty() {
            return Decimal {
                negative: false,
                digits: "".into(),
                point: 0,
            };
        }
        if int_part == "0" {
            let digits = frac_part.trim_start_matches('0');
            let zeros = (frac_part.len() - digits.len()) as i64;
            return Decimal {
                negative,
                digits: digits.into(),
                point: -zeros,
            };
        }
        let digits = if frac_part.is_empty() {
            int_part.trim_end_matches('0').into()
        } else {
            format!("{int_part}{frac_part}").into()
        };
        Decimal {
            negative,
            digits,
            point: int_part.len() as i64 + exp,
        }
    }

    /// The number as an i64, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as a u64, if it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The nearest f64 (infinite when out of range).
    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The f64 with exactly this value, if there is one.
    pub fn to_f64_exact(&self) -> Option<f64> {
        let d = self.decimal();
        // An f64's exact expansion has at most 767 significant digits and 1074 places.
        if d.digits.len() > 767 || (d.digits.len() as i64 - d.point) > F64_EXACT_PLACES as i64 {
            return None;
        }
        let f = self.as_f64();
        (Self::from_f64_exact(f).as_ref() == Some(self)).then_some(f)
    }

    pub fn is_integer(&self) -> bool {
        let d = self.decimal();
        d.point >= d.digits.len() as i64
    }

    pub fn is_zero(&self) -> bool {
        self.0 == "0"
    }

    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }

    /// The canonical text (the same as `Display`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.decimal(), other.decimal());
        let sign = |d: &Decimal<'_>| match (d.digits.is_empty(), d.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (sa, sb) = (sign(&a), sign(&b));
        if sa != sb || sa == 0 {
            return sa.cmp(&sb);
        }
        // Leading digits are non-zero, so the point position orders magnitudes first; then the
        // digit strings order like fractions.
        let magnitude = a
            .point
            .cmp(&b.point)
            .then_with(|| a.digits.as_ref().cmp(b.digits.as_ref()));
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Number {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| format!("{s:?} is not a number"))
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Self::from_i64(n)
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Self::from_u64(n)
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Self::from_i64(n.into())
    }
}

#[cfg(test)]
mod tests {
    use super::Number;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(n("1.0"), n("1"));
        assert_eq!(n("1e0"), n("1"));
        assert_eq!(n("+1"), n("1"));
        assert_eq!(n("-2.50").to_string(), "-2.5");
        assert_eq!(n("0.001").to_string(), "0.001");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("5.").to_string(), "5");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1500e-3").to_string(), "1.5");
        assert_eq!(n("0.00120E2").to_string(), "0.12");
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("-0.000").to_string(), "0");
        assert_eq!(n("000123.4500").to_string(), "123.45");
        assert_eq!(
            n("12345678901234567890123").to_string(),
            "12345678901234567890123"
        );
        assert_eq!(n("1e400").to_string(), format!("1{}", "0".repeat(400)));
        assert_eq!(n("1e401").to_string(), "1e401");
        assert_eq!(n("-15e401").to_string(), "-1.5e402");
        assert_eq!(n("1e-400").to_string(), format!("0.{}1", "0".repeat(399)));
        assert_eq!(n("1.5e-401").to_string(), "1.5e-401");
        assert_eq!(n("1.5e-401"), n("0.15e-400"));
        for s in ["1e401", "-1.5e401", "1.5e-401", "123.456", "0", "-7"] {
            assert_eq!(n(s), n(&n(s).to_string()), "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for s in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            "--1",
            "+-1",
            " 1",
            "NaN",
            "inf",
            "1_000",
            "0x10",
            "1e99999999999999999999",
        ] {
            assert!(Number::parse(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(n("42").as_i64(), Some(42));
        assert_eq!(n("4.2e1").as_i64(), Some(42));
        assert_eq!(n("4.5").as_i64(), None);
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("9223372036854775808").as_u64(), Some(1 << 63));
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(
            Number::from_u64(u64::MAX).to_string(),
            "18446744073709551615"
        );
        assert_eq!(n("2.5").as_f64(), 2.5);
        assert_eq!(n("1e401").as_f64(), f64::INFINITY);
        assert!(n("1e401").is_integer());
        assert!(!n("1.5e-401").is_integer());
        assert!(!n("0.5").is_integer());
        assert!(n("-3").is_negative() && !n("0").is_negative() && n("-0").is_zero());
    }

    #[test]
    fn floats() {
        assert_eq!(Number::from_f64(1.5).unwrap().to_string(), "1.5");
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Number::from_f64(-0.0).unwrap().to_string(), "0");
        assert_eq!(Number::from_f64(1e300).unwrap(), n("1e300"));
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!(Number::from_f64(f64::INFINITY).is_none());
        assert_eq!(
            Number::from_f64_exact(0.1).unwrap().to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(Number::from_f64_exact(1.5).unwrap(), n("1.5"));
        let tiny = Number::from_f64_exact(f64::from_bits(1)).unwrap();
        assert_eq!(tiny.to_f64_exact(), Some(f64::from_bits(1)));
        assert_eq!(n("1.5").to_f64_exact(), Some(1.5));
        assert_eq!(n("0.1").to_f64_exact(), None);
        assert_eq!(
            Number::from_f64_exact(0.1).unwrap().to_f64_exact(),
            Some(0.1)
        );
        assert_eq!(n("1e400").to_f64_exact(), None);
    }

    #[test]
    fn ordering_is_numeric() {
        let sorted = [
            "-1e500", "-100", "-9.5", "-9", "-0.5", "-1e-500", "0", "1e-500", "0.001", "0.01",
            "0.1", "0.12", "1", "1.5", "9", "10", "100.5", "1e500",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(n(a).cmp(&n(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }
}
