//! ECS's rules about placement and scheduling, checked at plan time so that what CreateService
//! or UpdateService would refuse fails the plan, naming the attribute and what is allowed; and
//! the plan adjustments that keep DAEMON services and role spellings free of diffs.

use serde::Deserialize;

use super::placement::{same_field, same_role};
use super::schema::{ServicePlan, controller_of};
use crate::framework::model::{Attr, decode};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

#[derive(Deserialize)]
struct StrategyView {
    r#type: Attr<String>,
    field: Attr<String>,
}

#[derive(Deserialize)]
struct ConstraintView {
    r#type: Attr<String>,
    expression: Attr<String>,
}

/// The known items of a block list or set (unknown items and a collection not known yet are
/// left out: they are checked once known).
fn items<T: for<'de> Deserialize<'de>>(value: &Value) -> Vec<(usize, T)> {
    match decode::<Attr<Vec<Attr<T>>>>(value) {
        Ok(Attr::Known(items)) => items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| Some((i, item.into_option()?)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a block list or set has (or may have) items.
fn non_empty(value: &Value) -> bool {
    match value {
        Value::Unknown => true,
        v => v.elements().is_some_and(|e| !e.is_empty()),
    }
}

fn root(name: &str) -> AttrPath {
    AttrPath::root().attr(name)
}

/// The field rules of each placement strategy type (CreateService `placementStrategy`,
/// PlacementStrategy reference): binpack by `cpu` or `memory`, spread by a field, random by
/// none.
fn check_strategies(config: &ServicePlan, diags: &mut Diagnostics) {
    for (i, s) in items::<StrategyView>(&config.ordered_placement_strategy) {
        let path = root("ordered_placement_strategy")
            .index(i as i64)
            .attr("field");
        let (Attr::Known(kind), field) = (&s.r#type, &s.field) else {
            continue;
        };
        match (kind.as_str(), field) {
            ("random", Attr::Known(f)) => diags.error_at(
                path,
                "random placement takes no field",
                format!("A `random` strategy places tasks at random; remove `field = \"{f}\"`."),
            ),
            ("binpack", Attr::Known(f)) if f != "cpu" && f != "memory" => diags.error_at(
                path,
                "Invalid binpack field",
                format!("`binpack` packs by `cpu` or `memory` (in lower case), not \"{f}\"."),
            ),
            ("binpack" | "spread", Attr::Null) => diags.error_at(
                path,
                format!("{kind} placement needs a field"),
                if kind == "binpack" {
                    "Set `field` to `cpu` or `memory`.".to_string()
                } else {
                    "Set `field`, e.g. `instanceId` (or `host`) or `attribute:ecs.availability-zone`.".to_string()
                },
            ),
            _ => {}
        }
    }
}

/// `memberOf` selects instances by an expression; `distinctInstance` takes none
/// (PlacementConstraint reference).
fn check_constraints(config: &ServicePlan, diags: &mut Diagnostics) {
    for (_, c) in items::<ConstraintView>(&config.placement_constraints) {
        let Attr::Known(kind) = &c.r#type else {
            continue;
        };
        let path = root("placement_constraints");
        match (kind.as_str(), &c.expression) {
            ("memberOf", Attr::Null) => diags.error_at(
                path,
                "memberOf needs an expression",
                "A `memberOf` constraint selects container instances with `expression`, e.g. `attribute:ecs.instance-type =~ t3.*`.",
            ),
            ("distinctInstance", Attr::Known(e)) => diags.error_at(
                path,
                "distinctInstance takes no expression",
                format!("`distinctInstance` places each task on another instance; remove `expression = \"{e}\"`."),
            ),
            _ => {}
        }
    }
}

/// A DAEMON service runs one task on each container instance (scheduling strategy reference and
/// "Amazon ECS service deployment controllers and strategies"): no desired count, no placement
/// strategy, no capacity providers, not on Fargate, only with the ECS deployment controller; its
/// deployments never exceed one task per instance, so a maximum percent does not apply.
fn check_daemon(config: &ServicePlan, diags: &mut Diagnostics) {
    if !matches!(&config.scheduling_strategy, Attr::Known(s) if s == "DAEMON") {
        return;
    }
    let refuse = |diags: &mut Diagnostics, name: &str, why: &str| {
        diags.error_at(
            root(name),
            format!("{name} is not allowed with scheduling_strategy = \"DAEMON\""),
            format!("{why} Remove `{name}` or use `scheduling_strategy = \"REPLICA\"`."),
        )
    };
    if !config.desired_count.is_null() {
        refuse(
            diags,
            "desired_count",
            "A DAEMON service runs one task on each container instance: ECS refuses a desired count.",
        );
    }
    if !config.deployment_maximum_percent.is_null() {
        refuse(
            diags,
            "deployment_maximum_percent",
            "A DAEMON service never runs more than one task per instance: a maximum percent does not apply.",
        );
    }
    if non_empty(&config.capacity_provider_strategy) {
        refuse(
            diags,
            "capacity_provider_strategy",
            "DAEMON services run on the cluster's container instances, not through capacity providers.",
        );
    }
    if non_empty(&config.ordered_placement_strategy) {
        refuse(
            diags,
            "ordered_placement_strategy",
            "A DAEMON service places one task on every instance: ECS refuses placement strategies (constraints are allowed).",
        );
    }
    if matches!(&config.launch_type, Attr::Known(l) if l == "FARGATE") {
        refuse(
            diags,
            "launch_type",
            "Fargate has no container instances: ECS refuses DAEMON services on FARGATE.",
        );
    }
    if let Some(controller) = controller_of(&config.deployment_controller)
        && controller != "ECS"
    {
        diags.error_at(
            root("deployment_controller"),
            "deployment_controller is not allowed with scheduling_strategy = \"DAEMON\"",
            format!("ECS runs DAEMON services only with the ECS deployment controller, not {controller}."),
        );
    }
}

/// Every rule of this area on a configuration.
pub fn validate(config: &ServicePlan, diags: &mut Diagnostics) {
    check_strategies(config, diags);
    check_constraints(config, diags);
    check_daemon(config, diags);
    // Fargate places tasks itself: ECS refuses placement strategies there.
    if matches!(&config.launch_type, Attr::Known(l) if l == "FARGATE")
        && non_empty(&config.ordered_placement_strategy)
    {
        diags.error_at(
            root("ordered_placement_strategy"),
            "ordered_placement_strategy is not supported on Fargate",
            "ECS refuses placement strategies for the FARGATE launch type (Fargate spreads tasks over Availability Zones itself). Remove the blocks or use the EC2 or EXTERNAL launch type.",
        );
    }
}

/// Adjust a plan: DAEMON services carry no desired count or maximum percent (null, as read
/// back, instead of the REPLICA defaults), and another spelling of the prior role or of a prior
/// strategy field is no change.
pub fn plan(config: &ServicePlan, prior: Option<&ServicePlan>, plan: &mut ServicePlan) {
    if matches!(&plan.scheduling_strategy, Attr::Known(s) if s == "DAEMON") {
        if config.desired_count.is_null() {
            plan.desired_count = Value::Null;
        }
        if config.deployment_maximum_percent.is_null() {
            plan.deployment_maximum_percent = Value::Null;
        }
    }
    if let Some(prior) = prior {
        keep_prior_fields(
            &mut plan.ordered_placement_strategy,
            &prior.ordered_placement_strategy,
        );
    }
    if let Some(prior) = prior
        && let (Attr::Known(new), Attr::Known(old)) = (&plan.iam_role, &prior.iam_role)
        && new != old
        && same_role(new, old)
    {
        plan.iam_role = prior.iam_role.clone();
    }
}

/// A strategy field that names the prior one in another spelling (`host` for `instanceId`,
/// `MEMORY` for `memory`, as an import reads them) keeps the prior spelling: no change.
fn keep_prior_fields(planned: &mut Value, prior: &Value) {
    let (Value::List(items), Some(prior_items)) = (planned, prior.elements()) else {
        return;
    };
    for (item, old) in items.iter_mut().zip(prior_items) {
        let same_type = item.get("type") == old.get("type");
        let (Some(new), Some(old_field)) = (
            item.get("field").and_then(Value::as_str),
            old.get("field").and_then(Value::as_str),
        ) else {
            continue;
        };
        if same_type && new != old_field && same_field(new, old_field) {
            let old_field = Value::string(old_field);
            if let Value::Object(fields) = item {
                fields.insert("field".into(), old_field);
            }
        }
    }
}

/// Whether a change of `iam_role` replaces the service (another spelling of the same role does
/// not).
pub fn role_differs(old: &Value, new: &Value) -> bool {
    match (old.as_str(), new.as_str()) {
        (Some(a), Some(b)) => !same_role(a, b),
        _ => old != new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::service::schema::schema;
    use crate::framework::model::encode;

    fn service(edit: impl FnOnce(&mut ServicePlan)) -> ServicePlan {
        let imported = crate::ecs::service::schema::ServiceModel::imported("c".into(), "s".into());
        let value = encode(&imported, &schema().implied_type()).unwrap();
        let mut plan = decode::<ServicePlan>(&value).unwrap();
        edit(&mut plan);
        plan
    }

    fn strategy(t: &str, f: &str) -> Value {
        Value::object([("type", Value::string(t)), ("field", Value::string(f))])
    }

    #[test]
    fn imported_spellings_of_the_same_role_and_fields_plan_no_change() {
        let prior = service(|p| {
            p.iam_role = Attr::Known("arn:aws:iam::123456789012:role/ecs-elb".into());
            p.ordered_placement_strategy = Value::list([
                strategy("spread", "instanceId"),
                strategy("binpack", "MEMORY"),
            ]);
        });
        let config = service(|p| {
            p.iam_role = Attr::Known("ecs-elb".into());
            p.ordered_placement_strategy =
                Value::list([strategy("spread", "host"), strategy("binpack", "memory")]);
        });
        let mut planned = config.clone();
        plan(&config, Some(&prior), &mut planned);
        assert_eq!(planned.iam_role, prior.iam_role);
        assert_eq!(
            planned.ordered_placement_strategy,
            prior.ordered_placement_strategy
        );

        let other = service(|p| {
            p.iam_role = Attr::Known("other".into());
            p.ordered_placement_strategy = Value::list([strategy("spread", "attribute:x")]);
        });
        let mut planned = other.clone();
        plan(&other, Some(&prior), &mut planned);
        assert_eq!(planned, other, "other values are changes");
    }

    #[test]
    fn a_daemon_plan_has_no_desired_count_or_maximum_percent() {
        let config = service(|p| p.scheduling_strategy = Attr::Known("DAEMON".into()));
        let mut planned = service(|p| {
            p.scheduling_strategy = Attr::Known("DAEMON".into());
            p.desired_count = Value::number_i64(1);
            p.deployment_maximum_percent = Value::number_i64(200);
        });
        plan(&config, None, &mut planned);
        assert_eq!(planned.desired_count, Value::Null);
        assert_eq!(planned.deployment_maximum_percent, Value::Null);
        let mut diags = Diagnostics::new();
        let config = service(|p| {
            p.scheduling_strategy = Attr::Known("DAEMON".into());
            p.desired_count = Value::number_i64(1);
        });
        validate(&config, &mut diags);
        assert!(diags.has_errors());
    }
}
