//! What ECS refuses in a capacity provider's configuration, reported at plan time with the
//! attribute's path. The configuration may hold unknowns anywhere: a rule whose inputs are not
//! known yet stays silent (it runs again once they are).

use crate::framework::value::{AttrPath, Presence};
use crate::framework::{Diagnostics, Value};

const ASG: &str = "auto_scaling_group_provider";
const MI: &str = "managed_instances_provider";

fn text<'a>(block: Option<&'a Value>, name: &str) -> Option<&'a str> {
    block?.get(name)?.as_str()
}

pub fn check(config: &Value, diags: &mut Diagnostics) {
    let root = AttrPath::root();
    // CreateCapacityProvider `name`: "can't be prefixed with aws, ecs, or fargate".
    if let Some(name) = text(Some(config), "name") {
        let lower = name.to_ascii_lowercase();
        if let Some(prefix) = ["aws", "ecs", "fargate"]
            .iter()
            .find(|p| lower.starts_with(**p))
        {
            diags.error_at(
                root.clone().attr("name"),
                "Reserved capacity provider name",
                format!("name \"{name}\" starts with \"{prefix}\"; ECS reserves names starting with \"aws\", \"ecs\" or \"fargate\" (in any case). Choose another name."),
            );
        }
    }
    let asg = config.get(ASG);
    let mi = config.get(MI);
    let (asg_is, mi_is) = (presence(asg), presence(mi));
    match (asg_is, mi_is) {
        (Presence::Absent, Presence::Absent) => diags.error_at(
            root.clone().attr(ASG),
            "Missing capacity provider block",
            "Exactly one of `auto_scaling_group_provider` and `managed_instances_provider` must be set; neither is.",
        ),
        (Presence::Present, Presence::Present) => diags.error_at(
            root.clone().attr(MI),
            "Conflicting capacity provider blocks",
            "Exactly one of `auto_scaling_group_provider` and `managed_instances_provider` may be set; both are.",
        ),
        _ => {}
    }
    let cluster = config.get("cluster");
    if mi_is == Presence::Present && cluster.is_some_and(Value::is_null) {
        diags.error_at(
            root.clone().attr("cluster"),
            "Missing cluster",
            "`cluster` is required with `managed_instances_provider`: managed-instances providers belong to one cluster.",
        );
    }
    if asg_is == Presence::Present && cluster.is_some_and(|c| c.is_known() && !c.is_null()) {
        diags.error_at(
            root.clone().attr("cluster"),
            "Unexpected cluster",
            "`cluster` is only for `managed_instances_provider`; an Auto Scaling group provider joins clusters through `ecs_cluster_capacity_providers`.",
        );
    }
    if asg_is == Presence::Present {
        check_termination_protection(asg, &root.clone().attr(ASG), diags);
    }
    if mi_is == Presence::Present {
        check_managed_instances(mi, &root.attr(MI), diags);
    }
}

/// Whether a provider block is configured (a `dynamic` block may not be known yet).
fn presence(v: Option<&Value>) -> Presence {
    v.map_or(Presence::Absent, Value::block_presence)
}

/// AutoScalingGroupProvider: "When using managed termination protection, managed scaling must
/// also be used"; unset, managed scaling is DISABLED.
fn check_termination_protection(asg: Option<&Value>, path: &AttrPath, diags: &mut Diagnostics) {
    if text(asg, "managed_termination_protection") != Some("ENABLED") {
        return;
    }
    let scaling = asg.and_then(|a| a.get("managed_scaling"));
    let status = scaling.and_then(|s| s.get("status"));
    let scaling_on = match (scaling, status) {
        (Some(s), _) if s.is_unknown() => return,
        (_, Some(v)) if v.is_unknown() => return,
        (_, Some(v)) => v.as_str() == Some("ENABLED"),
        _ => false,
    };
    if !scaling_on {
        diags.error_at(
            path.clone().attr("managed_termination_protection"),
            "Managed termination protection needs managed scaling",
            "managed_termination_protection = \"ENABLED\" requires managed_scaling { status = \"ENABLED\" } (ECS's default is DISABLED). Enable managed scaling or set managed_termination_protection = \"DISABLED\".",
        );
    }
}

fn require(
    parent: Option<&Value>,
    name: &str,
    path: &AttrPath,
    what: &str,
    diags: &mut Diagnostics,
) {
    let Some(parent) = parent.filter(|p| p.is_known() && !p.is_null()) else {
        return;
    };
    if parent.get(name).is_some_and(Value::is_null) {
        diags.error_at(
            path.clone().attr(name),
            format!("Missing {name} block"),
            format!("`{name}` is required in `{path}`: {what}."),
        );
    }
}

