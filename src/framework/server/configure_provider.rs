//! ConfigureProvider: the provider block (possibly with unknown values) becomes provider data.

use super::{RawValue, Server, decode};
use crate::framework::diag::Diagnostics;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::value::Value;

pub struct ConfigureProviderRequest {
    pub terraform_version: String,
    pub config: RawValue,
}

pub struct ConfigureProviderResponse {
    pub diags: Diagnostics,
}

impl Server {
    pub async fn configure_provider(
        &self,
        req: ConfigureProviderRequest,
    ) -> ConfigureProviderResponse {
        let mut diags = Diagnostics::new();
        let ty = self.provider_schema.implied_type();
        let Some(config) = decode(&req.config, &ty, "provider configuration", &mut diags) else {
            return ConfigureProviderResponse { diags };
        };
        let unknown = unknown_paths(&config);
        if !unknown.is_empty() {
            tracing::warn!(tf_rpc = "ConfigureProvider", unknown = %unknown.join(", "), "provider configuration not known yet: reads keep the prior state until it is");
        }
        if let Ok(mut slot) = self.provider_config_unknown.write() {
            *slot = unknown;
        }
        let mut resp = ConfigureResponse { data: None, diags };
        self.provider
            .configure(
                ConfigureRequest {
                    terraform_version: req.terraform_version,
                    config,
                },
                &mut resp,
            )
            .await;
        if let Ok(mut slot) = self.provider_data.write() {
            *slot = resp.data;
        }
        ConfigureProviderResponse { diags: resp.diags }
    }
}

/// Where `value` holds unknowns, as dotted paths (`endpoints.ecs`, `default_tags.tags`).
pub(super) fn unknown_paths(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: &str, out: &mut Vec<String>) {
        let join = |k: &str| {
            if at.is_empty() {
                k.to_string()
            } else {
                format!("{at}.{k}")
            }
        };
        match value.strip_dynamic() {
            Value::Unknown => out.push(if at.is_empty() {
                "(all)".into()
            } else {
                at.into()
            }),
            Value::Object(m) | Value::Map(m) => {
                for (k, v) in m {
                    walk(v, &join(k), out);
                }
            }
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &join(&i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_paths_name_the_arguments() {
        let config = Value::object([
            ("region", Value::string("eu-west-1")),
            (
                "endpoints",
                Value::object([("ecs", Value::Unknown), ("ssm", Value::Null)]),
            ),
            ("default_tags", Value::Unknown),
        ]);
        assert_eq!(
            unknown_paths(&config),
            vec!["default_tags", "endpoints.ecs"]
        );
    }
}
