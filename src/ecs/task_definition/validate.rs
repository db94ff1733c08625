//! Plan-time checks of what RegisterTaskDefinition would refuse: the container JSON's shape and
//! member values, container count and names, task sizes, and the Fargate rules. Unknown values
//! are skipped; Terraform validates again once they are known.

use serde::Deserialize;
use serde_json::Value as Json;

use super::fargate::fargate_size;
use super::units;
use crate::ecs::container_definitions::{self, Problem};
use crate::framework::model::{Attr, OrReport, decode};
use crate::framework::suggest::did_you_mean;
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

const MAX_CONTAINERS: usize = 10;
const FARGATE_LOG_DRIVERS: &[&str] = &["awslogs", "splunk", "awsfirelens"];

/// What the checks read of the configuration, where anything may still be unknown.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    cpu: Attr<String>,
    memory: Attr<String>,
    network_mode: Attr<String>,
    container_definitions: Attr<String>,
    requires_compatibilities: Attr<Vec<Attr<String>>>,
}

impl Config {
    fn awsvpc(&self) -> bool {
        self.network_mode.known().is_some_and(|m| m == "awsvpc")
    }
}

fn at(name: &str) -> AttrPath {
    AttrPath::root().attr(name)
}

/// Every check; `config` is the resource configuration.
pub fn check(raw: &Value, diags: &mut Diagnostics) {
    let Some(config) = decode::<Config>(raw).or_report(diags) else {
        return;
    };
    for (attr, value, unit, example) in [
        ("cpu", &config.cpu, "vcpu", "\"256\" or \"1 vCPU\""),
        ("memory", &config.memory, "gb", "\"512\" or \"2 GB\""),
    ] {
        if let Attr::Known(text) = value
            && !units::valid(text, unit)
        {
            diags.error_at(
                at(attr),
                format!("Invalid task {attr}"),
                format!("\"{text}\" is not a size ECS accepts: write a whole number or a number with its unit, e.g. {example}."),
            );
        }
    }
    let containers = container_json(&config, diags);
    if let Some(containers) = &containers {
        // Enums, ranges and formats of members (`fields.rs` lists what ECS accepts in each).
        report(container_definitions::value_problems(containers), diags);
        check_containers(containers, &config, diags);
    }
    check_fargate(&config, containers.as_deref(), diags);
    super::isolation::check(raw, diags);
}

fn container_json(config: &Config, diags: &mut Diagnostics) -> Option<Vec<Json>> {
    let text = config.container_definitions.known()?;
    match container_definitions::for_request(text) {
        Ok(containers) => Some(containers),
        Err(problems) => {
            report(problems, diags);
            None
        }
    }
}

fn report(problems: Vec<Problem>, diags: &mut Diagnostics) {
    for Problem {
        container,
        path,
        message,
    } in problems
    {
        let detail = if path.is_empty() {
            format!("In container_definitions, {container} {message}")
        } else {
            format!("In container_definitions, {container}: `{path}` {message}")
        };
        diags.error_at(
            at("container_definitions"),
            "Invalid container definition",
            detail,
        );
    }
}

fn name(c: &Json) -> &str {
    c.get("name").and_then(Json::as_str).unwrap_or("")
}

