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

/// The six fields of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account_id: &'a str,
    /// Everything after the fifth colon, colons included (`task-definition/web:3`).
    pub resource: &'a str,
}

/// What an ECS or SSM parameter ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// `cluster`, `service`, `task`, `task-definition`, `container-instance`,
    /// `capacity-provider`, `task-set` or `parameter`.
    pub resource_type: String,
    /// The cluster the object belongs to (a cluster's own name for a cluster ARN); `None` for
    /// types without one and for the old ARN format of services, tasks and container instances.
    pub cluster: Option<String>,
    /// The object's name or ID: family for a task definition, the parameter name (with its
    /// leading `/` when hierarchical) for a parameter, the ID for a task or task set.
    pub name: String,
    /// A task definition's revision.
    pub revision: Option<u64>,
}

/// What the ARN parsers accept, for messages.
pub const EXPECTED: &str = "arn:PARTITION:ecs:REGION:ACCOUNT:TYPE/… with TYPE one of cluster/NAME, service/[CLUSTER/]NAME, task/[CLUSTER/]ID, task-definition/FAMILY:REVISION, container-instance/[CLUSTER/]ID, capacity-provider/NAME, task-set/CLUSTER/SERVICE/ID (ecs-svc/…); or arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME";

/// Splits an ARN into its fields; every field but the region and account may not be empty.
pub fn split(arn: &str) -> Result<Arn<'_>, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account_id, resource] = parts[..] else {
        return Err("an ARN has six fields separated by colons".into());
    };
    if prefix != "arn" {
        return Err("an ARN starts with `arn:`".into());
    }
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return Err("the partition, service and resource may not be empty".into());
    }
    Ok(Arn {
        partition,
        service,
        region,
        account_id,
        resource,
    })
}

/// Parses an ECS or SSM parameter ARN, both the old (`service/NAME`) and the new
/// (`service/CLUSTER/NAME`) formats of services, tasks and container instances.
pub fn parse(text: &str) -> Result<(Arn<'_>, Named), String> {
    let arn = split(text)?;
    if arn.region.is_empty() {
        return Err("the region may not be empty".into());
    }
    if arn.account_id.len() != 12 || !arn.account_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "the account ID is \"{}\", not 12 digits",
            arn.account_id
        ));
    }
    let (kind, rest) = arn
        .resource
        .split_once('/')
        .ok_or_else(|| format!("the resource \"{}\" has no TYPE/ prefix", arn.resource))?;
    let parts: Vec<&str> = rest.split('/').collect();
    if rest.is_empty() || (kind != "parameter" && parts.iter().any(|p| p.is_empty())) {
        return Err(format!(
            "the resource \"{}\" has an empty part",
            arn.resource
        ));
    }
    let named = |cluster: Option<&str>, name: &str| Named {
        resource_type: kind.to_string(),
        cluster: cluster.map(str::to_string),
        name: name.to_string(),
        revision: None,
    };
    let named = match (arn.service, kind, &parts[..]) {
        ("ecs", "cluster", [name]) => named(Some(name), name),
        ("ecs", "capacity-provider", [name]) => named(None, name),
        ("ecs", "service" | "task" | "container-instance", [name]) => named(None, name),
        ("ecs", "service" | "task" | "container-instance", [cluster, name]) => {
            named(Some(cluster), name)
        }
        // A task set's ID has a slash of its own: `ecs-svc/1234567890123456789`.
        ("ecs", "task-set", [cluster, _service, id @ ..]) if !id.is_empty() => {
            named(Some(cluster), &id.join("/"))
        }
        ("ecs", "task-definition", [family_revision]) => {
            let (family, revision) = family_revision
                .rsplit_once(':')
                .and_then(|(f, r)| Some((f, r.parse::<u64>().ok().filter(|r| *r > 0)?)))
                .ok_or_else(|| {
                    format!("the task definition \"{family_revision}\" is not FAMILY:REVISION")
                })?;
            Named {
                revision: Some(revision),
                ..named(None, family)
            }
        }
        // Hierarchical names keep their leading slash, which the ARN drops.
        ("ssm", "parameter", _) if !rest.starts_with('/') && !rest.ends_with('/') => {
            let name = if parts.len() > 1 {
                format!("/{rest}")
            } else {
                rest.to_string()
            };
            named(None, &name)
        }
        ("ecs" | "ssm", _, _) => {
            return Err(format!(
                "the resource \"{}\" is not one of the forms below",
                arn.resource
            ));
        }
        (service, _, _) => return Err(format!("the service is \"{service}\", not ecs or ssm")),
    };
    Ok((arn, named))
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

    proptest! {
        #[test]
        fn parse_never_panics(s in prop_oneof!["\\PC{0,60}", "arn:aws:(ecs|ssm):r:123456789012:[a-z/:-]{0,40}"]) {
            let _ = parse(&s);
        }
    }

    #[test]
    fn ecs_and_parameter_arns_parse() {
        let ok = |arn: &str| parse(arn).unwrap().1;
        let p = "arn:aws:ecs:us-east-1:123456789012:";
        let c = ok(&format!("{p}cluster/web"));
        assert_eq!(
            (c.cluster.as_deref(), c.name.as_str()),
            (Some("web"), "web")
        );
        let old = ok(&format!("{p}service/api"));
        assert_eq!((old.cluster, old.name.as_str()), (None, "api"));
        let new = ok(&format!("{p}service/web/api"));
        assert_eq!(
            (new.cluster.as_deref(), new.name.as_str()),
            (Some("web"), "api")
        );
        let td = ok(&format!("{p}task-definition/app:12"));
        assert_eq!((td.name.as_str(), td.revision), ("app", Some(12)));
        let ts = ok(&format!("{p}task-set/web/api/ecs-svc/123"));
        assert_eq!(
            (ts.cluster.as_deref(), ts.name.as_str()),
            (Some("web"), "ecs-svc/123")
        );
        let ci = ok(&format!("{p}container-instance/web/abc"));
        assert_eq!(ci.cluster.as_deref(), Some("web"));
        let q = "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/";
        assert_eq!(ok(&format!("{q}app/db/password")).name, "/app/db/password");
        assert_eq!(ok(&format!("{q}plain")).name, "plain");
    }

    #[test]
    fn malformed_arns_say_why() {
        let p = "arn:aws:ecs:us-east-1:123456789012:";
        for (arn, why) in [
            ("web", "six fields"),
            ("arn:aws:ecs:us-east-1:12:cluster/web", "not 12 digits"),
            (&format!("{p}task-definition/app"), "FAMILY:REVISION"),
            (&format!("{p}task-definition/app:0"), "FAMILY:REVISION"),
            (&format!("{p}cluster/a/b"), "not one of the forms"),
            (&format!("{p}service//api"), "empty part"),
            (&format!("{p}widget/x"), "not one of the forms"),
            (
                "arn:aws:s3:us-east-1:123456789012:bucket/x",
                "not ecs or ssm",
            ),
        ] {
            let err = parse(arn).unwrap_err();
            assert!(err.contains(why), "{arn}: {err}");
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
