//! ECS names and ARNs: users write either, state keeps what they wrote.

/// The resource name at the end of an ECS ARN (`…:cluster/NAME`), or the input if it is a name.
pub fn name_of(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

/// Letters, digits, hyphens and underscores: the alphabet of cluster, service and family names.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_name_or_arn_yields_a_suffix_without_panicking(s in prop_oneof!["\\PC{0,60}", "arn:[a-z0-9:/_-]{0,60}"]) {
            let name = name_of(&s);
            prop_assert!(s.ends_with(name));
            if s.starts_with("arn:") {
                prop_assert!(!name.contains('/'));
            } else {
                prop_assert_eq!(name, s.as_str());
            }
        }
    }

    #[test]
    fn names_from_arns() {
        assert_eq!(
            name_of("arn:aws:ecs:us-east-1:123456789012:cluster/web"),
            "web"
        );
        assert_eq!(name_of("web"), "web");
    }
}