fn check_managed_instances(mi: Option<&Value>, path: &AttrPath, diags: &mut Diagnostics) {
    require(
        mi,
        "instance_launch_template",
        path,
        "it says how ECS launches the instances",
        diags,
    );
    let template = mi.and_then(|m| m.get("instance_launch_template"));
    let template_path = path.clone().attr("instance_launch_template");
    require(
        template,
        "network_configuration",
        &template_path,
        "it names the instances' subnets",
        diags,
    );
    let requirements = template.and_then(|t| t.get("instance_requirements"));
    let requirements_path = template_path.attr("instance_requirements");
    require(
        requirements,
        "vcpu_count",
        &requirements_path,
        "ECS needs a vCPU range",
        diags,
    );
    require(
        requirements,
        "memory_mib",
        &requirements_path,
        "ECS needs a memory range",
        diags,
    );
    let set = |name: &str| {
        requirements
            .and_then(|r| r.get(name))
            .is_some_and(|v| !v.is_null())
    };
    if set("allowed_instance_types") && set("excluded_instance_types") {
        diags.error_at(
            requirements_path.attr("excluded_instance_types"),
            "Conflicting instance type lists",
            "Set `allowed_instance_types` or `excluded_instance_types`, not both.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::model::object;

    fn errors(config: &Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        check(config, &mut diags);
        diags
            .iter()
            .map(|d| format!("{} {}", d.summary, d.detail))
            .collect()
    }

    fn asg(protection: &str, scaling: Value) -> Value {
        object([
            (
                "auto_scaling_group_arn",
                Value::string("arn:aws:autoscaling:x"),
            ),
            ("managed_termination_protection", Value::string(protection)),
            ("managed_scaling", scaling),
        ])
    }

    fn config(name: &str, asg: Value, mi: Value, cluster: Value) -> Value {
        object([
            ("name", Value::string(name)),
            ("cluster", cluster),
            (ASG, asg),
            (MI, mi),
        ])
    }

    #[test]
    fn exactly_one_provider_block() {
        let none = errors(&config("web", Value::Null, Value::Null, Value::Null));
        assert!(none[0].contains("neither"), "{none:?}");
        let mi = object([
            (
                "infrastructure_role_arn",
                Value::string("arn:aws:iam::1:role/r"),
            ),
            ("instance_launch_template", Value::Unknown),
        ]);
        let both = errors(&config(
            "web",
            asg("DISABLED", Value::Null),
            mi,
            Value::Null,
        ));
        assert!(both.iter().any(|e| e.contains("both are")), "{both:?}");
        let unknown = errors(&config("web", Value::Unknown, Value::Null, Value::Null));
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn dynamic_blocks_not_known_yet_are_not_refused() {
        // `dynamic` blocks over `each.value` in a module: every attribute unknown at validate.
        let pending = |names: &[&'static str]| object(names.iter().map(|n| (*n, Value::Unknown)));
        let e = errors(&config(
            "web",
            pending(&["auto_scaling_group_arn", "managed_draining"]),
            pending(&["infrastructure_role_arn", "instance_launch_template"]),
            Value::Unknown,
        ));
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn reserved_prefixes_are_refused_in_any_case() {
        for name in ["awsweb", "ECS-x", "Fargate1"] {
            let e = errors(&config(
                name,
                asg("DISABLED", Value::Null),
                Value::Null,
                Value::Null,
            ));
            assert!(e[0].contains("reserves"), "{name}: {e:?}");
        }
        assert!(
            errors(&config(
                "web",
                asg("DISABLED", Value::Null),
                Value::Null,
                Value::Null
            ))
            .is_empty()
        );
    }

    #[test]
    fn termination_protection_needs_managed_scaling_enabled() {
        let off = object([("status", Value::Null)]);
        let e = errors(&config(
            "web",
            asg("ENABLED", off),
            Value::Null,
            Value::Null,
        ));
        assert!(e[0].contains("requires managed_scaling"), "{e:?}");
        let e = errors(&config(
            "web",
            asg("ENABLED", Value::Null),
            Value::Null,
            Value::Null,
        ));
        assert_eq!(e.len(), 1);
        let on = object([("status", Value::string("ENABLED"))]);
        assert!(errors(&config("web", asg("ENABLED", on), Value::Null, Value::Null)).is_empty());
        let later = object([("status", Value::Unknown)]);
        assert!(
            errors(&config(
                "web",
                asg("ENABLED", later),
                Value::Null,
                Value::Null
            ))
            .is_empty()
        );
    }

    #[test]
    fn managed_instances_need_a_cluster_and_their_required_blocks() {
        let template = object([
            ("network_configuration", Value::Null),
            (
                "instance_requirements",
                object([
                    ("vcpu_count", Value::Null),
                    ("memory_mib", object([("min", Value::number_i64(1))])),
                    ("allowed_instance_types", Value::Null),
                    ("excluded_instance_types", Value::Null),
                ]),
            ),
        ]);
        let mi = object([("instance_launch_template", template)]);
        let e = errors(&config("web", Value::Null, mi, Value::Null));
        assert!(
            e.iter().any(|m| m.contains("`cluster` is required")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("network_configuration")),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.contains("vcpu_count")), "{e:?}");
        let e = errors(&config(
            "web",
            asg("DISABLED", Value::Null),
            Value::Null,
            Value::string("c"),
        ));
        assert!(
            e[0].contains("only for `managed_instances_provider`"),
            "{e:?}"
        );
    }
}
