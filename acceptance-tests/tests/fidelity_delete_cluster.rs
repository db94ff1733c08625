//! Fidelity: like real ECS, the local endpoint refuses DeleteCluster while the cluster still has
//! an ACTIVE service (moto alone deletes it), and allows it once the service is gone.

use acceptance_tests::{Endpoint, unique_name};

#[tokio::test]
async fn delete_cluster_refused_while_services_are_active() {
    let endpoint = Endpoint::start(&[]).expect("local endpoint");
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-cluster");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    acceptance_tests::fixtures::unmanaged_service(&ecs, &cluster, "web")
        .await
        .unwrap();

    let refused = ecs
        .delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect_err("must be refused");
    assert!(
        refused
            .into_service_error()
            .is_cluster_contains_services_exception()
    );

    ecs.delete_service()
        .cluster(&cluster)
        .service("web")
        .force(true)
        .send()
        .await
        .unwrap();
    ecs.delete_cluster()
        .cluster(&cluster)
        .send()
        .await
        .expect("deletable once the service is gone");
}
