//! Fargate platform versions against what the task definition needs: secrets from Parameter
//! Store need 1.3.0 or later, 8 and 16 vCPU tasks need 1.4.0 or later. The task definition is
//! looked up when its reference is known (at plan time, or at apply time when it was not).

use serde_json::Value as Json;

use crate::aws::Clients;
use crate::aws::raw_json;

/// `(major, minor, patch)` of `1.4.0`; `None` for `LATEST` and anything else.
fn version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// Whether a service with this launch type and these capacity providers runs on Fargate.
pub fn runs_on_fargate<'a>(
    launch_type: Option<&str>,
    mut providers: impl Iterator<Item = &'a str>,
) -> bool {
    launch_type == Some("FARGATE") || providers.any(|p| p.starts_with("FARGATE"))
}

/// Why `platform` cannot run `definition` (a DescribeTaskDefinition `taskDefinition`), if so.
pub fn problem(platform: &str, definition: &Json) -> Option<String> {
    let have = version(platform)?;
    let containers = definition
        .get("containerDefinitions")
        .and_then(Json::as_array)?;
    for c in containers {
        let secrets = c
            .get("secrets")
            .and_then(Json::as_array)
            .into_iter()
            .flatten();
        for secret in secrets {
            let from = secret.get("valueFrom").and_then(Json::as_str).unwrap_or("");
            if !from.contains(":secretsmanager:") && have < (1, 3, 0) {
                let name = c.get("name").and_then(Json::as_str).unwrap_or("");
                return Some(format!(
                    "Fargate platform version {platform} cannot inject secrets from Parameter Store, and container \"{name}\" reads \"{from}\": use \"LATEST\" or 1.3.0 or later."
                ));
            }
        }
    }
    let cpu = definition
        .get("cpu")
        .and_then(Json::as_str)
        .and_then(|c| c.parse::<u64>().ok());
    if cpu.is_some_and(|c| c >= 8192) && have < (1, 4, 0) {
        return Some(format!(
            "Tasks with {} vCPU need Fargate platform version 1.4.0 or later, not {platform}: use \"LATEST\" or 1.4.0 or later.",
            cpu.unwrap_or(0) / 1024
        ));
    }
    None
}

/// The check for a planned service (`fargate` from [`runs_on_fargate`]); `Ok(())` when it
/// passes or cannot be decided yet.
pub async fn check(
    clients: &Clients,
    fargate: bool,
    platform_version: Option<&str>,
    task_definition: Option<&str>,
) -> Result<(), String> {
    let (Some(platform), Some(reference)) = (platform_version, task_definition) else {
        return Ok(());
    };
    if !fargate || version(platform).is_none() {
        return Ok(());
    }
    let Ok(answer) = raw_json::describe_task_definition(&clients.ecs, reference).await else {
        // Not found (yet): CreateService reports it with AWS's words.
        return Ok(());
    };
    check_definition(fargate, Some(platform), answer.get("taskDefinition"))
}

/// [`check`] against a task definition already looked up (a DescribeTaskDefinition
/// `taskDefinition`; `None` when it is not known or not found).
pub fn check_definition(
    fargate: bool,
    platform_version: Option<&str>,
    definition: Option<&Json>,
) -> Result<(), String> {
    let (Some(platform), Some(definition)) = (platform_version, definition) else {
        return Ok(());
    };
    if !fargate {
        return Ok(());
    }
    match problem(platform, definition) {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn old_platforms_and_what_they_cannot_run() {
        let ssm = json!({ "containerDefinitions": [{ "name": "web", "secrets": [{ "name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/db" }] }] });
        assert!(problem("1.2.0", &ssm).unwrap().contains("1.3.0 or later"));
        assert_eq!(problem("1.3.0", &ssm), None);
        assert_eq!(problem("LATEST", &ssm), None);
        let big = json!({ "cpu": "8192", "containerDefinitions": [] });
        assert!(problem("1.3.0", &big).unwrap().contains("1.4.0 or later"));
        assert_eq!(problem("1.4.0", &big), None);
        assert!(runs_on_fargate(Some("FARGATE"), [].into_iter()));
        assert!(runs_on_fargate(None, ["FARGATE_SPOT"].into_iter()));
        assert!(!runs_on_fargate(Some("EC2"), ["custom"].into_iter()));
    }
}
