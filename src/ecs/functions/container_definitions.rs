//! `container_definitions_equal(a, b)` and `container_definitions_normalize(json)`: the
//! comparison `ecs_task_definition` plans with ([`container_definitions::equivalent`] over
//! [`container_definitions::normal_form`]), for module authors.

use serde_json::Value as Json;

use crate::ecs::container_definitions::{self, NetworkMode};
use crate::framework::Value;
use crate::framework::function::{Function, FunctionError, Parameter, Signature};
use crate::framework::value::Type;

const MODES: &[&str] = &["awsvpc", "bridge", "host", "none"];

fn network_mode() -> Parameter {
    Parameter::new(
        "network_mode",
        Type::String,
        "At most one: the task definition's `network_mode` (`awsvpc`, `bridge`, `host` or `none`). It decides what an omitted `hostPort` becomes (the `containerPort` under `awsvpc` and `host`); without it, the rules of a task definition without `network_mode` apply.",
    )
}

/// The network mode from the variadic arguments after `fixed` fixed ones.
fn mode(args: &[Value], fixed: usize) -> Result<NetworkMode, FunctionError> {
    match &args[fixed.min(args.len())..] {
        [] => Ok(NetworkMode::of(None)),
        [one] => {
            let text = one.as_str().unwrap_or_default();
            if MODES.contains(&text) {
                Ok(NetworkMode::of(Some(text)))
            } else {
                Err(FunctionError::argument(
                    fixed,
                    format!("network_mode is \"{text}\"; use awsvpc, bridge, host or none."),
                ))
            }
        }
        _ => Err(FunctionError::argument(
            fixed + 1,
            "at most one network_mode may follow the container definitions.",
        )),
    }
}

/// The normal form of argument `index`, or an error naming it with the parse problems.
fn normal_form(args: &[Value], index: usize, mode: NetworkMode) -> Result<Json, FunctionError> {
    let text = args.get(index).and_then(Value::as_str).unwrap_or_default();
    container_definitions::normal_form(text, mode).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        FunctionError::argument(index, format!("argument {index}: {}", list.join("; ")))
    })
}

fn json_parameter(name: &str, what: &str) -> Parameter {
    Parameter::new(
        name,
        Type::String,
        &format!(
            "{what}: a JSON list of container definitions, as `container_definitions` takes it (e.g. from `jsonencode`)."
        ),
    )
}

pub struct ContainerDefinitionsEqual;

impl Function for ContainerDefinitionsEqual {
    fn name(&self) -> &'static str {
        "container_definitions_equal"
    }

    fn signature(&self) -> Signature {
        Signature::new(
            "Whether two container definition JSON texts mean the same containers",
            Type::Bool,
        )
        .description("True exactly when `ecs_task_definition` would plan no change from one text to the other: member names in any case, defaults ECS fills in (`essential`, `cpu`, port `protocol` and `hostPort`, health-check timings, …), container and environment order, empty environment values and `null` members do not count.\n\nInvalid JSON fails, naming the argument and the parse error.")
        .parameter(json_parameter("a", "The first"))
        .parameter(json_parameter("b", "The second"))
        .variadic(network_mode())
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let mode = mode(&args, 2)?;
        let a = normal_form(&args, 0, mode)?;
        let b = normal_form(&args, 1, mode)?;
        Ok(Value::bool(a == b))
    }
}

pub struct ContainerDefinitionsNormalize;

impl Function for ContainerDefinitionsNormalize {
    fn name(&self) -> &'static str {
        "container_definitions_normalize"
    }

    fn signature(&self) -> Signature {
        Signature::new(
            "The normal form of container definition JSON, as ecs_task_definition compares it",
            Type::String,
        )
        .description("Returns compact JSON with the API's member names, the defaults ECS fills in, containers sorted by name, unordered lists sorted and object keys sorted. Two texts `ecs_task_definition` treats as the same normalise to the same string.\n\nInvalid JSON fails, naming the argument and the parse error.")
        .parameter(json_parameter("json", "The text"))
        .variadic(network_mode())
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let mode = mode(&args, 1)?;
        let normal = sorted(normal_form(&args, 0, mode)?);
        Ok(Value::string(normal.to_string()))
    }
}

/// Object keys in order, so equal forms print the same (objects keep insertion order here).
fn sorted(value: Json) -> Json {
    match value {
        Json::Array(items) => Json::Array(items.into_iter().map(sorted).collect()),
        Json::Object(map) => {
            let mut entries: Vec<(String, Json)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    const CONFIG: &str =
        r#"[{"name":"web","image":"nginx","portMappings":[{"containerPort":80}]}]"#;
    const AWS: &str = r#"[{"portMappings":[{"hostPort":80,"protocol":"tcp","containerPort":80}],"cpu":0,"essential":true,"image":"nginx","name":"web"}]"#;

    #[test]
    fn equal_agrees_with_the_resource_comparison() {
        for mode in [None, Some("awsvpc")] {
            let mut args = vec![s(CONFIG), s(AWS)];
            args.extend(mode.map(s));
            let expected = container_definitions::equivalent(CONFIG, AWS, NetworkMode::of(mode));
            assert_eq!(
                ContainerDefinitionsEqual.call(args).unwrap(),
                Value::bool(expected)
            );
        }
        assert!(!container_definitions::equivalent(
            CONFIG,
            AWS,
            NetworkMode::of(None)
        ));
    }

    #[test]
    fn normalize_prints_equal_forms_alike() {
        let n = |t: &str| {
            ContainerDefinitionsNormalize
                .call(vec![s(t), s("awsvpc")])
                .unwrap()
        };
        assert_eq!(n(CONFIG), n(AWS));
        assert!(
            n(CONFIG)
                .as_str()
                .unwrap()
                .starts_with(r#"[{"cpu":0,"essential":true"#)
        );
    }

    #[test]
    fn invalid_json_names_the_argument_and_the_parse_error() {
        let err = ContainerDefinitionsEqual
            .call(vec![s(CONFIG), s("[{")])
            .unwrap_err();
        assert_eq!(err.argument, Some(1));
        assert!(err.text.contains("is not valid JSON"), "{err:?}");
        let err = ContainerDefinitionsNormalize
            .call(vec![s("{}")])
            .unwrap_err();
        assert_eq!(err.argument, Some(0));
        assert!(err.text.contains("must be a JSON list"), "{err:?}");
    }

    #[test]
    fn network_mode_is_checked() {
        let err = ContainerDefinitionsNormalize
            .call(vec![s(CONFIG), s("vpc")])
            .unwrap_err();
        assert_eq!(err.argument, Some(1));
        let err = ContainerDefinitionsNormalize
            .call(vec![s(CONFIG), s("host"), s("host")])
            .unwrap_err();
        assert_eq!(err.argument, Some(2));
    }
}
