//! The local AWS endpoint: plain moto and the shared endpoint answer ECS calls through the
//! Rust SDK, and endpoint processes go away when dropped. Run with `TF_ACC=1`.

use std::path::Path;
use std::time::{Duration, Instant};

use acceptance_tests::{Endpoint, EndpointKind, real_aws, skip_without_acc, unique_name};

fn skip(test: &str) -> bool {
    if skip_without_acc(test) {
        return true;
    }
    if real_aws() {
        eprintln!("{test}: skipped: needs the local endpoint (ECS_ACC_REAL is set)");
        return true;
    }
    false
}

async fn describe_roundtrip(client: &aws_sdk_ecs::Client) {
    let name = unique_name("endpoint");
    client
        .create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .expect("CreateCluster");
    let out = client
        .describe_clusters()
        .clusters(&name)
        .clusters("does-not-exist")
        .send()
        .await
        .expect("DescribeClusters");
    let cluster = out.clusters().first().expect("one cluster");
    assert_eq!(cluster.cluster_name(), Some(name.as_str()));
    assert_eq!(cluster.status(), Some("ACTIVE"));
    assert_eq!(out.failures().len(), 1, "{:?}", out.failures());
    assert_eq!(out.failures()[0].reason(), Some("MISSING"));
    client
        .delete_cluster()
        .cluster(&name)
        .send()
        .await
        .expect("DeleteCluster");
}

#[tokio::test]
async fn plain_moto_answers_describe_clusters_and_stops_on_drop() {
    if skip("plain_moto_answers_describe_clusters_and_stops_on_drop") {
        return;
    }
    let endpoint = Endpoint::start_moto().expect("moto starts");
    assert_eq!(endpoint.kind(), EndpointKind::Moto);
    assert!(
        endpoint.url().starts_with("http://127.0.0.1:"),
        "{}",
        endpoint.url()
    );
    describe_roundtrip(&endpoint.ecs_client().await).await;

    let pid = endpoint.pid();
    assert!(endpoint.is_running());
    assert!(
        endpoint.stats().await.is_err(),
        "plain moto has no /_local/stats"
    );
    drop(endpoint);
    let proc_dir = format!("/proc/{pid}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while Path::new(&proc_dir).exists() {
        assert!(
            Instant::now() < deadline,
            "moto (pid {pid}) still running 15 s after drop"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn shared_endpoint_answers_describe_clusters() {
    if skip("shared_endpoint_answers_describe_clusters") {
        return;
    }
    let shared = acceptance_tests::endpoint::shared().expect("shared endpoint");
    // Two lookups give the same process.
    assert_eq!(acceptance_tests::endpoint_url(), shared.url());
    describe_roundtrip(&acceptance_tests::ecs_client().await).await;
    if shared.kind() == EndpointKind::LocalAws {
        let stats = shared.stats().await.expect("stats");
        assert!(
            stats.get("ecs:DescribeClusters").copied().unwrap_or(0) >= 1,
            "{stats:?}"
        );
    }
}
