//! Service Connect and VPC Lattice of `ecs_service`: the `service_connect_configuration` and
//! `vpc_lattice_configurations` blocks, their models, and the mapping to and from the SDK.
//!
//! ECS reports both on the service's deployments, not on the service: they are read from the
//! PRIMARY deployment (ECS API reference, `Deployment`; the `Service` type has neither).

use std::collections::BTreeMap;

use aws_sdk_ecs::types::{
    Deployment, LogConfiguration, LogDriver, Secret, Service, ServiceConnectAccessLogConfiguration,
    ServiceConnectAccessLoggingFormat, ServiceConnectClientAlias, ServiceConnectConfiguration,
    ServiceConnectIncludeQueryParameters, ServiceConnectService,
    ServiceConnectTestTrafficHeaderMatchRules, ServiceConnectTestTrafficHeaderRules,
    ServiceConnectTestTrafficRules, ServiceConnectTlsCertificateAuthority,
    ServiceConnectTlsConfiguration, TimeoutConfiguration, VpcLatticeConfiguration,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::framework::Value;
use crate::framework::model::{Attr, Set, decode};
use crate::framework::schema::validators::{Chars, IntBetween, Length, OneOf, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock};
use crate::framework::value::AttrPath;

const LOG_DRIVERS: &[&str] = &[
    "json-file",
    "syslog",
    "journald",
    "gelf",
    "fluentd",
    "awslogs",
    "splunk",
    "awsfirelens",
];

fn arn(name: &str) -> Attribute {
    Attribute::string(name).validate(Prefix {
        prefix: "arn:",
        what: "an ARN",
    })
}

/// A value ECS may fill in when it is not configured: optional, computed, and kept across
/// updates (also when ECS reports none), so an unrelated change plans no Service Connect change.
fn filled_in(attribute: Attribute) -> Attribute {
    attribute
        .optional()
        .computed()
        .use_state_for_unknown_including_null()
}

fn single(name: &str, block: Block) -> NestedBlock {
    NestedBlock::single(name, block)
}

fn required_single(name: &str, block: Block) -> NestedBlock {
    NestedBlock::single(name, block).min_items(1).max_items(1)
}

pub fn service_connect_block() -> NestedBlock {
    let secret_option = Block::new()
        .description(
            "A log driver option whose value comes from Secrets Manager or Parameter Store.",
        )
        .attribute(
            Attribute::string("name")
                .required()
                .description("Name of the log driver option."),
        )
        .attribute(
            Attribute::string("value_from")
                .required()
                .description("ARN (or Parameter Store name) of the secret holding the value."),
        );
    let log = Block::new()
        .description("Where the Service Connect proxy writes its logs.")
        .attribute(
            Attribute::string("log_driver")
                .required()
                .validate(OneOf(LOG_DRIVERS))
                .description("Log driver of the proxy container: `awslogs`, `awsfirelens`, `splunk`, `json-file`, `syslog`, `journald`, `gelf` or `fluentd`."),
        )
        .attribute(filled_in(Attribute::string_map("options")).description("Options of the log driver (e.g. `awslogs-group`)."))
        .block(NestedBlock::list("secret_option", secret_option));
    let access_log = Block::new()
        .description("Access logs of the Service Connect proxy: one line per request.")
        .attribute(
            Attribute::string("format")
                .required()
                .validate(OneOf(&["TEXT", "JSON"]))
                .description("`TEXT` or `JSON`."),
        )
        .attribute(
            filled_in(Attribute::string("include_query_parameters"))
                .validate(OneOf(&["ENABLED", "DISABLED"]))
                .description("`ENABLED` or `DISABLED` (what ECS reports when unset)."),
        );
    let header_value = Block::new()
        .description("How the header value is matched.")
        .attribute(
            Attribute::string("exact")
                .required()
                .description("The value the header must have."),
        );
    let header = Block::new()
        .description("The header that marks a request as test traffic.")
        .attribute(
            Attribute::string("name")
                .required()
                .description("Header name."),
        )
        .block(required_single("value", header_value));
    let test_traffic_rules = Block::new()
        .description(
            "Which requests to this alias are test traffic during a blue/green deployment (ECS takes one; only the first is sent).",
        )
        .block(single("header", header));
    let client_alias =
        Block::new()
            .description("The name and port clients in the namespace use to reach this service.")
            .attribute(
                Attribute::number("port")
                    .required()
                    .validate(IntBetween { min: 0, max: 65535 })
                    .description("Port clients connect to."),
            )
            .attribute(filled_in(Attribute::string("dns_name")).description(
                "DNS name clients use; ECS uses `discovery_name.namespace` when unset.",
            ))
            .block(NestedBlock::list("test_traffic_rules", test_traffic_rules));
    let timeout = Block::new()
        .description("Proxy timeouts.")
        .attribute(
            Attribute::number("idle_timeout_seconds")
                .optional()
                .validate(IntBetween {
                    min: 0,
                    max: 2_147_483_647,
                })
                .description("Seconds a connection may stay idle (0 turns the timeout off)."),
        )
        .attribute(
            Attribute::number("per_request_timeout_seconds")
                .optional()
                .validate(IntBetween {
                    min: 0,
                    max: 2_147_483_647,
                })
                .description("Seconds a request may take (HTTP, HTTP/2 and gRPC only)."),
        );
    let issuer = Block::new()
        .description("The certificate authority that issues the proxy's certificates.")
        .attribute(
            arn("aws_pca_authority_arn")
                .required()
                .description("ARN of the AWS Private CA."),
        );
    let tls = Block::new()
        .description("TLS between Service Connect proxies.")
        .block(required_single("issuer_cert_authority", issuer))
        .attribute(
            Attribute::string("kms_key")
                .optional()
                .description("KMS key that encrypts the private key."),
        )
        .attribute(
            arn("role_arn")
                .optional()
                .description("IAM role ECS uses to manage the certificates."),
        );
    let service = Block::new()
        .description("A port of the task definition this service offers to the namespace.")
        .attribute(
            Attribute::string("port_name")
                .required()
                .description("`name` of a port mapping of the task definition."),
        )
        .attribute(
            filled_in(Attribute::string("discovery_name"))
                .description("Name registered in Cloud Map; ECS uses `port_name` when unset."),
        )
        .attribute(
            Attribute::number("ingress_port_override")
                .optional()
                .validate(IntBetween { min: 0, max: 65535 })
                .description("Port the proxy listens on, instead of the port mapping's."),
        )
        .block(single("client_alias", client_alias))
        .block(single("timeout", timeout))
        .block(single("tls", tls));
    let block = Block::new()
        .description("Service Connect: the service reaches (and, with `service`, offers) other services of a Cloud Map namespace by short names. Changing it deploys in place. ECS reports it on the service's deployments; the PRIMARY deployment's is read back.")
        .attribute(Attribute::bool("enabled").required().description("Turn Service Connect on."))
        .attribute(filled_in(Attribute::string("namespace")).description("Cloud Map namespace, as name or ARN; the spelling written stays in state although ECS reports the ARN. Unset, the cluster's `service_connect_namespace` applies (and is what this reads back)."))
        .block(single("log_configuration", log))
        .block(single("access_log_configuration", access_log))
        .block(NestedBlock::list("service", service));
    single("service_connect_configuration", block)
}

pub fn vpc_lattice_block() -> NestedBlock {
    let block = Block::new()
        .description("A VPC Lattice target group the service registers its tasks with. Changing these deploys in place.")
        .attribute(arn("role_arn").required().description("ECS infrastructure role that manages the Lattice registration."))
        .attribute(arn("target_group_arn").required().description("ARN of the VPC Lattice target group."))
        .attribute(
            Attribute::string("port_name")
                .required()
                .validate(Length { min: 1, max: 64 })
                .validate(Chars {
                    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-',
                    alphabet: "lowercase letters, digits, underscores (_) and hyphens (-)",
                })
                .description("`name` of the task definition's port mapping to register: 1 to 64 lowercase letters, digits, `_` and `-`."),
        );
    NestedBlock::set("vpc_lattice_configurations", block)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceConnectModel {
    pub enabled: bool,
    pub namespace: Attr<String>,
    pub log_configuration: Option<LogModel>,
    pub access_log_configuration: Option<AccessLogModel>,
    pub service: Vec<ConnectServiceModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogModel {
    pub log_driver: String,
    pub options: Attr<BTreeMap<String, String>>,
    pub secret_option: Vec<SecretOptionModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretOptionModel {
    pub name: String,
    pub value_from: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessLogModel {
    pub format: String,
    pub include_query_parameters: Attr<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectServiceModel {
    pub port_name: String,
    pub discovery_name: Attr<String>,
    pub ingress_port_override: Option<i64>,
    pub client_alias: Option<ClientAliasModel>,
    pub timeout: Option<TimeoutModel>,
    pub tls: Option<TlsModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientAliasModel {
    pub port: i64,
    pub dns_name: Attr<String>,
    pub test_traffic_rules: Vec<TestTrafficRulesModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestTrafficRulesModel {
    pub header: Option<HeaderModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderModel {
    pub name: String,
    pub value: Option<HeaderValueModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderValueModel {
    pub exact: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeoutModel {
    pub idle_timeout_seconds: Option<i64>,
    pub per_request_timeout_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TlsModel {
    pub issuer_cert_authority: Option<IssuerModel>,
    pub kms_key: Option<String>,
    pub role_arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuerModel {
    pub aws_pca_authority_arn: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatticeModel {
    pub role_arn: String,
    pub target_group_arn: String,
    pub port_name: String,
}

fn int(n: Option<i64>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// The deployment whose settings are the service's now.
pub fn primary(service: &Service) -> Option<&Deployment> {
    service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
}

/// The SDK's configuration for `model`; no block turns Service Connect off (UpdateService keeps
/// the current configuration when the member is absent).
pub fn expand(model: Option<&ServiceConnectModel>) -> ServiceConnectConfiguration {
    let Some(m) = model else {
        return ServiceConnectConfiguration::builder()
            .enabled(false)
            .build();
    };
    let log = m.log_configuration.as_ref().and_then(|l| {
        let secrets = l
            .secret_option
            .iter()
            .filter_map(|s| {
                Secret::builder()
                    .name(&s.name)
                    .value_from(&s.value_from)
                    .build()
                    .ok()
            })
            .collect::<Vec<_>>();
        LogConfiguration::builder()
            .log_driver(LogDriver::from(l.log_driver.as_str()))
            .set_options(
                l.options
                    .known()
                    .filter(|o| !o.is_empty())
                    .map(|o| o.clone().into_iter().collect()),
            )
            .set_secret_options((!secrets.is_empty()).then_some(secrets))
            .build()
            .ok()
    });
    let access = m.access_log_configuration.as_ref().and_then(|a| {
        ServiceConnectAccessLogConfiguration::builder()
            .format(ServiceConnectAccessLoggingFormat::from(a.format.as_str()))
            .set_include_query_parameters(
                a.include_query_parameters
                    .known()
                    .map(|q| ServiceConnectIncludeQueryParameters::from(q.as_str())),
            )
            .build()
            .ok()
    });
    let services = m
        .service
        .iter()
        .filter_map(expand_service)
        .collect::<Vec<_>>();
    ServiceConnectConfiguration::builder()
        .enabled(m.enabled)
        .set_namespace(m.namespace.known().cloned())
        .set_log_configuration(log)
        .set_access_log_configuration(access)
        .set_services((!services.is_empty()).then_some(services))
        .build()
}

fn expand_service(s: &ConnectServiceModel) -> Option<ServiceConnectService> {
    let alias = s.client_alias.as_ref().and_then(|a| {
        let rules = a.test_traffic_rules.first().map(|r| {
            let header = r.header.as_ref().and_then(|h| {
                let value = h.value.as_ref().and_then(|v| {
                    ServiceConnectTestTrafficHeaderMatchRules::builder()
                        .exact(&v.exact)
                        .build()
                        .ok()
                });
                ServiceConnectTestTrafficHeaderRules::builder()
                    .name(&h.name)
                    .set_value(value)
                    .build()
                    .ok()
            });
            ServiceConnectTestTrafficRules::builder()
                .set_header(header)
                .build()
        });
        ServiceConnectClientAlias::builder()
            .port(int(Some(a.port)).unwrap_or_default())
            .set_dns_name(a.dns_name.known().cloned())
            .set_test_traffic_rules(rules)
            .build()
            .ok()
    });
    let timeout = s.timeout.as_ref().map(|t| {
        TimeoutConfiguration::builder()
            .set_idle_timeout_seconds(int(t.idle_timeout_seconds))
            .set_per_request_timeout_seconds(int(t.per_request_timeout_seconds))
            .build()
    });
    let tls = s.tls.as_ref().map(|t| {
        let issuer = t.issuer_cert_authority.as_ref().map(|i| {
            ServiceConnectTlsCertificateAuthority::builder()
                .aws_pca_authority_arn(&i.aws_pca_authority_arn)
                .build()
        });
        ServiceConnectTlsConfiguration::builder()
            .set_issuer_certificate_authority(issuer)
            .set_kms_key(t.kms_key.clone())
            .set_role_arn(t.role_arn.clone())
            .build()
    });
    ServiceConnectService::builder()
        .port_name(&s.port_name)
        .set_discovery_name(s.discovery_name.known().cloned())
        .set_ingress_port_override(int(s.ingress_port_override))
        .set_client_aliases(alias.map(|a| vec![a]))
        .set_timeout(timeout)
        .set_tls(tls)
        .build()
        .ok()
}

/// Whether two spellings name the same namespace: equal, or a name and an ARN (ECS reports the
/// ARN of the namespace the service was configured with by name; the ARN holds the namespace's
/// id, not its name, so a name is taken to be the one ECS resolved).
fn same_namespace(a: &str, b: &str) -> bool {
    a == b || (a.starts_with("arn:") != b.starts_with("arn:"))
}

/// The model of what `service` runs with. `prior` is the state's (or the plan's) block, whose
/// spelling of the namespace is kept; without a PRIMARY deployment (task-set controllers) ECS
/// reports nothing and `prior` stands.
pub fn flatten(
    service: &Service,
    prior: Option<&ServiceConnectModel>,
) -> Option<ServiceConnectModel> {
    let Some(deployment) = primary(service) else {
        return prior.cloned();
    };
    let remote = deployment.service_connect_configuration()?;
    let bare = remote.namespace().is_none() && remote.services().is_empty();
    if !remote.enabled() && bare && prior.is_none() {
        // What removing the block leaves: Service Connect turned off.
        return None;
    }
    let namespace = match (remote.namespace(), prior.and_then(|p| p.namespace.known())) {
        (Some(r), Some(p)) if same_namespace(r, p) => Attr::Known(p.clone()),
        (r, _) => r.map(str::to_string).into(),
    };
    let log_configuration = remote.log_configuration().map(|l| LogModel {
        log_driver: l.log_driver().as_str().to_string(),
        options: Attr::Known(
            l.options()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        ),
        secret_option: l
            .secret_options()
            .iter()
            .map(|s| SecretOptionModel {
                name: s.name().to_string(),
                value_from: s.value_from().to_string(),
            })
            .collect(),
    });
    let access_log_configuration = remote.access_log_configuration().map(|a| AccessLogModel {
        format: a.format().as_str().to_string(),
        include_query_parameters: a
            .include_query_parameters()
            .map(|q| q.as_str().to_string())
            .into(),
    });
    Some(ServiceConnectModel {
        enabled: remote.enabled(),
        namespace,
        log_configuration,
        access_log_configuration,
        service: remote.services().iter().map(flatten_service).collect(),
    })
}

fn flatten_service(s: &ServiceConnectService) -> ConnectServiceModel {
    let client_alias = s.client_aliases().first().map(|a| ClientAliasModel {
        port: i64::from(a.port()),
        dns_name: a.dns_name().map(str::to_string).into(),
        test_traffic_rules: a
            .test_traffic_rules()
            .map(|r| TestTrafficRulesModel {
                header: r.header().map(|h| HeaderModel {
                    name: h.name().to_string(),
                    value: h.value().map(|v| HeaderValueModel {
                        exact: v.exact().to_string(),
                    }),
                }),
            })
            .into_iter()
            .collect(),
    });
    ConnectServiceModel {
        port_name: s.port_name().to_string(),
        discovery_name: s.discovery_name().map(str::to_string).into(),
        ingress_port_override: s.ingress_port_override().map(i64::from),
        client_alias,
        timeout: s.timeout().map(|t| TimeoutModel {
            idle_timeout_seconds: t.idle_timeout_seconds().map(i64::from),
            per_request_timeout_seconds: t.per_request_timeout_seconds().map(i64::from),
        }),
        tls: s.tls().map(|t| TlsModel {
            issuer_cert_authority: t.issuer_certificate_authority().and_then(|i| {
                i.aws_pca_authority_arn().map(|a| IssuerModel {
                    aws_pca_authority_arn: a.to_string(),
                })
            }),
            kms_key: t.kms_key().map(str::to_string),
            role_arn: t.role_arn().map(str::to_string),
        }),
    }
}

pub fn expand_lattice(items: &Set<LatticeModel>) -> Vec<VpcLatticeConfiguration> {
    items
        .0
        .iter()
        .filter_map(|l| {
            VpcLatticeConfiguration::builder()
                .role_arn(&l.role_arn)
                .target_group_arn(&l.target_group_arn)
                .port_name(&l.port_name)
                .build()
                .ok()
        })
        .collect()
}

pub fn flatten_lattice(service: &Service, prior: &Set<LatticeModel>) -> Set<LatticeModel> {
    let Some(deployment) = primary(service) else {
        return prior.clone();
    };
    Set(deployment
        .vpc_lattice_configurations()
        .iter()
        .map(|l| LatticeModel {
            role_arn: l.role_arn().to_string(),
            target_group_arn: l.target_group_arn().to_string(),
            port_name: l.port_name().to_string(),
        })
        .collect())
}

#[derive(Deserialize)]
struct PortNamed {
    port_name: Attr<String>,
}

#[derive(Deserialize)]
struct ConnectView {
    service: Attr<Vec<Attr<PortNamed>>>,
}

/// The names of the port mappings of a DescribeTaskDefinition `taskDefinition`.
fn port_names(definition: &Json) -> Vec<&str> {
    let containers = definition
        .get("containerDefinitions")
        .and_then(Json::as_array);
    containers
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("portMappings").and_then(Json::as_array))
        .flatten()
        .filter_map(|m| m.get("name").and_then(Json::as_str))
        .collect()
}

/// Port names of the planned Service Connect services and VPC Lattice configurations that no
/// port mapping of `definition` has (ECS API reference, `ServiceConnectService.portName` and
/// `VpcLatticeConfiguration.portName`: the name of a port mapping of the task definition).
pub fn port_mismatches(
    service_connect: &Value,
    lattice: &Value,
    definition: &Json,
) -> Vec<(AttrPath, String, String)> {
    let names = port_names(definition);
    let unknown_port = |name: &str| {
        format!(
            "The task definition has no port mapping named \"{name}\" (it names {}). Give the container's port mapping that name, or use one of these.",
            if names.is_empty() {
                "none".to_string()
            } else {
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )
    };
    let mut out = Vec::new();
    if let Ok(Attr::Known(ConnectView {
        service: Attr::Known(services),
    })) = decode::<Attr<ConnectView>>(service_connect)
    {
        for (i, s) in services.iter().enumerate() {
            if let Attr::Known(PortNamed {
                port_name: Attr::Known(name),
            }) = s
                && !names.contains(&name.as_str())
            {
                out.push((
                    AttrPath::root()
                        .attr("service_connect_configuration")
                        .attr("service")
                        .index(i as i64)
                        .attr("port_name"),
                    "Service Connect names no port mapping of the task definition".to_string(),
                    unknown_port(name),
                ));
            }
        }
    }
    if let Ok(Attr::Known(items)) = decode::<Attr<Vec<Attr<PortNamed>>>>(lattice) {
        for item in items {
            if let Attr::Known(PortNamed {
                port_name: Attr::Known(name),
            }) = item
                && !names.contains(&name.as_str())
            {
                out.push((
                    AttrPath::root().attr("vpc_lattice_configurations"),
                    "VPC Lattice names no port mapping of the task definition".to_string(),
                    unknown_port(&name),
                ));
            }
        }
    }
    out
}

/// ECS's refusals of a configured `vpc_lattice_configurations` beyond its validators.
pub fn validate(lattice: &Value, diags: &mut crate::framework::Diagnostics) {
    let Ok(Attr::Known(items)) = decode::<Attr<Vec<Attr<PortNamed>>>>(lattice) else {
        return;
    };
    for item in items {
        if let Attr::Known(PortNamed {
            port_name: Attr::Known(name),
        }) = item
            && name.starts_with('-')
        {
            diags.error_at(
                AttrPath::root().attr("vpc_lattice_configurations"),
                "Invalid VPC Lattice port name",
                format!("port_name \"{name}\" starts with a hyphen; a port mapping name cannot."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;
    use aws_sdk_ecs::types::Deployment;

    #[test]
    fn models_agree_with_the_blocks() {
        assert_model_agrees::<ServiceConnectModel>(&service_connect_block());
        assert_model_agrees::<LatticeModel>(&vpc_lattice_block());
    }

    fn serving(config: ServiceConnectConfiguration) -> Service {
        Service::builder()
            .deployments(
                Deployment::builder()
                    .status("PRIMARY")
                    .service_connect_configuration(config)
                    .build(),
            )
            .build()
    }

    fn model(namespace: &str) -> ServiceConnectModel {
        ServiceConnectModel {
            enabled: true,
            namespace: Attr::Known(namespace.into()),
            log_configuration: None,
            access_log_configuration: None,
            service: vec![ConnectServiceModel {
                port_name: "http".into(),
                discovery_name: Attr::Null,
                ingress_port_override: Some(8080),
                client_alias: Some(ClientAliasModel {
                    port: 80,
                    dns_name: Attr::Known("web".into()),
                    test_traffic_rules: vec![],
                }),
                timeout: None,
                tls: None,
            }],
        }
    }

    #[test]
    fn a_namespace_named_by_name_keeps_its_spelling_when_ecs_reports_the_arn() {
        let arn = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abc";
        let mut reported = expand(Some(&model("internal")));
        reported.namespace = Some(arn.into());
        let read = flatten(&serving(reported.clone()), Some(&model("internal"))).unwrap();
        assert_eq!(read, model("internal"));
        // Imported (no prior): what ECS reports.
        let read = flatten(&serving(reported.clone()), None).unwrap();
        assert_eq!(read.namespace, Attr::Known(arn.into()));
        // Another ARN is another namespace.
        let other = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-def";
        let read = flatten(&serving(reported), Some(&model(other))).unwrap();
        assert_eq!(read.namespace, Attr::Known(arn.into()));
    }

    #[test]
    fn port_names_must_be_the_task_definitions() {
        let def = serde_json::json!({ "containerDefinitions": [
            { "name": "web", "portMappings": [{ "name": "http", "containerPort": 80 }, { "containerPort": 81 }] }
        ]});
        let sc = |p: &str| {
            Value::object([(
                "service",
                Value::list([Value::object([("port_name", Value::string(p))])]),
            )])
        };
        let lattice = |p: &str| Value::set([Value::object([("port_name", Value::string(p))])]);
        assert!(port_mismatches(&sc("http"), &lattice("http"), &def).is_empty());
        let found = port_mismatches(&sc("grpc"), &lattice("admin"), &def);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].0.to_string(),
            "service_connect_configuration.service[0].port_name"
        );
        assert!(
            found[0]
                .2
                .contains("no port mapping named \"grpc\" (it names \"http\")")
        );
        assert_eq!(found[1].0.to_string(), "vpc_lattice_configurations");
        assert!(port_mismatches(&Value::Null, &Value::Unknown, &def).is_empty());
        let mut diags = crate::framework::Diagnostics::new();
        validate(&lattice("-web"), &mut diags);
        assert!(diags.has_errors());
    }

    #[test]
    fn removing_the_block_turns_service_connect_off_and_reads_back_as_no_block() {
        let off = expand(None);
        assert!(!off.enabled());
        assert_eq!(flatten(&serving(off), None), None);
        // Without deployments (task-set controllers) the prior block stands.
        let prior = model("internal");
        assert_eq!(
            flatten(&Service::builder().build(), Some(&prior)),
            Some(prior)
        );
    }
}
