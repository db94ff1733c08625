//! The batched reads the resources use for refresh ([`super::coalesce`] applied to ECS and SSM).

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ecs::types::{Cluster, ClusterField, Service, ServiceField};
use aws_sdk_ssm::types::{Parameter, ParameterMetadata, ParameterStringFilter};

use super::coalesce::{Coalescer, Fetch, FetchError};
use super::errors::{code, describe};

/// How long a leading read waits for companions when other reads are in flight.
const WINDOW: Duration = Duration::from_millis(25);

pub struct Batches {
    /// Services by name or ARN, grouped by cluster (DescribeServices: 10 per call).
    pub services: Coalescer<Service>,
    /// Clusters by name or ARN (DescribeClusters: 100 per call).
    pub clusters: Coalescer<Cluster>,
    /// Parameters with their decrypted values, by name or ARN (GetParameters: 10 per call).
    pub parameters: Coalescer<Parameter>,
    /// The same with a SecureString's value as Parameter Store keeps it, encrypted.
    pub encrypted_parameters: Coalescer<Parameter>,
    /// Parameter metadata by name (DescribeParameters with a name filter).
    pub parameter_metadata: Coalescer<ParameterMetadata>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batches")
    }
}

fn services(ecs: aws_sdk_ecs::Client) -> Fetch<Service> {
    Arc::new(move |cluster, names| {
        let ecs = ecs.clone();
        Box::pin(async move {
            let out = ecs
                .describe_services()
                .cluster(&cluster)
                .set_services(Some(names))
                .include(ServiceField::Tags)
                .send()
                .await;
            let out = match out {
                Ok(out) => out,
                // The cluster is gone (deleted and forgotten), and so is every service it held:
                // "not found", so Terraform plans to create them again.
                // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html#API_DescribeServices_Errors
                Err(e) if code(&e) == Some("ClusterNotFoundException") => return Ok(Vec::new()),
                Err(e) => {
                    return Err(FetchError::Batch(format!(
                        "DescribeServices in \"{cluster}\" failed: {}",
                        describe(&e)
                    )));
                }
            };
            Ok(out
                .services()
                .iter()
                .flat_map(|s| {
                    let keys = [s.service_name(), s.service_arn()];
                    keys.into_iter()
                        .flatten()
                        .map(|k| (k.to_string(), s.clone()))
                        .collect::<Vec<_>>()
                })
                .collect())
        })
    })
}

fn clusters(ecs: aws_sdk_ecs::Client) -> Fetch<Cluster> {
    Arc::new(move |_group, names| {
        let ecs = ecs.clone();
        Box::pin(async move {
            let out = ecs
                .describe_clusters()
                .set_clusters(Some(names))
                .include(ClusterField::Tags)
                .include(ClusterField::Settings)
                .include(ClusterField::Configurations)
                .send()
                .await
                .map_err(|e| {
                    FetchError::Batch(format!("DescribeClusters failed: {}", describe(&e)))
                })?;
            Ok(out
                .clusters()
                .iter()
                .filter(|c| c.status() != Some("INACTIVE"))
                .flat_map(|c| {
                    let keys = [c.cluster_name(), c.cluster_arn()];
                    keys.into_iter()
                        .flatten()
                        .map(|k| (k.to_string(), c.clone()))
                        .collect::<Vec<_>>()
                })
                .collect())
        })
    })
}

fn parameters(ssm: aws_sdk_ssm::Client, decrypt: bool) -> Fetch<Parameter> {
    Arc::new(move |_group, names| {
        let ssm = ssm.clone();
        Box::pin(async move {
            let out = ssm
                .get_parameters()
                .set_names(Some(names.clone()))
                .with_decryption(decrypt)
                .send()
                .await
                // Never quote the error's message: it could echo a value.
                .map_err(|e| parameter_error(code(&e), &names))?;
            // Asked for by ARN, a parameter answers with its name (and its ARN): list it under both.
            Ok(out
                .parameters()
                .iter()
                .flat_map(|p| {
                    [p.name(), p.arn()]
                        .into_iter()
                        .flatten()
                        .map(|k| (k.to_string(), p.clone()))
                        .collect::<Vec<_>>()
                })
                .collect())
        })
    })
}

