//! The model from a DescribeTaskDefinition answer, keeping the user's spelling wherever AWS only
//! spells the same thing differently.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::schema::{
    DockerVolume, EfsAuthorization, EfsVolume, EphemeralStorage, RuntimePlatform,
    TaskDefinitionModel, Volume,
};
use super::surface;
use super::units;
use crate::ecs::container_definitions::{self, NetworkMode};
use crate::ecs::tags::{self, Tags};
use crate::framework::model::Attr;

fn jstr<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

fn text(v: &Json, key: &str) -> Attr<String> {
    jstr(v, key).map(str::to_string).into()
}

fn flag(v: &Json, key: &str) -> Attr<bool> {
    v.get(key).and_then(Json::as_bool).into()
}

/// `true` when the user left the attribute out, so AWS's default stays out of state too.
fn left_out<T>(prior: Option<&Attr<T>>) -> bool {
    prior.is_none_or(Attr::is_null)
}

/// A non-empty JSON object of strings; an empty or absent one is null.
fn strings(v: &Json, key: &str) -> Attr<BTreeMap<String, String>> {
    v.get(key)
        .and_then(Json::as_object)
        .filter(|m| !m.is_empty())
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .into()
}

fn efs(e: &Json) -> EfsVolume {
    EfsVolume {
        file_system_id: jstr(e, "fileSystemId").unwrap_or_default().to_string(),
        root_directory: text(e, "rootDirectory"),
        transit_encryption: text(e, "transitEncryption"),
        transit_encryption_port: e.get("transitEncryptionPort").and_then(Json::as_i64).into(),
        authorization_config: e.get("authorizationConfig").map(|a| EfsAuthorization {
            access_point_id: text(a, "accessPointId"),
            iam: text(a, "iam"),
        }),
    }
}

fn docker(d: &Json, prior: Option<&DockerVolume>) -> DockerVolume {
    // ECS fills scope `task` and driver `local` (inferred): keep the user's null then.
    let defaulted = |value: Attr<String>, prior: Option<&Attr<String>>, default: &str| {
        if value.known().is_some_and(|v| v == default) && left_out(prior) {
            Attr::Null
        } else {
            value
        }
    };
    DockerVolume {
        scope: defaulted(text(d, "scope"), prior.map(|p| &p.scope), "task"),
        autoprovision: flag(d, "autoprovision"),
        driver: defaulted(text(d, "driver"), prior.map(|p| &p.driver), "local"),
        driver_opts: strings(d, "driverOpts"),
        labels: strings(d, "labels"),
    }
}

fn volume(v: &Json, prior: Option<&Volume>) -> Volume {
    let configured = flag(v, "configuredAtLaunch");
    let prior_configured = prior.map(|p| &p.configure_at_launch);
    let prior_docker = prior.and_then(|p| p.docker_volume_configuration.as_ref());
    Volume {
        name: jstr(v, "name").unwrap_or_default().to_string(),
        host_path: v
            .pointer("/host/sourcePath")
            .and_then(Json::as_str)
            .map(str::to_string)
            .into(),
        // `false` is ECS's default.
        configure_at_launch: match configured {
            Attr::Known(false) if left_out(prior_configured) => Attr::Null,
            other => other,
        },
        efs_volume_configuration: v.get("efsVolumeConfiguration").map(efs),
        docker_volume_configuration: v
            .get("dockerVolumeConfiguration")
            .map(|d| docker(d, prior_docker)),
        fsx_windows_file_server_volume_configuration: surface::fsx_remote(v),
    }
}

