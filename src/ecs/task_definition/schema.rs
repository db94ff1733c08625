//! The schema of `ecs_task_definition` and the model its values decode into.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ecs::arn::is_name_char;
use crate::ecs::tags::{self, Tags};
use crate::framework::Value;
use crate::framework::model::Attr;
use crate::framework::schema::validators::{Chars, Each, IntBetween, Length, OneOf};
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};

pub use super::surface::{FsxWindowsVolume, PlacementConstraint, ProxyConfiguration};

pub const NETWORK_MODES: &[&str] = &["awsvpc", "bridge", "host", "none"];
pub const COMPATIBILITIES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
pub const IPC_MODES: &[&str] = &["host", "task", "none"];
pub const PID_MODES: &[&str] = &["host", "task"];
/// TaskDefinitionPlacementConstraint.type: `distinctInstance` exists for services only.
pub const PLACEMENT_CONSTRAINT_TYPES: &[&str] = &["memberOf"];

fn efs_block() -> Block {
    let authorization = Block::new()
        .description("Access point and IAM authorisation for the file system.")
        .attribute(
            Attribute::string("access_point_id")
                .optional()
                .description("EFS access point ID."),
        )
        .attribute(
            Attribute::string("iam")
                .optional()
                .validate(OneOf(&["ENABLED", "DISABLED"]))
                .description("Use the task role to mount: `ENABLED` or `DISABLED`."),
        );
    Block::new()
        .description("An Amazon EFS file system.")
        .attribute(
            Attribute::string("file_system_id")
                .required()
                .description("ID of the file system."),
        )
        .attribute(
            Attribute::string("root_directory")
                .optional()
                .description("Directory of the file system to mount as the root (default `/`)."),
        )
        .attribute(
            Attribute::string("transit_encryption")
                .optional()
                .validate(OneOf(&["ENABLED", "DISABLED"]))
                .description("Encrypt data in transit: `ENABLED` or `DISABLED`."),
        )
        .attribute(
            Attribute::number("transit_encryption_port")
                .optional()
                .validate(IntBetween { min: 0, max: 65535 })
                .description("Port for encrypted traffic."),
        )
        .block(NestedBlock::single("authorization_config", authorization))
}

fn docker_volume_block() -> Block {
    Block::new()
        .description("A Docker volume (EC2 launch type).")
        .attribute(
            Attribute::string("scope")
                .optional()
                .validate(OneOf(&["task", "shared"]))
                .description("`task` (default; removed with the task) or `shared` (kept)."),
        )
        .attribute(
            Attribute::bool("autoprovision")
                .optional()
                .description("Create a `shared` volume if missing."),
        )
        .attribute(
            Attribute::string("driver")
                .optional()
                .description("Volume driver (default `local`)."),
        )
        .attribute(
            Attribute::string_map("driver_opts")
                .optional()
                .description("Options passed to the driver."),
        )
        .attribute(
            Attribute::string_map("labels")
                .optional()
                .description("Docker labels of the volume."),
        )
}

