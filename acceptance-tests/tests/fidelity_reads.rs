//! Fidelity of reads whose subject is gone or cannot be decrypted: DescribeServices in a cluster
//! ECS does not know answers `ClusterNotFoundException`; with `--forget-deleted-clusters` a
//! deleted cluster is such a cluster (ECS forgets INACTIVE clusters after a while, moto never
//! does); GetParameter(s) with decryption of a SecureString under the key
//! `alias/local-aws-unreadable` fail as a whole with KMS's `AccessDeniedException`. Each test
//! talks to the endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use acceptance_tests::{Endpoint, local_endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::error::ProvideErrorMetadata;
use aws_sdk_ssm::types::ParameterType;

const UNREADABLE_KEY: &str = "alias/local-aws-unreadable";

#[tokio::test]
async fn describe_services_in_an_unknown_cluster_is_cluster_not_found() {
    let Some(endpoint) =
        local_endpoint("describe_services_in_an_unknown_cluster_is_cluster_not_found")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let err = ecs
        .describe_services()
        .cluster(unique_name("fid-never"))
        .services("web")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_cluster_not_found_exception(), "{err:?}");
    assert_eq!(err.message(), Some("Cluster not found."));
}

#[tokio::test]
async fn forgotten_deleted_clusters_are_not_found_until_created_again() {
    if skip_without_acc("forgotten_deleted_clusters_are_not_found_until_created_again")
        || real_aws()
    {
        return;
    }
    let endpoint = Endpoint::start(&["--forget-deleted-clusters"]).unwrap();
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-forgotten");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    ecs.delete_cluster().cluster(&cluster).send().await.unwrap();

    let err = ecs
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_cluster_not_found_exception(), "{err:?}");
    assert_eq!(err.message(), Some("Cluster not found."));
    let err = ecs
        .list_services()
        .cluster(&cluster)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_cluster_not_found_exception(), "{err:?}");
    let described = ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
        .unwrap();
    assert!(described.clusters().is_empty(), "{described:?}");
    assert_eq!(described.failures().len(), 1);
    assert_eq!(described.failures()[0].reason(), Some("MISSING"));

    // The same name, created again, is a cluster ECS knows.
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let again = ecs
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await
        .expect("the new cluster is known");
    assert_eq!(again.failures()[0].reason(), Some("MISSING"));
}

#[tokio::test]
async fn without_the_flag_deleted_clusters_stay_discoverable_as_inactive() {
    let Some(endpoint) =
        local_endpoint("without_the_flag_deleted_clusters_stay_discoverable_as_inactive")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-inactive");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    ecs.delete_cluster().cluster(&cluster).send().await.unwrap();
    let described = ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
        .unwrap();
    assert_eq!(described.clusters()[0].status(), Some("INACTIVE"));
    ecs.describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await
        .expect("an INACTIVE cluster still answers");
}

#[tokio::test]
async fn decrypting_under_an_unusable_key_fails_the_whole_get_parameters_call() {
    let Some(endpoint) =
        local_endpoint("decrypting_under_an_unusable_key_fails_the_whole_get_parameters_call")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let prefix = format!("/{}", unique_name("fid-kms"));
    let names: Vec<String> = ["a", "b", "locked"]
        .iter()
        .map(|n| format!("{prefix}/{n}"))
        .collect();
    for name in &names {
        let put = ssm
            .put_parameter()
            .name(name)
            .value(format!("value of {name}"))
            .r#type(ParameterType::SecureString);
        let put = if name.ends_with("locked") {
            put.key_id(UNREADABLE_KEY)
        } else {
            put
        };
        put.send().await.unwrap();
    }

    let err = ssm
        .get_parameters()
        .set_names(Some(names.clone()))
        .with_decryption(true)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");
    let message = err.message().unwrap_or_default();
    assert!(message.contains("kms:Decrypt"), "{message}");
    assert!(
        !message.contains(&names[2]),
        "AWS does not say which parameter: {message}"
    );

    let err = ssm
        .get_parameter()
        .name(&names[2])
        .with_decryption(true)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");

    // The others on their own, and everything without decryption, still read.
    let readable = ssm
        .get_parameters()
        .set_names(Some(names[..2].to_vec()))
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    let mut values: Vec<&str> = readable
        .parameters()
        .iter()
        .filter_map(|p| p.value())
        .collect();
    values.sort();
    let expected: Vec<String> = names[..2].iter().map(|n| format!("value of {n}")).collect();
    assert_eq!(values, expected);
    let encrypted = ssm
        .get_parameters()
        .set_names(Some(names.clone()))
        .with_decryption(false)
        .send()
        .await
        .unwrap();
    assert_eq!(encrypted.parameters().len(), 3);
    ssm.get_parameter()
        .name(&names[2])
        .send()
        .await
        .expect("reading without decryption needs no key");
}
