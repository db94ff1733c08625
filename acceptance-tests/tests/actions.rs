//! Actions end to end with the Terraform CLI: `terraform apply -invoke` of `ecs_run_task`
//! (success for exit 0, a failure naming the exit code and stop reason for exit 3, RunTask's
//! placement failures), an `action_trigger` running the migration task before the service it
//! belongs to is created and updated, `ecs_service_redeploy` starting a new deployment and
//! following it to its end (or to its failure), progress lines in the CLI output, and
//! plan-time diagnostics naming the attribute, and an `ecs_cluster` destroy while a task
//! started with `wait = false` still runs (refused without `force_destroy`, the task stopped
//! with it). OpenTofu has no actions: skipped there.

use std::sync::Arc;

use acceptance_tests::env::{self, Cli};
use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{Endpoint, Terraform, real_aws, skip_without_acc, unique_name};

const NO_ACTIONS: &str = "OpenTofu has no actions";

struct Setup {
    endpoint: Arc<Endpoint>,
    tf: Terraform,
    cluster: String,
    family: String,
    subnet: String,
    _work: tempfile::TempDir,
}

/// A dedicated endpoint (tasks stop after 4 s, long enough to be seen RUNNING) and a working directory; `None` when the
/// test is skipped.
async fn setup(test: &str, flags: &[&str]) -> Option<Setup> {
    if skip_without_acc(test) || real_aws() || env::skip_under(Cli::Tofu, test, NO_ACTIONS) {
        return None;
    }
    let mut all = vec!["--task-seconds", "4", "--steady-seconds", "0.5"];
    all.extend_from_slice(flags);
    let endpoint = Arc::new(Endpoint::start(&all).unwrap());
    let subnet = default_subnet(endpoint.url()).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    Some(Setup {
        endpoint,
        tf,
        cluster: unique_name("acc-act"),
        family: unique_name("acc-act-td"),
        subnet,
        _work: work,
    })
}

/// A cluster, a Fargate task definition, the migration action running `command` and, when
/// `service` is given, a service (its body) too.
fn config(s: &Setup, command: &str, action_extra: &str, service: Option<&str>) -> String {
    let (cluster, family, subnet) = (&s.cluster, &s.family, &s.subnet);
    let service = service
        .map(|body| {
            format!(
                r#"
resource "ecs_service" "web" {{
  name            = "web"
  cluster         = ecs_cluster.c.name
  task_definition = ecs_task_definition.t.arn
  launch_type     = "FARGATE"
  network_configuration {{
    subnets = ["{subnet}"]
  }}
  {body}
}}

action "ecs_service_redeploy" "web" {{
  config {{
    cluster = ecs_cluster.c.name
    service = "web"
    timeout = 120
  }}
}}
"#
            )
        })
        .unwrap_or_default();
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_task_definition" "t" {{
  family                   = "{family}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name  = "app"
    image = "busybox"
  }}])
}}

action "ecs_run_task" "migrate" {{
  config {{
    cluster         = ecs_cluster.c.name
    task_definition = ecs_task_definition.t.arn
    launch_type     = "FARGATE"
    started_by      = "migrations"
    timeout         = 60
    network_configuration {{
      subnets = ["{subnet}"]
    }}
    overrides {{
      container_overrides {{
        name    = "app"
        command = ["sh", "-c", "{command}"]
        environment {{
          key   = "STEP"
          value = "migrate"
        }}
      }}
    }}
    {action_extra}
  }}
}}
{service}
"#
    )
}

fn output(out: &acceptance_tests::CmdOutput) -> String {
    out.combined()
}

async fn apply(s: &Setup) {
    s.tf.apply()
        .await
        .unwrap_or_else(|out| panic!("apply failed:\n{}", output(&out)));
}

async fn destroy(s: &Setup) {
    s.tf.destroy()
        .await
        .unwrap_or_else(|out| panic!("destroy failed:\n{}", output(&out)));
}

