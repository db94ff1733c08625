//! What a planned service names in its task definition, checked at plan time once the task
//! definition is known: the volume its `volume_configuration` configures ([`volumes`]) and the
//! port mappings Service Connect and VPC Lattice use ([`connect`]). One DescribeTaskDefinition
//! serves them all; not known or not found (yet) passes, and CreateService then answers.

use super::schema::ServicePlan;
use super::{connect, volumes};
use crate::aws::{Clients, raw_json};
use crate::framework::Diagnostics;

pub async fn check(
    clients: &Clients,
    task_definition: Option<&str>,
    plan: &ServicePlan,
    diags: &mut Diagnostics,
) {
    let Some(reference) = task_definition else {
        return;
    };
    let Ok(answer) = raw_json::describe_task_definition(&clients.ecs, reference).await else {
        return;
    };
    let Some(definition) = answer.get("taskDefinition") else {
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
