//! The endpoint's flags: `--throttle` answers `ThrottlingException: Rate exceeded` beyond ECS's
//! published token buckets (`--throttle-burst N`: buckets of at most N tokens at ECS's sustained
//! rates), `--fault-rate` fails calls with HTTP 500, `--latency-ms` delays every call,
//! `--no-fidelity` is plain moto behind the proxy, and `/_local/stats` counts calls, refusals
//! (`throttled:Action`) and injected faults (`faulted:service:Action`).
//! Each test starts its own endpoint and talks to it with the AWS SDK for Rust.
//! Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::clients::ecs_client_without_retries;
use acceptance_tests::{Endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::error::ProvideErrorMetadata;

fn skip(test: &str) -> bool {
    skip_without_acc(test) || real_aws()
}

#[tokio::test]
async fn throttle_refuses_beyond_the_cluster_modify_burst() {
    if skip("throttle_refuses_beyond_the_cluster_modify_burst") {
        return;
    }
    let endpoint = Endpoint::start(&["--throttle"]).unwrap();
    let ecs = ecs_client_without_retries(endpoint.url()).await;
    let mut outcomes = Vec::new();
    for i in 0..22 {
        let out = ecs
            .create_cluster()
            .cluster_name(format!("thr-{i}"))
            .send()
            .await;
        outcomes.push(out.map_err(|e| {
            let e = e.into_service_error();
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        }));
    }
    let admitted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert!(
        (20..=21).contains(&admitted),
        "burst of 20 (+1 refilled): {admitted}"
    );
    let refusal = outcomes
        .iter()
        .find_map(|o| o.as_ref().err())
        .expect("a refusal");
    assert_eq!(refusal, "ThrottlingException: Rate exceeded");
    ecs.describe_clusters()
        .clusters("thr-0")
        .send()
        .await
        .expect("reads have their own bucket");
    let stats = endpoint.stats().await.unwrap();
    assert_eq!(
        stats.get("throttled:CreateCluster").copied(),
        Some(22 - admitted as u64),
        "{stats:?}"
    );
}

#[tokio::test]
async fn fault_rate_fails_calls_with_server_errors() {
    if skip("fault_rate_fails_calls_with_server_errors") {
        return;
    }
    let endpoint = Endpoint::start(&["--fault-rate", "1"]).unwrap();
    let ecs = ecs_client_without_retries(endpoint.url()).await;
    let err = ecs.list_clusters().send().await.unwrap_err();
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(500));
    assert!(err.into_service_error().is_server_exception());
}

#[tokio::test]
async fn latency_delays_every_call() {
    if skip("latency_delays_every_call") {
        return;
    }
    let endpoint = Endpoint::start(&["--latency-ms", "300"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    ecs.list_clusters().send().await.unwrap();
    let start = Instant::now();
    ecs.list_clusters().send().await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn no_fidelity_is_plain_moto_with_stats() {
    if skip("no_fidelity_is_plain_moto_with_stats") {
        return;
    }
    let endpoint = Endpoint::start_exact(&["--no-fidelity"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("plain");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    acceptance_tests::fixtures::unmanaged_service(&ecs, &cluster, "web")
        .await
        .unwrap();
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("moto deletes a cluster with an active service");
    let stats = endpoint.stats().await.unwrap();
    assert_eq!(stats.get("ecs:DeleteCluster"), Some(&1), "{stats:?}");
    assert_eq!(stats.get("ecs:CreateService"), Some(&1), "{stats:?}");
    let calls = endpoint.calls().await.unwrap();
    let order: Vec<&str> = calls
        .iter()
        .map(String::as_str)
        .filter(|c| {
            [
                "ecs:CreateCluster",
                "ecs:CreateService",
                "ecs:DeleteCluster",
            ]
            .contains(c)
        })
        .collect();
    assert_eq!(
        order,
        [
            "ecs:CreateCluster",
            "ecs:CreateService",
            "ecs:DeleteCluster"
        ]
    );
    endpoint.reset_stats().await.unwrap();
    assert!(endpoint.stats().await.unwrap().is_empty());
    assert!(endpoint.calls().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_flags_stop_the_endpoint_with_usage() {
    if skip("unknown_flags_stop_the_endpoint_with_usage") {
        return;
    }
    let err = Endpoint::start_exact(&["--bogus"]).unwrap_err();
    assert!(err.contains("unknown flag"), "{err}");
}

#[tokio::test]
async fn throttle_burst_leaves_one_token_per_family_and_the_sustained_rate() {
    if skip("throttle_burst_leaves_one_token_per_family_and_the_sustained_rate") {
        return;
    }
    let endpoint = Endpoint::start(&["--throttle-burst", "1"]).unwrap();
    let ecs = ecs_client_without_retries(endpoint.url()).await;
    ecs.list_clusters()
        .send()
        .await
        .expect("moto is warm before the clock matters");
    let prefix = unique_name("thr-burst");
    let create = |i: usize| {
        ecs.create_cluster()
            .cluster_name(format!("{prefix}-{i}"))
            .send()
    };
    let (a, b, c) = tokio::join!(create(0), create(1), create(2));
    let outcomes = [a, b, c];
    let admitted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(admitted, 1, "one token, not ECS's burst of 20");
    let refused = outcomes
        .into_iter()
        .find_map(Result::err)
        .expect("a refusal")
        .into_service_error();
    assert_eq!(refused.code(), Some("ThrottlingException"), "{refused:?}");
    assert_eq!(refused.message(), Some("Rate exceeded"));
    ecs.describe_clusters()
        .clusters(format!("{prefix}-0"))
        .send()
        .await
        .expect("reads have their own bucket");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    create(3)
        .await
        .expect("cluster modifications refill at one per second");
    let stats = endpoint.stats().await.unwrap();
    assert_eq!(stats.get("throttled:CreateCluster"), Some(&2), "{stats:?}");
    assert_eq!(stats.get("ecs:CreateCluster"), Some(&4), "{stats:?}");
}

#[tokio::test]
async fn injected_faults_are_counted_and_each_retry_arrives_again() {
    if skip("injected_faults_are_counted_and_each_retry_arrives_again") {
        return;
    }
    let endpoint = Endpoint::start(&["--fault-rate", "1"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let err = ecs.list_clusters().send().await.unwrap_err();
    assert!(err.into_service_error().is_server_exception());
    let stats = endpoint.stats().await.unwrap();
    let attempts = stats.get("ecs:ListClusters").copied().unwrap_or(0);
    assert!(attempts > 1, "the SDK retries a 500: {stats:?}");
    assert_eq!(
        stats.get("faulted:ecs:ListClusters").copied(),
        Some(attempts),
        "{stats:?}"
    );
    let calls = endpoint.calls().await.unwrap();
    assert_eq!(
        calls[..2],
        ["ecs:ListClusters", "faulted:ecs:ListClusters"],
        "the fault follows the call it failed: {calls:?}"
    );
}
