//! The meaning of a list of container definitions, free of everything ECS adds or reorders:
//! two lists are equivalent when their normal forms are equal. Covers the defaults and rewrites
//! listed in the task-definition shape reference (both confirmed and reported ones, so that the
//! worst case AWS may answer still plans empty).

use serde_json::{Value, json};

/// The network mode decides what an omitted `hostPort` becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    /// `awsvpc` and `host`: ECS sets `hostPort` to `containerPort`.
    HostPortFollows,
    /// `bridge`, `none` or not set: an omitted `hostPort` is dynamic (0).
    Dynamic,
}

impl NetworkMode {
    pub fn of(mode: Option<&str>) -> Self {
        match mode {
            Some("awsvpc" | "host") => NetworkMode::HostPortFollows,
            _ => NetworkMode::Dynamic,
        }
    }
}

/// The normal form of parsed containers (see [`super::parse`]).
pub fn normalize(containers: &[Value], mode: NetworkMode) -> Value {
    let mut out: Vec<Value> = containers.iter().map(|c| container(c, mode)).collect();
    out.sort_by(|a, b| name(a).cmp(name(b)));
    Value::Array(out)
}

fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn container(c: &Value, mode: NetworkMode) -> Value {
    let mut c = c.as_object().cloned().unwrap_or_default();
    c.entry("essential").or_insert(json!(true));
    c.entry("cpu").or_insert(json!(0));
    if let Some(Value::Array(env)) = c.get_mut("environment") {
        // ECS drops variables without a value (reported) and does not keep the order.
        env.retain(|e| {
            e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
        });
        env.sort_by(|a, b| name(a).cmp(name(b)));
    }
    if let Some(Value::Array(secrets)) = c.get_mut("secrets") {
        secrets.sort_by(|a, b| name(a).cmp(name(b)));
    }
    if let Some(Value::Array(ports)) = c.get_mut("portMappings") {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            port.entry("protocol").or_insert(json!("tcp"));
            if let Some(container_port) = port.get("containerPort").cloned() {
                let host = match mode {
                    NetworkMode::HostPortFollows => container_port,
                    NetworkMode::Dynamic => json!(0),
                };
                port.entry("hostPort").or_insert(host);
            }
        }
    }
    if let Some(Value::Object(check)) = c.get_mut("healthCheck") {
        check.entry("interval").or_insert(json!(30));
        check.entry("timeout").or_insert(json!(5));
        check.entry("retries").or_insert(json!(3));
    }
    if let Some(Value::Object(policy)) = c.get_mut("restartPolicy") {
        policy.entry("restartAttemptPeriod").or_insert(json!(300));
    }
    for list in ["mountPoints", "volumesFrom"] {
        if let Some(Value::Array(items)) = c.get_mut(list) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                if item.get("readOnly") == Some(&json!(false)) {
                    item.remove("readOnly");
                }
            }
        }
    }
    let mut value = Value::Object(c);
    prune(&mut value);
    value
}

/// The containers in their shortest spelling: the defaults [`container`] fills in removed where
/// they hold their default value, and empty values pruned. Its normal form is the same.
pub fn without_defaults(containers: &[Value], mode: NetworkMode) -> Value {
    let out = containers
        .iter()
        .map(|c| {
            let mut c = c.clone();
            prune(&mut c);
            let Some(map) = c.as_object_mut() else {
                return c;
            };
            for (key, default) in [("essential", json!(true)), ("cpu", json!(0))] {
                if map.get(key) == Some(&default) {
                    map.remove(key);
                }
            }
            if let Some(Value::Array(ports)) = map.get_mut("portMappings") {
                for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                    if port.get("protocol") == Some(&json!("tcp")) {
                        port.remove("protocol");
                    }
                    let follows = match mode {
                        NetworkMode::HostPortFollows => port.get("containerPort").cloned(),
                        NetworkMode::Dynamic => Some(json!(0)),
                    };
                    if follows.is_some() && port.get("hostPort") == follows.as_ref() {
                        port.remove("hostPort");
                    }
                }
            }
            c
        })
        .collect();
    Value::Array(out)
}

/// Remove empty lists, empty objects and nulls at every depth: ECS adds some (`mountPoints: []`,
/// `capabilities.add: []`) and drops others (`capabilities: {}`), and none of them mean anything.
fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod pruning_tests {
    use super::*;

    fn same(a: Value, b: Value) -> bool {
        normalize(&[a], NetworkMode::Dynamic) == normalize(&[b], NetworkMode::Dynamic)
    }

    #[test]
    fn nulls_and_empty_members_mean_nothing_at_every_depth() {
        let plain = json!({ "name": "a", "image": "i", "ulimits": [{ "name": "nofile", "softLimit": 1, "hardLimit": 2 }] });
        let noisy = json!({ "name": "a", "image": "i", "command": null, "ulimits": [{ "name": "nofile", "softLimit": 1, "hardLimit": 2, "extra": null, "more": [] }] });
        assert!(same(plain, noisy));
        let changed = json!({ "name": "a", "image": "i", "ulimits": [{ "name": "nofile", "softLimit": 1, "hardLimit": 3 }] });
        let plain = json!({ "name": "a", "image": "i", "ulimits": [{ "name": "nofile", "softLimit": 1, "hardLimit": 2 }] });
        assert!(
            !same(plain, changed),
            "a real change inside a list still shows"
        );
    }

    #[test]
    fn host_ports_follow_container_ports_only_in_awsvpc_and_host_mode() {
        assert_eq!(
            NetworkMode::of(Some("awsvpc")),
            NetworkMode::HostPortFollows
        );
        assert_eq!(NetworkMode::of(Some("host")), NetworkMode::HostPortFollows);
        assert_eq!(NetworkMode::of(Some("bridge")), NetworkMode::Dynamic);
        assert_eq!(NetworkMode::of(None), NetworkMode::Dynamic);
    }
}
