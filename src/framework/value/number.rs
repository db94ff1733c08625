use std::fmt;

/// An arbitrary-precision decimal number, kept as its canonical decimal text so equal numbers
/// compare equal ("1", "1.0" and "1e0" are the same number).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Number(String);

impl Number {
    pub fn from_i64(n: i64) -> Self {
        Self(n.to_string())
    }

    pub fn from_u64(n: u64) -> Self {
        Self(n.to_string())
    }

    /// Finite floats only; cty has no NaN.
    pub fn from_f64(f: f64) -> Option<Self> {
        if !f.is_finite() {
            return None;
        }
        // Rust prints the shortest text that round-trips, which is what cty shows too.
        Self::parse(&format!("{f}"))
    }

    /// Parses decimal text (`-12.5`, `1e400`, `0.001`) into its canonical form.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .chars()
            .chain(frac_part.chars())
            .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut digits: String = format!("{int_part}{frac_part}");
        let mut exp = exponent - frac_part.len() as i64; // value = digits * 10^exp
        let trimmed = digits.trim_start_matches('0').to_string();
        digits = trimmed;
        if digits.is_empty() {
            return Some(Self("0".into()));
        }
        while digits.ends_with('0') {
            digits.pop();
            exp += 1;
        }
        let sign = if negative { "-" } else { "" };
        let text = if exp >= 0 {
            if exp > 400 {
                format!("{sign}{digits}e{exp}")
            } else {
                format!("{sign}{digits}{}", "0".repeat(exp as usize))
            }
        } else {
            let point = digits.len() as i64 + exp;
            if point > 0 {
                let (a, b) = digits.split_at(point as usize);
                format!("{sign}{a}.{b}")
            } else if point > -400 {
                format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
            } else {
                format!("{sign}{digits}e{exp}")
            }
        };
        Some(Self(text))
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    pub fn is_integer(&self) -> bool {
        !self.0.contains(['.', 'e'])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Number;

    #[test]
    fn canonical_forms() {
        assert_eq!(Number::parse("1.0"), Number::parse("1"));
        assert_eq!(Number::parse("1e0"), Number::parse("1"));
        assert_eq!(Number::parse("-2.50").unwrap().to_string(), "-2.5");
        assert_eq!(Number::parse("0.001").unwrap().to_string(), "0.001");
        assert_eq!(Number::parse("1e3").unwrap().to_string(), "1000");
        assert_eq!(
            Number::parse("12345678901234567890123")
                .unwrap()
                .to_string(),
            "12345678901234567890123"
        );
        assert_eq!(Number::from_f64(1.5).unwrap().to_string(), "1.5");
        assert_eq!(Number::parse("-0").unwrap().to_string(), "0");
        assert!(Number::parse("abc").is_none());
    }
}
