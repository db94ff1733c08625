//! Plan-time rules for what ECS refuses in a service's deployment settings, each naming the
//! attribute and what is allowed. Values not known yet are never an error: the rule runs again
//! once they are.

use super::schema::controller_of;
use crate::framework::value::{AttrPath, Presence};
use crate::framework::{Diagnostics, Value};

/// A known string attribute of an object value; `Err(())` while unknown.
fn text<'a>(object: Option<&'a Value>, name: &str) -> Result<Option<&'a str>, ()> {
    match object.and_then(|o| o.get(name)) {
        Some(v) if !v.is_known() => Err(()),
        Some(v) => Ok(v.as_str()),
        None => Ok(None),
    }
}

/// The single block `name` of `object`: `Err(())` while unknown (also a `dynamic` block whose
/// `for_each` is not known yet), `Ok(None)` when absent.
fn block<'a>(object: &'a Value, name: &str) -> Result<Option<&'a Value>, ()> {
    match object.get(name) {
        Some(v) if v.block_presence() == Presence::Unknown => Err(()),
        Some(v) if v.is_null() => Ok(None),
        Some(Value::List(items)) | Some(Value::Set(items)) => Ok(items.first()),
        Some(v) => Ok(Some(v)),
        None => Ok(None),
    }
}

/// Whether the configuration gives ECS a second target group or Service Connect to shift
/// traffic with; `None` while that is not known yet.
fn has_traffic_shift(config: &Value) -> Option<bool> {
    let balancers = config.get("load_balancer")?;
    if !balancers.is_known() {
        return None;
    }
    let mut alternate = false;
    for lb in balancers.elements().unwrap_or(&[]) {
        match lb.get("advanced_configuration") {
            Some(a) if !a.is_known() => return None,
            Some(a) if !a.is_null() && a.elements().is_none_or(|e| !e.is_empty()) => {
                alternate = true
            }
            _ => {}
        }
    }
    // Service Connect, where the schema has it.
    let connect = match block(config, "service_connect_configuration") {
        Err(()) => return None,
        Ok(Some(c)) => match c.get("enabled") {
            Some(e) if !e.is_known() => return None,
            Some(e) => e.as_bool() == Some(true),
            None => false,
        },
        Ok(None) => false,
    };
    Some(alternate || connect)
}

/// The rules that need only the configuration.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let Ok(deployment) = block(config, "deployment_configuration") else {
        return;
    };
    let Some(deployment) = deployment else {
        return;
    };
    let at = AttrPath::root().attr("deployment_configuration");
    let Ok(strategy) = text(Some(deployment), "strategy") else {
        return;
    };
    let strategy = strategy.unwrap_or("ROLLING");
    for (name, wanted) in [
        ("linear_configuration", "LINEAR"),
        ("canary_configuration", "CANARY"),
    ] {
        if matches!(block(deployment, name), Ok(Some(_))) && strategy != wanted {
            diags.error_at(
                at.clone().attr(name),
                format!("{name} needs strategy {wanted}"),
                format!("deployment_configuration.{name} only applies to `strategy = \"{wanted}\"` (ECS refuses it with {strategy}). Remove the block or set the strategy to {wanted}."),
            );
        }
    }
    if strategy == "ROLLING" {
        return;
    }
    if let Some(controller) =
        controller_of(config.get("deployment_controller").unwrap_or(&Value::Null))
        && controller != "ECS"
    {
        diags.error_at(
            at.clone().attr("strategy"),
            format!("The {strategy} strategy needs the ECS deployment controller"),
            format!("ECS runs {strategy} deployments only for services with `deployment_controller {{ type = \"ECS\" }}`; this service uses {controller}. Use the ECS controller or `strategy = \"ROLLING\"`."),
        );
    }
    if has_traffic_shift(config) == Some(false) {
        diags.error_at(
            AttrPath::root().attr("load_balancer"),
            format!("The {strategy} strategy needs a second target group"),
            format!("ECS shifts traffic between two target groups in {strategy} deployments: add `advanced_configuration {{ alternate_target_group_arn, production_listener_rule, role_arn }}` to a `load_balancer` block, or use Service Connect."),
        );
    }
}

