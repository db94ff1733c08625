//! The schema of `ecs_capacity_provider`, named and nested as the AWS provider's
//! `aws_ecs_capacity_provider`.

use crate::ecs::arn::is_name_char;
use crate::ecs::tags;
use crate::framework::schema::validators::{Chars, Each, IntBetween, Length, OneOf, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};

const ENABLED_DISABLED: &[&str] = &["ENABLED", "DISABLED"];

fn int(name: &str, min: i64, max: i64, description: &str) -> Attribute {
    Attribute::number(name)
        .optional()
        .validate(IntBetween { min, max })
        .description(description)
}

/// Optional, filled by ECS when unset, kept from state while unchanged.
fn int_defaulted(name: &str, min: i64, max: i64, description: &str) -> Attribute {
    int(name, min, max, description)
        .computed()
        .use_state_for_unknown()
}

fn min_max(what: &str, min_required: bool) -> Block {
    let min = Attribute::number("min").validate(IntBetween {
        min: 1,
        max: i64::from(i32::MAX),
    });
    Block::new()
        .description(what)
        .attribute(
            if min_required {
                min.required()
            } else {
                min.optional()
            }
            .description("Lower bound."),
        )
        .attribute(
            Attribute::number("max")
                .optional()
                .validate(IntBetween {
                    min: 1,
                    max: i64::from(i32::MAX),
                })
                .description("Upper bound; no limit when unset."),
        )
}

fn string_set(name: &str, description: &str) -> Attribute {
    Attribute::string_set(name)
        .optional()
        .description(description)
}

fn auto_scaling_group_provider() -> Block {
    let managed_scaling = Block::new()
        .description("Scaling of the group by ECS (managed scaling). Members left unset get ECS's defaults, which are read back.")
        .attribute(
            Attribute::string("status")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validate(OneOf(ENABLED_DISABLED))
                .description("`ENABLED` or `DISABLED`. ECS's default is `DISABLED`."),
        )
        .attribute(int_defaulted("target_capacity", 1, 100, "Target utilisation of the group's instances, in percent: 1 to 100. ECS's default is 100."))
        .attribute(int_defaulted("minimum_scaling_step_size", 1, 10000, "Fewest instances ECS adds or removes at a time: 1 to 10000. ECS's default is 1."))
        .attribute(int_defaulted("maximum_scaling_step_size", 1, 10000, "Most instances ECS adds or removes at a time: 1 to 10000. ECS's default is 10000."))
        .attribute(int_defaulted("instance_warmup_period", 0, 10000, "Seconds before a new instance counts in the group's metrics: 0 to 10000. ECS's default is 300."));
    Block::new()
        .description("An Auto Scaling group provider. Exactly one of this and `managed_instances_provider`. Adding or removing the block replaces the provider; its members change in place except `auto_scaling_group_arn`.")
        .attribute(
            Attribute::string("auto_scaling_group_arn")
                .required()
                .requires_replace()
                .validate(Prefix { prefix: "arn:", what: "an Auto Scaling group ARN" })
                .description("ARN of the Auto Scaling group. Changing it replaces the provider."),
        )
        .attribute(
            Attribute::string("managed_draining")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validate(OneOf(ENABLED_DISABLED))
                .description("Whether ECS drains instances the group is about to terminate: `ENABLED` or `DISABLED`. ECS's default is `ENABLED`."),
        )
        .attribute(
            Attribute::string("managed_termination_protection")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validate(OneOf(ENABLED_DISABLED))
                .description("Whether ECS keeps the group from terminating instances that run tasks: `ENABLED` or `DISABLED` (ECS's default). `ENABLED` requires `managed_scaling` with `status = \"ENABLED\"`."),
        )
        .block(NestedBlock::single("managed_scaling", managed_scaling))
}

fn instance_requirements() -> Block {
    Block::new()
        .description("Attribute-based instance type selection. Covered here: `vcpu_count`, `memory_mib`, `cpu_manufacturers`, `instance_generations`, `allowed_instance_types`, `excluded_instance_types`, `burstable_performance`, `bare_metal`, `local_storage`, `spot_max_price_percentage_over_lowest_price` and `on_demand_max_price_percentage_over_lowest_price`; the accelerator, bandwidth, network-interface and memory-per-vCPU requirements are not.")
        .attribute(string_set("cpu_manufacturers", "CPU manufacturers: `intel`, `amd`, `amazon-web-services`, `apple`."))
        .attribute(string_set("instance_generations", "Instance generations: `current`, `previous`."))
        .attribute(
            string_set("allowed_instance_types", "Instance types to choose from (wildcards allowed, e.g. `m5.*`); not with `excluded_instance_types`.")
                .validate(Each(Length { min: 1, max: 30 })),
        )
        .attribute(
            string_set("excluded_instance_types", "Instance types never to use (wildcards allowed).")
                .validate(Each(Length { min: 1, max: 30 })),
        )
        .attribute(Attribute::string("burstable_performance").optional().validate(OneOf(&["included", "required", "excluded"])).description("Burstable (T) instances: `included`, `required` or `excluded`."))
        .attribute(Attribute::string("bare_metal").optional().validate(OneOf(&["included", "required", "excluded"])).description("Bare-metal instances: `included`, `required` or `excluded`."))
        .attribute(Attribute::string("local_storage").optional().validate(OneOf(&["included", "required", "excluded"])).description("Instances with local storage: `included`, `required` or `excluded`."))
        .attribute(int("spot_max_price_percentage_over_lowest_price", 0, i64::from(i32::MAX), "Highest Spot price, as a percentage over the cheapest matching type."))
        .attribute(int("on_demand_max_price_percentage_over_lowest_price", 0, i64::from(i32::MAX), "Highest On-Demand price, as a percentage over the cheapest matching type."))
        .block(NestedBlock::single("vcpu_count", min_max("vCPUs per instance (required).", true)))
        .block(NestedBlock::single("memory_mib", min_max("Memory per instance, in MiB (required).", true)))
}

