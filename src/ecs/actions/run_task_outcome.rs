//! How a stopped task ended: success only when every essential container exited 0; otherwise
//! the container, its exit code and reason, and the task's stop code and reason.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::{Failure, Task};

use crate::aws::Clients;

/// The task's id (the last part of its ARN).
pub fn short_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// RunTask's `failures`, one "ARN: REASON (DETAIL)" each.
pub fn failures_text(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(|f| {
            let mut text = format!(
                "{}: {}",
                f.arn().unwrap_or("(no ARN)"),
                f.reason().unwrap_or("no reason given")
            );
            if let Some(detail) = f.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The essential containers of each task definition the tasks ran, by task definition ARN. A
/// definition that cannot be described counts every container as essential.
pub async fn essential_containers(
    clients: &Clients,
    tasks: &[Task],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let arns: BTreeSet<&str> = tasks
        .iter()
        .filter_map(|t| t.task_definition_arn())
        .collect();
    for arn in arns {
        if let Ok(found) = clients
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            && let Some(td) = found.task_definition()
        {
            let names = td
                .container_definitions()
                .iter()
                .filter(|c| c.essential().unwrap_or(true))
                .filter_map(|c| c.name())
                .map(str::to_string)
                .collect();
            out.insert(arn.to_string(), names);
        }
    }
    out
}

/// `Ok` when every essential container of the stopped `task` exited 0; the diagnostic's summary
/// and detail otherwise.
pub fn judge(
    task: &Task,
    essential: &BTreeMap<String, BTreeSet<String>>,
) -> Result<(), (String, String)> {
    let id = short_id(task.task_arn().unwrap_or_default());
    let names = task.task_definition_arn().and_then(|a| essential.get(a));
    let mut problems = Vec::new();
    for c in task.containers() {
        let name = c.name().unwrap_or("unnamed");
        if names.is_some_and(|n| !n.contains(name)) {
            continue;
        }
        let reason = c
            .reason()
            .map(|r| format!(", reason: {r}"))
            .unwrap_or_default();
        match c.exit_code() {
            Some(0) => {}
            Some(code) => problems.push(format!(
                "container \"{name}\" exited with code {code}{reason}"
            )),
            None => problems.push(format!(
                "container \"{name}\" did not run to an exit code{reason}"
            )),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let stop = match (task.stop_code(), task.stopped_reason()) {
        (Some(code), Some(reason)) => {
            format!(" The task stopped with {}: {reason}.", code.as_str())
        }
        (Some(code), None) => format!(" The task stopped with {}.", code.as_str()),
        (None, Some(reason)) => format!(" The task stopped: {reason}."),
        (None, None) => String::new(),
    };
    Err((
        format!("Task {id} failed"),
        format!(
            "In task {}: {}.{stop}",
            task.task_arn().unwrap_or(id),
            problems.join("; ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{Container, TaskStopCode};

    const TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/migrate:1";

    fn task(containers: Vec<Container>, code: TaskStopCode, reason: &str) -> Task {
        Task::builder()
            .task_arn("arn:aws:ecs:us-east-1:123456789012:task/c/abc123")
            .task_definition_arn(TD)
            .set_containers(Some(containers))
            .stop_code(code)
            .stopped_reason(reason)
            .build()
    }

    fn container(name: &str, exit: Option<i32>, reason: Option<&str>) -> Container {
        Container::builder()
            .name(name)
            .set_exit_code(exit)
            .set_reason(reason.map(str::to_string))
            .build()
    }

    fn essential(names: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
        BTreeMap::from([(
            TD.to_string(),
            names.iter().map(|n| n.to_string()).collect(),
        )])
    }

    #[test]
    fn every_essential_container_exiting_zero_succeeds() {
        let t = task(
            vec![
                container("app", Some(0), None),
                container("sidecar", Some(1), None),
            ],
            TaskStopCode::EssentialContainerExited,
            "Essential container in task exited",
        );
        assert!(judge(&t, &essential(&["app"])).is_ok());
        assert!(judge(&t, &essential(&["app", "sidecar"])).is_err());
    }

    #[test]
    fn a_failure_names_container_exit_code_and_the_stop() {
        let t = task(
            vec![container("app", Some(3), None)],
            TaskStopCode::EssentialContainerExited,
            "Essential container in task exited",
        );
        let (summary, detail) = judge(&t, &essential(&["app"])).unwrap_err();
        assert_eq!(summary, "Task abc123 failed");
        assert!(
            detail.contains("container \"app\" exited with code 3"),
            "{detail}"
        );
        assert!(
            detail.contains("EssentialContainerExited: Essential container in task exited"),
            "{detail}"
        );
    }

    #[test]
    fn a_task_that_never_started_names_the_reason() {
        let t = task(
            vec![container(
                "app",
                None,
                Some("CannotPullContainerError: not found"),
            )],
            TaskStopCode::TaskFailedToStart,
            "CannotPullContainerError: not found",
        );
        let (_, detail) = judge(&t, &BTreeMap::new()).unwrap_err();
        assert!(
            detail.contains("did not run to an exit code, reason: CannotPullContainerError"),
            "{detail}"
        );
        assert!(detail.contains("TaskFailedToStart"), "{detail}");
    }

    #[test]
    fn failures_name_arn_reason_and_detail() {
        let f = Failure::builder()
            .arn("arn:c")
            .reason("RESOURCE:MEMORY")
            .detail("d")
            .build();
        assert_eq!(failures_text(&[f]), "arn:c: RESOURCE:MEMORY (d)");
    }
}
