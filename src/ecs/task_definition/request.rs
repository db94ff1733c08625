//! The RegisterTaskDefinition request body, built from the planned state.

use serde_json::{Map, Value as Json, json};

use crate::ecs::container_definitions;
use crate::ecs::model::{block, boolean, string, string_map};
use crate::framework::Value;

fn put_str(out: &mut Map<String, Json>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.insert(key.into(), json!(v));
    }
}

fn number(object: &Value, name: &str) -> Option<i64> {
    object.get(name).and_then(Value::as_i64)
}

fn volume(v: &Value) -> Json {
    let mut out = Map::new();
    put_str(&mut out, "name", string(v, "name"));
    if let Some(path) = string(v, "host_path") {
        out.insert("host".into(), json!({ "sourcePath": path }));
    }
    if let Some(b) = boolean(v, "configured_at_launch") {
        out.insert("configuredAtLaunch".into(), json!(b));
    }
    if let Some(efs) = block(v, "efs_volume_configuration") {
        let mut e = Map::new();
        put_str(&mut e, "fileSystemId", string(efs, "file_system_id"));
        put_str(&mut e, "rootDirectory", string(efs, "root_directory"));
        put_str(
            &mut e,
            "transitEncryption",
            string(efs, "transit_encryption"),
        );
        if let Some(port) = number(efs, "transit_encryption_port") {
            e.insert("transitEncryptionPort".into(), json!(port));
        }
        if let Some(auth) = block(efs, "authorization_config") {
            let mut a = Map::new();
            put_str(&mut a, "accessPointId", string(auth, "access_point_id"));
            put_str(&mut a, "iam", string(auth, "iam"));
            e.insert("authorizationConfig".into(), Json::Object(a));
        }
        out.insert("efsVolumeConfiguration".into(), Json::Object(e));
    }
    if let Some(docker) = block(v, "docker_volume_configuration") {
        let mut d = Map::new();
        put_str(&mut d, "scope", string(docker, "scope"));
        if let Some(b) = boolean(docker, "autoprovision") {
            d.insert("autoprovision".into(), json!(b));
        }
        put_str(&mut d, "driver", string(docker, "driver"));
        for (member, attr) in [("driverOpts", "driver_opts"), ("labels", "labels")] {
            if let Some(map) = string_map(docker, attr) {
                d.insert(member.into(), json!(map));
            }
        }
        out.insert("dockerVolumeConfiguration".into(), Json::Object(d));
    }
    Json::Object(out)
}

/// The whole request. `containers` are the parsed `container_definitions`.
pub fn body(planned: &Value, containers: Vec<Json>) -> Json {
    let mut out = Map::new();
    put_str(&mut out, "family", string(planned, "family"));
    out.insert("containerDefinitions".into(), Json::Array(containers));
    for (member, attr) in [
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("networkMode", "network_mode"),
        ("executionRoleArn", "execution_role_arn"),
        ("taskRoleArn", "task_role_arn"),
    ] {
        put_str(&mut out, member, string(planned, attr));
    }
    if let Some(items) = planned
        .get("requires_compatibilities")
        .and_then(Value::elements)
    {
        let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        out.insert("requiresCompatibilities".into(), json!(names));
    }
    if let Some(rp) = block(planned, "runtime_platform") {
        let mut r = Map::new();
        put_str(
            &mut r,
            "operatingSystemFamily",
            string(rp, "operating_system_family"),
        );
        put_str(&mut r, "cpuArchitecture", string(rp, "cpu_architecture"));
        out.insert("runtimePlatform".into(), Json::Object(r));
    }
    if let Some(size) = block(planned, "ephemeral_storage").and_then(|e| number(e, "size_in_gib")) {
        out.insert("ephemeralStorage".into(), json!({ "sizeInGiB": size }));
    }
    let volumes: Vec<Json> = planned
        .get("volume")
        .and_then(Value::elements)
        .unwrap_or_default()
        .iter()
        .map(volume)
        .collect();
    if !volumes.is_empty() {
        out.insert("volumes".into(), Json::Array(volumes));
    }
    let tags = string_map(planned, "tags_all").unwrap_or_default();
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
pub fn containers(planned: &Value) -> Result<Vec<Json>, String> {
    let text = string(planned, "container_definitions").unwrap_or("[]");
    container_definitions::for_request(text).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}
