//! Client-side pacing of ECS calls, sized from ECS's published token buckets (burst, then a
//! sustained rate per API family), so a large apply waits a little instead of being throttled.
//! It wraps the HTTP client, so every attempt of every operation is paced, retries included.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// `(burst, sustained calls per second)` of the family an ECS action belongs to.
fn bucket_of(action: &str) -> Option<(&'static str, f64, f64)> {
    const FAMILIES: &[(&str, f64, f64, &[&str])] = &[
        (
            "cluster-modify",
            20.0,
            1.0,
            &[
                "CreateCluster",
                "DeleteCluster",
                "PutClusterCapacityProviders",
                "UpdateCluster",
                "UpdateClusterSettings",
            ],
        ),
        (
            "cluster-read",
            50.0,
            20.0,
            &["DescribeClusters", "ListClusters"],
        ),
        (
            "taskdef-modify",
            20.0,
            1.0,
            &["RegisterTaskDefinition", "DeregisterTaskDefinition"],
        ),
        (
            "taskdef-read",
            50.0,
            20.0,
            &[
                "DescribeTaskDefinition",
                "ListTaskDefinitions",
                "ListTaskDefinitionFamilies",
            ],
        ),
        ("taskdef-delete", 5.0, 1.0, &["DeleteTaskDefinitions"]),
        (
            "capacity-provider-read",
            50.0,
            20.0,
            &["DescribeCapacityProviders"],
        ),
        ("tag-modify", 20.0, 10.0, &["TagResource", "UntagResource"]),
        ("tag-read", 50.0, 20.0, &["ListTagsForResource"]),
        (
            "service-modify",
            50.0,
            5.0,
            &["CreateService", "DeleteService", "UpdateService"],
        ),
        (
            "service-read",
            100.0,
            20.0,
            &["DescribeServices", "ListServices"],
        ),
        (
            "cluster-resource-read",
            100.0,
            20.0,
            &[
                "DescribeTasks",
                "ListTasks",
                "ListContainerInstances",
                "DescribeContainerInstances",
            ],
        ),
        (
            "cluster-resource-modify",
            100.0,
            40.0,
            &["StopTask", "RunTask", "DeregisterContainerInstance"],
        ),
    ];
    FAMILIES
        .iter()
        .find(|(_, _, _, actions)| actions.contains(&action))
        .map(|(family, burst, rate, _)| (*family, *burst, *rate))
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets, shared by every ECS call of the provider process.
#[derive(Default)]
pub struct Pace {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

impl std::fmt::Debug for Pace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pace")
    }
}

impl Pace {
    /// Take a token for `action`; how long to wait before sending (tokens may be reserved
    /// ahead, so concurrent callers queue up at the sustained rate).
    pub fn reserve(&self, action: &str) -> Option<Duration> {
        self.reserve_at(action, Instant::now())
    }

    fn reserve_at(&self, action: &str, now: Instant) -> Option<Duration> {
        let (family, burst, rate) = bucket_of(action)?;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(family).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        bucket.tokens -= 1.0;
        (bucket.tokens < 0.0).then(|| Duration::from_secs_f64(-bucket.tokens / rate))
    }
}

/// An HTTP client that paces ECS requests before handing them to `inner`.
#[derive(Debug, Clone)]
pub struct PacedClient {
    inner: SharedHttpClient,
    pace: Arc<Pace>,
}

impl PacedClient {
    pub fn new(inner: SharedHttpClient) -> Self {
        PacedClient {
            inner,
            pace: Arc::default(),
        }
    }
}

impl HttpClient for PacedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pace: self.pace.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pace: Arc<Pace>,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let action = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.split_once('.'))
            .map(|(_, action)| action.to_string());
        let wait = action.as_deref().and_then(|a| self.pace.reserve(a));
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            if let Some(wait) = wait {
                tracing::debug!(action = ?action, wait_ms = wait.as_millis() as u64, "pacing an ECS call");
                tokio::time::sleep(wait).await;
            }
            inner.call(request).await
        })
    }
}

/// The default HTTPS client (rustls with aws-lc), paced.
pub fn paced_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    let inner = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https();
    SharedHttpClient::new(PacedClient::new(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_the_sustained_rate() {
        let pace = Pace::default();
        let now = Instant::now();
        for _ in 0..20 {
            assert_eq!(
                pace.reserve_at("CreateCluster", now),
                None,
                "the burst is free"
            );
        }
        let wait = pace
            .reserve_at("DeleteCluster", now)
            .expect("the 21st waits");
        assert_eq!(wait, Duration::from_secs(1));
        let wait = pace
            .reserve_at("UpdateCluster", now)
            .expect("the 22nd waits longer");
        assert_eq!(wait, Duration::from_secs(2));
        assert_eq!(
            pace.reserve_at("DescribeClusters", now),
            None,
            "reads have their own bucket"
        );
        assert_eq!(
            pace.reserve_at("GetParameter", now),
            None,
            "unpaced actions"
        );
    }
}
