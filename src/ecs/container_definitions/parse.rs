//! Reading `container_definitions` JSON: every member checked against the API's shape, spelled
//! the API's way (case-insensitive match), JSON `null` treated as absent. Problems are reported
//! with the container's name and the member's path, and a suggestion for near misses.

use serde_json::{Map, Value};

use super::fields::{self, CONTAINER, Field, Kind};
use crate::framework::suggest::closest;

/// One problem in the JSON, for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `container "web"` or `container #2`.
    pub container: String,
    /// `portMappings[0].containerPort`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.container, self.message)
        } else {
            write!(f, "{}, `{}`: {}", self.container, self.path, self.message)
        }
    }
}

/// How strictly members are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The user's configuration: unknown members and wrong types are errors.
    Config,
    /// What AWS returned: members this provider does not know yet are kept as they are.
    Remote,
}

/// Parse the JSON text into the list of containers, members renamed to the API's spelling.
pub fn parse(text: &str, mode: Mode) -> Result<Vec<Value>, Vec<Problem>> {
    let whole = |message: String| {
        vec![Problem {
            container: "container_definitions".into(),
            path: String::new(),
            message,
        }]
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| whole(format!("is not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(whole(
            "must be a JSON list of container definitions, e.g. jsonencode([{ name = \"web\", image = \"nginx\" }])".into(),
        ));
    };
    let mut problems = Vec::new();
    let mut containers = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = container_label(i, item);
        let mut ctx = Walk {
            container: &label,
            mode,
            problems: &mut problems,
        };
        match ctx.object(CONTAINER, item, "") {
            Some(c) => {
                if mode == Mode::Config {
                    for required in ["name", "image"] {
                        if !c.contains_key(required) {
                            ctx.problem("", format!("`{required}` is required"));
                        }
                    }
                }
                containers.push(Value::Object(c));
            }
            None => ctx.problem("", "must be an object".to_string()),
        }
    }
    if problems.is_empty() {
        Ok(containers)
    } else {
        Err(problems)
    }
}

/// `container "web"`, or `container #2` for the second container when it has no name.
pub(super) fn container_label(index: usize, container: &Value) -> String {
    match container.get("name").and_then(Value::as_str) {
        Some(name) => format!("container \"{name}\""),
        None => format!("container #{}", index + 1),
    }
}

struct Walk<'a> {
    container: &'a str,
    mode: Mode,
    problems: &'a mut Vec<Problem>,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl Walk<'_> {
    fn problem(&mut self, path: &str, message: String) {
        self.problems.push(Problem {
            container: self.container.to_string(),
            path: path.to_string(),
            message,
        });
    }

    fn object(
        &mut self,
        fields: &'static [Field],
        value: &Value,
        path: &str,
    ) -> Option<Map<String, Value>> {
        let map = value.as_object()?;
        let mut out = Map::new();
        for (key, member) in map {
            if member.is_null() {
                continue;
            }
            let here = join(path, key);
            match fields::lookup(fields, key) {
                Some(field) => {
                    if let Some(v) = self.value(field.kind, member, &here) {
                        out.insert(field.name.to_string(), v);
                    }
                }
                None if self.mode == Mode::Remote => {
                    out.insert(key.clone(), member.clone());
                }
                None => {
                    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    let hint = closest(key, names)
                        .map(|s| format!(" Did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.problem(
                        &here,
                        format!("is not a member of a container definition here.{hint}"),
                    );
                }
            }
        }
        Some(out)
    }

    fn wrong_type(&mut self, kind: Kind, value: &Value, path: &str) -> Option<Value> {
        if self.mode == Mode::Remote {
            return Some(value.clone());
        }
        let found = match value {
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::Null => "null",
        };
        self.problem(
            path,
            format!("must be {}, not {found}", fields::describe(kind)),
        );
        None
    }

    fn value(&mut self, kind: Kind, value: &Value, path: &str) -> Option<Value> {
        match (kind, value) {
            (Kind::Str, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => Some(value.clone()),
            (Kind::Int, Value::Number(n))
                if n.is_i64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
            {
                Some(Value::from(
                    n.as_i64()
                        .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
                ))
            }
            (Kind::StrList | Kind::IntList, Value::Array(items)) => {
                let element = if matches!(kind, Kind::StrList) {
                    Kind::Str
                } else {
                    Kind::Int
                };
                let out: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| self.value(element, v, &format!("{path}[{i}]")))
                    .collect();
                Some(Value::Array(out))
            }
            (Kind::StrMap, Value::Object(map)) => {
                let mut out = Map::new();
                for (k, v) in map {
                    match v {
                        Value::Null => {}
                        Value::String(_) => {
                            out.insert(k.clone(), v.clone());
                        }
                        other => {
                            self.wrong_type(Kind::Str, other, &format!("{path}.{k}"));
                        }
                    }
                }
                Some(Value::Object(out))
            }
            (Kind::Obj(fields), Value::Object(_)) => {
                self.object(fields, value, path).map(Value::Object)
            }
            (Kind::ObjList(fields), Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let here = format!("{path}[{i}]");
                    match self.object(fields, item, &here) {
                        Some(o) => out.push(Value::Object(o)),
                        None => {
                            self.wrong_type(Kind::Obj(fields), item, &here);
                        }
                    }
                }
                Some(Value::Array(out))
            }
            _ => self.wrong_type(kind, value, path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(value: Value) -> Result<Vec<Value>, Vec<Problem>> {
        parse(&value.to_string(), Mode::Config)
    }

    #[test]
    fn members_match_case_insensitively_and_nulls_vanish() {
        let parsed = config(json!([{
            "Name": "web", "IMAGE": "nginx", "entrypoint": ["sh"], "cpu": null,
            "portmappings": [{ "containerport": 80 }]
        }]))
        .unwrap();
        assert_eq!(
            parsed[0],
            json!({ "name": "web", "image": "nginx", "entryPoint": ["sh"],
                    "portMappings": [{ "containerPort": 80 }] })
        );
    }

    #[test]
    fn unknown_members_name_the_container_and_suggest() {
        let problems =
            config(json!([{ "name": "web", "image": "nginx", "enviroment": [] }])).unwrap_err();
        assert_eq!(problems.len(), 1);
        let text = problems[0].to_string();
        assert!(text.contains("container \"web\""), "{text}");
        assert!(text.contains("`enviroment`"), "{text}");
        assert!(text.contains("Did you mean `environment`?"), "{text}");
    }

    #[test]
    fn wrong_types_are_reported_with_their_path() {
        let problems = config(json!([{ "name": "web", "image": "nginx",
            "portMappings": [{ "containerPort": "80" }], "essential": "yes" }]))
        .unwrap_err();
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            texts.iter().any(|t| t
                .contains("`portMappings[0].containerPort`: must be a whole number, not a string")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("`essential`: must be true or false")),
            "{texts:?}"
        );
    }

    #[test]
    fn required_members_and_shape() {
        let problems = config(json!([{ "image": "nginx" }])).unwrap_err();
        assert!(
            problems[0]
                .to_string()
                .contains("container #1: `name` is required")
        );
        assert!(
            config(json!({ "name": "web" })).unwrap_err()[0]
                .message
                .contains("JSON list")
        );
        assert!(
            parse("[{", Mode::Config).unwrap_err()[0]
                .message
                .contains("not valid JSON")
        );
    }

    #[test]
    fn remote_mode_keeps_members_it_does_not_know() {
        let parsed = parse(
            &json!([{ "name": "web", "futureMember": 1 }]).to_string(),
            Mode::Remote,
        )
        .unwrap();
        assert_eq!(parsed[0]["futureMember"], 1);
    }
}