#[tokio::test]
async fn invoking_run_task_succeeds_for_exit_0_and_fails_naming_exit_code_3() {
    let test = "invoking_run_task_succeeds_for_exit_0_and_fails_naming_exit_code_3";
    let Some(s) = setup(test, &[]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "./migrate && exit 0", "", None))
        .unwrap();
    apply(&s).await;
    s.endpoint.reset_stats().await.unwrap();
    let ok =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .unwrap_or_else(|out| panic!("the migration failed:\n{}", output(&out)));
    let text = output(&ok);
    for line in [
        "Action action.ecs_run_task.migrate",
        ": RUNNING",
        ": STOPPED",
        "every essential container exited 0",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    let calls = s.endpoint.calls().await.unwrap();
    assert_eq!(
        calls.iter().filter(|c| *c == "ecs:RunTask").count(),
        1,
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("ecs:Create")),
        "-invoke runs only the action: {calls:?}"
    );

    s.tf.write_config(&config(&s, "exit 3", "", None)).unwrap();
    let failed =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .expect_err("exit 3 must fail the invocation");
    let text = output(&failed);
    for part in [
        "container \"app\" exited with code 3",
        "EssentialContainerExited",
        "Essential container in task exited",
    ] {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }

    // Without waiting, the action ends once the task is started, whatever it does later.
    s.tf.write_config(&config(&s, "exit 3", "wait = false", None))
        .unwrap();
    let started =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .unwrap_or_else(|out| panic!("wait = false must not wait:\n{}", output(&out)));
    let text = output(&started);
    assert!(text.contains(" started: arn:aws:ecs:"), "{text}");
    assert!(!text.contains(": STOPPED"), "{text}");
    destroy(&s).await;
}

#[tokio::test]
async fn placement_failures_fail_the_invocation_naming_the_reason() {
    let test = "placement_failures_fail_the_invocation_naming_the_reason";
    let Some(s) = setup(test, &["--run-task-failure", "RESOURCE:MEMORY"]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "", None)).unwrap();
    apply(&s).await;
    let failed =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .expect_err("RunTask failures must fail the invocation");
    let text = output(&failed);
    assert!(text.contains("ECS could not place the task"), "{text}");
    assert!(text.contains("RESOURCE:MEMORY"), "{text}");
    destroy(&s).await;
}

#[tokio::test]
async fn a_task_that_fails_to_start_fails_the_invocation_with_its_stop_code() {
    let test = "a_task_that_fails_to_start_fails_the_invocation_with_its_stop_code";
    let Some(s) = setup(test, &["--tasks-fail-to-start"]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "", None)).unwrap();
    apply(&s).await;
    let failed =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .expect_err("a task that never started fails the invocation");
    let text = output(&failed);
    for part in [
        "container \"app\" did not run to an exit code",
        "CannotPullContainerError",
        "TaskFailedToStart",
    ] {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }
    destroy(&s).await;
}

#[tokio::test]
async fn an_action_trigger_runs_the_migration_before_the_service_is_created_and_updated() {
    let test = "an_action_trigger_runs_the_migration_before_the_service_is_created_and_updated";
    let Some(s) = setup(test, &[]).await else {
        return;
    };
    let service = |count: u32| {
        format!(
            r#"desired_count = {count}
  lifecycle {{
    action_trigger {{
      events  = [before_create, before_update]
      actions = [action.ecs_run_task.migrate]
    }}
  }}"#
        )
    };
    let order = |calls: &[String], later: &str| {
        let run = calls.iter().position(|c| c == "ecs:RunTask");
        let then = calls.iter().position(|c| c == later);
        assert!(
            matches!((run, then), (Some(r), Some(t)) if r < t),
            "RunTask must come before {later}: {calls:?}"
        );
    };
    s.tf.write_config(&config(&s, "exit 0", "", Some(&service(1))))
        .unwrap();
    s.endpoint.reset_stats().await.unwrap();
    let created =
        s.tf.apply()
            .await
            .unwrap_or_else(|out| panic!("apply failed:\n{}", output(&out)));
    assert!(
        output(&created).contains("Action action.ecs_run_task.migrate"),
        "{}",
        output(&created)
    );
    order(&s.endpoint.calls().await.unwrap(), "ecs:CreateService");

    s.tf.write_config(&config(&s, "exit 0", "", Some(&service(2))))
        .unwrap();
    s.endpoint.reset_stats().await.unwrap();
    apply(&s).await;
    order(&s.endpoint.calls().await.unwrap(), "ecs:UpdateService");

    // A failing migration stops the update: the service keeps its desired count.
    s.tf.write_config(&config(&s, "exit 3", "", Some(&service(3))))
        .unwrap();
    s.endpoint.reset_stats().await.unwrap();
    let failed =
        s.tf.apply()
            .await
            .expect_err("the failed migration stops the apply");
    assert!(
        output(&failed).contains("exited with code 3"),
        "{}",
        output(&failed)
    );
    let calls = s.endpoint.calls().await.unwrap();
    assert!(
        !calls.iter().any(|c| c == "ecs:UpdateService"),
        "no update after a failed migration: {calls:?}"
    );
    destroy(&s).await;
}

