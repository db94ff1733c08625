//! Data source `ecs_service`: a service as the resource exposes it, plus its live counts.

use async_trait::async_trait;

use crate::ecs::configured::Configured;
use crate::ecs::model::{set, string, string_value, unset};
use crate::ecs::service::{remote, schema::schema, steady::describe_service};
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

pub struct ServiceDataSource;

/// Resource arguments that only steer the provider; a data source has none of them.
const PROVIDER_ONLY: &[&str] = &[
    "wait_for_steady_state",
    "force_new_deployment",
    "triggers",
    "tags_all",
];

#[async_trait]
impl DataSource for ServiceDataSource {
    fn type_name(&self) -> &'static str {
        "ecs_service"
    }

    fn schema(&self) -> Schema {
        let mut block = schema().block.read_only_except(&["name", "cluster"]);
        block
            .attributes
            .retain(|a| !PROVIDER_ONLY.contains(&a.name.as_str()));
        block.description = "Looks up an ECS service by cluster and name.".into();
        for (name, what) in [
            ("running_count", "Tasks running now."),
            ("pending_count", "Tasks starting now."),
        ] {
            block
                .attributes
                .push(Attribute::number(name).computed().description(what));
        }
        block.attributes.push(
            Attribute::string("status")
                .computed()
                .description("`ACTIVE`, `DRAINING` or `INACTIVE`."),
        );
        Schema::new(block)
    }

    async fn read(&self, req: ReadDataRequest, resp: &mut ReadDataResponse) {
        let mut diags = Diagnostics::new();
        let Some(cfg) = req.ctx.provider::<Configured>(&mut diags) else {
            resp.diags.extend(diags);
            return;
        };
        let cluster = string(&req.config, "cluster").unwrap_or_default();
        let name = string(&req.config, "name").unwrap_or_default();
        let service = match describe_service(&cfg.clients, cluster, name).await {
            Ok(Some(s)) if s.status() != Some("INACTIVE") => s,
            Ok(_) => {
                resp.diags.error_at(
                    AttrPath::root().attr("name"),
                    "Service not found",
                    format!("No active service \"{name}\" exists in cluster \"{cluster}\"."),
                );
                return;
            }
            Err(e) => {
                resp.diags.error("Could not read the service", e);
                return;
            }
        };
        let prior = req.config.clone();
        remote::apply(&mut resp.state, &service, &prior, &Default::default(), None);
        for name in PROVIDER_ONLY {
            unset(&mut resp.state, name);
        }
        set(
            &mut resp.state,
            "running_count",
            Value::number_i64(i64::from(service.running_count())),
        );
        set(
            &mut resp.state,
            "pending_count",
            Value::number_i64(i64::from(service.pending_count())),
        );
        set(&mut resp.state, "status", string_value(service.status()));
    }
}
