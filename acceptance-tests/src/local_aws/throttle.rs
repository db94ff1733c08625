//! ECS's published request throttling: one token bucket per API family (burst, then a sustained
//! rate per second), shared by every caller as AWS shares it per account and region.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// `(family, burst, refill per second)` for an ECS action; `None` for unthrottled actions.
pub fn family_of(action: &str) -> Option<(&'static str, f64, f64)> {
    Some(match action {
        "CreateCluster"
        | "DeleteCluster"
        | "PutClusterCapacityProviders"
        | "UpdateCluster"
        | "UpdateClusterSettings" => ("cluster-modify", 20.0, 1.0),
        "DescribeClusters" | "ListClusters" => ("cluster-read", 50.0, 20.0),
        "RegisterTaskDefinition" | "DeregisterTaskDefinition" => ("taskdef-modify", 20.0, 1.0),
        "DescribeTaskDefinition" | "ListTaskDefinitions" | "ListTaskDefinitionFamilies" => {
            ("taskdef-read", 50.0, 20.0)
        }
        "DeleteTaskDefinitions" => ("taskdef-delete", 5.0, 1.0),
        "CreateCapacityProvider" | "UpdateCapacityProvider" | "DeleteCapacityProvider" => {
            ("capacity-provider-modify", 10.0, 1.0)
        }
        "DescribeCapacityProviders" => ("capacity-provider-read", 50.0, 20.0),
        "TagResource" | "UntagResource" => ("tag-modify", 20.0, 10.0),
        "ListTagsForResource" => ("tag-read", 50.0, 20.0),
        "CreateService" | "DeleteService" | "UpdateService" => ("service-modify", 50.0, 5.0),
        "DescribeServices" | "ListServices" => ("service-read", 100.0, 20.0),
        "DescribeServiceDeployments" | "ListServiceDeployments" | "DescribeServiceRevisions" => {
            ("service-deployments", 50.0, 20.0)
        }
        "DescribeTasks" | "ListTasks" | "DescribeContainerInstances" | "ListContainerInstances" => {
            ("cluster-resource-read", 100.0, 20.0)
        }
        "RunTask"
        | "StopTask"
        | "StartTask"
        | "RegisterContainerInstance"
        | "DeregisterContainerInstance"
        | "UpdateContainerInstancesState" => ("cluster-resource-modify", 100.0, 40.0),
        "ListServicesByNamespace" => ("services-by-namespace", 10.0, 1.0),
        _ => return None,
    })
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// All buckets; a call takes one token from its family's bucket or is refused.
#[derive(Default)]
pub struct Throttle {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

impl Throttle {
    /// True when the call may proceed.
    pub fn admit(&self, action: &str) -> bool {
        self.admit_at(action, Instant::now())
    }

    fn admit_at(&self, action: &str, now: Instant) -> bool {
        let Some((family, burst, rate)) = family_of(action) else {
            return true;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(family).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_sustained_rate() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let admitted = (0..25)
            .filter(|_| throttle.admit_at("CreateCluster", start))
            .count();
        assert_eq!(admitted, 20, "cluster modifications burst to 20");
        assert!(!throttle.admit_at("UpdateCluster", start), "same family");
        assert!(throttle.admit_at("DescribeClusters", start), "other family");
        assert!(throttle.admit_at("DeleteCluster", start + Duration::from_millis(1001)));
        assert!(!throttle.admit_at("DeleteCluster", start + Duration::from_millis(1002)));
    }

    #[test]
    fn unknown_actions_are_never_throttled() {
        let throttle = Throttle::default();
        let now = Instant::now();
        assert!((0..1000).all(|_| throttle.admit_at("PutAccountSetting", now)));
    }
}
