//! What a planned service names in its task definition, checked at plan time once the task
//! definition is known: the volume its `volume_configuration` configures ([`volumes`]) and the
//! port mappings Service Connect and VPC Lattice use ([`connect`]). One DescribeTaskDefinition
//! serves them all (and the platform-version check); not known or not found (yet) passes, and
//! CreateService then answers.

use serde_json::Value as Json;

use super::schema::ServicePlan;
use super::{connect, volumes};
use crate::aws::{Clients, raw_json};
use crate::framework::Diagnostics;

/// The task definition a known reference names (a DescribeTaskDefinition `taskDefinition`).
pub async fn definition(clients: &Clients, task_definition: Option<&str>) -> Option<Json> {
    let answer = raw_json::describe_task_definition(&clients.ecs, task_definition?)
        .await
        .ok()?;
    answer.get("taskDefinition").cloned()
}

pub fn check(definition: Option<&Json>, plan: &ServicePlan, diags: &mut Diagnostics) {
    let Some(definition) = definition else {
        return;
    };
    let mut problems = connect::port_mismatches(
        &plan.service_connect_configuration,
        &plan.vpc_lattice_configurations,
        definition,
    );
    problems.extend(volumes::mismatch(&plan.volume_configuration, definition));
    for (path, summary, detail) in problems {
        diags.error_at(path, summary, detail);
    }
}
