//! Refresh batches reads: Terraform reads every service on its own (ReadResource per
//! resource), the provider answers them with DescribeServices calls of up to 10 services; with
//! `ECS_PROVIDER_COALESCE=0` it makes one call per service.

use acceptance_tests::{Endpoint, Terraform, real_aws, skip_without_acc, unique_name};

fn services(cluster: &str, family: &str, count: usize) -> String {
    let mut out = format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}

resource "ecs_task_definition" "t" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "app", image = "nginx", memory = 64 }}])
}}
"#
    );
    for i in 0..count {
        out.push_str(&format!(
            r#"
resource "ecs_service" "s{i}" {{
  name                  = "s{i}"
  cluster               = ecs_cluster.c.name
  task_definition       = ecs_task_definition.t.arn
  desired_count         = 0
  wait_for_steady_state = false
}}
"#
        ));
    }
    out
}

async fn describe_services_calls(endpoint: &Endpoint, tf: &Terraform) -> u64 {
    endpoint.reset_stats().await.unwrap();
    let out = tf
        .plan_refresh_only()
        .await
        .unwrap_or_else(|o| panic!("{}", o.combined()));
    assert_eq!(out.status, 0, "{}", out.combined());
    let stats = endpoint.stats().await.unwrap();
    stats.get("ecs:DescribeServices").copied().unwrap_or(0)
}

#[tokio::test]
async fn refresh_of_many_services_batches_describe_services() {
    if skip_without_acc("refresh_of_many_services_batches_describe_services") || real_aws() {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    // COALESCE_SERVICES=100 reproduces the figure recorded in bench/RESULTS.md.
    let count: usize = std::env::var("COALESCE_SERVICES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    tf.write_config(&services(
        &unique_name("acc-batch"),
        &unique_name("acc-batch-td"),
        count,
    ))
    .unwrap();
    tf.apply()
        .await
        .unwrap_or_else(|o| panic!("{}", o.combined()));

    if let Ok(path) = std::env::var("COALESCE_DEBUG_LOG") {
        tf.set_env("TF_LOG_PROVIDER", Some("DEBUG"));
        tf.set_env("TF_LOG_PATH", Some(&path));
    }
    let batched = describe_services_calls(&endpoint, &tf).await;
    tf.set_env("ECS_PROVIDER_COALESCE", Some("0"));
    let single = describe_services_calls(&endpoint, &tf).await;
    eprintln!(
        "refresh of {count} services: {batched} DescribeServices calls batched, {single} without batching"
    );
    assert_eq!(
        single, count as u64,
        "one call per service without batching"
    );
    // Terraform refreshes at most `-parallelism` (10) services at a time, and each answered
    // batch frees the slots for the next reads, which wait for one another: 10 per call, plus
    // one call for the first wave when it reaches the provider split (its first read went alone,
    // or the rest arrived after the window closed).
    let bound = count.div_ceil(10) as u64 + 1;
    assert!(
        batched <= bound,
        "{batched} DescribeServices calls for {count} services; at most {bound}"
    );

    tf.set_env("ECS_PROVIDER_COALESCE", None);
    tf.destroy()
        .await
        .unwrap_or_else(|o| panic!("{}", o.combined()));
}

/// Ten parameters refresh in one burst; one of them was re-encrypted outside Terraform under a
/// KMS key the provider may not use, which fails any GetParameters call that includes it. Only
/// that parameter's read fails: the batch is retried one parameter at a time.
#[tokio::test]
async fn an_undecryptable_parameter_fails_only_its_own_read_in_a_batch() {
    if skip_without_acc("an_undecryptable_parameter_fails_only_its_own_read_in_a_batch")
        || real_aws()
    {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let tf = Terraform::new(work.path().join("work"), Some(endpoint.url())).unwrap();
    let prefix = format!("/{}", unique_name("acc-batch-kms"));
    let mut config = String::from(
        r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#,
    );
    for i in 0..10 {
        config.push_str(&format!(
            r#"
resource "ecs_secret" "p{i}" {{
  name  = "{prefix}/p{i}"
  value = "value {i}"
}}
"#
        ));
    }
    tf.write_config(&config).unwrap();
    tf.apply()
        .await
        .unwrap_or_else(|o| panic!("{}", o.combined()));

    let ssm = endpoint.ssm_client().await;
    let locked = format!("{prefix}/p7");
    let reencrypt = |key: &'static str| {
        ssm.put_parameter()
            .name(&locked)
            .value("value 7")
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .key_id(key)
            .overwrite(true)
            .send()
    };
    reencrypt("alias/local-aws-unreadable").await.unwrap();

    endpoint.reset_stats().await.unwrap();
    let out = tf.plan_refresh_only().await.expect_err("p7 cannot be read");
    let stats = endpoint.stats().await.unwrap();
    eprintln!("GetParameters calls: {:?}", stats.get("ssm:GetParameters"));
    let text = out.combined();
    assert_eq!(
        text.matches("Error: ").count(),
        1,
        "one error only:\n{text}"
    );
    assert!(text.contains("ecs_secret.p7"), "{text}");
    assert!(text.contains("AccessDeniedException"), "{text}");
    assert!(
        text.contains(&locked),
        "the error names the parameter:\n{text}"
    );
    assert!(!text.contains("value 7"), "no value in the output:\n{text}");

    reencrypt("alias/aws/ssm").await.unwrap();
    tf.destroy()
        .await
        .unwrap_or_else(|o| panic!("{}", o.combined()));
}
