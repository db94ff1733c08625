//! Every example under `examples/` is `terraform fmt`-clean, applies, re-plans empty and
//! destroys cleanly against the local endpoint (or real AWS with `ECS_ACC_REAL=1`).

use acceptance_tests::{Step, Terraform, TestCase, env, skip_without_acc};

fn example(dir: &str) -> String {
    let path = env::workspace_root()
        .join("examples")
        .join(dir)
        .join("main.tf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn apply_example(dir: &str) {
    TestCase::new(&format!("example_{dir}"))
        .step(Step::new(example(dir)))
        .run()
        .await;
}

#[tokio::test]
async fn examples_are_terraform_fmt_clean() {
    if skip_without_acc("examples_are_terraform_fmt_clean") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let tf = Terraform::new(scratch.path(), None).unwrap();
    let examples = env::workspace_root().join("examples");
    let out = tf
        .run(&[
            "fmt",
            "-check",
            "-diff",
            "-recursive",
            examples.to_str().unwrap(),
        ])
        .await;
    assert_eq!(
        out.status,
        0,
        "terraform fmt found changes:\n{}",
        out.combined()
    );
}

#[tokio::test]
async fn example_quickstart() {
    apply_example("quickstart").await;
}

#[tokio::test]
async fn example_ecs_cluster() {
    apply_example("ecs_cluster").await;
}

#[tokio::test]
async fn example_ecs_secret() {
    apply_example("ecs_secret").await;
}

#[tokio::test]
async fn example_ecs_cluster_capacity_providers() {
    apply_example("ecs_cluster_capacity_providers").await;
}

#[tokio::test]
async fn example_data_ecs_cluster() {
    apply_example("data-ecs_cluster").await;
}

#[tokio::test]
async fn example_data_ecs_secret() {
    apply_example("data-ecs_secret").await;
}

#[tokio::test]
async fn example_ecs_task_definition() {
    apply_example("ecs_task_definition").await;
}