/// The PRIMARY deployment's id and how many deployments ECS lists for the service.
async fn deployments(s: &Setup) -> (String, usize) {
    let ecs = s.endpoint.ecs_client().await;
    let out = ecs
        .describe_services()
        .cluster(&s.cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    let primary = out.services()[0]
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .unwrap_or_default()
        .to_string();
    let listed = ecs
        .list_service_deployments()
        .cluster(&s.cluster)
        .service("web")
        .send()
        .await
        .unwrap();
    (primary, listed.service_deployments().len())
}

#[tokio::test]
async fn redeploy_starts_a_new_deployment_and_follows_it_to_completion() {
    let test = "redeploy_starts_a_new_deployment_and_follows_it_to_completion";
    let Some(s) = setup(test, &[]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "", Some("desired_count = 1")))
        .unwrap();
    apply(&s).await;
    let (before, listed) = deployments(&s).await;
    let done =
        s.tf.invoke("action.ecs_service_redeploy.web")
            .await
            .unwrap_or_else(|out| panic!("the redeploy failed:\n{}", output(&out)));
    let text = output(&done);
    let (after, now_listed) = deployments(&s).await;
    assert_ne!(before, after, "a new PRIMARY deployment");
    assert_eq!(now_listed, listed + 1, "one more service deployment");
    for line in [
        "Action action.ecs_service_redeploy.web",
        "Forcing a new deployment of service web",
        "tasks running",
        "COMPLETED",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    let plan = s.tf.plan(None).await.unwrap();
    assert_eq!(
        plan.status,
        0,
        "an action leaves no diff:\n{}",
        output(&plan)
    );
    destroy(&s).await;
}

#[tokio::test]
async fn a_failing_redeploy_fails_with_the_deployment_reason() {
    let test = "a_failing_redeploy_fails_with_the_deployment_reason";
    let Some(s) = setup(test, &["--fail-deployments"]).await else {
        return;
    };
    let body = "desired_count = 1\n  wait_for_steady_state = false";
    s.tf.write_config(&config(&s, "exit 0", "", Some(body)))
        .unwrap();
    apply(&s).await;
    let failed =
        s.tf.invoke("action.ecs_service_redeploy.web")
            .await
            .expect_err("a failed deployment fails the action");
    let text = output(&failed);
    assert!(
        text.contains("The new deployment of service \"web\" failed"),
        "{text}"
    );
    assert!(text.contains("circuit breaker"), "{text}");
    destroy(&s).await;
}

#[tokio::test]
async fn bad_action_configuration_is_refused_at_plan_naming_the_attribute() {
    let test = "bad_action_configuration_is_refused_at_plan_naming_the_attribute";
    let Some(s) = setup(test, &[]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "count = 0", None))
        .unwrap();
    let zero = s.tf.plan(None).await.expect_err("count 0 is refused");
    let text = output(&zero);
    assert!(text.contains("count"), "{text}");
    assert!(
        text.contains("between 1 and 10") || text.contains("1 to 10"),
        "{text}"
    );

    let missing = config(&s, "exit 0", "", None).replace(
        "    cluster         = ecs_cluster.c.name\n    task_definition",
        "    task_definition",
    );
    s.tf.write_config(&missing).unwrap();
    let out =
        s.tf.plan(None)
            .await
            .expect_err("a missing cluster is refused");
    let text = output(&out);
    assert!(text.contains("\"cluster\" is required"), "{text}");

    let both = config(
        &s,
        "exit 0",
        "capacity_provider_strategy {\n      capacity_provider = \"FARGATE\"\n    }",
        None,
    );
    s.tf.write_config(&both).unwrap();
    let out =
        s.tf.plan(None)
            .await
            .expect_err("launch type and strategy conflict");
    let text = output(&out);
    assert!(text.contains("launch_type"), "{text}");
    assert!(text.contains("capacity_provider_strategy"), "{text}");
}

/// PlanAction looks the task definition up once it exists: an override naming a container it
/// does not have fails the plan at that attribute, before anything runs.
#[tokio::test]
async fn an_override_of_a_container_the_task_definition_lacks_fails_the_plan() {
    let test = "an_override_of_a_container_the_task_definition_lacks_fails_the_plan";
    let Some(s) = setup(test, &[]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "", None)).unwrap();
    apply(&s).await;
    let renamed = config(&s, "exit 0", "", None).replace("name    = \"app\"", "name    = \"nope\"");
    s.tf.write_config(&renamed).unwrap();
    s.endpoint.reset_stats().await.unwrap();
    let out =
        s.tf.invoke("action.ecs_run_task.migrate")
            .await
            .expect_err("an unknown container is refused");
    let text = output(&out);
    assert!(text.contains("No such container"), "{text}");
    assert!(text.contains("no container \"nope\""), "{text}");
    let calls = s.endpoint.calls().await.unwrap();
    assert!(!calls.iter().any(|c| c == "ecs:RunTask"), "{calls:?}");
    destroy(&s).await;
}

