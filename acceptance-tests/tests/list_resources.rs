//! `terraform query`: the `list` blocks of a `.tfquery.hcl` file list clusters, a cluster's
//! services, task definitions and parameters, honouring their filters; a cluster's 50 services
//! are read with a handful of DescribeServices calls; `-generate-config-out` writes resource and
//! import blocks that import with no change; a missing required filter is refused naming it.
//! OpenTofu has no list resources: the file is skipped there.

use acceptance_tests::env::{self, Cli};
use acceptance_tests::{Endpoint, Terraform, real_aws, skip_without_acc, unique_name};

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

const QUERY_FILE: &str = "main.tfquery.hcl";

fn skip(test: &str) -> bool {
    skip_without_acc(test)
        || real_aws()
        || env::skip_under(Cli::Tofu, test, "OpenTofu has no list resources")
}

/// A runner in its own directory against `endpoint`, with `hcl` as main.tf.
fn runner(endpoint: &Endpoint, dir: &std::path::Path, hcl: &str) -> Terraform {
    let tf = Terraform::new(dir, Some(endpoint.url())).unwrap();
    tf.write_config(&format!("{HEADER}{hcl}")).unwrap();
    tf
}

/// A `list` block for `type_name` with `config` as its config block body.
fn list_block(type_name: &str, name: &str, config: &str, include: bool) -> String {
    format!(
        "list \"{type_name}\" \"{name}\" {{\n  provider         = ecs\n  include_resource = {include}\n  config {{\n{config}\n  }}\n}}\n"
    )
}

async fn query(tf: &Terraform, lists: &str) -> String {
    tf.write_file(QUERY_FILE, lists).unwrap();
    tf.query(&[]).await.unwrap_or_else(|o| panic!("{o}")).stdout
}

fn task_definition(resource: &str, family: &str) -> String {
    format!(
        r#"
resource "ecs_task_definition" "{resource}" {{
  family                = "{family}"
  container_definitions = jsonencode([{{ name = "app", image = "nginx", memory = 64 }}])
}}
"#
    )
}

