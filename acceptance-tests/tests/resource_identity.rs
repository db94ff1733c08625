//! Resource identity (protocol 6.9) with the real CLI: every resource's identity is in the state
//! (`terraform show -json`) with its account, region and names; an `import` block by identity
//! with only the required attributes imports each resource with an empty plan, and one naming
//! another account or region fails clearly; the identity survives a refresh and an in-place
//! update, a replacement gets the new object's, a task definition's update moves it to the new
//! revision; state written before identity existed is refreshed without error and gains it.

#[path = "support/auto_scaling.rs"]
mod auto_scaling;

use acceptance_tests::fixtures::default_subnet;
use acceptance_tests::{
    Action, CheckResult, Ctx, ImportId, ImportStep, StateCheck, Step, TestCase, endpoint_url,
    real_aws, skip_without_acc, unique_name,
};
use serde_json::{Value, json};

/// The account of the local endpoint's credentials (moto's), and the harness's region.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

fn skip(test: &str) -> bool {
    // The expected identities name the local endpoint's account.
    skip_without_acc(test) || real_aws()
}

/// The identity of `address` in the state must be `expected` (account and region added).
fn identity_is(address: &str, expected: Value) -> StateCheck {
    let address = address.to_string();
    StateCheck::custom(&format!("{address} has identity {expected}"), move |ctx| {
        let (address, mut expected) = (address.clone(), expected.clone());
        async move {
            expected["account_id"] = json!(ACCOUNT);
            expected["region"] = json!(REGION);
            let got = identity(&ctx, &address)?;
            if got != expected {
                return Err(format!("{address}: identity {got}, expected {expected}").into());
            }
            Ok(())
        }
    })
}

fn identity(ctx: &Ctx, address: &str) -> Result<Value, acceptance_tests::BoxError> {
    let resource = acceptance_tests::state::resource(ctx.state(), address)
        .ok_or_else(|| format!("{address} is not in the state"))?;
    resource
        .get("identity")
        .cloned()
        .ok_or_else(|| format!("{address} has no identity in the state: {resource}").into())
}

struct Names {
    cluster: String,
    family: String,
    secret: String,
    provider: String,
    group: String,
    subnet: String,
}

impl Names {
    async fn new(prefix: &str) -> Names {
        let provider = unique_name(&format!("{prefix}-cp"));
        let group = auto_scaling::auto_scaling_group(&endpoint_url(), &format!("{provider}-asg"))
            .await
            .unwrap_or_else(|e| panic!("creating an Auto Scaling group: {e}"));
        Names {
            cluster: unique_name(prefix),
            family: unique_name(&format!("{prefix}-td")),
            secret: format!("/{}/db", unique_name(prefix)),
            provider,
            group,
            subnet: default_subnet(&endpoint_url())
                .await
                .expect("a default subnet"),
        }
    }

    fn task_definition_arn(&self) -> String {
        format!(
            "arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{}:1",
            self.family
        )
    }
}

/// Each resource on its own, with literal references, so that an import directory can hold
/// just the one it imports.
fn cluster(n: &Names) -> String {
    format!(
        r#"resource "ecs_cluster" "c" {{
  name = "{}"
}}
"#,
        n.cluster
    )
}

fn cluster_capacity_providers(n: &Names) -> String {
    format!(
        r#"resource "ecs_cluster_capacity_providers" "c" {{
  cluster_name       = "{}"
  capacity_providers = ["FARGATE"]
}}
"#,
        n.cluster
    )
}

fn task_definition(n: &Names, image: &str) -> String {
    format!(
        r#"resource "ecs_task_definition" "t" {{
  family                   = "{}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name  = "web"
    image = "{image}"
  }}])
}}
"#,
        n.family
    )
}

/// `cluster` is written as the cluster's ARN: the identity names the cluster by name anyway.
fn service(n: &Names) -> String {
    format!(
        r#"resource "ecs_service" "s" {{
  name            = "web"
  cluster         = "arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{}"
  task_definition = "{}"
  desired_count   = 1
  network_configuration {{
    subnets = ["{}"]
  }}
}}
"#,
        n.cluster,
        n.task_definition_arn(),
        n.subnet
    )
}

fn secret(n: &Names) -> String {
    format!(
        r#"resource "ecs_secret" "s" {{
  name  = "{}"
  value = "not-a-real-password"
}}
"#,
        n.secret
    )
}

fn capacity_provider(n: &Names) -> String {
    format!(
        r#"resource "ecs_capacity_provider" "p" {{
  name = "{}"
  auto_scaling_group_provider {{
    auto_scaling_group_arn         = "{}"
    managed_termination_protection = "DISABLED"
  }}
}}
"#,
        n.provider, n.group
    )
}

