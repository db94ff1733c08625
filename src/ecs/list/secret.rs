//! `list "ecs_secret"`: SSM parameters (DescribeParameters), all of them or those under a path
//! and its sub-paths, read in batches of 10 (GetParameters takes 10 names per call).

use async_trait::async_trait;
use aws_sdk_ssm::types::ParameterStringFilter;

use super::{Found, read_and_send, stub};
use crate::aws::errors::describe;
use crate::ecs::provider::Configured;
use crate::ecs::secret::SecretResource;
use crate::framework::Value;
use crate::framework::diag::Diagnostics;
use crate::framework::list::{ListRequest, ListResource, ListResult, ListSink};
use crate::framework::schema::validators::Prefix;
use crate::framework::schema::{Attribute, Block, Schema};

const BATCH: i32 = 10;

pub struct SecretList;

#[async_trait]
impl ListResource for SecretList {
    fn type_name(&self) -> &'static str {
        "ecs_secret"
    }

    fn config_schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Lists SSM parameters. With `include_resource = true` each object holds the parameter's value (decrypted, marked sensitive, never shown); without it no value is read.")
                .attribute(
                    Attribute::string("path")
                        .optional()
                        .validate(Prefix {
                            prefix: "/",
                            what: "a parameter path such as `/web`",
                        })
                        .description("Only parameters under this path, at any depth below it, e.g. `/web`. All parameters when unset."),
                ),
        )
    }

    async fn list(&self, req: ListRequest, sink: &mut dyn ListSink, diags: &mut Diagnostics) {
        let Some(cfg) = req.ctx.provider::<Configured>(diags) else {
            return;
        };
        let path = req.config.get("path").and_then(Value::as_str);
        let filter = path.map(|p| {
            ParameterStringFilter::builder()
                .key("Path")
                .option("Recursive")
                .values(p)
                .build()
        });
        let filter = match filter.transpose() {
            Ok(f) => f,
            Err(e) => {
                diags.error("Could not list parameters", e.to_string());
                return;
            }
        };
        let resource = SecretResource;
        let mut token = None;
        loop {
            let page = cfg
                .clients
                .ssm
                .describe_parameters()
                .set_parameter_filters(filter.clone().map(|f| vec![f]))
                .max_results(BATCH)
                .set_next_token(token)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    diags.error(
                        "Could not list parameters",
                        format!("DescribeParameters failed: {}", describe(&e)),
                    );
                    return;
                }
            };
            if !req.include_resource {
                // Names and identities only: no value is decrypted for them.
                for p in page.parameters() {
                    let Some(name) = p.name() else { continue };
                    let mut attrs =
                        vec![("name", Value::string(name)), ("id", Value::string(name))];
                    if let Some(arn) = p.arn() {
                        attrs.push(("arn", Value::string(arn)));
                    }
                    let result = ListResult {
                        display_name: name.to_string(),
                        state: stub(&resource, &attrs),
                    };
                    if !sink.send(result).await {
                        return;
                    }
                }
            } else {
                let batch = page
                    .parameters()
                    .iter()
                    .filter_map(|p| p.name())
                    .map(|name| Found {
                        display_name: name.to_string(),
                        // Import brings the value into `value` and read keeps refreshing a
                        // value the state holds: a placeholder there makes read fetch it, in
                        // its batch.
                        stub: stub(
                            &resource,
                            &[
                                ("name", Value::string(name)),
                                ("id", Value::string(name)),
                                ("value", Value::string("")),
                            ],
                        ),
                    })
                    .collect();
                if !read_and_send(&resource, &req.ctx, batch, false, sink, diags).await {
                    return;
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return;
            }
        }
    }
}