/// Ctrl-C while the action waits for its task: Terraform asks the provider to stop, and the
/// invocation ends at once with a diagnostic naming the task that keeps running.
#[tokio::test]
async fn ctrl_c_ends_the_wait_for_a_task_with_a_diagnostic() {
    let test = "ctrl_c_ends_the_wait_for_a_task_with_a_diagnostic";
    let Some(s) = setup(test, &["--task-seconds", "120"]).await else {
        return;
    };
    s.tf.write_config(&config(&s, "exit 0", "", None)).unwrap();
    apply(&s).await;
    s.endpoint.reset_stats().await.unwrap();
    let mut invoke =
        s.tf.spawn(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.ecs_run_task.migrate",
        ])
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !s
        .endpoint
        .calls()
        .await
        .unwrap()
        .iter()
        .any(|c| c == "ecs:DescribeTasks")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the task was never followed:\n{}",
            s.tf.spawned_output()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let pid = invoke.id().expect("running") as i32;
    // SAFETY: sends SIGINT to our own child, as Ctrl-C in a terminal would.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), invoke.wait())
        .await
        .expect("the interrupted invocation ends soon")
        .unwrap();
    let text = s.tf.spawned_output();
    assert!(!status.success(), "{text}");
    assert!(text.contains("Waiting for the task interrupted"), "{text}");
    assert!(text.contains("keeps running: arn:aws:ecs:"), "{text}");
    destroy(&s).await;
}

/// `config` with `extra` added to the cluster's block.
fn cluster_with(s: &Setup, config: String, extra: &str) -> String {
    let name = format!("  name = \"{}\"\n", s.cluster);
    config.replacen(&name, &format!("{name}  {extra}\n"), 1)
}

#[tokio::test]
async fn force_destroy_stops_a_task_started_without_waiting_and_deletes_the_cluster() {
    let test = "force_destroy_stops_a_task_started_without_waiting_and_deletes_the_cluster";
    let Some(s) = setup(test, &["--task-seconds", "600"]).await else {
        return;
    };
    let base = || config(&s, "exit 0", "wait = false", None);
    let short = "timeouts {\n    delete = \"4s\"\n  }";
    s.tf.write_config(&cluster_with(&s, base(), short)).unwrap();
    apply(&s).await;
    s.tf.invoke("action.ecs_run_task.migrate")
        .await
        .unwrap_or_else(|out| panic!("wait = false must not wait:\n{}", output(&out)));
    let ecs = s.endpoint.ecs_client().await;
    let listed = ecs.list_tasks().cluster(&s.cluster).send().await.unwrap();
    assert_eq!(listed.task_arns().len(), 1, "{listed:?}");
    let task = listed.task_arns()[0].clone();

    let refused =
        s.tf.destroy()
            .await
            .expect_err("a running task keeps the cluster without force_destroy");
    let text = output(&refused);
    for part in [
        "The ECS cluster still holds resources",
        "it still contains: 1 tasks",
        "ClusterContainsTasksException",
    ] {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }

    s.tf.write_config(&cluster_with(&s, base(), "force_destroy = true"))
        .unwrap();
    apply(&s).await;
    s.endpoint.reset_stats().await.unwrap();
    destroy(&s).await;
    let calls = s.endpoint.calls().await.unwrap();
    assert!(calls.iter().any(|c| c == "ecs:StopTask"), "{calls:?}");
    let stopped = ecs
        .describe_tasks()
        .cluster(&s.cluster)
        .tasks(&task)
        .send()
        .await
        .unwrap();
    let stopped = &stopped.tasks()[0];
    assert_eq!(stopped.last_status(), Some("STOPPED"));
    assert_eq!(
        stopped.stop_code(),
        Some(&aws_sdk_ecs::types::TaskStopCode::UserInitiated)
    );
    assert_eq!(
        stopped.stopped_reason(),
        Some("The cluster is being destroyed (force_destroy)")
    );
    let gone = ecs
        .describe_clusters()
        .clusters(&s.cluster)
        .send()
        .await
        .unwrap();
    assert!(
        gone.clusters()
            .iter()
            .all(|c| c.status() == Some("INACTIVE")),
        "{gone:?}"
    );
}
