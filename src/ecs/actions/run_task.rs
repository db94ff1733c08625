//! `ecs_run_task`: RunTask, then DescribeTasks until every task is STOPPED (polls back off from
//! 1 s to 15 s), streaming each task's `lastStatus` as it changes. The action succeeds only when
//! every essential container exited 0 (`run_task_outcome`).

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerOverride, KeyValuePair, LaunchType,
    NetworkConfiguration, Task, TaskOverride,
};
use serde::{Deserialize, Serialize};

use super::run_task_outcome::{essential_containers, failures_text, judge, short_id};
use super::{is_set, timeout, timeout_attribute};
use crate::aws::Clients;
use crate::aws::errors::describe;
use crate::aws::wait::{self, Poll, WaitError};
use crate::ecs::Configured;
use crate::ecs::strategy::{self, check_single_base};
use crate::framework::action::{Action, InvokeRequest, PlanActionRequest, Progress};
use crate::framework::model::{OrReport, decode};
use crate::framework::schema::validators::{IntBetween, Length, OneOf};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub struct RunTaskAction;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct RunTaskModel {
    cluster: String,
    task_definition: String,
    count: Option<i64>,
    launch_type: Option<String>,
    capacity_provider_strategy: Vec<StrategyModel>,
    network_configuration: Option<NetworkModel>,
    overrides: Option<OverridesModel>,
    started_by: Option<String>,
    wait: Option<bool>,
    timeout: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StrategyModel {
    capacity_provider: String,
    weight: Option<i64>,
    base: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct NetworkModel {
    subnets: Vec<String>,
    security_groups: Option<Vec<String>>,
    assign_public_ip: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct OverridesModel {
    container_overrides: Vec<ContainerOverrideModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ContainerOverrideModel {
    name: String,
    command: Option<Vec<String>>,
    environment: Vec<EnvironmentModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct EnvironmentModel {
    key: String,
    value: String,
}

fn schema() -> Schema {
    let network = Block::new()
        .description("The VPC settings of `awsvpc` tasks (always needed on Fargate).")
        .attribute(
            Attribute::string_set("subnets")
                .required()
                .description("Subnets the tasks run in; at least one."),
        )
        .attribute(
            Attribute::string_set("security_groups")
                .optional()
                .description("Security groups of the tasks; the VPC's default group when unset."),
        )
        .attribute(
            Attribute::bool("assign_public_ip").optional().description(
                "Give each task a public IP (Fargate in public subnets). Default false.",
            ),
        );
    let environment = Block::new()
        .description("An environment variable set in the container, added to (or replacing) the task definition's.")
        .attribute(Attribute::string("key").required().description("The variable's name."))
        .attribute(Attribute::string("value").required().description("The variable's value."));
    let container = Block::new()
        .description("What to change in one container of the task definition.")
        .attribute(
            Attribute::string("name")
                .required()
                .description("Name of the container in the task definition."),
        )
        .attribute(
            Attribute::string_list("command")
                .optional()
                .description("The command to run instead of the task definition's, e.g. `[\"sh\", \"-c\", \"./migrate up\"]`."),
        )
        .block(NestedBlock::list("environment", environment));
    let overrides = Block::new()
        .description("Changes to the task definition for these tasks only.")
        .block(NestedBlock::list("container_overrides", container));
    Schema::new(
        Block::new()
            .description("Runs one-off ECS tasks (RunTask), e.g. a database migration before a deploy, and by default waits until they have stopped. The action succeeds when every essential container exited with code 0, and fails naming the container, its exit code and reason and the task's stop code and reason otherwise; placement failures RunTask reports fail it at once. Progress shows each task's status as it changes (PROVISIONING, PENDING, RUNNING, DEPROVISIONING, STOPPED).")
            .attribute(
                Attribute::string("cluster")
                    .required()
                    .description("Name or ARN of the cluster to run the tasks in."),
            )
            .attribute(
                Attribute::string("task_definition")
                    .required()
                    .description("The task definition to run: `family` (its latest ACTIVE revision), `family:revision` or an ARN."),
            )
            .attribute(
                Attribute::number("count")
                    .optional()
                    .validate(IntBetween { min: 1, max: 10 })
                    .description("How many tasks to run, 1 to 10. Default 1."),
            )
            .attribute(
                Attribute::string("launch_type")
                    .optional()
                    .validate(OneOf(&["FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES"]))
                    .description("`FARGATE`, `EC2`, `EXTERNAL` or `MANAGED_INSTANCES`; not with `capacity_provider_strategy`. Unset, the cluster's default capacity-provider strategy applies when it has one, otherwise `EC2`."),
            )
            .attribute(
                Attribute::string("started_by")
                    .optional()
                    .validate(Length { min: 1, max: 128 })
                    .description("Recorded on the tasks as `startedBy` (up to 128 characters), e.g. to find them with ListTasks."),
            )
            .attribute(
                Attribute::bool("wait")
                    .optional()
                    .description("Wait until every task has stopped and check how its containers exited. Default true; false returns once the tasks are started."),
            )
            .attribute(timeout_attribute("the tasks to stop"))
            .block(NestedBlock::list(
                "capacity_provider_strategy",
                strategy::block("Place the tasks with capacity providers instead of a launch type."),
            ))
            .block(NestedBlock::single("network_configuration", network))
            .block(NestedBlock::single("overrides", overrides)),
    )
}

#[async_trait]
impl Action for RunTaskAction {
    fn type_name(&self) -> &'static str {
        "ecs_run_task"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        let strategy = config
            .get("capacity_provider_strategy")
            .and_then(Value::elements)
            .is_some_and(|e| !e.is_empty());
        if is_set(config, "launch_type") && strategy {
            diags.error_at(
                AttrPath::root().attr("launch_type"),
                "Conflicting arguments",
                "`launch_type` and `capacity_provider_strategy` cannot both be set: RunTask takes one or the other.",
            );
        }
        check_single_base(
            config.get("capacity_provider_strategy"),
            &AttrPath::root().attr("capacity_provider_strategy"),
            diags,
        );
        if let Some(Value::Object(network)) = config.get("network_configuration")
            && network
                .get("subnets")
                .and_then(Value::elements)
                .is_some_and(|s| s.is_empty())
        {
            diags.error_at(
                AttrPath::root()
                    .attr("network_configuration")
                    .attr("subnets"),
                "No subnets",
                "`network_configuration.subnets` needs at least one subnet.",
            );
        }
    }

    async fn plan(&self, req: PlanActionRequest, diags: &mut Diagnostics) {
        let Some(definition) = req.config.get("task_definition").and_then(Value::as_str) else {
            return;
        };
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        // Not found is no error here: this apply may register it.
        let Ok(found) = cfg
            .clients
            .ecs
            .describe_task_definition()
            .task_definition(definition)
            .send()
            .await
        else {
            return;
        };
        let Some(td) = found.task_definition() else {
            return;
        };
        let awsvpc = td.network_mode().map(|m| m.as_str()) == Some("awsvpc");
        if awsvpc
            && matches!(
                req.config.get("network_configuration"),
                Some(Value::Null) | None
            )
        {
            diags.error_at(
                AttrPath::root().attr("network_configuration"),
                "Missing network configuration",
                format!("Task definition {definition} uses the `awsvpc` network mode, so ECS needs `network_configuration` with at least one subnet to run it."),
            );
        }
        let names: Vec<&str> = td
            .container_definitions()
            .iter()
            .filter_map(|c| c.name())
            .collect();
        let overrides = req
            .config
            .get("overrides")
            .and_then(|o| o.get("container_overrides"))
            .and_then(Value::elements)
            .unwrap_or_default();
        for (i, o) in overrides.iter().enumerate() {
            if let Some(name) = o.get("name").and_then(Value::as_str)
                && !names.contains(&name)
            {
                diags.error_at(
                    AttrPath::root()
                        .attr("overrides")
                        .attr("container_overrides")
                        .index(i as i64)
                        .attr("name"),
                    "No such container",
                    format!("Task definition {definition} has no container \"{name}\"; its containers: {}.", names.join(", ")),
                );
            }
        }
    }

    async fn invoke(&self, req: InvokeRequest, progress: &Progress, diags: &mut Diagnostics) {
        let Some(config) = decode::<RunTaskModel>(&req.config).or_report(diags) else {
            return;
        };
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let Some(arns) = start(&cfg.clients, &config, progress, diags).await else {
            return;
        };
        if !config.wait.unwrap_or(true) {
            return;
        }
        let limit = timeout(config.timeout);
        let stopped = follow(
            &cfg.clients,
            &config.cluster,
            &arns,
            limit,
            &req.ctx.cancel,
            progress,
        )
        .await;
        let listed = arns.join(", ");
        match stopped {
            Ok(tasks) => {
                let essential = essential_containers(&cfg.clients, &tasks).await;
                for task in &tasks {
                    if let Err((summary, detail)) = judge(task, &essential) {
                        diags.error(summary, detail);
                    }
                }
                if !diags.has_errors() {
                    progress.send(format!("{} task(s) succeeded: every essential container exited 0", tasks.len()));
                }
            }
            Err(WaitError::TimedOut { last }) => diags.error(
                "The task did not stop in time",
                format!("Gave up waiting after the `timeout` ({} s); last seen: {}. The task keeps running: {listed}.", limit.as_secs(), last.unwrap_or_default()),
            ),
            Err(WaitError::Cancelled) => diags.error(
                "Waiting for the task interrupted",
                format!("Terraform asked the provider to stop; the task is not stopped and keeps running: {listed}."),
            ),
        }
    }
}

/// RunTask; the ARNs of the tasks started, or `None` with the failures reported.
async fn start(
    clients: &Clients,
    config: &RunTaskModel,
    progress: &Progress,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    let count = config.count.unwrap_or(1);
    let mut run = clients
        .ecs
        .run_task()
        .cluster(&config.cluster)
        .task_definition(&config.task_definition)
        .count(i32::try_from(count).unwrap_or(1))
        .set_launch_type(config.launch_type.as_deref().map(LaunchType::from))
        .set_started_by(config.started_by.clone())
        .set_network_configuration(config.network_configuration.as_ref().map(network))
        .set_overrides(config.overrides.as_ref().map(overrides));
    let items: Vec<_> = config
        .capacity_provider_strategy
        .iter()
        .map(|s| strategy::StrategyItem {
            capacity_provider: s.capacity_provider.clone(),
            weight: s.weight.unwrap_or(0),
            base: s.base.unwrap_or(0),
        })
        .collect();
    if !items.is_empty() {
        run = run.set_capacity_provider_strategy(Some(strategy::expand(&items)));
    }
    progress.send(format!(
        "Running {count} task(s) of {} in cluster {}",
        config.task_definition, config.cluster
    ));
    let out = match run.send().await {
        Ok(out) => out,
        Err(e) => {
            diags.error(
                "Could not run the task",
                format!(
                    "RunTask of {} in cluster \"{}\" failed: {}",
                    config.task_definition,
                    config.cluster,
                    describe(&e)
                ),
            );
            return None;
        }
    };
    if !out.failures().is_empty() {
        diags.error(
            "ECS could not place the task",
            format!(
                "RunTask of {} answered failures: {}. No task of this call runs{}.",
                config.task_definition,
                failures_text(out.failures()),
                if out.tasks().is_empty() {
                    ""
                } else {
                    " except those listed"
                }
            ),
        );
        return None;
    }
    let arns: Vec<String> = out
        .tasks()
        .iter()
        .filter_map(|t| t.task_arn())
        .map(str::to_string)
        .collect();
    for arn in &arns {
        progress.send(format!("Task {} started: {arn}", short_id(arn)));
    }
    Some(arns)
}

fn network(n: &NetworkModel) -> NetworkConfiguration {
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(n.subnets.clone()))
        .set_security_groups(n.security_groups.clone())
        .assign_public_ip(if n.assign_public_ip.unwrap_or(false) {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .ok();
    NetworkConfiguration::builder()
        .set_awsvpc_configuration(vpc)
        .build()
}

fn overrides(o: &OverridesModel) -> TaskOverride {
    let containers = o
        .container_overrides
        .iter()
        .map(|c| {
            let environment: Vec<KeyValuePair> = c
                .environment
                .iter()
                .map(|e| KeyValuePair::builder().name(&e.key).value(&e.value).build())
                .collect();
            ContainerOverride::builder()
                .name(&c.name)
                .set_command(c.command.clone())
                .set_environment((!environment.is_empty()).then_some(environment))
                .build()
        })
        .collect();
    TaskOverride::builder()
        .set_container_overrides(Some(containers))
        .build()
}

/// DescribeTasks until every task is STOPPED, telling each change of `lastStatus`.
async fn follow(
    clients: &Clients,
    cluster: &str,
    arns: &[String],
    limit: Duration,
    cancel: &tokio_util::sync::CancellationToken,
    progress: &Progress,
) -> Result<Vec<Task>, WaitError<String>> {
    let seen = std::sync::Mutex::new(BTreeMap::<String, String>::new());
    let seen = &seen;
    wait::until(
        limit,
        Duration::from_secs(1),
        Duration::from_secs(15),
        cancel,
        || async move {
            let out = match clients
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(arns.to_vec()))
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => return Poll::Pending(format!("DescribeTasks failed: {}", describe(&e))),
            };
            let tasks = out.tasks().to_vec();
            let mut now = Vec::new();
            for t in &tasks {
                let arn = t.task_arn().unwrap_or_default();
                let status = t.last_status().unwrap_or("unknown");
                now.push(format!("{} {status}", short_id(arn)));
                let changed = seen
                    .lock()
                    .map(|mut s| {
                        s.insert(arn.to_string(), status.to_string()).as_deref() != Some(status)
                    })
                    .unwrap_or(false);
                if changed {
                    progress.send(format!("Task {}: {status}", short_id(arn)));
                }
            }
            let all = tasks.len() == arns.len()
                && tasks.iter().all(|t| t.last_status() == Some("STOPPED"));
            if all {
                Poll::Done(tasks)
            } else {
                Poll::Pending(now.join(", "))
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;
    use crate::framework::server::conform;
    use crate::framework::validate::{ValidateOptions, validate_block};

    #[test]
    fn run_task_model_agrees() {
        assert_model_agrees::<RunTaskModel>(&schema());
    }

    fn diags_of(pairs: Vec<(&str, Value)>) -> Diagnostics {
        let schema = schema();
        let config = conform(&schema.block, &Value::object(pairs));
        let mut diags = Diagnostics::new();
        validate_block(
            &schema.block,
            &AttrPath::root(),
            &config,
            &ValidateOptions {
                write_only_allowed: false,
            },
            &mut diags,
        );
        RunTaskAction.validate_config(&config, &mut diags);
        diags
    }

    fn base() -> Vec<(&'static str, Value)> {
        vec![
            ("cluster", Value::string("c")),
            ("task_definition", Value::string("td")),
        ]
    }

    #[test]
    fn count_outside_one_to_ten_names_count() {
        let mut zero = base();
        zero.push(("count", Value::number_i64(0)));
        let d = diags_of(zero);
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "count");
        let mut ten = base();
        ten.push(("count", Value::number_i64(10)));
        assert!(diags_of(ten).is_empty());
    }

    #[test]
    fn a_launch_type_with_a_strategy_is_refused_and_unknowns_wait() {
        let strategy = Value::List(vec![Value::object([
            ("capacity_provider", Value::string("FARGATE")),
            ("weight", Value::Null),
            ("base", Value::Null),
        ])]);
        let mut both = base();
        both.push(("launch_type", Value::string("FARGATE")));
        both.push(("capacity_provider_strategy", strategy.clone()));
        let d = diags_of(both);
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "launch_type");
        let mut unknown = base();
        unknown.push(("launch_type", Value::Unknown));
        unknown.push(("capacity_provider_strategy", strategy));
        assert!(diags_of(unknown).is_empty());
    }

    #[test]
    fn overrides_carry_command_and_environment() {
        let o = overrides(&OverridesModel {
            container_overrides: vec![ContainerOverrideModel {
                name: "app".into(),
                command: Some(vec!["sh".into(), "-c".into(), "exit 3".into()]),
                environment: vec![EnvironmentModel {
                    key: "A".into(),
                    value: "1".into(),
                }],
            }],
        });
        let c = &o.container_overrides()[0];
        assert_eq!(c.command(), ["sh", "-c", "exit 3"]);
        assert_eq!(c.environment()[0].name(), Some("A"));
    }
}