fn check_containers(containers: &[Json], config: &Config, diags: &mut Diagnostics) {
    let path = at("container_definitions");
    if containers.is_empty() {
        diags.error_at(
            path.clone(),
            "No containers",
            "A task definition needs at least one container.",
        );
    }
    if containers.len() > MAX_CONTAINERS {
        diags.error_at(
            path.clone(),
            "Too many containers",
            format!("{} containers are defined; ECS allows at most {MAX_CONTAINERS} per task definition.", containers.len()),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for c in containers {
        let n = name(c);
        if seen.contains(&n) {
            diags.error_at(
                path.clone(),
                "Duplicate container name",
                format!("Container names must be unique; \"{n}\" is used more than once."),
            );
        }
        seen.push(n);
    }
    let awsvpc = config.awsvpc();
    let names: Vec<&str> = containers.iter().map(name).collect();
    if !containers.is_empty()
        && !containers
            .iter()
            .any(|c| c.get("essential").and_then(Json::as_bool).unwrap_or(true))
    {
        diags.error_at(
            path.clone(),
            "No essential container",
            "Every container sets `essential = false`; ECS needs at least one essential container (the task stops when it stops).",
        );
    }
    for c in containers {
        check_container(c, &names, containers, awsvpc, diags);
    }
    if config.memory.is_null() {
        for c in containers {
            // ECS wants "a non-zero integer for one or both" of them (ContainerDefinition).
            let set = |key: &str| c.get(key).and_then(Json::as_i64).is_some_and(|n| n != 0);
            if !set("memory") && !set("memoryReservation") {
                diags.error_at(
                    path.clone(),
                    "Container memory missing",
                    format!(
                        "Container \"{}\" sets neither `memory` nor `memoryReservation`, and the task sets no `memory`: ECS needs one of them.",
                        name(c)
                    ),
                );
            }
        }
    }
}

fn check_fargate(config: &Config, containers: Option<&[Json]>, diags: &mut Diagnostics) {
    let Attr::Known(compat) = &config.requires_compatibilities else {
        return;
    };
    if !compat
        .iter()
        .any(|v| v.known().is_some_and(|c| c == "FARGATE"))
    {
        return;
    }
    match &config.network_mode {
        Attr::Known(m) if m == "awsvpc" => {}
        Attr::Unknown => {}
        other => diags.error_at(
            at("network_mode"),
            "Fargate needs network_mode = \"awsvpc\"",
            format!(
                "requires_compatibilities includes FARGATE, which only runs tasks in `awsvpc` mode; network_mode is {}.",
                match other.known() {
                    Some(m) => format!("\"{m}\""),
                    None => "not set (ECS's default is \"bridge\")".into(),
                }
            ),
        ),
    }
    let size = |attr: &str,
                value: &Attr<String>,
                convert: fn(&str) -> String,
                diags: &mut Diagnostics|
     -> Option<u64> {
        match value {
            Attr::Null => {
                diags.error_at(
                    at(attr),
                    format!("Fargate needs a task {attr}"),
                    format!("requires_compatibilities includes FARGATE, which needs `{attr}` at the task level."),
                );
                None
            }
            Attr::Known(t) => convert(t).parse().ok(),
            Attr::Unknown => None,
        }
    };
    let cpu = size("cpu", &config.cpu, units::cpu_units, diags);
    let memory = size("memory", &config.memory, units::memory_mib, diags);
    if let (Some(cpu), Some(memory)) = (cpu, memory)
        && let Err(why) = fargate_size(cpu, memory)
    {
        diags.error_at(
            at("memory"),
            "No Fargate size for this cpu and memory",
            format!("cpu {cpu} with memory {memory} MiB does not exist on Fargate: {why}. (8 and 16 vCPU need platform version 1.4.0 or later.)"),
        );
    }
    for c in containers.unwrap_or_default() {
        if c.get("privileged").and_then(Json::as_bool) == Some(true) {
            diags.error_at(
                at("container_definitions"),
                "Privileged containers are not available on Fargate",
                format!(
                    "Container \"{}\" sets `privileged = true`, which Fargate does not support.",
                    name(c)
                ),
            );
        }
        if let Some(driver) = c
            .pointer("/logConfiguration/logDriver")
            .and_then(Json::as_str)
            && !FARGATE_LOG_DRIVERS.contains(&driver)
        {
            diags.error_at(
                at("container_definitions"),
                "Log driver not available on Fargate",
                format!(
                    "Container \"{}\" uses the log driver \"{driver}\"; Fargate supports awslogs, splunk and awsfirelens.",
                    name(c)
                ),
            );
        }
    }
}

/// The checks of one container that need only the container (and its siblings' names).
fn check_container(
    c: &Json,
    names: &[&str],
    containers: &[Json],
    awsvpc: bool,
    diags: &mut Diagnostics,
) {
    let n = name(c);
    let mut problem = |what: &str, detail: String| {
        diags.error_at(
            at("container_definitions"),
            what.to_string(),
            format!("In container_definitions, container \"{n}\": {detail}"),
        );
    };
    if n.is_empty() || n.len() > 255 || !n.chars().all(crate::ecs::arn::is_name_char) {
        problem(
            "Invalid container name",
            format!(
                "`name` \"{n}\" must be 1 to 255 letters, digits, hyphens (-) and underscores (_)."
            ),
        );
    }
    let number = |key: &str| c.get(key).and_then(Json::as_i64);
    if let Some(memory) = number("memory") {
        if memory < 6 {
            problem(
                "Container memory too small",
                format!("`memory` is {memory} MiB; ECS needs at least 6 MiB."),
            );
        }
        if let Some(reservation) = number("memoryReservation")
            && reservation > memory
        {
            problem(
                "memoryReservation above memory",
                format!(
                    "`memoryReservation` ({reservation} MiB) must not exceed `memory` ({memory} MiB), the hard limit."
                ),
            );
        }
    }
    let ports = c.get("portMappings").and_then(Json::as_array);
    for (i, port) in ports.into_iter().flatten().enumerate() {
        let at_port = |key: &str| port.get(key).and_then(Json::as_i64);
        if let Some(p) = at_port("containerPort")
            && !(1..=65535).contains(&p)
        {
            problem(
                "Invalid port",
                format!("`portMappings[{i}].containerPort` is {p}; ports are 1 to 65535."),
            );
        }
        if let Some(p) = at_port("hostPort")
            && !(0..=65535).contains(&p)
        {
            problem(
                "Invalid port",
                format!("`portMappings[{i}].hostPort` is {p}; ports are 0 to 65535."),
            );
        }
        if awsvpc
            && let (Some(host), Some(container)) = (at_port("hostPort"), at_port("containerPort"))
            && host != container
        {
            problem(
                "Host port differs from container port",
                format!(
                    "`portMappings[{i}]` maps host port {host} to container port {container}; in awsvpc mode they must be equal (or leave `hostPort` out)."
                ),
            );
        }
    }
    let secret_lists = [
        ("secrets", c.get("secrets")),
        (
            "logConfiguration.secretOptions",
            c.pointer("/logConfiguration/secretOptions"),
        ),
    ];
    for (list, items) in secret_lists {
        for (i, secret) in items
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let from = secret.get("valueFrom").and_then(Json::as_str).unwrap_or("");
            if let Err(why) = secret_source(from) {
                problem(
                    "Invalid secret source",
                    format!("`{list}[{i}].valueFrom` {why}."),
                );
            }
        }
    }
    let dependencies = c.get("dependsOn").and_then(Json::as_array);
    for (i, dep) in dependencies.into_iter().flatten().enumerate() {
        let target = dep
            .get("containerName")
            .and_then(Json::as_str)
            .unwrap_or("");
        let condition = dep.get("condition").and_then(Json::as_str);
        if !names.contains(&target) || target == n {
            problem(
                "dependsOn names no other container",
                format!(
                    "`dependsOn[{i}].containerName` is \"{target}\", which is not another container of this task definition (containers: {}).{}",
                    names.join(", "),
                    did_you_mean(target, names.iter().copied())
                ),
            );
        } else if condition == Some("HEALTHY")
            && containers
                .iter()
                .find(|o| name(o) == target)
                .is_some_and(|o| o.get("healthCheck").is_none())
        {
            problem(
                "HEALTHY needs a health check",
                format!(
                    "`dependsOn[{i}]` waits for \"{target}\" to be HEALTHY, but that container has no `healthCheck`."
                ),
            );
        }
    }
}

/// `valueFrom` of a secret: an SSM parameter (ARN or name) or a Secrets Manager secret ARN.
pub fn secret_source(from: &str) -> Result<(), String> {
    if from.is_empty() {
        return Err(
            "is empty; give an SSM parameter ARN or name, or a Secrets Manager secret ARN".into(),
        );
    }
    if let Some(rest) = from.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return match parts.as_slice() {
            [_, "ssm", _, _, resource] if resource.starts_with("parameter/") => Ok(()),
            [_, "secretsmanager", _, _, resource] if resource.starts_with("secret:") => Ok(()),
            _ => Err(format!(
                "is \"{from}\", which is neither an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) nor a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)"
            )),
        };
    }
    if let Some(bad) = from
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-/".contains(*c)))
    {
        return Err(format!(
            "is \"{from}\": not an ARN, and not a parameter name ({bad:?} is not allowed)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(containers: Json) -> Vec<String> {
        let config = Value::object([(
            "container_definitions",
            Value::string(containers.to_string()),
        )]);
        let mut diags = Diagnostics::new();
        check(&config, &mut diags);
        diags.iter().map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn refused_values_are_reported_with_the_other_container_checks() {
        let details = details(serde_json::json!([{
            "name": "web", "image": "nginx", "memory": 128, "versionConsistency": "invalid",
            "dependsOn": [{ "containerName": "db", "condition": "STARTED" }]
        }]));
        for expected in [
            "In container_definitions, container \"web\": `versionConsistency` is \"invalid\"; allowed: enabled, disabled.",
            "In container_definitions, container \"web\": `dependsOn[0].condition` is \"STARTED\"; allowed: START, COMPLETE, SUCCESS, HEALTHY. Did you mean \"START\"?",
            "`dependsOn[0].containerName` is \"db\", which is not another container",
        ] {
            assert!(
                details.iter().any(|d| d.contains(expected)),
                "{expected:?} not in {details:#?}"
            );
        }
        assert_eq!(details.len(), 3, "{details:#?}");
    }

    #[test]
    fn secret_sources() {
        assert!(secret_source("arn:aws:ssm:us-east-1:123456789012:parameter/db").is_ok());
        assert!(
            secret_source("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCd").is_ok()
        );
        assert!(secret_source("/web/db").is_ok());
        assert!(secret_source("arn:aws:s3:::bucket").is_err());
        assert!(secret_source("has space").is_err());
        assert!(secret_source("").is_err());
    }

    #[test]
    fn fargate_sizes_follow_the_table() {
        assert!(fargate_size(256, 512).is_ok());
        assert!(fargate_size(512, 3072).is_ok());
        assert!(fargate_size(8192, 20480).is_ok());
        assert!(
            fargate_size(256, 4096)
                .unwrap_err()
                .contains("512, 1024 or 2048")
        );
        assert!(
            fargate_size(8192, 18432)
                .unwrap_err()
                .contains("steps of 4096")
        );
        assert!(
            fargate_size(3, 7)
                .unwrap_err()
                .contains("not a Fargate CPU size")
        );
    }
}
