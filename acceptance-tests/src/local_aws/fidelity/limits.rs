//! Batch limits AWS enforces and moto does not (or only partly), and `maxResults`/`nextToken`
//! pagination for the list calls moto answers in one piece (ListClusters, ListServices,
//! ListTaskDefinitions(Families), ListTasks, ListContainerInstances).

use serde_json::{Value, json};

use super::{Fidelity, fnv, reply_of, tasks};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, json_reply};

/// Refuse a call whose list member `member` has more than `max` items, with ECS's message.
pub fn batch(call: &Call, member: &str, max: usize) -> Option<Reply> {
    let label = match member {
        "services" => "service names",
        other => other,
    };
    let count = call.list(member).len();
    (count > max).then(|| {
        client_error(
            "InvalidParameterException",
            format!("{label} can have at most {max} items."),
        )
    })
}

/// SSM GetParameters takes at most 10 names.
pub fn ssm_get_parameters(call: &Call) -> Option<Reply> {
    let names = call.list("Names");
    if names.len() <= 10 {
        return None;
    }
    let shown: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
    Some(client_error(
        "ValidationException",
        format!(
            "1 validation error detected: Value '[{}]' at 'names' failed to satisfy constraint: \
             Member must have length less than or equal to 10.",
            shown.join(", ")
        ),
    ))
}

/// DeleteTaskDefinitions takes at most 10 references.
pub fn delete_task_definitions(call: &Call) -> Option<Reply> {
    let count = call.list("taskDefinitions").len();
    (count > 10).then(|| {
        client_error(
            "InvalidParameterException",
            "Size of TaskDefinition references list cannot exceed 10",
        )
    })
}

/// Answer a list call page by page: moto gets the request without `maxResults`/`nextToken`,
/// its whole list (entries for which `keep` is true) is cut into pages of `maxResults`
/// (default `default_max`, at most 100) and `nextToken` says where the next page starts.
pub async fn paginated_list(
    call: &Call,
    up: &Upstream,
    member: &str,
    default_max: usize,
    keep: impl Fn(&str) -> bool,
) -> Reply {
    paginated_merge(call, up, member, default_max, keep, Vec::new()).await
}

/// [`paginated_list`] with `extra` entries (the layer's own) after moto's.
async fn paginated_merge(
    call: &Call,
    up: &Upstream,
    member: &str,
    default_max: usize,
    keep: impl Fn(&str) -> bool,
    extra: Vec<String>,
) -> Reply {
    let page = match Page::of(call, default_max) {
        Ok(page) => page,
        Err(message) => return client_error("InvalidParameterException", message),
    };
    let mut request = call.json.clone();
    if let Some(map) = request.as_object_mut() {
        map.remove("maxResults");
        map.remove("nextToken");
    }
    let answer = up.ask(&call.with_json(request)).await;
    if !answer.ok() {
        return reply_of(&answer);
    }
    let all: Vec<Value> = answer
        .json
        .get(member)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.as_str().is_some_and(&keep))
        .chain(extra.into_iter().map(Value::String))
        .collect();
    let end = (page.start + page.size).min(all.len());
    let items = all.get(page.start..end).unwrap_or_default().to_vec();
    let mut body = json!({ member: items });
    if end < all.len() {
        body["nextToken"] = Value::String(page.token_for(end));
    }
    json_reply(answer.status, &body)
}

/// ListTasks: pages of at most 100 (ECS API reference, ListTasks `maxResults`: "between 1 and
/// 100. If this parameter isn't used, then ListTasks returns up to 100 results and a nextToken
/// value if applicable"), and only tasks whose desired status is RUNNING unless `desiredStatus`
/// says otherwise (ListTasks `desiredStatus`: "The default status filter is RUNNING"; moto lists
/// stopped tasks too). The layer's own RunTask tasks are listed after moto's.
pub async fn list_tasks(fidelity: &Fidelity, call: &Call, up: &Upstream) -> Reply {
    let mut request = call.json.clone();
    if call.str("desiredStatus").is_none()
        && let Some(map) = request.as_object_mut()
    {
        map.insert("desiredStatus".into(), Value::String("RUNNING".into()));
    }
    let ours = tasks::listed(fidelity, &request);
    paginated_merge(
        &call.with_json(request),
        up,
        "taskArns",
        100,
        |_| true,
        ours,
    )
    .await
}

/// ListContainerInstances: pages of at most 100 (ECS API reference, ListContainerInstances
/// `maxResults`: "between 1 and 100. If this parameter isn't used, then ListContainerInstances
/// returns up to 100 results and a nextToken value if applicable"; moto answers in one piece).
pub async fn list_container_instances(call: &Call, up: &Upstream) -> Reply {
    paginated_list(call, up, "containerInstanceArns", 100, |_| true).await
}

struct Page {
    start: usize,
    size: usize,
    salt: u64,
}

impl Page {
    fn of(call: &Call, default_max: usize) -> Result<Page, &'static str> {
        let salt = fnv(&call.key);
        let size = match call.json.get("maxResults") {
            None | Some(Value::Null) => default_max,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=100) => n as usize,
                _ => return Err("maxResults must be between 1 and 100."),
            },
        };
        let start = match call.str("nextToken") {
            None => 0,
            Some(token) => token
                .split_once('.')
                .filter(|(s, _)| *s == format!("{salt:x}"))
                .and_then(|(_, offset)| offset.parse::<usize>().ok())
                .ok_or("Invalid nextToken value.")?,
        };
        Ok(Page { start, size, salt })
    }

    fn token_for(&self, offset: usize) -> String {
        format!("{:x}.{offset}", self.salt)
    }
}
