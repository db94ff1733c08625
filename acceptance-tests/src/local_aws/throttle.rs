//! ECS's published request throttling: one token bucket per API family (burst, then a sustained
//! rate per second), shared by every caller as AWS shares it per account and region. With
//! `--throttle-burst N` every bucket holds at most N tokens: the account's other callers have
//! spent the bursts and only the sustained rates are left, so a client pacing itself to the
//! published bursts is refused and must retry (ECS API reference, "Request throttling for the
//! Amazon ECS API": requests are throttled "for each AWS account on a per-Region basis", whether
//! they come from a third-party application, a command line tool or the console).

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
    /// At most this many tokens in any bucket (`--throttle-burst`).
    burst_cap: Option<f64>,
}

impl Throttle {
    /// ECS's buckets, each holding at most `burst_cap` tokens when given.
    pub fn new(burst_cap: Option<f64>) -> Throttle {
        Throttle {
            buckets: Mutex::default(),
            burst_cap,
        }
    }

    /// True when the call may proceed.
    pub fn admit(&self, action: &str) -> bool {
        self.admit_at(action, Instant::now())
    }

    fn admit_at(&self, action: &str, now: Instant) -> bool {
        let Some((family, burst, rate)) = family_of(action) else {
            return true;
        };
        let burst = self.burst_cap.map_or(burst, |cap| burst.min(cap));
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
    fn a_capped_burst_keeps_the_sustained_rate() {
        let throttle = Throttle::new(Some(1.0));
        let start = Instant::now();
        assert!(throttle.admit_at("RegisterTaskDefinition", start));
        assert!(
            !throttle.admit_at("DeregisterTaskDefinition", start),
            "one token, not ECS's 20"
        );
        assert!(throttle.admit_at("CreateService", start), "other family");
        assert!(!throttle.admit_at("UpdateService", start));
        assert!(
            throttle.admit_at("UpdateService", start + Duration::from_millis(201)),
            "service modifications refill at 5 per second"
        );
        assert!(
            throttle.admit_at(
                "RegisterTaskDefinition",
                start + Duration::from_millis(1001)
            ),
            "task definition modifications refill at 1 per second"
        );
        let later = start + Duration::from_secs(60);
        assert!(throttle.admit_at("RegisterTaskDefinition", later));
        assert!(
            !throttle.admit_at("RegisterTaskDefinition", later),
            "a minute of refill still holds one token"
        );
    }

    #[test]
    fn unknown_actions_are_never_throttled() {
        let throttle = Throttle::default();
        let now = Instant::now();
        assert!((0..1000).all(|_| throttle.admit_at("PutAccountSetting", now)));
    }
}
