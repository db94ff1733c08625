//! Plan-time checks of the namespace modes and placement constraints, as RegisterTaskDefinition
//! enforces them (ECS API reference, RegisterTaskDefinition `ipcMode`, `pidMode` and
//! TaskDefinitionPlacementConstraint): `ipcMode` is not supported on Fargate or for Windows
//! containers; `pidMode` is not supported for Windows containers and on Fargate takes only
//! `task`; a `memberOf` constraint needs its expression. Unknown values are skipped.

use serde::Deserialize;

use crate::framework::model::{Attr, decode};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    ipc_mode: Attr<String>,
    pid_mode: Attr<String>,
    requires_compatibilities: Attr<Vec<Attr<String>>>,
    runtime_platform: Attr<Platform>,
    placement_constraints: Attr<Vec<Constraint>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Platform {
    operating_system_family: Attr<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Constraint {
    #[serde(rename = "type")]
    kind: Attr<String>,
    expression: Attr<String>,
}

impl Config {
    fn fargate(&self) -> bool {
        self.requires_compatibilities
            .known()
            .is_some_and(|c| c.iter().any(|v| v.known().is_some_and(|c| c == "FARGATE")))
    }

    /// The operating system family when it is a Windows one.
    fn windows(&self) -> Option<&str> {
        self.runtime_platform
            .known()
            .and_then(|p| p.operating_system_family.known())
            .map(String::as_str)
            .filter(|family| family.starts_with("WINDOWS"))
    }
}

fn at(name: &str) -> AttrPath {
    AttrPath::root().attr(name)
}

pub fn check(config: &Value, diags: &mut Diagnostics) {
    // A configuration these views cannot hold (unknown collections) is checked again later.
    let Ok(config) = decode::<Config>(config) else {
        return;
    };
    if let Attr::Known(mode) = &config.ipc_mode {
        if config.fargate() {
            diags.error_at(
                at("ipc_mode"),
                "ipc_mode is not supported on Fargate",
                format!("ipc_mode is \"{mode}\", but requires_compatibilities includes FARGATE, which does not support an IPC mode: leave ipc_mode out."),
            );
        }
        if let Some(family) = config.windows() {
            diags.error_at(
                at("ipc_mode"),
                "ipc_mode is not supported for Windows containers",
                format!("ipc_mode is \"{mode}\", but runtime_platform.operating_system_family is {family}: leave ipc_mode out."),
            );
        }
    }
    if let Attr::Known(mode) = &config.pid_mode {
        if let Some(family) = config.windows() {
            diags.error_at(
                at("pid_mode"),
                "pid_mode is not supported for Windows containers",
                format!("pid_mode is \"{mode}\", but runtime_platform.operating_system_family is {family}: leave pid_mode out."),
            );
        } else if config.fargate() && mode != "task" {
            diags.error_at(
                at("pid_mode"),
                "Fargate takes only pid_mode = \"task\"",
                format!("pid_mode is \"{mode}\", but requires_compatibilities includes FARGATE, where the only allowed value is \"task\"."),
            );
        }
    }
    for c in config.placement_constraints.known().into_iter().flatten() {
        let missing =
            c.expression.is_null() || c.expression.known().is_some_and(|e| e.trim().is_empty());
        if c.kind.known().is_some_and(|k| k == "memberOf") && missing {
            diags.error_at(
                at("placement_constraints"),
                "memberOf needs an expression",
                "A placement constraint of type \"memberOf\" places tasks only on instances matching its `expression` (cluster query language, e.g. `attribute:ecs.instance-type =~ t3.*`); set one.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(attrs: Vec<(&str, Value)>) -> Vec<(String, String)> {
        let mut diags = Diagnostics::new();
        check(&Value::object(attrs), &mut diags);
        diags
            .iter()
            .map(|d| (format!("{:?}", d.path), d.summary.clone()))
            .collect()
    }

    fn fargate() -> (&'static str, Value) {
        (
            "requires_compatibilities",
            Value::set(vec![Value::string("FARGATE")]),
        )
    }

    fn windows() -> (&'static str, Value) {
        (
            "runtime_platform",
            Value::object([(
                "operating_system_family",
                Value::string("WINDOWS_SERVER_2022_CORE"),
            )]),
        )
    }

    #[test]
    fn fargate_refuses_ipc_mode_and_pid_mode_host() {
        let found = errors(vec![fargate(), ("ipc_mode", Value::string("task"))]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("ipc_mode"), "{found:?}");
        let found = errors(vec![fargate(), ("pid_mode", Value::string("host"))]);
        assert!(found[0].1.contains("only pid_mode = \"task\""), "{found:?}");
        assert!(errors(vec![fargate(), ("pid_mode", Value::string("task"))]).is_empty());
        assert!(
            errors(vec![
                ("ipc_mode", Value::string("host")),
                ("pid_mode", Value::string("host"))
            ])
            .is_empty()
        );
    }

    #[test]
    fn windows_refuses_both_modes() {
        let found = errors(vec![
            windows(),
            ("ipc_mode", Value::string("none")),
            ("pid_mode", Value::string("task")),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|(_, s)| s.contains("Windows")),
            "{found:?}"
        );
    }

    #[test]
    fn member_of_needs_an_expression_and_unknowns_pass() {
        let constraint = |expression: Value| {
            Value::set(vec![Value::object([
                ("type", Value::string("memberOf")),
                ("expression", expression),
            ])])
        };
        assert_eq!(
            errors(vec![("placement_constraints", constraint(Value::Null))]).len(),
            1
        );
        assert!(errors(vec![("placement_constraints", constraint(Value::Unknown))]).is_empty());
        assert!(errors(vec![("ipc_mode", Value::Unknown), fargate()]).is_empty());
        assert!(errors(vec![("placement_constraints", Value::Unknown)]).is_empty());
    }
}