pub fn schema() -> Schema {
    let runtime_platform = Block::new()
        .description("Operating system and CPU architecture the tasks need (required on Fargate for Windows or ARM).")
        .attribute(Attribute::string("operating_system_family").optional().description("E.g. `LINUX`, `WINDOWS_SERVER_2022_CORE`."))
        .attribute(
            Attribute::string("cpu_architecture")
                .optional()
                .validate(OneOf(&["X86_64", "ARM64"]))
                .description("`X86_64` or `ARM64`."),
        );
    let ephemeral_storage = Block::new()
        .description("Task storage on Fargate beyond the default 20 GiB.")
        .attribute(
            Attribute::number("size_in_gib")
                .required()
                .validate(IntBetween { min: 21, max: 200 })
                .description("Size in GiB, 21 to 200."),
        );
    let volume = Block::new()
        .description("A volume the containers can mount (`mountPoints[].sourceVolume`).")
        .attribute(
            Attribute::string("name")
                .required()
                .description("Name the containers refer to."),
        )
        .attribute(
            Attribute::string("host_path")
                .optional()
                .description("Path on the host (bind mount; EC2 only)."),
        )
        .attribute(
            Attribute::bool("configure_at_launch")
                .optional()
                .description("The volume is configured when a service or task starts (e.g. EBS)."),
        )
        .block(NestedBlock::single("efs_volume_configuration", efs_block()))
        .block(NestedBlock::single(
            "docker_volume_configuration",
            docker_volume_block(),
        ))
        .block(NestedBlock::single(
            "fsx_windows_file_server_volume_configuration",
            super::surface::fsx_block(),
        ));
    Schema {
        version: super::upgrade::VERSION,
        ..Schema::new(
        Block::new()
            .description("An ECS task definition. Changes register a new revision in place (services that use `arn` follow in the same apply) and deregister the previous one unless `skip_destroy` is set. `container_definitions` is compared by meaning: ECS's defaults, reordering and spelling never show as a diff.")
            .attribute(
                Attribute::string("family")
                    .required()
                    .requires_replace()
                    .validate(Length { min: 1, max: 255 })
                    .validate(Chars { allowed: is_name_char, alphabet: "letters, digits, hyphens (-) and underscores (_)" })
                    .description("Family name: 1 to 255 letters, digits, hyphens and underscores. Changing it starts a new family."),
            )
            .attribute(
                Attribute::string("container_definitions")
                    .required()
                    .description("The containers, as JSON in the shape of the RegisterTaskDefinition API (usually `jsonencode([...])`). Member names match in any case; `null` means absent. Unknown members and wrong types are plan-time errors naming the container."),
            )
            .attribute(Attribute::string("cpu").optional().description("Task CPU units, e.g. `\"256\"`, or `\"1 vCPU\"` (kept as written; the same as `\"1024\"`). Required on Fargate."))
            .attribute(Attribute::string("memory").optional().description("Task memory in MiB, e.g. `\"512\"`, or `\"2 GB\"` (the same as `\"2048\"`). Required on Fargate."))
            .attribute(
                Attribute::string("network_mode")
                    .optional()
                    .validate(OneOf(NETWORK_MODES))
                    .description("`awsvpc` (required on Fargate), `bridge`, `host` or `none`. ECS's default is `bridge`."),
            )
            .attribute(
                Attribute::string_set("requires_compatibilities")
                    .optional()
                    .validate(Each(OneOf(COMPATIBILITIES)))
                    .description("Launch types the definition must be valid for: `EC2`, `FARGATE`, `EXTERNAL`, `MANAGED_INSTANCES`. With `FARGATE`, the Fargate rules are checked at plan time."),
            )
            .attribute(Attribute::string("execution_role_arn").optional().description("Role ECS uses to pull images and read `secrets` (needs `ssm:GetParameters` for Parameter Store)."))
            .attribute(Attribute::string("task_role_arn").optional().description("Role the containers' code runs with."))
            .attribute(
                Attribute::bool("skip_destroy")
                    .optional()
                    .default(Value::Bool(false))
                    .description("Keep old revisions ACTIVE when a new one is registered or the resource is destroyed. Default false."),
            )
            .attribute(
                Attribute::bool("delete_revisions")
                    .optional()
                    .default(Value::Bool(false))
                    .description("Also delete (DeleteTaskDefinitions) each revision this resource deregisters, instead of leaving it INACTIVE. ECS purges a deleted revision once nothing uses it. Default false; has no effect with `skip_destroy`."),
            )
            .attribute(
                Attribute::string("ipc_mode")
                    .optional()
                    .validate(OneOf(IPC_MODES))
                    .description("IPC namespace of the containers: `host`, `task` or `none` (unset: the Docker daemon's default). Not supported on Fargate or for Windows containers."),
            )
            .attribute(
                Attribute::string("pid_mode")
                    .optional()
                    .validate(OneOf(PID_MODES))
                    .description("Process namespace of the containers: `host` or `task` (unset: one per container). On Fargate only `task` (platform version 1.4.0 or later); not supported for Windows containers."),
            )
            .attribute(
                Attribute::bool("enable_fault_injection")
                    .optional()
                    .default(Value::Bool(false))
                    .description("Accept fault injection requests from the task's containers (awsvpc or host network mode). Default false, which is also what ECS reports when it is not sent."),
            )
            .attribute(
                Attribute::bool("track_latest")
                    .optional()
                    .default(Value::Bool(false))
                    .description("Follow the latest ACTIVE revision of the family instead of the one this resource registered, so revisions registered outside Terraform (e.g. by CI) are adopted: `arn`, `revision` and the tags follow them, the arguments keep what this configuration last registered, so the plan is empty and nothing is reverted. A change to the configuration registers a new revision from it and deregisters the adopted one (unless `skip_destroy`); destroy deregisters the adopted one too. (The AWS provider reads every argument from the latest revision instead, so a revision whose content differs from the configuration plans a replacement that reverts it.) Changing this attribute changes nothing in AWS. Default false."),
            )
            .attribute(tags::tags_attribute())
            .attribute(tags::tags_all_attribute())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown().description("ARN of the current revision (`…:task-definition/FAMILY:REVISION`)."))
            .attribute(Attribute::string("arn_without_revision").computed().use_state_for_unknown().description("ARN without the revision: services using it run the latest ACTIVE revision."))
            .attribute(Attribute::number("revision").computed().use_state_for_unknown().description("Revision number of the current revision."))
            .attribute(Attribute::string("id").computed().use_state_for_unknown().description("The family."))
            .block(NestedBlock::single("runtime_platform", runtime_platform))
            .block(NestedBlock::single("ephemeral_storage", ephemeral_storage))
            .block(NestedBlock::set("volume", volume))
            .block(
                NestedBlock::set("placement_constraints", super::surface::placement_block())
                    .max_items(10),
            )
            .block(NestedBlock::single(
                "proxy_configuration",
                super::surface::proxy_block(),
            )),
    )
    }
}

