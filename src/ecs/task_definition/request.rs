//! The RegisterTaskDefinition request body, built from the planned model.

use serde_json::{Map, Value as Json, json};

use super::schema::{DockerVolume, EfsVolume, TaskDefinitionModel, Volume};
use super::surface;
use crate::ecs::container_definitions;
use crate::framework::model::Attr;

/// Puts `value` under `key` when it is known; null and unknown leave the member out.
fn put<T: serde::Serialize>(out: &mut Map<String, Json>, key: &str, value: &Attr<T>) {
    if let Attr::Known(v) = value {
        out.insert(key.into(), json!(v));
    }
}

fn efs(e: &EfsVolume) -> Json {
    let mut out = Map::new();
    out.insert("fileSystemId".into(), json!(e.file_system_id));
    put(&mut out, "rootDirectory", &e.root_directory);
    put(&mut out, "transitEncryption", &e.transit_encryption);
    put(
        &mut out,
        "transitEncryptionPort",
        &e.transit_encryption_port,
    );
    if let Some(auth) = &e.authorization_config {
        let mut a = Map::new();
        put(&mut a, "accessPointId", &auth.access_point_id);
        put(&mut a, "iam", &auth.iam);
        out.insert("authorizationConfig".into(), Json::Object(a));
    }
    Json::Object(out)
}

fn docker(d: &DockerVolume) -> Json {
    let mut out = Map::new();
    put(&mut out, "scope", &d.scope);
    put(&mut out, "autoprovision", &d.autoprovision);
    put(&mut out, "driver", &d.driver);
    put(&mut out, "driverOpts", &d.driver_opts);
    put(&mut out, "labels", &d.labels);
    Json::Object(out)
}

fn volume(v: &Volume) -> Json {
    let mut out = Map::new();
    out.insert("name".into(), json!(v.name));
    if let Attr::Known(path) = &v.host_path {
        out.insert("host".into(), json!({ "sourcePath": path }));
    }
    put(&mut out, "configuredAtLaunch", &v.configure_at_launch);
    if let Some(e) = &v.efs_volume_configuration {
        out.insert("efsVolumeConfiguration".into(), efs(e));
    }
    if let Some(d) = &v.docker_volume_configuration {
        out.insert("dockerVolumeConfiguration".into(), docker(d));
    }
    if let Some(f) = &v.fsx_windows_file_server_volume_configuration {
        out.insert(
            "fsxWindowsFileServerVolumeConfiguration".into(),
            surface::fsx_request(f),
        );
    }
    Json::Object(out)
}

/// The whole request. `containers` are the parsed `container_definitions`.
pub fn body(plan: &TaskDefinitionModel, containers: Vec<Json>) -> Json {
    let mut out = Map::new();
    out.insert("family".into(), json!(plan.family));
    out.insert("containerDefinitions".into(), Json::Array(containers));
    put(&mut out, "cpu", &plan.cpu);
    put(&mut out, "memory", &plan.memory);
    put(&mut out, "networkMode", &plan.network_mode);
    put(&mut out, "executionRoleArn", &plan.execution_role_arn);
    put(&mut out, "taskRoleArn", &plan.task_role_arn);
    put(
        &mut out,
        "requiresCompatibilities",
        &plan.requires_compatibilities,
    );
    if let Some(rp) = &plan.runtime_platform {
        let mut r = Map::new();
        put(&mut r, "operatingSystemFamily", &rp.operating_system_family);
        put(&mut r, "cpuArchitecture", &rp.cpu_architecture);
        out.insert("runtimePlatform".into(), Json::Object(r));
    }
    if let Some(storage) = &plan.ephemeral_storage {
        out.insert(
            "ephemeralStorage".into(),
            json!({ "sizeInGiB": storage.size_in_gib }),
        );
    }
    put(&mut out, "ipcMode", &plan.ipc_mode);
    put(&mut out, "pidMode", &plan.pid_mode);
    put(
        &mut out,
        "enableFaultInjection",
        &plan.enable_fault_injection,
    );
    if !plan.placement_constraints.is_empty() {
        out.insert(
            "placementConstraints".into(),
            surface::placement_request(&plan.placement_constraints),
        );
    }
    if let Some(proxy) = &plan.proxy_configuration {
        out.insert("proxyConfiguration".into(), surface::proxy_request(proxy));
    }
    if !plan.volume.is_empty() {
        let volumes = plan.volume.iter().map(volume).collect();
        out.insert("volumes".into(), Json::Array(volumes));
    }
    let tags = plan.tags_all.known().cloned().unwrap_or_default();
    if !tags.is_empty() {
        let list: Vec<Json> = tags
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        out.insert("tags".into(), Json::Array(list));
    }
    Json::Object(out)
}

/// The containers to send: the user's JSON in the API's spelling.
pub fn containers(plan: &TaskDefinitionModel) -> Result<Vec<Json>, String> {
    container_definitions::for_request(&plan.container_definitions).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}
