//! Actions: operations Terraform invokes without keeping state, `ecs_run_task` (a one-off task,
//! e.g. a database migration before a deploy) and `ecs_service_redeploy` (a new deployment of
//! a service, followed to its end).

pub mod run_task;
mod run_task_outcome;
pub mod service_redeploy;

use std::time::Duration;

use crate::framework::Value;
use crate::framework::schema::Attribute;
use crate::framework::schema::validators::IntBetween;

/// How long an action waits unless its `timeout` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1200);

/// The `timeout` argument both actions share.
fn timeout_attribute(what: &str) -> Attribute {
    Attribute::number("timeout")
        .optional()
        .validate(IntBetween {
            min: 1,
            max: 86_400,
        })
        .description(format!(
            "Seconds to wait for {what}, 1 to 86400. Default 1200."
        ))
}

fn timeout(seconds: Option<i64>) -> Duration {
    seconds
        .and_then(|s| u64::try_from(s).ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}

/// Whether a configuration value is set (known and not null).
fn is_set(config: &Value, name: &str) -> bool {
    config
        .get(name)
        .is_some_and(|v| !v.is_null() && *v != Value::Unknown)
}
