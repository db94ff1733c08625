//! The parts of `ecs_cluster` that take the AWS provider's spelling: the `configuration` block
//! (`execute_command_configuration` and `managed_storage_configuration` inside it) and
//! `service_connect_defaults { namespace }`. Each maps to the same ECS member as this provider's
//! shorter spelling (`execute_command_configuration` and `service_connect_namespace` at the top),
//! so a configuration written for `aws_ecs_cluster` works after renaming the resource type.
//! Setting both spellings of one member is an error; state keeps the spelling the user wrote.

use aws_sdk_ecs::types::ManagedStorageConfiguration;
use serde::{Deserialize, Serialize};

use super::cluster::ExecuteCommand;
use crate::framework::model::Attr;
use crate::framework::schema::validators::Prefix;
use crate::framework::schema::{Attribute, Block, NestedBlock};
use crate::framework::value::{AttrPath, Presence};
use crate::framework::{Diagnostics, Value};

/// `configuration { execute_command_configuration {…} managed_storage_configuration {…} }`.
pub(super) fn configuration_block(execute_command: Block) -> NestedBlock {
    let managed_storage = Block::new()
        .description("Customer managed KMS keys for the storage ECS manages for this cluster's tasks. Each key must be a single-Region key. Changing them updates the cluster in place; removing the block clears them.")
        .attribute(
            Attribute::string("fargate_ephemeral_storage_kms_key_id")
                .optional()
                .description("KMS key (ID or ARN) that encrypts the ephemeral storage of Fargate tasks."),
        )
        .attribute(
            Attribute::string("kms_key_id")
                .optional()
                .description("KMS key (ID or ARN) that encrypts the data volumes ECS manages for tasks (Amazon EBS volumes attached at launch)."),
        );
    NestedBlock::single(
        "configuration",
        Block::new()
            .description("Cluster configuration, as the AWS provider spells it. `execute_command_configuration` here is the same setting as the top-level block of that name (set one of the two).")
            .block(NestedBlock::single("execute_command_configuration", execute_command))
            .block(NestedBlock::single("managed_storage_configuration", managed_storage)),
    )
}

/// `service_connect_defaults { namespace }`, the AWS provider's spelling of
/// `service_connect_namespace`.
pub(super) fn service_connect_defaults_block() -> NestedBlock {
    NestedBlock::single(
        "service_connect_defaults",
        Block::new()
            .description("The default Service Connect namespace, as the AWS provider spells it: the same setting as `service_connect_namespace` (set one of the two).")
            .attribute(
                Attribute::string("namespace")
                    .required()
                    .validate(Prefix { prefix: "arn:", what: "an AWS Cloud Map namespace ARN" })
                    .description("ARN of the AWS Cloud Map namespace that services of this cluster use for Service Connect by default."),
            ),
    )
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Configuration {
    pub execute_command_configuration: Option<ExecuteCommand>,
    pub managed_storage_configuration: Option<ManagedStorage>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ManagedStorage {
    pub fargate_ephemeral_storage_kms_key_id: Attr<String>,
    pub kms_key_id: Attr<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ServiceConnectDefaults {
    pub namespace: Attr<String>,
}

pub(super) fn expand_managed_storage(m: &ManagedStorage) -> ManagedStorageConfiguration {
    ManagedStorageConfiguration::builder()
        .set_fargate_ephemeral_storage_kms_key_id(
            m.fargate_ephemeral_storage_kms_key_id.known().cloned(),
        )
        .set_kms_key_id(m.kms_key_id.known().cloned())
        .build()
}

/// What ECS reports; an empty object (what clearing leaves) is no block.
pub(super) fn flatten_managed_storage(
    remote: Option<&ManagedStorageConfiguration>,
) -> Option<ManagedStorage> {
    let remote = remote?;
    if remote.fargate_ephemeral_storage_kms_key_id().is_none() && remote.kms_key_id().is_none() {
        return None;
    }
    let text = |s: Option<&str>| Attr::from(s.map(str::to_string));
    Some(ManagedStorage {
        fargate_ephemeral_storage_kms_key_id: text(remote.fargate_ephemeral_storage_kms_key_id()),
        kms_key_id: text(remote.kms_key_id()),
    })
}

/// The two spellings of one ECS member, both set in `config`: an error naming both paths.
pub(super) fn validate_spellings(config: &Value, diags: &mut Diagnostics) {
    let set = |v: Option<&Value>| v.is_some_and(|v| v.block_presence() == Presence::Present);
    let configuration = config.get("configuration");
    if set(config.get("execute_command_configuration"))
        && set(configuration.and_then(|c| c.get("execute_command_configuration")))
    {
        diags.error_at(
            AttrPath::root().attr("configuration").attr("execute_command_configuration"),
            "Execute-command configuration set twice",
            "`execute_command_configuration` and `configuration.execute_command_configuration` are the same ECS setting (the second is the AWS provider's spelling). Set only one of them.",
        );
    }
    if set(config.get("service_connect_namespace")) && set(config.get("service_connect_defaults")) {
        diags.error_at(
            AttrPath::root().attr("service_connect_defaults").attr("namespace"),
            "Service Connect namespace set twice",
            "`service_connect_namespace` and `service_connect_defaults.namespace` are the same ECS setting (the second is the AWS provider's spelling). Set only one of them.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::model::object;

    fn errors(config: Value) -> String {
        let mut d = Diagnostics::new();
        validate_spellings(&config, &mut d);
        format!("{d:?}")
    }

    #[test]
    fn one_spelling_of_each_setting() {
        let namespace = Value::string("arn:aws:servicediscovery:us-east-1:1:namespace/ns-1");
        let defaults = object([("namespace", namespace.clone())]);
        assert_eq!(
            errors(object([("service_connect_defaults", defaults.clone())])),
            errors(Value::Null)
        );
        let both = errors(object([
            ("service_connect_namespace", namespace),
            ("service_connect_defaults", defaults),
        ]));
        assert!(
            both.contains("`service_connect_namespace` and `service_connect_defaults.namespace`"),
            "{both}"
        );
        let exec = object([("logging", Value::string("NONE"))]);
        let twice = errors(object([
            ("execute_command_configuration", exec.clone()),
            (
                "configuration",
                object([("execute_command_configuration", exec)]),
            ),
        ]));
        assert!(twice.contains("set twice"), "{twice}");
    }
}
