//! The task-level arguments beyond containers, sizes and roles: placement constraints, the App
//! Mesh proxy and FSx for Windows File Server volumes. Their blocks, models, the request members
//! they become and how they read back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::schema::PLACEMENT_CONSTRAINT_TYPES;
use crate::framework::Value;
use crate::framework::model::Attr;
use crate::framework::schema::validators::OneOf;
use crate::framework::schema::{Attribute, Block, NestedBlock};

pub fn placement_block() -> Block {
    Block::new()
        .description("A rule for the container instances tasks may be placed on (EC2; at most 10, counting those given when a task starts).")
        .attribute(
            Attribute::string("type")
                .required()
                .validate(OneOf(PLACEMENT_CONSTRAINT_TYPES))
                .description("`memberOf` (the only type a task definition takes; `distinctInstance` is for services)."),
        )
        .attribute(
            Attribute::string("expression")
                .optional()
                .description("Cluster query language expression the instances must match, e.g. `attribute:ecs.availability-zone in [us-east-1a, us-east-1b]`. Required for `memberOf`."),
        )
}

pub fn proxy_block() -> Block {
    Block::new()
        .description("The App Mesh proxy of the task.")
        .attribute(
            Attribute::string("type")
                .optional()
                .default(Value::string("APPMESH"))
                .validate(OneOf(&["APPMESH"]))
                .description("Proxy type: `APPMESH` (the default and only value)."),
        )
        .attribute(
            Attribute::string("container_name")
                .required()
                .description("Name of the container that serves as the proxy."),
        )
        .attribute(
            Attribute::string_map("properties")
                .optional()
                .description("Network parameters for the CNI plugin, e.g. `AppPorts`, `IgnoredUID`, `ProxyIngressPort`, `ProxyEgressPort`, `EgressIgnoredIPs`. ECS keeps them as a list of name/value pairs in any order; here they are a map."),
        )
}

