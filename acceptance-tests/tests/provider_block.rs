//! The provider block's arguments against the environment the harness sets (`AWS_ENDPOINT_URL`,
//! `AWS_REGION=us-east-1`, test credentials): `region`, `endpoints` and `profile` win and put
//! the objects where they say, `assume_role` calls STS at `endpoints.sts` and uses the role's
//! credentials, `max_retries` bounds the attempts, and an endpoint that cannot be reached or
//! credentials that cannot be had fail with one sentence naming the service, the endpoint and
//! the cause.

use std::sync::Arc;

use acceptance_tests::clients::sdk_config;
use acceptance_tests::report::flatten_diagnostics;
use acceptance_tests::{
    BoxError, Endpoint, StateCheck, Step, Terraform, TestCase, endpoint_url, real_aws,
    skip_without_acc, unique_name,
};
use aws_config::Region;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

/// Every test here needs the local endpoint.
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

fn config(provider: &str, resources: &str) -> String {
    format!("{HEADER}\nprovider \"ecs\" {{\n{provider}\n}}\n{resources}")
}

fn cluster(name: &str) -> String {
    format!("resource \"ecs_cluster\" \"c\" {{\n  name = \"{name}\"\n}}\n")
}

/// An ECS client for `url` signing for `region`, with the harness's test credentials.
async fn ecs_in(url: &str, region: &str) -> aws_sdk_ecs::Client {
    let config = aws_sdk_ecs::config::Builder::from(&sdk_config(Some(url)).await)
        .region(Region::new(region.to_string()))
        .build();
    aws_sdk_ecs::Client::from_conf(config)
}

/// The status of cluster `name` as `client` sees it (`None`: not known there).
async fn status(client: &aws_sdk_ecs::Client, name: &str) -> Result<Option<String>, BoxError> {
    let out = client.describe_clusters().clusters(name).send().await?;
    Ok(out
        .clusters()
        .first()
        .and_then(|c| c.status())
        .map(str::to_string))
}

/// `Ok` when `endpoint` received no AWS call at all.
async fn untouched(endpoint: &Endpoint) -> Result<(), BoxError> {
    let calls = endpoint.calls().await?;
    if calls.is_empty() {
        Ok(())
    } else {
        Err(format!("the environment's endpoint was called: {calls:?}").into())
    }
}

/// The URL of a loopback port nothing listens on.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// Apply `hcl` in a fresh directory against the shared endpoint; it must fail. Returns
/// Terraform's output with the diagnostics' frames and line wrapping removed.
async fn failed_apply(test: &str, hcl: &str) -> String {
    acceptance_tests::env::check_provider_bin().unwrap();
    let dir = tempfile::Builder::new()
        .prefix(&format!("ecs-acc-{test}-"))
        .tempdir()
        .unwrap();
    let tf = Terraform::new(dir.path().join("work"), Some(&endpoint_url())).unwrap();
    tf.write_config(hcl).unwrap();
    let out = tf
        .run(&["apply", "-no-color", "-input=false", "-auto-approve"])
        .await;
    assert_ne!(out.status, 0, "the apply was meant to fail:\n{out}");
    flatten_diagnostics(&out.combined())
}

fn assert_no_debug_dump(output: &str) {
    for noise in ["ConnectorError", "Some(", "DispatchFailure", "source:"] {
        assert!(
            !output.contains(noise),
            "{noise:?} in the output:\n{output}"
        );
    }
}