/// A state or plan of `ecs_task_definition`. `container_definitions` stays the user's JSON text:
/// it is parsed and compared by [`crate::ecs::container_definitions`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionModel {
    pub family: String,
    pub container_definitions: String,
    pub cpu: Attr<String>,
    pub memory: Attr<String>,
    pub network_mode: Attr<String>,
    pub requires_compatibilities: Attr<Vec<String>>,
    pub execution_role_arn: Attr<String>,
    pub task_role_arn: Attr<String>,
    pub skip_destroy: Attr<bool>,
    pub delete_revisions: Attr<bool>,
    pub ipc_mode: Attr<String>,
    pub pid_mode: Attr<String>,
    pub enable_fault_injection: Attr<bool>,
    pub track_latest: Attr<bool>,
    pub tags: Attr<Tags>,
    pub tags_all: Attr<Tags>,
    pub arn: Attr<String>,
    pub arn_without_revision: Attr<String>,
    pub revision: Attr<i64>,
    pub id: Attr<String>,
    pub runtime_platform: Option<RuntimePlatform>,
    pub ephemeral_storage: Option<EphemeralStorage>,
    pub volume: Vec<Volume>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub proxy_configuration: Option<ProxyConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuntimePlatform {
    pub operating_system_family: Attr<String>,
    pub cpu_architecture: Attr<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EphemeralStorage {
    pub size_in_gib: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    pub host_path: Attr<String>,
    pub configure_at_launch: Attr<bool>,
    pub efs_volume_configuration: Option<EfsVolume>,
    pub docker_volume_configuration: Option<DockerVolume>,
    pub fsx_windows_file_server_volume_configuration: Option<FsxWindowsVolume>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EfsVolume {
    pub file_system_id: String,
    pub root_directory: Attr<String>,
    pub transit_encryption: Attr<String>,
    pub transit_encryption_port: Attr<i64>,
    pub authorization_config: Option<EfsAuthorization>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EfsAuthorization {
    pub access_point_id: Attr<String>,
    pub iam: Attr<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DockerVolume {
    pub scope: Attr<String>,
    pub autoprovision: Attr<bool>,
    pub driver: Attr<String>,
    pub driver_opts: Attr<BTreeMap<String, String>>,
    pub labels: Attr<BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<TaskDefinitionModel>(&schema());
    }
}
