//! Data source `ecs_container_definition`: one container of a task definition revision (the
//! latest ACTIVE one for a bare family), e.g. the image a CI pipeline deployed.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::aws::raw_json;
use crate::ecs::configured::Configured;
use crate::framework::Diagnostics;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::model::{Attr, OrReport, decode, encode};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::suggest::did_you_mean;
use crate::framework::value::AttrPath;

pub struct ContainerDefinitionDataSource;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ContainerDefinitionModel {
    task_definition: String,
    container_name: String,
    id: String,
    image: Attr<String>,
    image_digest: Attr<String>,
    cpu: Attr<i64>,
    memory: Attr<i64>,
    memory_reservation: Attr<i64>,
    environment: BTreeMap<String, String>,
    docker_labels: BTreeMap<String, String>,
    disable_networking: Attr<bool>,
}

#[derive(Deserialize)]
struct Lookup {
    task_definition: String,
    container_name: String,
}

/// The digest of `image@sha256:…`; otherwise the tag (`nginx:1.27` → `1.27`), which is what
/// the AWS provider reports under this name. A registry port is not a tag.
fn image_digest(image: &str) -> Option<String> {
    if let Some((_, digest)) = image.split_once('@') {
        return Some(digest.to_string());
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, tag)| tag.to_string())
}

fn name_of(c: &Json) -> &str {
    c.get("name").and_then(Json::as_str).unwrap_or("")
}

fn strings(c: &Json, key: &str) -> BTreeMap<String, String> {
    c.get(key)
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn model(lookup: Lookup, c: &Json) -> ContainerDefinitionModel {
    let number = |key: &str| Attr::from(c.get(key).and_then(Json::as_i64));
    let image = c.get("image").and_then(Json::as_str);
    let environment = c
        .get("environment")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let name = e.get("name").and_then(Json::as_str)?;
            let value = e.get("value").and_then(Json::as_str).unwrap_or_default();
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    ContainerDefinitionModel {
        id: format!("{}/{}", lookup.task_definition, lookup.container_name),
        task_definition: lookup.task_definition,
        container_name: lookup.container_name,
        image: image.map(str::to_string).into(),
        image_digest: image.and_then(image_digest).into(),
        cpu: number("cpu"),
        memory: number("memory"),
        memory_reservation: number("memoryReservation"),
        environment,
        docker_labels: strings(c, "dockerLabels"),
        disable_networking: c.get("disableNetworking").and_then(Json::as_bool).into(),
    }
}

#[async_trait]
impl DataSource for ContainerDefinitionDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_container_definition"
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, what: &str| a.computed().description(what);
        Schema::new(
            Block::new()
                .description("Looks up one container of a task definition revision: its image, sizes, environment and labels as ECS stored them.")
                .attribute(Attribute::string("task_definition").required().description("`family` (its latest ACTIVE revision), `family:revision` or the ARN of a revision."))
                .attribute(Attribute::string("container_name").required().description("Name of the container in that revision."))
                .attribute(computed(Attribute::string("id"), "`task_definition/container_name`."))
                .attribute(computed(Attribute::string("image"), "The container's image."))
                .attribute(computed(Attribute::string("image_digest"), "The image's digest (`sha256:…`) when the image names one with `@`, otherwise its tag (`1.27` of `nginx:1.27`); null when it has neither."))
                .attribute(computed(Attribute::number("cpu"), "CPU units reserved for the container (ECS reports 0 when none were set)."))
                .attribute(computed(Attribute::number("memory"), "Hard memory limit in MiB; null when not set."))
                .attribute(computed(Attribute::number("memory_reservation"), "Soft memory limit in MiB; null when not set."))
                .attribute(computed(Attribute::string_map("environment"), "Environment variables, by name."))
                .attribute(computed(Attribute::string_map("docker_labels"), "Docker labels, by name."))
                .attribute(computed(Attribute::bool("disable_networking"), "Whether networking is off inside the container; null when not set.")),
        )
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let Some(lookup) = decode::<Lookup>(&req.config).or_report(&mut resp.diags) else {
            return;
        };
        let wanted = &lookup.task_definition;
        let answer = match raw_json::describe_task_definition(&cfg.clients.ecs, wanted).await {
            Ok(answer) => answer,
            Err(e) => {
                resp.diags.error_at(
                    AttrPath::root().attr("task_definition"),
                    "Task definition not found",
                    format!("DescribeTaskDefinition for \"{wanted}\" failed: {e}"),
                );
                return;
            }
        };
        let containers = answer
            .pointer("/taskDefinition/containerDefinitions")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(container) = containers
            .iter()
            .find(|c| name_of(c) == lookup.container_name)
        else {
            let arn = answer
                .pointer("/taskDefinition/taskDefinitionArn")
                .and_then(Json::as_str)
                .unwrap_or(wanted);
            let names: Vec<&str> = containers.iter().map(name_of).collect();
            let listed = if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("its containers are: {}", names.join(", "))
            };
            resp.diags.error_at(
                AttrPath::root().attr("container_name"),
                "No such container",
                format!(
                    "Task definition {arn} has no container named \"{}\"; {listed}.{}",
                    lookup.container_name,
                    did_you_mean(&lookup.container_name, names.iter().copied())
                ),
            );
            return;
        };
        let state = model(lookup, container);
        if let Some(value) =
            encode(&state, &self.schema().implied_type()).or_report(&mut resp.diags)
        {
            resp.state = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;

    #[test]
    fn model_agrees() {
        assert_model_agrees::<ContainerDefinitionModel>(&ContainerDefinitionDataSource.schema());
    }

    #[test]
    fn digests_and_tags() {
        assert_eq!(image_digest("nginx:1.27").as_deref(), Some("1.27"));
        assert_eq!(
            image_digest("repo/app@sha256:abc").as_deref(),
            Some("sha256:abc")
        );
        assert_eq!(
            image_digest("registry.local:5000/app:v2").as_deref(),
            Some("v2")
        );
        assert_eq!(image_digest("registry.local:5000/app"), None);
        assert_eq!(image_digest("nginx"), None);
    }

    #[test]
    fn the_container_reads_as_ecs_stored_it() {
        let c = serde_json::json!({
            "name": "web", "image": "nginx:1.27", "cpu": 0, "memoryReservation": 64,
            "environment": [{ "name": "B", "value": "2" }, { "name": "A", "value": "1" }],
            "dockerLabels": { "team": "web" }
        });
        let lookup = Lookup {
            task_definition: "web:3".into(),
            container_name: "web".into(),
        };
        let m = model(lookup, &c);
        assert_eq!(m.id, "web:3/web");
        assert_eq!(m.cpu, Attr::Known(0));
        assert_eq!(m.memory, Attr::Null);
        assert_eq!(m.environment.get("A").map(String::as_str), Some("1"));
        assert_eq!(m.docker_labels.len(), 1);
        assert_eq!(m.disable_networking, Attr::Null);
    }
}