fn everything(n: &Names) -> String {
    // The service and the capacity providers wait for what they name literally.
    let service = service(n).replace(
        "  desired_count",
        "  depends_on      = [ecs_cluster.c, ecs_task_definition.t, ecs_cluster_capacity_providers.c]\n  desired_count",
    );
    let capacity_providers = cluster_capacity_providers(n).replace(
        "  capacity_providers",
        "  depends_on         = [ecs_cluster.c]\n  capacity_providers",
    );
    format!(
        "{HEADER}{}{capacity_providers}{}{service}{}{}",
        cluster(n),
        task_definition(n, "nginx:1"),
        secret(n),
        capacity_provider(n)
    )
}

/// An import by identity of `address` in a directory holding only `config`; the imported
/// attributes must equal the applied ones but for `ignore` (what an import by ID leaves out
/// too: a spelling the configuration chose, normalised JSON).
fn import(address: &str, config: String, identity: &str, ignore: &[&str]) -> Step {
    Step::import(
        ImportStep::block(address, ImportId::Identity(identity.to_string())).ignore(ignore),
    )
    .with_config(format!("{HEADER}{config}"))
}

#[tokio::test]
async fn every_resource_has_its_identity_in_state_and_imports_by_it() {
    let test = "every_resource_has_its_identity_in_state_and_imports_by_it";
    if skip(test) {
        return;
    }
    let n = Names::new("acc-ident").await;
    let (cl, family, sec, prov) = (&n.cluster, &n.family, &n.secret, &n.provider);
    TestCase::new(test)
        .step(
            Step::new(everything(&n))
                .check(identity_is("ecs_cluster.c", json!({ "name": cl })))
                .check(identity_is(
                    "ecs_cluster_capacity_providers.c",
                    json!({ "cluster_name": cl }),
                ))
                .check(identity_is(
                    "ecs_task_definition.t",
                    json!({ "family": family, "revision": 1 }),
                ))
                .check(identity_is(
                    "ecs_service.s",
                    json!({ "cluster": cl, "name": "web" }),
                ))
                .check(identity_is("ecs_secret.s", json!({ "name": sec })))
                .check(identity_is(
                    "ecs_capacity_provider.p",
                    json!({ "name": prov }),
                )),
        )
        .step(import(
            "ecs_cluster.c",
            cluster(&n),
            &format!(r#"{{ name = "{cl}" }}"#),
            &[],
        ))
        .step(import(
            "ecs_cluster_capacity_providers.c",
            cluster_capacity_providers(&n),
            &format!(r#"{{ cluster_name = "{cl}" }}"#),
            &[],
        ))
        .step(import(
            "ecs_task_definition.t",
            task_definition(&n, "nginx:1"),
            &format!(r#"{{ family = "{family}", revision = 1 }}"#),
            &["container_definitions", "cpu"],
        ))
        .step(import(
            "ecs_service.s",
            service(&n),
            &format!(r#"{{ cluster = "{cl}", name = "web" }}"#),
            &["timeouts", "cluster"],
        ))
        .step(import(
            "ecs_secret.s",
            secret(&n),
            &format!(r#"{{ name = "{sec}" }}"#),
            &[],
        ))
        .step(import(
            "ecs_capacity_provider.p",
            capacity_provider(&n),
            &format!(r#"{{ name = "{prov}" }}"#),
            &[],
        ))
        // The account and region may be given too, when they are the provider's.
        .step(
            import(
                "ecs_cluster.c",
                cluster(&n),
                &format!(r#"{{ account_id = "{ACCOUNT}", region = "{REGION}", name = "{cl}" }}"#),
                &[],
            )
            .check(identity_is("ecs_cluster.c", json!({ "name": cl }))),
        )
        .run()
        .await;
}

#[tokio::test]
async fn import_by_identity_of_another_account_or_region_fails_clearly() {
    let test = "import_by_identity_of_another_account_or_region_fails_clearly";
    if skip(test) {
        return;
    }
    let name = unique_name("acc-ident-wrong");
    let config = format!("{HEADER}resource \"ecs_cluster\" \"c\" {{ name = \"{name}\" }}\n");
    let wrong = |attr: &str, value: &str| {
        Step::import(ImportStep::block(
            "ecs_cluster.c",
            ImportId::Identity(format!(r#"{{ {attr} = "{value}", name = "{name}" }}"#)),
        ))
    };
    TestCase::new(test)
        .step(Step::new(config))
        .step(wrong("account_id", "210987654321").expect_error(
            r#"Wrong account in the import identity.*account "210987654321".*account "123456789012""#,
        ))
        .step(wrong("region", "eu-west-3").expect_error(
            r#"Wrong region in the import identity.*region "eu-west-3".*region "us-east-1""#,
        ))
        .run()
        .await;
}

#[tokio::test]
async fn identity_survives_refresh_and_update_and_follows_a_replacement() {
    let test = "identity_survives_refresh_and_update_and_follows_a_replacement";
    if skip(test) {
        return;
    }
    let (first, second) = (unique_name("acc-ident-a"), unique_name("acc-ident-b"));
    let family = unique_name("acc-ident-td");
    let n = |cluster: &str| Names {
        cluster: cluster.to_string(),
        family: family.clone(),
        secret: String::new(),
        provider: String::new(),
        group: String::new(),
        subnet: String::new(),
    };
    let config = |cluster_name: &str, tags: &str, image: &str| {
        format!(
            "{HEADER}resource \"ecs_cluster\" \"c\" {{\n  name = \"{cluster_name}\"\n  {tags}\n}}\n{}",
            task_definition(&n(cluster_name), image)
        )
    };
    TestCase::new(test)
        .step(
            Step::new(config(&first, "", "nginx:1"))
                .check(identity_is("ecs_cluster.c", json!({ "name": first })))
                .check(identity_is(
                    "ecs_task_definition.t",
                    json!({ "family": family, "revision": 1 }),
                )),
        )
        // The step's plans refresh twice; the update keeps the identity.
        .step(
            Step::new(config(&first, r#"tags = { team = "web" }"#, "nginx:1"))
                .expect("ecs_cluster.c", Action::Update)
                .check(identity_is("ecs_cluster.c", json!({ "name": first }))),
        )
        // A task definition's update registers a new revision in place: its identity follows.
        .step(
            Step::new(config(&first, r#"tags = { team = "web" }"#, "nginx:2"))
                .expect("ecs_task_definition.t", Action::Update)
                .check(identity_is(
                    "ecs_task_definition.t",
                    json!({ "family": family, "revision": 2 }),
                )),
        )
        .step(
            Step::new(config(&second, r#"tags = { team = "web" }"#, "nginx:2"))
                .expect("ecs_cluster.c", Action::Replace)
                .check(identity_is("ecs_cluster.c", json!({ "name": second }))),
        )
        .run()
        .await;
}

/// Removes every instance's identity from the local state file, as a state written by a
/// provider (or Terraform) without identity holds none.
async fn forget_identities(ctx: Ctx) -> CheckResult {
    let path = ctx.workdir().join("terraform.tfstate");
    let mut state: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let mut removed = 0;
    for resource in state["resources"].as_array_mut().ok_or("no resources")? {
        for instance in resource["instances"].as_array_mut().ok_or("no instances")? {
            let obj = instance.as_object_mut().ok_or("instance is no object")?;
            removed += usize::from(obj.remove("identity").is_some());
            obj.remove("identity_schema_version");
        }
    }
    if removed == 0 {
        return Err("the state held no identity to remove".into());
    }
    state["serial"] = json!(state["serial"].as_u64().unwrap_or(0) + 1);
    std::fs::write(&path, serde_json::to_vec_pretty(&state)?)?;
    Ok(())
}

#[tokio::test]
async fn state_written_before_identity_refreshes_without_error_and_gains_it() {
    let test = "state_written_before_identity_refreshes_without_error_and_gains_it";
    if skip(test) {
        return;
    }
    let n = Names::new("acc-ident-old").await;
    let (cl, family, sec, prov) = (&n.cluster, &n.family, &n.secret, &n.provider);
    let config = everything(&n);
    TestCase::new(test)
        .step(Step::new(config.clone()))
        .step(
            Step::new(config.clone())
                .pre_step(forget_identities)
                .check(identity_is("ecs_cluster.c", json!({ "name": cl })))
                .check(identity_is(
                    "ecs_cluster_capacity_providers.c",
                    json!({ "cluster_name": cl }),
                ))
                .check(identity_is(
                    "ecs_task_definition.t",
                    json!({ "family": family, "revision": 1 }),
                ))
                .check(identity_is(
                    "ecs_service.s",
                    json!({ "cluster": cl, "name": "web" }),
                ))
                .check(identity_is("ecs_secret.s", json!({ "name": sec })))
                .check(identity_is(
                    "ecs_capacity_provider.p",
                    json!({ "name": prov }),
                )),
        )
        // And an update of such a state plans and applies as usual.
        .step(
            Step::new(config.replace("not-a-real-password", "still-not-one"))
                .pre_step(forget_identities)
                .expect("ecs_secret.s", Action::Update)
                .check(identity_is("ecs_secret.s", json!({ "name": sec }))),
        )
        .run()
        .await;
}