/// GetParameters with decryption fails as a whole when the caller may not use the KMS key of
/// one of the parameters (its answer has no per-parameter error): such failures are the
/// member's, so the batch is read one parameter at a time and only that one fails.
/// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
fn parameter_error(code: Option<&str>, names: &[String]) -> FetchError {
    let code = code.unwrap_or("error");
    let call = match names {
        [one] => format!("GetParameters for \"{one}\""),
        _ => "GetParameters".to_string(),
    };
    let is_key_access =
        matches!(code, "AccessDeniedException" | "InvalidKeyId") || code.starts_with("KMS");
    if is_key_access {
        FetchError::Member(format!(
            "{call} failed: {code} (the caller cannot decrypt the parameter with its KMS key; \
             check kms:Decrypt on the key)"
        ))
    } else {
        FetchError::Batch(format!("{call} failed: {code}"))
    }
}

fn parameter_metadata(ssm: aws_sdk_ssm::Client) -> Fetch<ParameterMetadata> {
    Arc::new(move |_group, names| {
        let ssm = ssm.clone();
        Box::pin(async move {
            let filter = ParameterStringFilter::builder()
                .key("Name")
                .option("Equals")
                .set_values(Some(names))
                .build()
                .map_err(|e| FetchError::Batch(e.to_string()))?;
            let out = ssm
                .describe_parameters()
                .parameter_filters(filter)
                .max_results(50)
                .send()
                .await
                .map_err(|e| {
                    FetchError::Batch(format!("DescribeParameters failed: {}", describe(&e)))
                })?;
            Ok(out
                .parameters()
                .iter()
                .filter_map(|p| Some((p.name()?.to_string(), p.clone())))
                .collect())
        })
    })
}

impl Batches {
    /// `enabled = false` sends one call per read (to measure what batching saves).
    pub fn new(ecs: &aws_sdk_ecs::Client, ssm: &aws_sdk_ssm::Client, enabled: bool) -> Self {
        Batches {
            services: Coalescer::new(services(ecs.clone()), 10, WINDOW, enabled),
            clusters: Coalescer::new(clusters(ecs.clone()), 100, WINDOW, enabled),
            parameters: Coalescer::new(parameters(ssm.clone(), true), 10, WINDOW, enabled),
            encrypted_parameters: Coalescer::new(
                parameters(ssm.clone(), false),
                10,
                WINDOW,
                enabled,
            ),
            parameter_metadata: Coalescer::new(
                parameter_metadata(ssm.clone()),
                10,
                WINDOW,
                enabled,
            ),
        }
    }
}

/// Batching is on unless `ECS_PROVIDER_COALESCE=0` (used by the benchmarks).
pub fn enabled_by_environment() -> bool {
    std::env::var("ECS_PROVIDER_COALESCE").map_or(true, |v| v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_access_errors_belong_to_one_parameter_and_others_to_the_call() {
        let two = ["/a".to_string(), "/b".to_string()];
        for code in [
            "AccessDeniedException",
            "InvalidKeyId",
            "KMSAccessDeniedException",
        ] {
            let error = parameter_error(Some(code), &two);
            assert!(
                matches!(&error, FetchError::Member(m) if m.contains(code)),
                "{error:?}"
            );
        }
        for code in [
            Some("ThrottlingException"),
            Some("InternalServerError"),
            None,
        ] {
            let error = parameter_error(code, &two);
            assert!(matches!(error, FetchError::Batch(_)), "{error:?}");
        }
        let alone = parameter_error(Some("AccessDeniedException"), &two[..1]);
        assert!(
            alone
                .message()
                .starts_with("GetParameters for \"/a\" failed")
        );
    }
}
