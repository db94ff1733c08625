//! The schema of `ecs_service`.

use crate::ecs::arn::is_name_char;
use crate::ecs::strategy;
use crate::ecs::tags;
use crate::framework::schema::validators::{Chars, IntBetween, Length, OneOf};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::{Value, timeouts};

pub fn schema() -> Schema {
    let network = Block::new()
        .description("The VPC settings of `awsvpc` tasks (always needed on Fargate).")
        .attribute(
            Attribute::string_set("subnets")
                .required()
                .description("Subnets the tasks run in."),
        )
        .attribute(
            Attribute::string_set("security_groups")
                .optional()
                .description("Security groups of the tasks; the VPC's default group when unset."),
        )
        .attribute(
            Attribute::bool("assign_public_ip")
                .optional()
                .default(Value::Bool(false))
                .description(
                    "Give each task a public IP (Fargate in public subnets). Default false.",
                ),
        );
    let load_balancer = Block::new()
        .description("A load balancer target group the service registers its tasks with.")
        .attribute(
            Attribute::string("target_group_arn")
                .optional()
                .description("Target group ARN (Application or Network Load Balancer)."),
        )
        .attribute(
            Attribute::string("elb_name")
                .optional()
                .description("Name of a Classic Load Balancer."),
        )
        .attribute(
            Attribute::string("container_name")
                .required()
                .description("Container that receives the traffic."),
        )
        .attribute(
            Attribute::number("container_port")
                .required()
                .validate(IntBetween { min: 1, max: 65535 })
                .description("Port of that container."),
        );
    let circuit_breaker = Block::new()
        .description("Stop a deployment whose tasks keep failing, and optionally roll back.")
        .attribute(
            Attribute::bool("enable")
                .required()
                .description("Turn the circuit breaker on."),
        )
        .attribute(
            Attribute::bool("rollback")
                .required()
                .description("Roll back to the last completed deployment when it trips."),
        );
    let controller = Block::new().description("Who runs deployments.").attribute(
        Attribute::string("type")
            .optional()
            .default(Value::string("ECS"))
            .validate(OneOf(&["ECS", "CODE_DEPLOY", "EXTERNAL"]))
            .description("`ECS` (rolling updates, the default), `CODE_DEPLOY` or `EXTERNAL`."),
    );
    Schema::new(
        Block::new()
            .description("An ECS service: keeps `desired_count` tasks of a task definition running. Create and update wait until the deployment is steady (unless `wait_for_steady_state = false`) and fail at once when a deployment circuit breaker trips; destroy scales to zero, deletes and waits until the service is gone.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 255 })
                    .validate(Chars { allowed: is_name_char, alphabet: "letters, digits, hyphens (-) and underscores (_)" })
                    .description("Name of the service: 1 to 255 letters, digits, hyphens and underscores. Changing it replaces the service."),
            )
            .attribute(Attribute::string("cluster").required().description("Cluster name or ARN (either spelling of the same cluster is no change). Changing the cluster replaces the service."))
            .attribute(Attribute::string("task_definition").optional().description("Task definition as `family` (latest ACTIVE revision), `family:revision` or ARN; the same revision in another spelling is no change. Required unless `deployment_controller { type = \"EXTERNAL\" }`, whose task sets carry the task definition."))
            .attribute(
                Attribute::number("desired_count")
                    .optional()
                    .default(Value::number_i64(1))
                    .validate(IntBetween { min: 0, max: 100_000 })
                    .description("Number of tasks to keep running. Default 1. A change made outside Terraform shows in the plan."),
            )
            .attribute(
                Attribute::string("launch_type")
                    .optional()
                    .computed()
                    .use_state_for_unknown_including_null()
                    .requires_replace()
                    .validate(OneOf(&["FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES"]))
                    .description("`FARGATE`, `EC2`, `EXTERNAL` or `MANAGED_INSTANCES`; not with `capacity_provider_strategy`. Unset, the cluster's default capacity-provider strategy applies when the cluster has one (AWS then reports no launch type and this stays null), otherwise `EC2`. Changing it replaces the service."),
            )
            .attribute(
                Attribute::string("platform_version")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .description("Fargate platform version, `LATEST` (what AWS reports when unset) or e.g. `1.4.0`."),
            )
            .attribute(
                Attribute::number("deployment_minimum_healthy_percent")
                    .optional()
                    .default(Value::number_i64(100))
                    .validate(IntBetween { min: 0, max: 100 })
                    .description("Lower bound of running tasks during a deployment, in percent of `desired_count`. Default 100."),
            )
            .attribute(
                Attribute::number("deployment_maximum_percent")
                    .optional()
                    .default(Value::number_i64(200))
                    .validate(IntBetween { min: 100, max: 200 })
                    .description("Upper bound of tasks during a deployment, in percent of `desired_count`. Default 200."),
            )
            .attribute(Attribute::number("health_check_grace_period_seconds").optional().validate(IntBetween { min: 0, max: 2_147_483_647 }).description("Seconds to ignore load-balancer health checks after a task starts."))
            .attribute(Attribute::bool("enable_execute_command").optional().default(Value::Bool(false)).description("Allow `aws ecs execute-command` into the tasks. Default false."))
            .attribute(Attribute::bool("enable_ecs_managed_tags").optional().default(Value::Bool(false)).description("Let ECS tag the tasks with cluster and service names. Default false."))
            .attribute(
                Attribute::string("propagate_tags")
                    .optional()
                    .default(Value::string("NONE"))
                    .validate(OneOf(&["NONE", "SERVICE", "TASK_DEFINITION"]))
                    .description("Copy tags to the tasks from `SERVICE` or `TASK_DEFINITION`; `NONE` (default) copies none."),
            )
            .attribute(Attribute::bool("wait_for_steady_state").optional().default(Value::Bool(true)).description("Create and update wait until the deployment completes (running = desired, one deployment). Default true."))
            .attribute(Attribute::bool("force_new_deployment").optional().default(Value::Bool(false)).description("Every update starts a new deployment, even when nothing the tasks see changed (e.g. to pull a moved image tag). Use with `triggers`."))
            .attribute(Attribute::string_map("triggers").optional().description("Any values; changing one updates the service in place (with `force_new_deployment`, a redeploy on demand)."))
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the service."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `arn`."))
            .block(NestedBlock::set("capacity_provider_strategy", strategy::block("Spread tasks over capacity providers instead of a launch type. Changing it deploys in place (a new deployment), it never replaces the service. Holds the strategy as configured: a service created with neither this nor `launch_type` runs on the cluster's default strategy, which AWS reports on the service but which is kept out of this block (it is the cluster's setting, not the service's), so it never shows as a diff.")))
            .block(NestedBlock::single("network_configuration", network))
            .block(NestedBlock::set("load_balancer", load_balancer))
            .block(NestedBlock::single("deployment_circuit_breaker", circuit_breaker))
            .block(NestedBlock::single("deployment_controller", controller))
            .block(timeouts::block(&["create", "update", "delete"])),
    )
}
