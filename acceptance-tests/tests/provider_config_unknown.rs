//! A provider block whose endpoint comes from another resource is unknown while that resource
//! changes. Nothing may be read from another place then: resource reads keep the prior state
//! (no call anywhere), existing resources plan no change, and a data source fails naming the
//! unknown argument. A second, empty endpoint stands where the environment points (the place an
//! "unknown means unset" provider would read from): it must never be called.

use std::sync::Arc;

use acceptance_tests::{
    Action, Endpoint, StateCheck, Step, TestCase, skip_without_acc, unique_name,
};

fn config(endpoint: &str, cluster: &str, with_data_source: bool) -> String {
    let data = if with_data_source {
        r#"
data "ecs_cluster" "d" {
  name = ecs_cluster.c.name
}"#
    } else {
        ""
    };
    format!(
        r#"
terraform {{
  required_providers {{
    ecs = {{ source = "ecsrs/ecs" }}
  }}
}}

resource "terraform_data" "endpoint" {{
  input = "{endpoint}"
}}

provider "ecs" {{
  endpoints {{
    ecs = terraform_data.endpoint.output
    ssm = terraform_data.endpoint.output
  }}
}}

resource "ecs_cluster" "c" {{
  name = "{cluster}"
}}
{data}
"#
    )
}

#[tokio::test]
async fn unknown_provider_configuration_reads_nothing_from_elsewhere() {
    let test = "unknown_provider_configuration_reads_nothing_from_elsewhere";
    if skip_without_acc(test) || acceptance_tests::real_aws() {
        return;
    }
    let home = Arc::new(Endpoint::start(&[]).unwrap());
    let decoy = Arc::new(Endpoint::start(&[]).unwrap());
    // Two spellings of the same endpoint: changing from one to the other makes it unknown.
    let first = home.url().to_string();
    let second = first.replace("127.0.0.1", "localhost");
    let cluster = unique_name("acc-unk");
    let (h1, h2, d1, d2) = (home.clone(), home.clone(), decoy.clone(), decoy.clone());
    let name = cluster.clone();
    TestCase::new(test)
        .endpoint(decoy.clone())
        .step(Step::new(config(&first, &cluster, false)).expect("ecs_cluster.c", Action::Create))
        .step(
            Step::new(config(&second, &cluster, false))
                .expect("terraform_data.endpoint", Action::Update)
                .expect("ecs_cluster.c", Action::NoOp)
                .check(StateCheck::custom(
                    "the cluster lives at the configured endpoint, the decoy saw no call",
                    move |_ctx| {
                        let (home, decoy, name) = (h1.clone(), d1.clone(), name.clone());
                        async move {
                            let out = home
                                .ecs_client()
                                .await
                                .describe_clusters()
                                .clusters(&name)
                                .send()
                                .await?;
                            if out.clusters().first().and_then(|c| c.status()) != Some("ACTIVE") {
                                return Err(
                                    "the cluster is not ACTIVE at the configured endpoint".into()
                                );
                            }
                            let calls = decoy.calls().await?;
                            if calls.is_empty() {
                                Ok(())
                            } else {
                                Err(format!("the decoy endpoint was called: {calls:?}").into())
                            }
                        }
                    },
                )),
        )
        .step(
            Step::new(config(&first, &cluster, true))
                .expect_error(r"Provider configuration not known yet[\s\S]*endpoints\.ecs"),
        )
        .check_destroy(move |_ctx| {
            let (home, decoy, name) = (h2.clone(), d2.clone(), cluster.clone());
            async move {
                let out = home
                    .ecs_client()
                    .await
                    .describe_clusters()
                    .clusters(&name)
                    .send()
                    .await?;
                if let Some(status) = out.clusters().first().and_then(|c| c.status())
                    && status != "INACTIVE"
                {
                    return Err(format!("cluster {name} is still {status}").into());
                }
                let calls = decoy.calls().await?;
                if calls.is_empty() {
                    Ok(())
                } else {
                    Err(format!("the decoy endpoint was called: {calls:?}").into())
                }
            }
        })
        .run()
        .await;
}
