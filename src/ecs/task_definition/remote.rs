//! State from a DescribeTaskDefinition answer, keeping the user's spelling wherever AWS only
//! spells the same thing differently.

use serde_json::Value as Json;

use super::units;
use crate::ecs::container_definitions::{self, NetworkMode};
use crate::ecs::model::{object, set, string};
use crate::ecs::tags::{self, Tags};
use crate::framework::Value;

fn jstr<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

fn opt_string(v: Option<&str>) -> Value {
    v.map(Value::string).unwrap_or(Value::Null)
}

/// `true` when AWS's value is its default and the user left the attribute out.
fn default_left_out(prior: Option<&Value>, name: &str) -> bool {
    prior.and_then(|p| p.get(name)).is_none_or(Value::is_null)
}

fn volume(v: &Json, prior: Option<&Value>) -> Value {
    let name = jstr(v, "name").unwrap_or_default();
    let configured = v.get("configuredAtLaunch").and_then(Json::as_bool);
    let configured = match configured {
        Some(false) if default_left_out(prior, "configured_at_launch") => None,
        other => other,
    };
    let efs = v.get("efsVolumeConfiguration").map(|e| {
        let auth = e.get("authorizationConfig").map(|a| {
            object([
                ("access_point_id", opt_string(jstr(a, "accessPointId"))),
                ("iam", opt_string(jstr(a, "iam"))),
            ])
        });
        object([
            ("file_system_id", opt_string(jstr(e, "fileSystemId"))),
            ("root_directory", opt_string(jstr(e, "rootDirectory"))),
            (
                "transit_encryption",
                opt_string(jstr(e, "transitEncryption")),
            ),
            (
                "transit_encryption_port",
                e.get("transitEncryptionPort")
                    .and_then(Json::as_i64)
                    .map(Value::number_i64)
                    .unwrap_or(Value::Null),
            ),
            ("authorization_config", auth.unwrap_or(Value::Null)),
        ])
    });
    let prior_docker = prior
        .and_then(|p| p.get("docker_volume_configuration"))
        .filter(|d| !d.is_null());
    let docker = v.get("dockerVolumeConfiguration").map(|d| {
        // ECS fills scope `task` and driver `local` (inferred): keep the user's null then.
        let defaulted = |name: &str, value: Option<&str>, default: &str| match value {
            Some(v) if v == default && default_left_out(prior_docker, name) => Value::Null,
            other => opt_string(other),
        };
        let map =
            |key: &str| {
                d.get(key)
                    .and_then(Json::as_object)
                    .filter(|m| !m.is_empty())
                    .map(|m| {
                        Value::map(m.iter().map(|(k, v)| {
                            (k.clone(), Value::string(v.as_str().unwrap_or_default()))
                        }))
                    })
                    .unwrap_or(Value::Null)
            };
        object([
            ("scope", defaulted("scope", jstr(d, "scope"), "task")),
            (
                "autoprovision",
                d.get("autoprovision")
                    .and_then(Json::as_bool)
                    .map(Value::Bool)
                    .unwrap_or(Value::Null),
            ),
            ("driver", defaulted("driver", jstr(d, "driver"), "local")),
            ("driver_opts", map("driverOpts")),
            ("labels", map("labels")),
        ])
    });
    object([
        ("name", Value::string(name)),
        (
            "host_path",
            opt_string(v.pointer("/host/sourcePath").and_then(Json::as_str)),
        ),
        (
            "configured_at_launch",
            configured.map(Value::Bool).unwrap_or(Value::Null),
        ),
        ("efs_volume_configuration", efs.unwrap_or(Value::Null)),
        ("docker_volume_configuration", docker.unwrap_or(Value::Null)),
    ])
}