/// The model of `answer` (`{taskDefinition, tags}`); `prior` (none on import) holds the
/// spelling to keep and the attributes AWS does not know.
pub fn flatten(
    answer: &Json,
    prior: Option<&TaskDefinitionModel>,
    default_tags: &Tags,
) -> TaskDefinitionModel {
    let def = answer.get("taskDefinition").cloned().unwrap_or(Json::Null);
    let arn = jstr(&def, "taskDefinitionArn").unwrap_or_default();
    let family = jstr(&def, "family").unwrap_or_default();
    let mode = jstr(&def, "networkMode");

    let remote_containers = def
        .get("containerDefinitions")
        .cloned()
        .unwrap_or(Json::Array(vec![]));
    let remote_text = remote_containers.to_string();
    let containers = prior
        .map(|p| &p.container_definitions)
        .filter(|p| container_definitions::equivalent(p, &remote_text, NetworkMode::of(mode)))
        .cloned()
        .unwrap_or(remote_text);

    // "1 vCPU" in the configuration, "1024" in AWS: keep the configuration's text.
    let size = |prior: Option<&Attr<String>>, member: &str, convert: fn(&str) -> String| {
        let remote = jstr(&def, member);
        let kept = prior
            .and_then(Attr::known)
            .filter(|p| remote.is_some_and(|r| convert(p) == r));
        Attr::from(kept.cloned().or(remote.map(str::to_string)))
    };

    let compat: Vec<String> = def
        .get("requiresCompatibilities")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let prior_compat = prior.map(|p| &p.requires_compatibilities);

    let prior_volumes = prior.map(|p| p.volume.as_slice()).unwrap_or_default();
    let volumes = def
        .get("volumes")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|v| {
            let name = jstr(v, "name");
            let before = prior_volumes.iter().find(|p| Some(p.name.as_str()) == name);
            volume(v, before)
        })
        .collect();

    let remote_tags: Tags = answer
        .get("tags")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| Some((jstr(t, "key")?.to_string(), jstr(t, "value")?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let prior_tags = prior.and_then(|p| p.tags.known());
    let (tags, tags_all) = tags::split_remote_tags(&remote_tags, prior_tags, default_tags);

    // Only this provider knows these: the prior's, else their defaults.
    let own = |prior: Option<&Attr<bool>>| match prior {
        Some(v) if !v.is_null() => v.clone(),
        _ => Attr::Known(false),
    };

    TaskDefinitionModel {
        family: family.to_string(),
        container_definitions: containers,
        cpu: size(prior.map(|p| &p.cpu), "cpu", units::cpu_units),
        memory: size(prior.map(|p| &p.memory), "memory", units::memory_mib),
        network_mode: mode.map(str::to_string).into(),
        // An empty list stays null when the user left the attribute out.
        requires_compatibilities: if compat.is_empty() && left_out(prior_compat) {
            Attr::Null
        } else {
            Attr::Known(compat)
        },
        execution_role_arn: text(&def, "executionRoleArn"),
        task_role_arn: text(&def, "taskRoleArn"),
        ipc_mode: text(&def, "ipcMode"),
        pid_mode: text(&def, "pidMode"),
        // ECS reports false when it was not sent.
        enable_fault_injection: Attr::Known(
            def.get("enableFaultInjection")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        ),
        track_latest: own(prior.map(|p| &p.track_latest)),
        skip_destroy: own(prior.map(|p| &p.skip_destroy)),
        delete_revisions: own(prior.map(|p| &p.delete_revisions)),
        tags: tags.into(),
        tags_all: Attr::Known(tags_all),
        arn: Attr::Known(arn.to_string()),
        arn_without_revision: Attr::Known(without_revision(arn).to_string()),
        revision: Attr::Known(def.get("revision").and_then(Json::as_i64).unwrap_or(0)),
        id: Attr::Known(family.to_string()),
        runtime_platform: def
            .get("runtimePlatform")
            .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            .map(|r| RuntimePlatform {
                operating_system_family: text(r, "operatingSystemFamily"),
                cpu_architecture: text(r, "cpuArchitecture"),
            }),
        ephemeral_storage: def
            .pointer("/ephemeralStorage/sizeInGiB")
            .and_then(Json::as_i64)
            .map(|size_in_gib| EphemeralStorage { size_in_gib }),
        volume: volumes,
        placement_constraints: surface::placement_remote(&def),
        proxy_configuration: surface::proxy_remote(
            &def,
            prior.and_then(|p| p.proxy_configuration.as_ref()),
        ),
    }
}

/// The ARN of the family: services using it run the latest ACTIVE revision.
pub fn without_revision(arn: &str) -> &str {
    arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(arn)
}

/// The status of the revision in `answer`.
pub fn status(answer: &Json) -> &str {
    answer
        .pointer("/taskDefinition/status")
        .and_then(Json::as_str)
        .unwrap_or("ACTIVE")
}