/// The rules that compare the plan with the prior state.
pub fn check_plan(prior: &Value, planned: &Value, diags: &mut Diagnostics) {
    let none = Value::Null;
    let old = controller_of(prior.get("deployment_controller").unwrap_or(&none));
    let new = controller_of(planned.get("deployment_controller").unwrap_or(&none));
    let (old_td, new_td) = (prior.get("task_definition"), planned.get("task_definition"));
    if old.as_deref() == Some("CODE_DEPLOY")
        && new.as_deref() == Some("CODE_DEPLOY")
        && new_td.is_some_and(Value::is_known)
        && old_td != new_td
    {
        diags.error_at(
            AttrPath::root().attr("task_definition"),
            "A CODE_DEPLOY service cannot change its task definition in place",
            "ECS refuses UpdateService with a new task definition for services with the CODE_DEPLOY deployment controller (\"Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.\"). Deploy the new revision with a CodeDeploy deployment and add `lifecycle { ignore_changes = [task_definition] }`, or move the service to `deployment_controller { type = \"ECS\" }` in the same change.",
        );
    }
    if old.as_deref() == Some("ECS") && new.as_deref().is_some_and(|n| n != "ECS") {
        let deployment = block(planned, "deployment_configuration").ok().flatten();
        let blue_green = text(deployment, "strategy").ok().flatten() == Some("BLUE_GREEN");
        let on = |name: &str| {
            block(planned, name)
                .ok()
                .flatten()
                .and_then(|b| b.get("enable"))
                .and_then(Value::as_bool)
                == Some(true)
        };
        if blue_green || on("alarms") || on("deployment_circuit_breaker") {
            diags.error_at(
                AttrPath::root().attr("deployment_controller").attr("type"),
                "The deployment controller cannot leave ECS with these deployment settings",
                "ECS refuses to move a service from the ECS controller to another while its deployment configuration has alarms, a deployment circuit breaker or the BLUE_GREEN strategy. Remove `alarms` and `deployment_circuit_breaker` (or disable them) and use `strategy = \"ROLLING\"` first.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(strategy: &str, extra: Vec<(&'static str, Value)>) -> Value {
        let mut attrs = vec![
            (
                "deployment_configuration",
                Value::object([
                    ("strategy", Value::string(strategy)),
                    ("linear_configuration", Value::Null),
                    ("canary_configuration", Value::Null),
                ]),
            ),
            ("deployment_controller", Value::Null),
            ("load_balancer", Value::set([])),
        ];
        for (k, v) in extra {
            attrs.retain(|(n, _)| *n != k);
            attrs.push((k, v));
        }
        Value::object(attrs)
    }

    fn errors(config: &Value) -> String {
        let mut diags = Diagnostics::new();
        validate(config, &mut diags);
        format!("{diags:?}")
    }

    #[test]
    fn blue_green_needs_an_alternate_target_group_and_the_ecs_controller() {
        assert!(errors(&service("BLUE_GREEN", vec![])).contains("second target group"));
        let lb = Value::set([Value::object([(
            "advanced_configuration",
            Value::object([("alternate_target_group_arn", Value::string("arn:x"))]),
        )])]);
        assert_eq!(
            errors(&service("BLUE_GREEN", vec![("load_balancer", lb.clone())])),
            errors(&service("ROLLING", vec![]))
        );
        let cd = Value::object([("type", Value::string("CODE_DEPLOY"))]);
        assert!(
            errors(&service(
                "LINEAR",
                vec![("load_balancer", lb), ("deployment_controller", cd)]
            ))
            .contains("needs the ECS deployment controller")
        );
        assert!(
            !errors(&service("CANARY", vec![("load_balancer", Value::Unknown)]))
                .contains("target group")
        );
    }

    #[test]
    fn step_blocks_belong_to_their_strategy() {
        let linear = Value::object([
            ("strategy", Value::string("CANARY")),
            (
                "linear_configuration",
                Value::object([("step_percent", Value::Null)]),
            ),
            ("canary_configuration", Value::Null),
        ]);
        let out = errors(&service(
            "CANARY",
            vec![("deployment_configuration", linear)],
        ));
        assert!(
            out.contains("linear_configuration needs strategy LINEAR"),
            "{out}"
        );
    }

    #[test]
    fn code_deploy_services_keep_their_task_definition() {
        let cd = Value::object([("type", Value::string("CODE_DEPLOY"))]);
        let state = |td: &str| {
            Value::object([
                ("deployment_controller", cd.clone()),
                ("task_definition", Value::string(td)),
            ])
        };
        let mut diags = Diagnostics::new();
        check_plan(&state("web:1"), &state("web:2"), &mut diags);
        assert!(format!("{diags:?}").contains("CODE_DEPLOY service cannot change"));
        let mut quiet = Diagnostics::new();
        check_plan(&state("web:1"), &state("web:1"), &mut quiet);
        assert!(!quiet.has_errors());
    }
}
