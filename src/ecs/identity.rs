//! Resource identities of the ECS resources: which account, region and name(s) an instance
//! manages. Each resource is described by a [`Spec`]: the identity attributes and the state
//! attributes they come from, the state attributes whose ARN tells the account and region, and
//! the import ID an identity stands for. Names are normalised (a cluster written as its ARN is
//! the same cluster), so the identity is the same whatever spelling the configuration uses.

use async_trait::async_trait;

use super::arn::name_of;
use super::provider::Configured;
use crate::framework::Ctx;
use crate::framework::diag::Diagnostics;
use crate::framework::identity::{IdentityAttribute, IdentitySchema, ResourceIdentity};
use crate::framework::resource::{ImportRequest, ImportResponse, ImportState};
use crate::framework::value::Value;

/// An ARN's parts: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, PartialEq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

pub fn parse_arn(text: &str) -> Option<Arn<'_>> {
    let mut parts = text.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let (service, region, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (!region.is_empty() && !account.is_empty()).then_some(Arn {
        service,
        region,
        account,
        resource,
    })
}

/// How an identity attribute is read from its state attribute.
#[derive(Clone, Copy)]
enum Kind {
    /// As written.
    Text,
    /// A name that may be written as its ARN.
    NameOfArn,
    Number,
}

struct Part {
    name: &'static str,
    from: &'static str,
    kind: Kind,
    description: &'static str,
}

pub struct Spec {
    /// What the object is called in descriptions and errors, e.g. "cluster".
    what: &'static str,
    /// State attributes that may hold an ARN of the object (or its parent), in order.
    arns: &'static [&'static str],
    parts: &'static [Part],
    /// The import ID the identity's required parts stand for.
    import_id: fn(&[&str]) -> String,
    /// The resource's import by ID, which import by identity goes through.
    importer: &'static dyn ImportState,
    mutable: bool,
}

const ACCOUNT_ID: &str = "account_id";
const REGION: &str = "region";

fn single(parts: &[&str]) -> String {
    parts.join("")
}

pub static CLUSTER: Spec = Spec {
    what: "cluster",
    arns: &["arn"],
    parts: &[Part {
        name: "name",
        from: "name",
        kind: Kind::NameOfArn,
        description: "Name of the cluster.",
    }],
    import_id: single,
    importer: &super::cluster::ClusterResource,
    mutable: false,
};

pub static SERVICE: Spec = Spec {
    what: "service",
    arns: &["arn", "cluster"],
    parts: &[
        Part {
            name: "cluster",
            from: "cluster",
            kind: Kind::NameOfArn,
            description: "Name of the service's cluster (the name also when the configuration gives the cluster's ARN).",
        },
        Part {
            name: "name",
            from: "name",
            kind: Kind::Text,
            description: "Name of the service.",
        },
    ],
    import_id: |p| p.join("/"),
    importer: &super::service::ServiceResource,
    mutable: false,
};

pub static TASK_DEFINITION: Spec = Spec {
    what: "task definition",
    arns: &["arn"],
    parts: &[
        Part {
            name: "family",
            from: "family",
            kind: Kind::Text,
            description: "Family of the task definition.",
        },
        Part {
            name: "revision",
            from: "revision",
            kind: Kind::Number,
            description: "Revision number the resource manages. An update that registers a new revision moves the identity to it.",
        },
    ],
    import_id: |p| p.join(":"),
    importer: &super::task_definition::TaskDefinitionResource,
    // An update registers a new revision in place.
    mutable: true,
};

pub static SECRET: Spec = Spec {
    what: "parameter",
    arns: &["arn"],
    parts: &[Part {
        name: "name",
        from: "name",
        kind: Kind::Text,
        description: "Name of the SSM parameter, e.g. `/web/db-password`.",
    }],
    import_id: single,
    importer: &super::secret::SecretResource,
    mutable: false,
};

pub static CLUSTER_CAPACITY_PROVIDERS: Spec = Spec {
    what: "cluster",
    arns: &["cluster_name"],
    parts: &[Part {
        name: "cluster_name",
        from: "cluster_name",
        kind: Kind::NameOfArn,
        description: "Name of the cluster whose capacity providers the resource manages.",
    }],
    import_id: single,
    importer: &super::capacity_providers::ClusterCapacityProvidersResource,
    mutable: false,
};

