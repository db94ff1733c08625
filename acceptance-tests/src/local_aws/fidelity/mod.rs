//! The fidelity layer: what real ECS and SSM do that moto does not, added around moto's answers.
//!
//! Each submodule owns one area: [`capacity_providers`] (kept by the layer in place of moto),
//! [`clusters`] (deletion refusals, calls moto cannot answer),
//! [`services`] (names, kept settings, deployments, draining, the read-back shape),
//! [`service_connect`] (Service Connect, volume and VPC Lattice settings on deployments),
//! [`task_definitions`] (registration rules and the read-back shape built by [`taskdef_shape`]),
//! [`limits`] (batch limits and pagination), [`forgotten_clusters`] (deleted clusters ECS no
//! longer knows), [`secure_strings`] (parameters whose KMS key the caller may not use),
//! [`encrypted_values`] (SecureString values read without decryption),
//! [`parameters`] (PutParameter's pattern and AMI checks), [`cluster_configuration`] (the
//! configuration reported only when asked for), [`placement`] (placement and scheduling
//! refusals, DAEMON counts, the role ARN), [`tasks`] (RunTask's tasks, their lifecycle, exit
//! codes, StopTask and ListTasks). The list
//! of behaviours is in the harness README.

pub mod capacity_providers;
pub mod cluster_configuration;
pub mod clusters;
pub mod deployments;
pub mod encrypted_values;
pub mod forgotten_clusters;
pub mod limits;
pub mod parameters;
pub mod placement;
pub mod secure_strings;
pub mod service_connect;
pub mod services;
pub mod task_definitions;
pub mod taskdef_shape;
pub mod tasks;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use hyper::StatusCode;
use serde_json::Value;

use super::moto::{Answer, Upstream};
use super::options::Options;
use super::wire::{Call, Reply, Service, client_error, json_reply};

/// The layer's memory of what moto forgets or gets wrong.
#[derive(Default)]
pub struct State {
    pub services: HashMap<String, services::ServiceRecord>,
    pub task_definitions: HashMap<String, task_definitions::Registration>,
    /// Custom capacity providers, which the layer keeps in place of moto.
    pub capacity_providers: capacity_providers::Registry,
    /// Deleted clusters ECS no longer knows, by region and name (`--forget-deleted-clusters`).
    pub forgotten_clusters: BTreeSet<(String, String)>,
    /// RunTask's tasks, which the layer keeps in place of moto.
    pub tasks: tasks::Registry,
}

pub struct Fidelity {
    pub options: Options,
    state: Mutex<State>,
}