fn managed_instances_provider() -> Block {
    let network = Block::new()
        .description("Where the instances run (required).")
        .attribute(
            Attribute::string_set("subnets")
                .required()
                .description("Subnet IDs."),
        )
        .attribute(string_set("security_groups", "Security group IDs."));
    let storage = Block::new()
        .description("The instances' root volume.")
        .attribute(
            Attribute::number("storage_size_gib")
                .required()
                .validate(IntBetween { min: 1, max: 16384 })
                .description("Size in GiB."),
        );
    let local_storage = Block::new()
        .description("Use the instance store for tasks.")
        .attribute(
            Attribute::bool("use_local_storage")
                .required()
                .description("Whether tasks use the instances' local storage."),
        );
    let launch_template = Block::new()
        .description("How ECS launches the instances (required).")
        .attribute(
            Attribute::string("ec2_instance_profile_arn")
                .required()
                .validate(Prefix { prefix: "arn:", what: "an instance profile ARN" })
                .description("ARN of the instance profile the instances use."),
        )
        .attribute(
            Attribute::string("capacity_option_type")
                .optional()
                .computed()
                .use_state_for_unknown()
                .requires_replace()
                .validate(OneOf(&["ON_DEMAND", "SPOT", "RESERVED"]))
                .description("`ON_DEMAND` (ECS's default), `SPOT` or `RESERVED`. Changing it replaces the provider."),
        )
        .attribute(Attribute::string("monitoring").optional().validate(OneOf(&["BASIC", "DETAILED"])).description("CloudWatch monitoring of the instances: `BASIC` or `DETAILED`."))
        .block(NestedBlock::single("network_configuration", network))
        .block(NestedBlock::single("storage_configuration", storage))
        .block(NestedBlock::single("local_storage_configuration", local_storage))
        .block(NestedBlock::single("instance_requirements", instance_requirements()));
    let optimization = Block::new()
        .description("How ECS consolidates idle instances.")
        .attribute(int(
            "scale_in_after",
            -1,
            3600,
            "Seconds an idle instance waits before ECS removes it; -1 never removes it.",
        ));
    Block::new()
        .description("A managed-instances provider (ECS launches and manages the instances). Exactly one of this and `auto_scaling_group_provider`; requires `cluster`. Adding or removing the block replaces the provider; its members change in place except `capacity_option_type`.")
        .attribute(
            Attribute::string("infrastructure_role_arn")
                .required()
                .validate(Prefix { prefix: "arn:", what: "an IAM role ARN" })
                .description("ARN of the role ECS uses to manage the instances."),
        )
        .attribute(Attribute::string("propagate_tags").optional().validate(OneOf(&["CAPACITY_PROVIDER", "NONE"])).description("Copy the provider's tags to the instances: `CAPACITY_PROVIDER` or `NONE`."))
        .block(NestedBlock::single("instance_launch_template", launch_template))
        .block(NestedBlock::single("infrastructure_optimization", optimization))
}

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .description("An ECS capacity provider: an Auto Scaling group, or instances ECS manages itself. Auto Scaling group providers join clusters through `ecs_cluster_capacity_providers`; managed-instances providers belong to the cluster named in `cluster`. Destroying a provider that a cluster still holds fails at once, naming the cluster.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 255 })
                    .validate(Chars { allowed: is_name_char, alphabet: "letters, digits, hyphens (-) and underscores (_)" })
                    .description("Name of the provider: 1 to 255 letters, digits, hyphens and underscores, not starting with `aws`, `ecs` or `fargate`. Changing it replaces the provider."),
            )
            .attribute(
                Attribute::string("cluster")
                    .optional()
                    .requires_replace()
                    .description("Cluster a managed-instances provider belongs to (required with `managed_instances_provider`, not allowed with `auto_scaling_group_provider`). Changing it replaces the provider."),
            )
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the capacity provider."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Same as `arn`."))
            .block(NestedBlock::single("auto_scaling_group_provider", auto_scaling_group_provider()))
            .block(NestedBlock::single("managed_instances_provider", managed_instances_provider())),
    )
}