pub static CAPACITY_PROVIDER: Spec = Spec {
    what: "capacity provider",
    arns: &["arn"],
    parts: &[Part {
        name: "name",
        from: "name",
        kind: Kind::NameOfArn,
        description: "Name of the capacity provider.",
    }],
    import_id: single,
    importer: &super::capacity_provider::CapacityProviderResource,
    mutable: false,
};

/// The account and region an ARN in `state` names, if any holds one.
fn place_in_state<'a>(spec: &Spec, state: &'a Value) -> Option<(&'a str, &'a str)> {
    spec.arns
        .iter()
        .filter_map(|a| state.get(a).and_then(Value::as_str))
        .find_map(parse_arn)
        .map(|arn| (arn.account, arn.region))
}

/// The provider's region and the account of its credentials.
async fn provider_place(ctx: &Ctx, diags: &mut Diagnostics) -> Option<(String, String)> {
    let cfg = ctx.provider::<Configured>(diags)?;
    match cfg.clients.account.id().await {
        Ok(account) => Some((account, cfg.clients.region.clone())),
        Err(e) => {
            diags.error(
                "Could not tell the AWS account",
                format!(
                    "The resource identity names the account, and the provider asks STS for it: {e}"
                ),
            );
            None
        }
    }
}

fn part_value(part: &Part, state: &Value) -> Value {
    match (state.get(part.from), part.kind) {
        (None | Some(Value::Null), _) => Value::Null,
        (Some(Value::Unknown), _) => Value::Unknown,
        (Some(v), Kind::Number) => v.clone(),
        (Some(v), Kind::NameOfArn) => v
            .as_str()
            .map(|s| Value::string(name_of(s)))
            .unwrap_or(Value::Null),
        (Some(v), Kind::Text) => v.clone(),
    }
}

/// The identity part given for an import, as text for the import ID.
fn import_part(part: &Part, identity: &Value) -> Option<String> {
    match (identity.get(part.name)?, part.kind) {
        (Value::Number(n), Kind::Number) => Some(n.as_str().to_string()),
        (v, Kind::NameOfArn) => v.as_str().map(|s| name_of(s).to_string()),
        (v, _) => v.as_str().map(str::to_string),
    }
}

#[async_trait]
impl ResourceIdentity for Spec {
    fn identity_schema(&self) -> IdentitySchema {
        let what = self.what;
        let mut schema = IdentitySchema::new(0)
            .attribute(
                IdentityAttribute::string(ACCOUNT_ID)
                    .optional_for_import()
                    .description(format!("AWS account ID of the {what}. An import that leaves it out means the account of the provider's credentials; another account is refused.")),
            )
            .attribute(
                IdentityAttribute::string(REGION)
                    .optional_for_import()
                    .description(format!("Region of the {what}. An import that leaves it out means the provider's region; another region is refused.")),
            );
        for part in self.parts {
            let attribute = match part.kind {
                Kind::Number => IdentityAttribute::number(part.name),
                _ => IdentityAttribute::string(part.name),
            };
            schema = schema.attribute(
                attribute
                    .required_for_import()
                    .description(part.description),
            );
        }
        if self.mutable {
            schema = schema.mutable();
        }
        schema
    }

    async fn identity(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let (account, region) = match place_in_state(self, state) {
            Some((a, r)) => (a.to_string(), r.to_string()),
            None => provider_place(ctx, diags).await?,
        };
        let mut attrs = vec![
            (ACCOUNT_ID, Value::string(account)),
            (REGION, Value::string(region)),
        ];
        attrs.extend(self.parts.iter().map(|p| (p.name, part_value(p, state))));
        Some(Value::object(attrs))
    }

