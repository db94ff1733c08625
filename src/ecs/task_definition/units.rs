//! Task sizes as ECS stores them: `"1 vCPU"` is 1024 CPU units, `"2 GB"` is 2048 MiB.

/// CPU units for `"256"`, `"1 vCPU"`, `"0.5 vcpu"`; other text is returned trimmed.
pub fn cpu_units(text: &str) -> String {
    with_unit(text, "vcpu").unwrap_or_else(|| text.trim().to_string())
}

/// MiB for `"512"`, `"2 GB"`, `"0.5gb"`; other text is returned trimmed.
pub fn memory_mib(text: &str) -> String {
    with_unit(text, "gb").unwrap_or_else(|| text.trim().to_string())
}

/// `amount × 1024` when `text` is a number followed by `unit` (any case, optional space).
fn with_unit(text: &str, unit: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let amount: f64 = lower.strip_suffix(unit)?.trim().parse().ok()?;
    let scaled = amount * 1024.0;
    (scaled.fract() == 0.0 && scaled > 0.0).then(|| format!("{}", scaled as u64))
}

/// Whether the text is a size ECS accepts: a whole number, or a number with the unit.
pub fn valid(text: &str, unit: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && (t.chars().all(|c| c.is_ascii_digit()) || with_unit(t, unit).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert() {
        assert_eq!(cpu_units("1 vCPU"), "1024");
        assert_eq!(cpu_units(".25 vcpu"), "256");
        assert_eq!(cpu_units("512"), "512");
        assert_eq!(memory_mib("2 GB"), "2048");
        assert_eq!(memory_mib("0.5GB"), "512");
        assert!(valid("1 vCPU", "vcpu") && valid("256", "vcpu"));
        assert!(!valid("a lot", "vcpu") && !valid("", "gb") && !valid("1.5", "gb"));
    }
}