impl Fidelity {
    pub fn new(options: &Options) -> Fidelity {
        Fidelity {
            options: options.clone(),
            state: Mutex::new(State::default()),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answer `call` the way AWS would, asking moto where it can.
    pub async fn answer(&self, call: &Call, up: &Upstream) -> Reply {
        let mut reply = self.answer_once(call, up).await;
        // moto's backends are not thread-safe: under load a read can fail inside moto ("dictionary
        // changed size during iteration"). Reads are safe to repeat; AWS would have answered.
        let read = ["Describe", "List", "Get"]
            .iter()
            .any(|p| call.action.starts_with(p));
        for attempt in 1..=3 {
            if !read || reply.status() != StatusCode::INTERNAL_SERVER_ERROR {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            reply = self.answer_once(call, up).await;
        }
        no_server_errors(call, reply)
    }

    async fn answer_once(&self, call: &Call, up: &Upstream) -> Reply {
        if call.service == Service::Ecs
            && let Some(refusal) = forgotten_clusters::refusal(self, call)
        {
            return refusal;
        }
        match (call.service, call.action.as_str()) {
            (Service::Ecs, "CreateCluster") => {
                forgotten_clusters::create_cluster(self, call, up).await
            }
            (Service::Ecs, "DeleteCluster") => {
                forgotten_clusters::delete_cluster(self, call, up).await
            }
            (Service::Ecs, "UpdateClusterSettings") => {
                clusters::update_cluster_settings(call, up).await
            }
            (Service::Ecs, "DescribeCapacityProviders") => {
                capacity_providers::describe(self, call).await
            }
            (Service::Ecs, "CreateCapacityProvider") => {
                capacity_providers::create(self, call, up).await
            }
            (Service::Ecs, "UpdateCapacityProvider") => {
                capacity_providers::update(self, call).await
            }
            (Service::Ecs, "DeleteCapacityProvider") => {
                capacity_providers::delete(self, call, up).await
            }
            (Service::Ecs, "TagResource" | "UntagResource" | "ListTagsForResource")
                if capacity_providers::is_tagging(call) =>
            {
                capacity_providers::tagging(self, call)
            }
            (Service::Ecs, "PutClusterCapacityProviders") => {
                capacity_providers::put_cluster(self, call, up).await
            }
            (Service::Ecs, "DescribeClusters") => {
                forgotten_clusters::describe_clusters(self, call, up).await
            }
            (Service::Ecs, "ListClusters") => clusters::list_clusters(call, up).await,
            (Service::Ecs, "CreateService") => services::create(self, call, up).await,
            (Service::Ecs, "UpdateService") => services::update(self, call, up).await,
            (Service::Ecs, "DeleteService") => services::delete(self, call, up).await,
            (Service::Ecs, "DescribeServices") => services::describe(self, call, up).await,
            (Service::Ecs, "ListServices") => services::list(self, call, up).await,
            (Service::Ecs, "ListServiceDeployments") => deployments::list(self, call),
            (Service::Ecs, "DescribeServiceDeployments") => deployments::describe(self, call),
            (Service::Ecs, "StopServiceDeployment") => deployments::stop(self, call),
            (Service::Ecs, "RegisterTaskDefinition") => {
                task_definitions::register(self, call, up).await
            }
            (Service::Ecs, "DescribeTaskDefinition") => {
                task_definitions::describe(self, call, up).await
            }
            (Service::Ecs, "DeregisterTaskDefinition") => {
                task_definitions::deregister(self, call, up).await
            }
            (Service::Ecs, "DeleteTaskDefinitions") => {
                task_definitions::delete(self, call, up).await
            }
            (Service::Ecs, "ListTaskDefinitions") => {
                limits::paginated_list(call, up, "taskDefinitionArns", 100, |_| true).await
            }
            (Service::Ecs, "ListTaskDefinitionFamilies") => {
                limits::paginated_list(call, up, "families", 100, |_| true).await
            }
            (Service::Ecs, "RunTask") => tasks::run_task(self, call, up).await,
            (Service::Ecs, "DescribeTasks") => tasks::describe_tasks(self, call),
            (Service::Ecs, "ListTasks") => limits::list_tasks(self, call, up).await,
            (Service::Ecs, "StopTask") => match tasks::stop_task(self, call) {
                Some(reply) => reply,
                None => up.forward(call).await,
            },
            (Service::Ecs, "ListContainerInstances") => {
                limits::list_container_instances(call, up).await
            }
            (Service::Ssm, "PutParameter") => parameters::put_parameter(call, up).await,
            (Service::Ssm, "GetParameters") => secure_strings::get_parameters(call, up).await,
            (Service::Ssm, "GetParameter") => secure_strings::get_parameter(call, up).await,
            _ => up.forward(call).await,
        }
    }
}

/// moto answers some calls with HTTP 500 (a Python exception). The SDKs retry those for a long
/// time; AWS would have answered with a client error, so say plainly what moto could not do.
fn no_server_errors(call: &Call, reply: Reply) -> Reply {
    if reply.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return reply;
    }
    let kind = match call.service {
        Service::Ssm => "ValidationException",
        _ => "ClientException",
    };
    client_error(
        kind,
        format!(
            "local-aws: moto cannot answer {} with these parameters (it failed internally)",
            call.action
        ),
    )
}

/// An answer from moto turned back into a reply, keeping its status.
pub fn reply_of(answer: &Answer) -> Reply {
    json_reply(answer.status, &answer.json)
}

/// Remove members whose value is JSON `null` (AWS omits absent members; moto writes null).
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// `123456789012` from any ARN.
pub fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("123456789012")
}

/// The last `/`-separated part of a name or ARN.
pub fn last_segment(name_or_arn: &str) -> &str {
    name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
}

/// A stable 64-bit FNV-1a hash (deterministic orders, identifiers).
pub fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}