    async fn import_by_identity(&self, ctx: &Ctx, identity: &Value, resp: &mut ImportResponse) {
        let account = identity.get(ACCOUNT_ID).and_then(Value::as_str);
        let region = identity.get(REGION).and_then(Value::as_str);
        if account.is_some() || region.is_some() {
            let Some((ours, our_region)) = provider_place(ctx, &mut resp.diags).await else {
                return;
            };
            if let Some(account) = account.filter(|a| *a != ours) {
                return resp.diags.error(
                    "Wrong account in the import identity",
                    format!("The identity names account {account:?}, but the provider's credentials are for account {ours:?}: the {} can only be imported with a provider configured for account {account:?} (or leave account_id out).", self.what),
                );
            }
            if let Some(region) = region.filter(|r| *r != our_region) {
                return resp.diags.error(
                    "Wrong region in the import identity",
                    format!("The identity names region {region:?}, but the provider is configured for region {our_region:?}: import the {} with a provider for {region:?} (or leave region out).", self.what),
                );
            }
        }
        let parts: Option<Vec<String>> = self
            .parts
            .iter()
            .map(|p| import_part(p, identity))
            .collect();
        let Some(parts) = parts else {
            return resp.diags.error(
                "Incomplete import identity",
                format!(
                    "Importing a {} by identity needs {}.",
                    self.what,
                    self.parts
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            );
        };
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let id = (self.import_id)(&parts);
        self.importer
            .import_state(
                ImportRequest {
                    ctx: ctx.clone(),
                    id,
                },
                resp,
            )
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_give_account_and_region() {
        let arn = parse_arn("arn:aws:ecs:eu-west-1:123456789012:service/web/api").unwrap();
        assert_eq!(
            arn,
            Arn {
                service: "ecs",
                region: "eu-west-1",
                account: "123456789012",
                resource: "service/web/api"
            }
        );
        assert_eq!(parse_arn("web"), None);
        assert_eq!(parse_arn("arn:aws:ecs"), None);
        assert_eq!(parse_arn("arn:aws:iam::123456789012:role/x"), None);
    }

    fn service_state(cluster: &str) -> Value {
        Value::object([
            ("name", Value::string("api")),
            ("cluster", Value::string(cluster)),
            (
                "arn",
                Value::string("arn:aws:ecs:eu-west-1:123456789012:service/web/api"),
            ),
        ])
    }

    #[tokio::test]
    async fn a_service_identity_is_the_same_for_either_spelling_of_its_cluster() {
        let ctx = Ctx {
            cancel: Default::default(),
            provider_data: None,
            read_burst: false,
        };
        let mut diags = Diagnostics::new();
        let by_name = SERVICE
            .identity(&ctx, &service_state("web"), &mut diags)
            .await;
        let by_arn = SERVICE
            .identity(
                &ctx,
                &service_state("arn:aws:ecs:eu-west-1:123456789012:cluster/web"),
                &mut diags,
            )
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(by_name, by_arn);
        assert_eq!(
            by_name.unwrap(),
            Value::object([
                ("account_id", Value::string("123456789012")),
                ("region", Value::string("eu-west-1")),
                ("cluster", Value::string("web")),
                ("name", Value::string("api")),
            ])
        );
    }

    #[tokio::test]
    async fn the_place_comes_from_a_parent_arn_when_the_object_has_none() {
        let state = Value::object([(
            "cluster_name",
            Value::string("arn:aws:ecs:us-west-2:210987654321:cluster/web"),
        )]);
        let ctx = Ctx {
            cancel: Default::default(),
            provider_data: None,
            read_burst: false,
        };
        let mut diags = Diagnostics::new();
        let id = CLUSTER_CAPACITY_PROVIDERS
            .identity(&ctx, &state, &mut diags)
            .await
            .unwrap();
        assert_eq!(id.get("account_id"), Some(&Value::string("210987654321")));
        assert_eq!(id.get("cluster_name"), Some(&Value::string("web")));
    }

    #[test]
    fn import_ids_follow_each_resource_s_import_format() {
        let identity = Value::object([
            ("cluster", Value::string("web")),
            ("name", Value::string("api")),
        ]);
        let parts: Vec<String> = SERVICE
            .parts
            .iter()
            .filter_map(|p| import_part(p, &identity))
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        assert_eq!((SERVICE.import_id)(&parts), "web/api");
        let identity = Value::object([
            ("family", Value::string("web")),
            ("revision", Value::number_i64(3)),
        ]);
        let parts: Vec<String> = TASK_DEFINITION
            .parts
            .iter()
            .filter_map(|p| import_part(p, &identity))
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        assert_eq!((TASK_DEFINITION.import_id)(&parts), "web:3");
    }

    #[test]
    fn account_and_region_are_optional_and_the_names_required_for_import() {
        for spec in [
            &CLUSTER,
            &SERVICE,
            &TASK_DEFINITION,
            &SECRET,
            &CLUSTER_CAPACITY_PROVIDERS,
            &CAPACITY_PROVIDER,
        ] {
            let schema = spec.identity_schema();
            for a in &schema.attributes {
                assert!(!a.description.is_empty(), "{} {}", spec.what, a.name);
                let place = a.name == "account_id" || a.name == "region";
                assert_eq!(a.optional_for_import, place, "{} {}", spec.what, a.name);
                assert_eq!(a.required_for_import, !place, "{} {}", spec.what, a.name);
            }
        }
    }
}