#[tokio::test]
async fn region_in_the_provider_block_places_the_cluster_there() {
    let test = "region_in_the_provider_block_places_the_cluster_there";
    if skip(test) {
        return;
    }
    let url = endpoint_url();
    let name = unique_name("acc-region");
    let hcl = config(r#"  region = "eu-west-1""#, &cluster(&name));
    let (u1, n1, u2, n2) = (url.clone(), name.clone(), url, name.clone());
    TestCase::new(test)
        .step(Step::new(hcl).check(StateCheck::custom(
            "the cluster is ACTIVE in eu-west-1 and unknown in the environment's us-east-1",
            move |_ctx| {
                let (url, name) = (u1.clone(), n1.clone());
                async move {
                    let there = status(&ecs_in(&url, "eu-west-1").await, &name).await?;
                    if there.as_deref() != Some("ACTIVE") {
                        return Err(format!("in eu-west-1 the cluster is {there:?}").into());
                    }
                    match status(&ecs_in(&url, "us-east-1").await, &name).await? {
                        None => Ok(()),
                        Some(s) => Err(format!("the cluster is {s} in us-east-1 too").into()),
                    }
                }
            },
        )))
        .check_destroy(move |_ctx| {
            let (url, name) = (u2.clone(), n2.clone());
            async move {
                match status(&ecs_in(&url, "eu-west-1").await, &name).await? {
                    Some(s) if s == "INACTIVE" => Ok(()),
                    other => Err(format!("after destroy the cluster is {other:?}").into()),
                }
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn endpoints_in_the_provider_block_win_over_the_environment() {
    let test = "endpoints_in_the_provider_block_win_over_the_environment";
    if skip(test) {
        return;
    }
    let home = Arc::new(Endpoint::start(&[]).unwrap());
    // The harness points AWS_ENDPOINT_URL at the case's endpoint: the decoy.
    let decoy = Arc::new(Endpoint::start(&[]).unwrap());
    let name = unique_name("acc-endpoints");
    let parameter = format!("/acc/{name}");
    let provider = format!(
        "  endpoints {{\n    ecs = \"{0}\"\n    ssm = \"{0}\"\n  }}",
        home.url()
    );
    let resources = format!(
        "{}\nresource \"ecs_secret\" \"s\" {{\n  name  = \"{parameter}\"\n  value = \"v\"\n}}\n",
        cluster(&name)
    );
    let (h1, d1, n1, p1) = (home.clone(), decoy.clone(), name.clone(), parameter.clone());
    let (h2, d2, n2, p2) = (home.clone(), decoy.clone(), name.clone(), parameter.clone());
    TestCase::new(test)
        .endpoint(decoy.clone())
        .env("AWS_ENDPOINT_URL_ECS", decoy.url())
        .env("AWS_ENDPOINT_URL_SSM", decoy.url())
        .step(
            Step::new(config(&provider, &resources)).check(StateCheck::custom(
                "the cluster and the parameter are at the configured endpoint, the \
                 environment's endpoint saw no call",
                move |_ctx| {
                    let (home, decoy, name, parameter) =
                        (h1.clone(), d1.clone(), n1.clone(), p1.clone());
                    async move {
                        let there = status(&home.ecs_client().await, &name).await?;
                        if there.as_deref() != Some("ACTIVE") {
                            return Err(format!("at the configured endpoint: {there:?}").into());
                        }
                        home.ssm_client()
                            .await
                            .get_parameter()
                            .name(&parameter)
                            .send()
                            .await?;
                        untouched(&decoy).await
                    }
                },
            )),
        )
        .check_destroy(move |_ctx| {
            let (home, decoy, name, parameter) = (h2.clone(), d2.clone(), n2.clone(), p2.clone());
            async move {
                if status(&home.ecs_client().await, &name).await?.as_deref() != Some("INACTIVE") {
                    return Err("the cluster was not deleted at the configured endpoint".into());
                }
                let read = home
                    .ssm_client()
                    .await
                    .get_parameter()
                    .name(&parameter)
                    .send()
                    .await;
                if read.is_ok() {
                    return Err("the parameter is still at the configured endpoint".into());
                }
                untouched(&decoy).await
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn assume_role_calls_sts_at_the_configured_endpoint_and_uses_the_role() {
    let test = "assume_role_calls_sts_at_the_configured_endpoint_and_uses_the_role";
    if skip(test) {
        return;
    }
    let home = Arc::new(Endpoint::start(&[]).unwrap());
    let decoy = Arc::new(Endpoint::start(&[]).unwrap());
    let name = unique_name("acc-role");
    // moto gives an assumed role's credentials the account of the role's ARN, so the
    // cluster's ARN tells which credentials created it.
    let account = "210987654321";
    let provider = format!(
        r#"  endpoints {{
    ecs = "{0}"
    ssm = "{0}"
    sts = "{0}"
  }}
  assume_role {{
    role_arn     = "arn:aws:iam::{account}:role/acc-deployer"
    session_name = "acc-session"
    external_id  = "acc-external-id"
  }}"#,
        home.url()
    );
    let (h1, d1, n1) = (home.clone(), decoy.clone(), name.clone());
    let (h2, d2) = (home.clone(), decoy.clone());
    TestCase::new(test)
        .endpoint(decoy.clone())
        .env("AWS_ENDPOINT_URL_STS", decoy.url())
        .step(
            Step::new(config(&provider, &cluster(&name)))
                .check(StateCheck::attr_regex(
                    "ecs_cluster.c",
                    "arn",
                    &format!("^arn:aws:ecs:us-east-1:{account}:cluster/{name}$"),
                ))
                .check(StateCheck::custom(
                    "STS was asked at the configured endpoint, the cluster is in the role's \
                     account only, the environment's endpoint saw no call",
                    move |_ctx| {
                        let (home, decoy, name) = (h1.clone(), d1.clone(), n1.clone());
                        async move {
                            let stats = home.stats().await?;
                            if stats.get("sts:AssumeRole").copied().unwrap_or(0) == 0 {
                                return Err(
                                    format!("no AssumeRole at the endpoint: {stats:?}").into()
                                );
                            }
                            // The test credentials are another account: the cluster is not there.
                            if let Some(s) = status(&home.ecs_client().await, &name).await?
                                && s == "ACTIVE"
                            {
                                return Err(
                                    "the cluster is in the test credentials' account".into()
                                );
                            }
                            untouched(&decoy).await
                        }
                    },
                )),
        )
        .check_destroy(move |_ctx| {
            let (home, decoy) = (h2.clone(), d2.clone());
            async move {
                let stats = home.stats().await?;
                if stats.get("ecs:DeleteCluster").copied().unwrap_or(0) == 0 {
                    return Err(format!("no DeleteCluster at the endpoint: {stats:?}").into());
                }
                untouched(&decoy).await
            }
        })
        .run()
        .await;
}

#[tokio::test]
async fn a_profile_from_the_shared_files_gives_region_and_credentials() {
    let test = "a_profile_from_the_shared_files_gives_region_and_credentials";
    if skip(test) {
        return;
    }
    acceptance_tests::env::check_provider_bin().unwrap();
    let url = endpoint_url();
    let dir = tempfile::Builder::new()
        .prefix("ecs-acc-profile-")
        .tempdir()
        .unwrap();
    let profile = unique_name("acc-profile");
    let config_file = dir.path().join("config");
    let credentials_file = dir.path().join("credentials");
    std::fs::write(
        &config_file,
        format!("[profile {profile}]\nregion = eu-west-2\n"),
    )
    .unwrap();
    std::fs::write(
        &credentials_file,
        format!(
            "[{profile}]\naws_access_key_id = AKIDPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n"
        ),
    )
    .unwrap();
    let mut tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    // Region and credentials can only come from the profile.
    for var in [
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        tf.set_env(var, None);
    }
    tf.set_env("AWS_CONFIG_FILE", Some(&config_file.to_string_lossy()));
    tf.set_env(
        "AWS_SHARED_CREDENTIALS_FILE",
        Some(&credentials_file.to_string_lossy()),
    );
    let name = unique_name("acc-profile");
    let hcl = config(&format!("  profile = \"{profile}\""), &cluster(&name));
    tf.write_config(&hcl).unwrap();
    let applied = tf.apply().await;
    let there = status(&ecs_in(&url, "eu-west-2").await, &name).await;
    let elsewhere = status(&ecs_in(&url, "us-east-1").await, &name).await;
    let destroyed = tf.destroy().await;
    if let Err(out) = applied {
        panic!("apply with the profile failed:\n{out}");
    }
    assert_eq!(
        there.unwrap().as_deref(),
        Some("ACTIVE"),
        "the cluster in the profile's region"
    );
    assert_eq!(elsewhere.unwrap(), None, "the cluster in us-east-1");
    if let Err(out) = destroyed {
        panic!("destroy with the profile failed:\n{out}");
    }
    assert_eq!(
        status(&ecs_in(&url, "eu-west-2").await, &name)
            .await
            .unwrap()
            .as_deref(),
        Some("INACTIVE"),
        "the cluster after destroy"
    );
}

#[tokio::test]
async fn max_retries_bounds_the_attempts_of_a_failing_call() {
    let test = "max_retries_bounds_the_attempts_of_a_failing_call";
    if skip(test) {
        return;
    }
    // Every ECS call answers HTTP 500, which the SDK retries.
    let failing = Arc::new(Endpoint::start(&["--fault-rate", "1.0"]).unwrap());
    for (retries, attempts) in [(0, 1), (2, 3)] {
        failing.reset_stats().await.unwrap();
        let name = unique_name("acc-retries");
        let hcl = config(&format!("  max_retries = {retries}"), &cluster(&name));
        TestCase::new(&format!("{test}_{retries}"))
            .endpoint(failing.clone())
            .step(Step::new(hcl).expect_error(&format!(
                "CreateCluster for \"{name}\" failed: ServerException: Service encountered an \
                 internal error"
            )))
            .run()
            .await;
        let stats = failing.stats().await.unwrap();
        assert_eq!(
            stats.get("ecs:CreateCluster").copied(),
            Some(attempts),
            "CreateCluster attempts with max_retries = {retries}: {stats:?}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_with_one_sentence_naming_service_endpoint_and_cause() {
    let test = "an_unreachable_endpoint_fails_with_one_sentence_naming_service_endpoint_and_cause";
    if skip(test) {
        return;
    }
    let (ecs, ssm) = (closed_endpoint(), closed_endpoint());
    let name = unique_name("acc-unreachable");
    let parameter = format!("/acc/{name}");
    let provider = format!(
        "  max_retries = 0\n  endpoints {{\n    ecs = \"{ecs}\"\n    ssm = \"{ssm}\"\n  }}"
    );
    let resources = format!(
        "{}\nresource \"ecs_secret\" \"s\" {{\n  name  = \"{parameter}\"\n  value = \"v\"\n}}\n",
        cluster(&name)
    );
    let output = failed_apply("unreachable", &config(&provider, &resources)).await;
    for sentence in [
        format!(
            "CreateCluster for \"{name}\" failed: could not reach Amazon ECS at {ecs}: \
             connection refused"
        ),
        format!(
            "PutParameter for \"{parameter}\" failed: could not reach AWS Systems Manager at \
             {ssm}: connection refused"
        ),
    ] {
        assert!(output.contains(&sentence), "{sentence:?} not in:\n{output}");
    }
    assert_no_debug_dump(&output);
}

#[tokio::test]
async fn credentials_that_cannot_be_had_fail_with_one_sentence_naming_role_sts_and_cause() {
    let test = "credentials_that_cannot_be_had_fail_with_one_sentence_naming_role_sts_and_cause";
    if skip(test) {
        return;
    }
    let closed = closed_endpoint();
    let name = unique_name("acc-no-credentials");
    let role = "arn:aws:iam::210987654321:role/acc-deployer";
    let provider = format!(
        "  max_retries = 0\n  endpoints {{\n    sts = \"{closed}\"\n  }}\n  assume_role {{\n    \
         role_arn = \"{role}\"\n  }}"
    );
    let output = failed_apply("no-credentials", &config(&provider, &cluster(&name))).await;
    let sentence = format!(
        "CreateCluster for \"{name}\" failed: could not get AWS credentials to call Amazon ECS: \
         assuming the role {role} failed: could not reach AWS STS at {closed}: connection refused"
    );
    assert!(output.contains(&sentence), "{sentence:?} not in:\n{output}");
    assert_no_debug_dump(&output);
}
