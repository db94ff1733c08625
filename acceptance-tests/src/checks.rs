//! Expectations on plans (`terraform show -json PLANFILE`) and states (`terraform show -json`).

use std::fmt;

use regex::Regex;
use serde_json::Value;

use crate::ctx::{self, CheckResult, Ctx, Hook};
use crate::state::{self, get_path, list_or_none};

/// The planned action for one resource instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `["create"]`
    Create,
    /// `["update"]` (in place)
    Update,
    /// `["delete","create"]` or `["create","delete"]` (`create_before_destroy`)
    Replace,
    /// `["delete"]`
    Delete,
    /// `["no-op"]`
    NoOp,
    /// `["read"]` (a data source read during apply)
    Read,
    /// `["forget"]` (a `removed` block with `destroy = false`)
    Forget,
}

impl Action {
    /// The action named by a plan's `change.actions` list.
    pub fn from_plan(actions: &[Value]) -> Option<Action> {
        let names: Vec<&str> = actions.iter().filter_map(Value::as_str).collect();
        Some(match names.as_slice() {
            ["create"] => Action::Create,
            ["update"] => Action::Update,
            ["delete", "create"] | ["create", "delete"] => Action::Replace,
            ["delete"] => Action::Delete,
            ["no-op"] => Action::NoOp,
            ["read"] => Action::Read,
            ["forget"] => Action::Forget,
            _ => return None,
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Forget => "forget",
        })
    }
}

/// The `resource_changes` entry of a plan for `address`.
pub fn resource_change<'a>(plan: &'a Value, address: &str) -> Option<&'a Value> {
    plan.get("resource_changes")?
        .as_array()?
        .iter()
        .find(|c| c.get("address").and_then(Value::as_str) == Some(address))
}

