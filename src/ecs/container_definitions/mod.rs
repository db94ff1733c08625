//! `container_definitions`: the JSON a task definition carries, checked against the API's shape
//! ([`parse`]) and the values ECS accepts ([`values`]), and compared by meaning ([`normalize`]),
//! never by text.

pub mod fields;
pub mod normalize;
pub mod parse;
pub mod values;

pub use normalize::NetworkMode;
pub use parse::{Mode, Problem};

use serde_json::Value;

/// Whether the two JSON texts describe the same containers under `mode`. Texts that do not
/// parse are compared as text.
pub fn equivalent(a: &str, b: &str, mode: NetworkMode) -> bool {
    match (normal_form(a, mode), normal_form(b, mode)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The form [`equivalent`] compares: members in the API's spelling, ECS's defaults filled in,
/// containers and unordered lists sorted. Members this provider does not know are kept.
pub fn normal_form(text: &str, mode: NetworkMode) -> Result<Value, Vec<Problem>> {
    let containers = parse::parse(text, Mode::Remote)?;
    Ok(normalize::normalize(&containers, mode))
}

/// `text` without what ECS adds to every container (see [`normalize::without_defaults`]), for
/// generated configuration. `None` when it does not parse.
pub fn without_ecs_defaults(text: &str, mode: NetworkMode) -> Option<String> {
    let containers = parse::parse(text, Mode::Remote).ok()?;
    serde_json::to_string(&normalize::without_defaults(&containers, mode)).ok()
}

/// The containers in the API's spelling, as the request body takes them.
pub fn for_request(text: &str) -> Result<Vec<Value>, Vec<Problem>> {
    parse::parse(text, Mode::Config)
}

/// The values in parsed containers (from [`for_request`]) that ECS would refuse.
pub fn value_problems(containers: &[Value]) -> Vec<Problem> {
    values::check(containers)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod values_tests;
