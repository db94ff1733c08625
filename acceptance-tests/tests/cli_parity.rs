//! Terraform and OpenTofu see the same provider: the same plan for the demo stacks, the same
//! diagnostics for a configuration the provider rejects, and an install through a filesystem
//! mirror that each CLI's `init` locks and then verifies.
//!
//! These tests run both CLIs whatever `ECS_ACC_CLI` selects (OpenTofu is built once by
//! `tools/setup-go-peers tofu`).

use std::path::Path;

use acceptance_tests::env::{self, Cli};
use acceptance_tests::{Terraform, endpoint_url, skip_without_acc};
use serde_json::Value;

const BOTH: [Cli; 2] = [Cli::Terraform, Cli::Tofu];

fn example(dir: &str) -> String {
    let path = env::workspace_root()
        .join("examples")
        .join(dir)
        .join("main.tf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Install the debug provider into a fresh filesystem mirror, as `make install` does.
fn install_mirror(mirror: &Path) {
    let script = env::workspace_root()
        .join("scripts")
        .join("install-provider");
    let out = std::process::Command::new(&script)
        .arg(mirror)
        .output()
        .expect("scripts/install-provider runs");
    assert!(
        out.status.success(),
        "install-provider failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A runner for `cli` in `dir` that installs the provider from `mirror` with `init`.
async fn initialised(cli: Cli, dir: &Path, mirror: &Path, config: &str) -> Terraform {
    let tf = Terraform::with_cli(cli, dir, Some(&endpoint_url())).unwrap();
    tf.use_filesystem_mirror(mirror).unwrap();
    tf.write_config(config).unwrap();
    if let Err(out) = tf.init().await {
        panic!("{} init failed:\n{out}", cli.name());
    }
    tf
}

/// Provider addresses qualified with a CLI's default host (`HOST/ecsrs/ecs`) written short, so
/// that the two CLIs' documents compare equal; everything else is left as it is.
fn without_registry_host(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some((_, rest)) = s.split_once('/')
                && rest == "ecsrs/ecs"
            {
                *s = rest.to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_registry_host),
        Value::Object(map) => map.values_mut().for_each(without_registry_host),
        _ => {}
    }
}

/// The parts of `show -json PLAN` that the provider decides: what changes, to what, and what
/// stays unknown or sensitive. The CLIs' versions, timestamps and configuration echo differ.
fn provider_decided(plan: &Value) -> Value {
    let mut picked = serde_json::json!({
        "resource_changes": plan["resource_changes"],
        "output_changes": plan["output_changes"],
        "planned_values": plan["planned_values"],
        "errored": plan["errored"],
    });
    without_registry_host(&mut picked);
    picked
}

async fn plan_json(tf: &Terraform, vars: &[(&str, &str)]) -> Value {
    let mut args = vec!["-out=parity.tfplan".to_string()];
    args.extend(vars.iter().map(|(k, v)| format!("-var={k}={v}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Err(out) = tf.plan_with(None, &args).await {
        panic!("{} plan failed:\n{out}", tf.cli().name());
    }
    match tf.show_plan_json("parity.tfplan").await {
        Ok(plan) => plan,
        Err(out) => panic!("{} show failed:\n{out}", tf.cli().name()),
    }
}

/// Plans `example_dir` with both CLIs and compares; no plan may contain a text of `secrets`.
async fn assert_same_plan(example_dir: &str, vars: &[(&str, &str)], secrets: &[&str]) {
    let scratch = tempfile::tempdir().unwrap();
    let mirror = scratch.path().join("mirror");
    install_mirror(&mirror);
    let config = example(example_dir);
    let mut plans = Vec::new();
    for cli in BOTH {
        let dir = scratch.path().join(cli.name());
        let tf = initialised(cli, &dir, &mirror, &config).await;
        // The plan file keeps root variables' values (the CLI's doing); what the provider
        // planned must not hold them.
        let plan = provider_decided(&plan_json(&tf, vars).await);
        let text = plan.to_string();
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{}: the planned changes of {example_dir} show a secret",
                cli.name()
            );
        }
        plans.push(plan);
    }
    let changes = plans[0]["resource_changes"].as_array().map_or(0, Vec::len);
    assert!(
        changes > 0,
        "the {example_dir} plan has no resource changes"
    );
    assert_eq!(
        plans[0],
        plans[1],
        "terraform and tofu planned {example_dir} differently:\nterraform: {}\ntofu: {}",
        serde_json::to_string_pretty(&plans[0]).unwrap(),
        serde_json::to_string_pretty(&plans[1]).unwrap()
    );
}

/// `make demo`'s stack plans the same under both CLIs.
#[tokio::test]
async fn quickstart_plans_the_same_under_terraform_and_tofu() {
    if skip_without_acc("quickstart_plans_the_same_under_terraform_and_tofu") {
        return;
    }
    assert_same_plan("quickstart", &[], &[]).await;
}

/// The realistic stack (cluster, capacity providers, a write-only secret, a task definition
/// reading it, a service) plans the same under both CLIs, write-only value and all.
#[tokio::test]
async fn fargate_web_plans_the_same_under_terraform_and_tofu() {
    if skip_without_acc("fargate_web_plans_the_same_under_terraform_and_tofu") {
        return;
    }
    assert_same_plan(
        "fargate-web",
        &[("subnet_ids", r#"["subnet-00000000"]"#)],
        &["change-me"],
    )
    .await;
}

/// The error diagnostics of `plan -json`: (summary, detail, attribute address) of each.
async fn plan_errors(tf: &Terraform) -> Vec<(String, String, String)> {
    let out = tf
        .run(&["plan", "-no-color", "-input=false", "-json"])
        .await;
    assert_eq!(out.status, 1, "the plan should fail:\n{out}");
    let mut errors: Vec<(String, String, String)> = out
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["@level"] == "error")
        .map(|msg| {
            let d = &msg["diagnostic"];
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (text(&d["summary"]), text(&d["detail"]), text(&d["address"]))
        })
        .collect();
    errors.sort();
    errors
}

/// A configuration the provider rejects at plan gets the same diagnostics, word for word and on
/// the same resource, from both CLIs.
#[tokio::test]
async fn a_rejected_configuration_gets_the_same_errors_under_terraform_and_tofu() {
    if skip_without_acc("a_rejected_configuration_gets_the_same_errors_under_terraform_and_tofu") {
        return;
    }
    let config = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}

provider "ecs" {
  region = "us-east-1"
}

resource "ecs_cluster" "bad" {
  name = "not a valid name!"
}

resource "ecs_secret" "bad" {
  name  = "relative/name"
  type  = "SecureString"
  value = "x"
  tier  = "Gigantic"
}
"#;
    let scratch = tempfile::tempdir().unwrap();
    let mirror = scratch.path().join("mirror");
    install_mirror(&mirror);
    let mut all = Vec::new();
    for cli in BOTH {
        let dir = scratch.path().join(cli.name());
        let tf = initialised(cli, &dir, &mirror, config).await;
        all.push(plan_errors(&tf).await);
    }
    assert!(
        all[0].len() >= 2,
        "expected a diagnostic for each resource, got {:?}",
        all[0]
    );
    assert!(
        all[0].iter().any(|(_, _, addr)| addr == "ecs_cluster.bad"),
        "no diagnostic on ecs_cluster.bad: {:?}",
        all[0]
    );
    assert_eq!(
        all[0], all[1],
        "terraform and tofu reported different errors"
    );
}

/// Each CLI installs the provider from a filesystem mirror under its own default host, writes a
/// lock file with the binary's hash, accepts it on the next `init`, and refuses a lock file whose
/// hash does not match.
#[tokio::test]
async fn init_through_a_mirror_locks_and_verifies_the_provider_under_both_clis() {
    if skip_without_acc("init_through_a_mirror_locks_and_verifies_the_provider_under_both_clis") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let mirror = scratch.path().join("mirror");
    install_mirror(&mirror);
    for cli in BOTH {
        let dir = scratch.path().join(cli.name());
        let tf = initialised(cli, &dir, &mirror, &example("quickstart")).await;
        let lock_path = dir.join(".terraform.lock.hcl");
        let lock = std::fs::read_to_string(&lock_path)
            .unwrap_or_else(|e| panic!("{}: no lock file: {e}", cli.name()));
        assert!(
            lock.contains("/ecsrs/ecs\"") && lock.contains("\"h1:"),
            "{}: the lock file does not pin the provider:\n{lock}",
            cli.name()
        );
        tf.init().await.unwrap_or_else(|out| {
            panic!("{}: init with its own lock file failed:\n{out}", cli.name())
        });
        // Every recorded hash replaced by one of another binary: init must refuse to install.
        let forged: String = lock
            .lines()
            .map(|line| match line.trim().strip_prefix("\"h1:") {
                Some(_) => "    \"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",".to_string(),
                None => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&lock_path, forged).unwrap();
        let _ = std::fs::remove_dir_all(dir.join(".terraform"));
        let out = tf.run(&["init", "-no-color", "-input=false"]).await;
        assert_ne!(
            out.status,
            0,
            "{}: init accepted a lock file with a foreign hash:\n{out}",
            cli.name()
        );
        assert!(
            out.combined().contains("checksum"),
            "{}: init failed, but not on the checksum:\n{out}",
            cli.name()
        );
    }
}

/// A provider started with `-debug` prints one `TF_REATTACH_PROVIDERS` value that both CLIs
/// accept: each plans through the running process (which they neither start nor stop).
#[tokio::test]
async fn debug_mode_reattaches_under_both_clis() {
    if skip_without_acc("debug_mode_reattaches_under_both_clis") {
        return;
    }
    use tokio::io::AsyncBufReadExt;
    let bin = env::check_provider_bin().unwrap();
    let mut provider = tokio::process::Command::new(&bin)
        .arg("-debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the provider starts in debug mode");
    let mut lines = tokio::io::BufReader::new(provider.stdout.take().unwrap()).lines();
    let reattach = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS=") {
                return value.trim_matches('\'').to_string();
            }
        }
        panic!("no TF_REATTACH_PROVIDERS line");
    })
    .await
    .expect("the debug instructions within 10 s");
    let scratch = tempfile::tempdir().unwrap();
    for cli in BOTH {
        let mut tf =
            Terraform::with_cli(cli, scratch.path().join(cli.name()), Some(&endpoint_url()))
                .unwrap();
        // No override and no mirror: only the reattached process can serve the provider.
        tf.write_file("cli.tfrc", "").unwrap();
        tf.set_env("TF_REATTACH_PROVIDERS", Some(&reattach));
        tf.write_config(&example("quickstart")).unwrap();
        let out = tf.plan(None).await.unwrap_or_else(|out| {
            panic!(
                "{} did not plan through the reattached provider:\n{out}",
                cli.name()
            )
        });
        assert!(
            out.stdout.contains("ecs_cluster.demo will be created"),
            "{}: {}",
            cli.name(),
            out.stdout
        );
    }
    assert!(
        provider.try_wait().unwrap().is_none(),
        "a CLI stopped the reattached provider"
    );
}