fn services(cluster: &str, family: &str, count: usize) -> String {
    let mut out = format!(
        "\nresource \"ecs_cluster\" \"c\" {{\n  name = \"{cluster}\"\n}}\n{}",
        task_definition("t", family)
    );
    for i in 0..count {
        out.push_str(&format!(
            r#"
resource "ecs_service" "s{i}" {{
  name                  = "svc-{i}"
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

#[tokio::test]
async fn fifty_services_are_listed_in_batches_of_ten_and_a_limit_stops_after_one_batch() {
    let test = "fifty_services_are_listed_in_batches_of_ten_and_a_limit_stops_after_one_batch";
    if skip(test) {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let cluster = unique_name("acc-list-svc");
    let tf = runner(
        &endpoint,
        &work.path().join("work"),
        &services(&cluster, &unique_name("acc-list-svc-td"), 50),
    );
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));

    endpoint.reset_stats().await.unwrap();
    let cfg = format!("    cluster = \"{cluster}\"");
    let out = query(&tf, &list_block("ecs_service", "all", &cfg, true)).await;
    let stats = endpoint.stats().await.unwrap();
    let describes = stats.get("ecs:DescribeServices").copied().unwrap_or(0);
    for i in 0..50 {
        assert!(
            out.contains(&format!("svc-{i}\n")) || out.contains(&format!("svc-{i} ")),
            "svc-{i} listed:\n{out}"
        );
    }
    eprintln!("listing 50 services: {describes} DescribeServices calls");
    assert!(
        describes <= 6,
        "{describes} DescribeServices calls to list 50 services; at most 6 (batches of 10)"
    );

    // With a limit, the listing stops after the first batch.
    endpoint.reset_stats().await.unwrap();
    let limited = list_block("ecs_service", "five", &cfg, true).replace(
        "  provider         = ecs\n",
        "  provider         = ecs\n  limit            = 5\n",
    );
    let out = query(&tf, &limited).await;
    let listed = (0..50)
        .filter(|i| out.contains(&format!("svc-{i}\n")) || out.contains(&format!("svc-{i} ")))
        .count();
    assert_eq!(listed, 5, "limit = 5 lists five services:\n{out}");
    let stats = endpoint.stats().await.unwrap();
    let describes = stats.get("ecs:DescribeServices").copied().unwrap_or(0);
    assert_eq!(describes, 1, "one batch read for five services");
    tf.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

/// What one configuration (`owner`) made, a second one adopts: `terraform query
/// -generate-config-out` with `list` writes resource and import blocks, `edit` may complete them
/// (Terraform never writes sensitive values), and they import `count` objects with no change;
/// once applied the next plan is empty. Both configurations are destroyed.
async fn adopt_listed(
    test: &str,
    owner: &str,
    list: &str,
    count: usize,
    edit: fn(String) -> String,
) {
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let owner = runner(&endpoint, &work.path().join(format!("{test}-owner")), owner);
    owner.apply().await.unwrap_or_else(|o| panic!("{o}"));

    let adopter = runner(&endpoint, &work.path().join(format!("{test}-adopter")), "");
    adopter.write_file(QUERY_FILE, list).unwrap();
    adopter
        .query(&["-generate-config-out=generated.tf"])
        .await
        .unwrap_or_else(|o| panic!("{o}"));
    let path = adopter.dir().join("generated.tf");
    let generated = edit(std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, &generated).unwrap();
    assert_eq!(
        generated.matches("import {").count(),
        count,
        "one import block per object:\n{generated}"
    );
    assert!(
        generated.contains("identity"),
        "imports by identity:\n{generated}"
    );
    // The query file is not needed to plan the imports.
    std::fs::remove_file(adopter.dir().join(QUERY_FILE)).unwrap();
    let planned = adopter
        .plan(None)
        .await
        .unwrap_or_else(|o| panic!("generated:\n{generated}\n{o}"));
    assert!(
        planned.stdout.contains(&format!(
            "{count} to import, 0 to add, 0 to change, 0 to destroy"
        )),
        "the generated configuration imports without a change:\n{generated}\n{planned}"
    );
    adopter
        .apply()
        .await
        .unwrap_or_else(|o| panic!("generated:\n{generated}\n{o}"));
    let after = adopter.plan(None).await.unwrap_or_else(|o| panic!("{o}"));
    assert_eq!(after.status, 0, "empty plan after the import:\n{after}");
    adopter.destroy().await.unwrap_or_else(|o| panic!("{o}"));
    owner.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

#[tokio::test]
async fn listed_services_generate_configuration_that_imports_with_no_change() {
    let test = "listed_services_generate_configuration_that_imports_with_no_change";
    if skip(test) {
        return;
    }
    let cluster = unique_name("acc-list-gen");
    let owner = services(&cluster, &unique_name("acc-list-gen-td"), 2);
    let cfg = format!("    cluster = \"{cluster}\"");
    adopt_listed(
        test,
        &owner,
        &list_block("ecs_service", "found", &cfg, true),
        2,
        |t| t,
    )
    .await;
}

#[tokio::test]
async fn listed_clusters_generate_configuration_that_imports_with_no_change() {
    let test = "listed_clusters_generate_configuration_that_imports_with_no_change";
    if skip(test) {
        return;
    }
    let owner = format!(
        "\nresource \"ecs_cluster\" \"c\" {{\n  name = \"{}\"\n  tags = {{ team = \"web\" }}\n}}\n",
        unique_name("acc-list-gen-c")
    );
    let list = "list \"ecs_cluster\" \"found\" {\n  provider         = ecs\n  include_resource = true\n}\n";
    adopt_listed(test, &owner, list, 1, |t| t).await;
}

#[tokio::test]
async fn listed_task_definitions_generate_configuration_that_imports_with_no_change() {
    let test = "listed_task_definitions_generate_configuration_that_imports_with_no_change";
    if skip(test) {
        return;
    }
    let family = unique_name("acc-list-gen-td");
    let cfg = format!("    family_prefix = \"{family}\"");
    adopt_listed(
        test,
        &task_definition("t", &family),
        &list_block("ecs_task_definition", "found", &cfg, true),
        1,
        |t| t,
    )
    .await;
}

#[tokio::test]
async fn listed_parameters_generate_configuration_without_their_values() {
    let test = "listed_parameters_generate_configuration_without_their_values";
    if skip(test) {
        return;
    }
    let root = format!("/{}", unique_name("acc-list-gen-p"));
    let owner: String = ["a", "b"]
        .iter()
        .map(|n| {
            format!(
                "\nresource \"ecs_secret\" \"{n}\" {{\n  name  = \"{root}/{n}\"\n  value = \"hunter2-shared\"\n}}\n"
            )
        })
        .collect();
    let cfg = format!("    path = \"{root}\"");
    // Terraform writes `null # sensitive` for a value; the user fills it in.
    adopt_listed(
        test,
        &owner,
        &list_block("ecs_secret", "found", &cfg, true),
        2,
        |t| {
            assert!(!t.contains("hunter2"), "no value is written:\n{t}");
            let lines: Vec<String> = t
                .lines()
                .map(|l| {
                    if l.trim_start().starts_with("value ") && l.ends_with("null # sensitive") {
                        "  value = \"hunter2-shared\"".to_string()
                    } else {
                        l.to_string()
                    }
                })
                .collect();
            lines.join("\n")
        },
    )
    .await;
}

#[tokio::test]
async fn task_definitions_are_listed_by_family_prefix_and_status() {
    let test = "task_definitions_are_listed_by_family_prefix_and_status";
    if skip(test) {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let prefix = unique_name("acc-list-td");
    let other = unique_name("acc-list-other");
    let tf = runner(
        &endpoint,
        &work.path().join("work"),
        &format!(
            "{}{}{}",
            task_definition("web", &format!("{prefix}-web")),
            task_definition("api", &format!("{prefix}-api")),
            task_definition("other", &other),
        ),
    );
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));
    // A deregistered revision of the prefix's families, made outside the configuration.
    let ecs = endpoint.ecs_client().await;
    let old = ecs
        .register_task_definition()
        .family(format!("{prefix}-old"))
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .memory(64)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let old_arn = old
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .unwrap()
        .to_string();
    ecs.deregister_task_definition()
        .task_definition(&old_arn)
        .send()
        .await
        .unwrap();

    let active = query(
        &tf,
        &list_block(
            "ecs_task_definition",
            "active",
            &format!("    family_prefix = \"{prefix}\""),
            false,
        ),
    )
    .await;
    assert!(active.contains(&format!("{prefix}-web:1")), "{active}");
    assert!(active.contains(&format!("{prefix}-api:1")), "{active}");
    assert!(!active.contains(&other), "the prefix filters:\n{active}");
    assert!(
        !active.contains(&format!("{prefix}-old")),
        "only ACTIVE:\n{active}"
    );

    let inactive = query(
        &tf,
        &list_block(
            "ecs_task_definition",
            "inactive",
            &format!("    family_prefix = \"{prefix}\"\n    status = \"INACTIVE\""),
            true,
        ),
    )
    .await;
    assert!(inactive.contains(&format!("{prefix}-old:1")), "{inactive}");
    assert!(!inactive.contains(&format!("{prefix}-web")), "{inactive}");
    tf.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

#[tokio::test]
async fn parameters_under_a_path_are_listed_at_any_depth() {
    let test = "parameters_under_a_path_are_listed_at_any_depth";
    if skip(test) {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let root = format!("/{}", unique_name("acc-list-p"));
    let other = format!("/{}", unique_name("acc-list-q"));
    let mut hcl = String::new();
    for (i, name) in [
        format!("{root}/a"),
        format!("{root}/deep/b"),
        format!("{other}/c"),
    ]
    .iter()
    .enumerate()
    {
        hcl.push_str(&format!(
            "\nresource \"ecs_secret\" \"p{i}\" {{\n  name  = \"{name}\"\n  value = \"hunter2-{i}\"\n}}\n"
        ));
    }
    let tf = runner(&endpoint, &work.path().join("work"), &hcl);
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));

    let out = query(
        &tf,
        &list_block("ecs_secret", "web", &format!("    path = \"{root}\""), true),
    )
    .await;
    assert!(out.contains(&format!("{root}/a")), "{out}");
    assert!(out.contains(&format!("{root}/deep/b")), "{out}");
    assert!(!out.contains(&other), "the path filters:\n{out}");
    assert!(!out.contains("hunter2"), "values are not shown:\n{out}");

    // Without the objects, names and identities come from the listing alone: no value is read.
    endpoint.reset_stats().await.unwrap();
    let out = query(
        &tf,
        &list_block(
            "ecs_secret",
            "names",
            &format!("    path = \"{root}\""),
            false,
        ),
    )
    .await;
    assert!(out.contains(&format!("{root}/deep/b")), "{out}");
    let stats = endpoint.stats().await.unwrap();
    assert_eq!(
        stats.get("ssm:GetParameters").copied().unwrap_or(0),
        0,
        "no value decrypted for a listing without objects: {stats:?}"
    );
    tf.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

#[tokio::test]
async fn clusters_are_listed() {
    let test = "clusters_are_listed";
    if skip(test) {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let names = [unique_name("acc-list-c"), unique_name("acc-list-c")];
    let hcl: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("\nresource \"ecs_cluster\" \"c{i}\" {{\n  name = \"{n}\"\n}}\n"))
        .collect();
    let tf = runner(&endpoint, &work.path().join("work"), &hcl);
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));
    let out = query(&tf, "list \"ecs_cluster\" \"all\" {\n  provider = ecs\n}\n").await;
    for name in &names {
        assert!(out.contains(name.as_str()), "{name} listed:\n{out}");
    }
    tf.destroy().await.unwrap_or_else(|o| panic!("{o}"));
}

#[tokio::test]
async fn a_service_list_without_a_cluster_is_refused_naming_it() {
    let test = "a_service_list_without_a_cluster_is_refused_naming_it";
    if skip(test) {
        return;
    }
    let endpoint = Endpoint::start(&[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let tf = runner(&endpoint, &work.path().join("work"), "");
    tf.write_file(QUERY_FILE, &list_block("ecs_service", "all", "", false))
        .unwrap();
    let out = tf
        .query(&[])
        .await
        .expect_err("a list without its cluster fails");
    assert!(
        out.combined().contains("\"cluster\""),
        "the error names the attribute:\n{out}"
    );
    let missing = list_block(
        "ecs_service",
        "gone",
        "    cluster = \"no-such-cluster\"",
        false,
    );
    tf.write_file(QUERY_FILE, &missing).unwrap();
    let out = tf
        .query(&[])
        .await
        .expect_err("listing a missing cluster fails");
    assert!(
        out.combined().contains("no-such-cluster"),
        "the failure names the cluster:\n{out}"
    );
    let bad_status = list_block("ecs_task_definition", "all", "    status = \"GONE\"", false);
    tf.write_file(QUERY_FILE, &bad_status).unwrap();
    let out = tf.query(&[]).await.expect_err("an unknown status fails");
    let text = out.combined();
    assert!(
        text.contains("status") && text.contains("ACTIVE"),
        "the error names the attribute and what is allowed:\n{out}"
    );
}