/// `address: action` for every resource change in the plan (for error messages).
pub fn plan_summary(plan: &Value) -> Vec<String> {
    plan.get("resource_changes")
        .and_then(Value::as_array)
        .map(|changes| {
            changes
                .iter()
                .map(|c| {
                    let addr = c.get("address").and_then(Value::as_str).unwrap_or("?");
                    let action = c
                        .pointer("/change/actions")
                        .and_then(Value::as_array)
                        .and_then(|a| Action::from_plan(a))
                        .map_or("?".to_string(), |a| a.to_string());
                    let importing = if c.pointer("/change/importing").is_some() {
                        " (importing)"
                    } else {
                        ""
                    };
                    format!("{addr}: {action}{importing}")
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The planned action for `address`, or a message naming the planned addresses.
pub fn planned_action(plan: &Value, address: &str) -> Result<Action, String> {
    let change = resource_change(plan, address).ok_or_else(|| {
        format!(
            "{address} is not in the plan (planned: {})",
            list_or_none(&plan_summary(plan))
        )
    })?;
    let actions = change
        .pointer("/change/actions")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{address}: plan has no change.actions"))?;
    Action::from_plan(actions).ok_or_else(|| {
        format!(
            "{address}: unknown actions {}",
            Value::Array(actions.clone())
        )
    })
}

/// Check every `(address, action)` pair; all mismatches are reported together.
pub fn check_actions(plan: &Value, expected: &[(String, Action)]) -> Result<(), String> {
    let problems: Vec<String> = expected
        .iter()
        .filter_map(|(addr, want)| match planned_action(plan, addr) {
            Ok(got) if got == *want => None,
            Ok(got) => Some(format!("{addr}: expected {want}, planned {got}")),
            Err(e) => Some(e),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "planned actions differ:\n{}\nfull plan: {}",
            problems.join("\n"),
            list_or_none(&plan_summary(plan))
        ))
    }
}

type ValueCheck = Box<dyn Fn(&Value) -> Result<(), String> + Send + Sync>;

/// A check on the plan of a step, run before the apply.
pub struct PlanCheck {
    description: String,
    check: ValueCheck,
}

impl PlanCheck {
    /// Attribute `path` of `address` is unknown until apply (`after_unknown`).
    pub fn unknown(address: &str, path: &str) -> Self {
        let (a, p) = (address.to_string(), path.to_string());
        Self::custom(
            &format!("{address}.{path} is unknown in the plan"),
            move |plan| {
                let change = resource_change(plan, &a).ok_or_else(|| format!("{a} not in plan"))?;
                match change
                    .pointer("/change/after_unknown")
                    .and_then(|u| get_path(u, &p))
                {
                    Some(Value::Bool(true)) => Ok(()),
                    _ => {
                        let after = change
                            .pointer("/change/after")
                            .and_then(|v| get_path(v, &p))
                            .cloned()
                            .unwrap_or(Value::Null);
                        Err(format!("planned value is known: {after}"))
                    }
                }
            },
        )
    }

    /// Attribute `path` of `address` is planned as `value`.
    pub fn after_eq(address: &str, path: &str, value: Value) -> Self {
        let (a, p) = (address.to_string(), path.to_string());
        Self::custom(
            &format!("{address}.{path} is planned as {value}"),
            move |plan| {
                let change = resource_change(plan, &a).ok_or_else(|| format!("{a} not in plan"))?;
                let got = change
                    .pointer("/change/after")
                    .and_then(|v| get_path(v, &p))
                    .unwrap_or(&Value::Null);
                if *got == value {
                    Ok(())
                } else {
                    Err(format!("planned {got}"))
                }
            },
        )
    }

    /// Any check on the whole plan JSON.
    pub fn custom(
        description: &str,
        check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        PlanCheck {
            description: description.to_string(),
            check: Box::new(check),
        }
    }

    /// Run the check; the error names the expectation.
    pub fn run(&self, plan: &Value) -> Result<(), String> {
        guarded(|| (self.check)(plan)).map_err(|e| format!("{}: {e}", self.description))
    }
}

enum StateCheckKind {
    Sync(ValueCheck),
    Async(Hook),
}

/// A check on the state after a step's apply.
pub struct StateCheck {
    description: String,
    kind: StateCheckKind,
}

impl StateCheck {
    fn attr_check(
        address: &str,
        path: &str,
        description: String,
        check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        let (a, p) = (address.to_string(), path.to_string());
        StateCheck {
            description,
            kind: StateCheckKind::Sync(Box::new(move |st| check(state::attr(st, &a, &p)?))),
        }
    }

    /// `address.path` equals `value` (compare with `serde_json::json!`).
    pub fn attr_eq(address: &str, path: &str, value: Value) -> Self {
        let description = format!("{address}.{path} == {value}");
        Self::attr_check(address, path, description, move |got| {
            if *got == value {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        })
    }

    /// `address.path` is a list holding the same elements as `value` in any order (sets are
    /// stored as lists whose order Terraform chooses).
    pub fn attr_set_eq(address: &str, path: &str, value: Value) -> Self {
        let description = format!("{address}.{path} == {value} (in any order)");
        let sorted = |v: &Value| -> Option<Vec<String>> {
            let mut items: Vec<String> = v.as_array()?.iter().map(canonical).collect();
            items.sort();
            Some(items)
        };
        Self::attr_check(address, path, description, move |got| {
            if sorted(got).is_some() && sorted(got) == sorted(&value) {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        })
    }

    /// `address.path` is set: not null, not an empty string, list or map.
    pub fn attr_set(address: &str, path: &str) -> Self {
        Self::attr_check(address, path, format!("{address}.{path} is set"), |got| {
            let empty = match got {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            if empty {
                Err(format!("got {got}"))
            } else {
                Ok(())
            }
        })
    }

    /// `address.path` is null (or absent).
    pub fn attr_null(address: &str, path: &str) -> Self {
        Self::attr_check(address, path, format!("{address}.{path} is null"), |got| {
            if got.is_null() {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        })
    }

    /// `address.path` is a string matching the regular expression `pattern`.
    pub fn attr_regex(address: &str, path: &str, pattern: &str) -> Self {
        let re = Regex::new(pattern);
        let description = format!("{address}.{path} matches /{pattern}/");
        Self::attr_check(address, path, description, move |got| {
            let re = re.as_ref().map_err(|e| format!("invalid regex: {e}"))?;
            match got.as_str() {
                Some(s) if re.is_match(s) => Ok(()),
                _ => Err(format!("got {got}")),
            }
        })
    }

    /// `address.path` satisfies `predicate`, described by `what` in failure messages.
    pub fn attr_matches(
        address: &str,
        path: &str,
        what: &str,
        predicate: impl Fn(&Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::attr_check(
            address,
            path,
            format!("{address}.{path} {what}"),
            move |got| {
                if predicate(got) {
                    Ok(())
                } else {
                    Err(format!("got {got}"))
                }
            },
        )
    }

    /// The resource is in the state.
    pub fn exists(address: &str) -> Self {
        let a = address.to_string();
        StateCheck {
            description: format!("{address} exists"),
            kind: StateCheckKind::Sync(Box::new(move |st| {
                state::resource_values(st, &a).map(|_| ())
            })),
        }
    }

    /// The resource is not in the state.
    pub fn absent(address: &str) -> Self {
        let a = address.to_string();
        StateCheck {
            description: format!("{address} is not in the state"),
            kind: StateCheckKind::Sync(Box::new(move |st| match state::resource(st, &a) {
                None => Ok(()),
                Some(_) => Err("it is".to_string()),
            })),
        }
    }

    /// Any check on the whole state JSON.
    pub fn state(
        description: &str,
        check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        StateCheck {
            description: description.to_string(),
            kind: StateCheckKind::Sync(Box::new(check)),
        }
    }

    /// An async check with the test context, e.g. reading the resource back with the SDK:
    /// `StateCheck::custom("cluster is ACTIVE", |ctx| async move { … })`.
    pub fn custom<F, Fut>(description: &str, f: F) -> Self
    where
        F: Fn(Ctx) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = CheckResult> + Send + 'static,
    {
        StateCheck {
            description: description.to_string(),
            kind: StateCheckKind::Async(ctx::hook(f)),
        }
    }

    /// Run the check; the error names the expectation.
    pub async fn run(&self, ctx: &Ctx) -> Result<(), String> {
        let result = match &self.kind {
            StateCheckKind::Sync(check) => guarded(|| check(ctx.state())),
            StateCheckKind::Async(hook) => ctx::run_hook(hook, ctx.clone()).await,
        };
        result.map_err(|e| format!("{}: {e}", self.description))
    }
}

fn guarded(f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(format!("panicked: {}", ctx::panic_message(p.as_ref()))))
}

/// JSON text with object keys sorted, so equal values print equally whatever their key order.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}