/// Fill `state` from `answer` (`{taskDefinition, tags}`); `prior` holds the spelling to keep.
pub fn apply(state: &mut Value, answer: &Json, prior: &Value, default_tags: &Tags) {
    let def = answer.get("taskDefinition").cloned().unwrap_or(Json::Null);
    let arn = jstr(&def, "taskDefinitionArn").unwrap_or_default();
    set(state, "arn", Value::string(arn));
    set(
        state,
        "arn_without_revision",
        Value::string(arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(arn)),
    );
    set(
        state,
        "revision",
        Value::number_i64(def.get("revision").and_then(Json::as_i64).unwrap_or(0)),
    );
    let family = jstr(&def, "family").unwrap_or_default();
    set(state, "family", Value::string(family));
    set(state, "id", Value::string(family));

    let mode = jstr(&def, "networkMode");
    set(state, "network_mode", opt_string(mode));
    let remote_containers = def
        .get("containerDefinitions")
        .cloned()
        .unwrap_or(Json::Array(vec![]));
    let remote_text = remote_containers.to_string();
    let keep = string(prior, "container_definitions")
        .filter(|p| container_definitions::equivalent(p, &remote_text, NetworkMode::of(mode)));
    set(
        state,
        "container_definitions",
        Value::string(keep.map(str::to_string).unwrap_or(remote_text)),
    );

    for (attr, member, convert) in [
        ("cpu", "cpu", units::cpu_units as fn(&str) -> String),
        ("memory", "memory", units::memory_mib),
    ] {
        let remote = jstr(&def, member);
        let kept = string(prior, attr).filter(|p| remote.is_some_and(|r| convert(p) == r));
        set(state, attr, opt_string(kept.or(remote)));
    }
    for (attr, member) in [
        ("execution_role_arn", "executionRoleArn"),
        ("task_role_arn", "taskRoleArn"),
    ] {
        set(state, attr, opt_string(jstr(&def, member)));
    }
    let compat: Vec<Value> = def
        .get("requiresCompatibilities")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(Value::string)
                .collect()
        })
        .unwrap_or_default();
    let prior_compat_null = prior
        .get("requires_compatibilities")
        .is_none_or(Value::is_null);
    set(
        state,
        "requires_compatibilities",
        if compat.is_empty() && prior_compat_null {
            Value::Null
        } else {
            Value::set(compat)
        },
    );
    let runtime = def
        .get("runtimePlatform")
        .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        .map(|r| {
            object([
                (
                    "operating_system_family",
                    opt_string(jstr(r, "operatingSystemFamily")),
                ),
                ("cpu_architecture", opt_string(jstr(r, "cpuArchitecture"))),
            ])
        });
    set(state, "runtime_platform", runtime.unwrap_or(Value::Null));
    let storage = def
        .pointer("/ephemeralStorage/sizeInGiB")
        .and_then(Json::as_i64)
        .map(|n| object([("size_in_gib", Value::number_i64(n))]));
    set(state, "ephemeral_storage", storage.unwrap_or(Value::Null));
    let prior_volumes = prior
        .get("volume")
        .and_then(Value::elements)
        .unwrap_or_default();
    let volumes: Vec<Value> = def
        .get("volumes")
        .and_then(Json::as_array)
        .unwrap_or(&vec![])
        .iter()
        .map(|v| {
            let name = jstr(v, "name");
            let before = prior_volumes.iter().find(|p| string(p, "name") == name);
            volume(v, before)
        })
        .collect();
    set(state, "volume", Value::set(volumes));

    let remote_tags: Tags = answer
        .get("tags")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| Some((jstr(t, "key")?.to_string(), jstr(t, "value")?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let (own, all) = tags::split_remote(&remote_tags, prior, default_tags);
    set(state, "tags", own);
    set(state, "tags_all", all);
    for name in ["skip_destroy", "delete_revisions"] {
        if state.get(name).is_none_or(Value::is_null) {
            set(state, name, Value::Bool(false));
        }
    }
}

/// The status of the revision in `answer`.
pub fn status(answer: &Json) -> &str {
    answer
        .pointer("/taskDefinition/status")
        .and_then(Json::as_str)
        .unwrap_or("ACTIVE")
}