pub fn fsx_block() -> Block {
    let authorization = Block::new()
        .description("Credentials to mount the share.")
        .attribute(
            Attribute::string("credentials_parameter")
                .required()
                .description(
                    "ARN of the Secrets Manager secret or SSM parameter holding the credentials.",
                ),
        )
        .attribute(
            Attribute::string("domain")
                .required()
                .description("Fully qualified domain name of the Active Directory domain."),
        );
    Block::new()
        .description("An Amazon FSx for Windows File Server file system (Windows containers).")
        .attribute(
            Attribute::string("file_system_id")
                .required()
                .description("ID of the file system."),
        )
        .attribute(
            Attribute::string("root_directory")
                .required()
                .description("Directory of the file system to mount as the root of the volume."),
        )
        .block(
            NestedBlock::single("authorization_config", authorization)
                .min_items(1)
                .max_items(1),
        )
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementConstraint {
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: Attr<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProxyConfiguration {
    #[serde(rename = "type")]
    pub kind: Attr<String>,
    pub container_name: String,
    pub properties: Attr<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FsxWindowsVolume {
    pub file_system_id: String,
    pub root_directory: String,
    pub authorization_config: Option<FsxAuthorization>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FsxAuthorization {
    pub credentials_parameter: String,
    pub domain: String,
}

fn text(v: &Json, key: &str) -> Option<String> {
    v.get(key).and_then(Json::as_str).map(str::to_string)
}

pub fn placement_request(constraints: &[PlacementConstraint]) -> Json {
    let list = constraints
        .iter()
        .map(|c| {
            let mut out = Map::new();
            out.insert("type".into(), json!(c.kind));
            if let Attr::Known(e) = &c.expression {
                out.insert("expression".into(), json!(e));
            }
            Json::Object(out)
        })
        .collect();
    Json::Array(list)
}

pub fn placement_remote(def: &Json) -> Vec<PlacementConstraint> {
    def.get("placementConstraints")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| PlacementConstraint {
            kind: text(c, "type").unwrap_or_default(),
            expression: text(c, "expression").into(),
        })
        .collect()
}

pub fn proxy_request(proxy: &ProxyConfiguration) -> Json {
    let mut out = Map::new();
    out.insert("containerName".into(), json!(proxy.container_name));
    if let Attr::Known(kind) = &proxy.kind {
        out.insert("type".into(), json!(kind));
    }
    if let Attr::Known(properties) = &proxy.properties {
        let pairs: Vec<Json> = properties
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        out.insert("properties".into(), Json::Array(pairs));
    }
    Json::Object(out)
}

/// ECS answers the properties as name/value pairs in an order of its own: a map compares
/// without order. No properties read back as the prior's spelling (null or `{}`).
pub fn proxy_remote(def: &Json, prior: Option<&ProxyConfiguration>) -> Option<ProxyConfiguration> {
    let p = def.get("proxyConfiguration").filter(|p| p.is_object())?;
    let properties: BTreeMap<String, String> = p
        .get("properties")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|pair| Some((text(pair, "name")?, text(pair, "value").unwrap_or_default())))
        .collect();
    let prior_properties = prior.map(|p| &p.properties);
    Some(ProxyConfiguration {
        // `APPMESH` is the only type (ProxyConfiguration.type, ECS API reference).
        kind: Attr::Known(text(p, "type").unwrap_or_else(|| "APPMESH".into())),
        container_name: text(p, "containerName").unwrap_or_default(),
        properties: match prior_properties {
            _ if !properties.is_empty() => Attr::Known(properties),
            Some(Attr::Known(empty)) if empty.is_empty() => Attr::Known(BTreeMap::new()),
            _ => Attr::Null,
        },
    })
}

pub fn fsx_request(fsx: &FsxWindowsVolume) -> Json {
    let mut out = Map::new();
    out.insert("fileSystemId".into(), json!(fsx.file_system_id));
    out.insert("rootDirectory".into(), json!(fsx.root_directory));
    if let Some(auth) = &fsx.authorization_config {
        out.insert(
            "authorizationConfig".into(),
            json!({ "credentialsParameter": auth.credentials_parameter, "domain": auth.domain }),
        );
    }
    Json::Object(out)
}

pub fn fsx_remote(v: &Json) -> Option<FsxWindowsVolume> {
    let f = v.get("fsxWindowsFileServerVolumeConfiguration")?;
    Some(FsxWindowsVolume {
        file_system_id: text(f, "fileSystemId").unwrap_or_default(),
        root_directory: text(f, "rootDirectory").unwrap_or_default(),
        authorization_config: f.get("authorizationConfig").map(|a| FsxAuthorization {
            credentials_parameter: text(a, "credentialsParameter").unwrap_or_default(),
            domain: text(a, "domain").unwrap_or_default(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_properties_read_back_as_a_map_in_any_order() {
        let proxy = ProxyConfiguration {
            kind: Attr::Known("APPMESH".into()),
            container_name: "envoy".into(),
            properties: Attr::Known(BTreeMap::from([
                ("AppPorts".to_string(), "8080".to_string()),
                ("IgnoredUID".to_string(), "1337".to_string()),
            ])),
        };
        let mut sent = proxy_request(&proxy);
        sent["properties"].as_array_mut().unwrap().reverse();
        let def = json!({ "proxyConfiguration": sent });
        assert_eq!(proxy_remote(&def, Some(&proxy)), Some(proxy.clone()));
        let bare = ProxyConfiguration {
            properties: Attr::Null,
            ..proxy.clone()
        };
        let def = json!({ "proxyConfiguration": proxy_request(&bare) });
        assert_eq!(proxy_remote(&def, None), Some(bare.clone()));
        let empty = ProxyConfiguration {
            properties: Attr::Known(BTreeMap::new()),
            ..proxy
        };
        let def = json!({ "proxyConfiguration": { "type": "APPMESH", "containerName": "envoy", "properties": [] } });
        assert_eq!(proxy_remote(&def, Some(&empty)), Some(empty));
    }

    #[test]
    fn constraints_and_fsx_round_trip() {
        let constraints = vec![PlacementConstraint {
            kind: "memberOf".into(),
            expression: Attr::Known("attribute:ecs.os-type == linux".into()),
        }];
        let def = json!({ "placementConstraints": placement_request(&constraints) });
        assert_eq!(placement_remote(&def), constraints);
        assert!(placement_remote(&json!({ "placementConstraints": [] })).is_empty());
        let fsx = FsxWindowsVolume {
            file_system_id: "fs-1".into(),
            root_directory: "\\\\data".into(),
            authorization_config: Some(FsxAuthorization {
                credentials_parameter: "arn:aws:ssm:us-east-1:123456789012:parameter/fsx".into(),
                domain: "corp.example.com".into(),
            }),
        };
        let volume = json!({ "fsxWindowsFileServerVolumeConfiguration": fsx_request(&fsx) });
        assert_eq!(fsx_remote(&volume), Some(fsx));
    }
}
