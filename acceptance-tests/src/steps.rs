//! The step runner, shaped like terraform-plugin-testing's `resource.Test`.
//!
//! Config step: write the configuration → `plan -out` → expected actions and plan checks on
//! `show -json` of the plan → apply the saved plan → state checks → `plan -detailed-exitcode`
//! must be empty (unless `expect_non_empty_plan`) → `plan -refresh-only -detailed-exitcode`
//! must find nothing. Import step: import into a fresh working directory with the same
//! configuration (`terraform import`, or an `import {}` block that must plan as a no-op) and
//! compare the imported attributes with the state of the previous step. After the last step,
//! and after a failing one, everything is destroyed and `check_destroy` runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use regex::Regex;
use serde_json::Value;

use crate::checks::{self, Action, PlanCheck, StateCheck};
use crate::ctx::{self, CheckResult, Ctx, Hook};
use crate::endpoint::{self, Endpoint};
use crate::env;
use crate::report::{self, Failure};
use crate::state;
use crate::terraform::{CmdOutput, Terraform};

const PLAN_FILE: &str = "tfplan";

/// The endpoint of cases run [`TestCase::without_aws`]: a closed local port, so any AWS call
/// fails at once instead of reaching a developer's real account.
pub const NO_AWS_URL: &str = "http://127.0.0.1:9";

/// Where the import ID comes from.
#[derive(Debug, Clone)]
pub enum ImportId {
    /// This exact ID.
    Fixed(String),
    /// The value of this attribute of the imported resource in the current state (e.g. `"id"`,
    /// `"arn"`).
    FromState(String),
    /// Import by resource identity: this HCL object (`{ name = "web" }`) as the `identity` of
    /// an `import {}` block ([`ImportStep::block`] only).
    Identity(String),
}

/// How the import is performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `terraform import ADDR ID`.
    Command,
    /// An `import { to = ADDR, id = ID }` block, planned (must be a no-op import unless the step
    /// lists expected actions) and applied.
    Block,
}

/// An import step: import `resource_addr` into a fresh working directory and verify it.
#[derive(Debug, Clone)]
pub struct ImportStep {
    /// The resource address, e.g. `ecs_cluster.main`.
    pub resource_addr: String,
    /// The import ID.
    pub id: ImportId,
    /// Command or block.
    pub kind: ImportKind,
    /// Compare the imported attributes with the previous state (default true).
    pub verify: bool,
    /// Attribute paths (and everything below them) left out of the comparison.
    pub verify_ignore: Vec<String>,
}

impl ImportStep {
    /// `terraform import` of `resource_addr`.
    pub fn command(resource_addr: &str, id: ImportId) -> Self {
        ImportStep {
            resource_addr: resource_addr.to_string(),
            id,
            kind: ImportKind::Command,
            verify: true,
            verify_ignore: Vec::new(),
        }
    }

    /// An `import {}` block for `resource_addr`.
    pub fn block(resource_addr: &str, id: ImportId) -> Self {
        ImportStep {
            kind: ImportKind::Block,
            ..Self::command(resource_addr, id)
        }
    }

    /// Leave these attribute paths out of the verification.
    pub fn ignore(mut self, paths: &[&str]) -> Self {
        self.verify_ignore
            .extend(paths.iter().map(|p| p.to_string()));
        self
    }

    /// Do not compare attributes (only check that the import works).
    pub fn no_verify(mut self) -> Self {
        self.verify = false;
        self
    }
}

/// One step of a test case.
#[derive(Default)]
pub struct Step {
    /// The configuration (HCL). For an import step, empty means "the previous step's".
    pub config: String,
    /// Expected planned actions by resource address (resources not listed are not checked).
    pub expect_actions: Vec<(String, Action)>,
    /// A regular expression the failing command's output must match; the step must fail. It is
    /// matched against the raw output and against the diagnostics with Terraform's box frame
    /// and line wrapping removed.
    pub expect_error: Option<String>,
    /// Makes this an import step.
    pub import: Option<ImportStep>,
    /// Checks on the state after apply.
    pub checks: Vec<StateCheck>,
    /// Checks on the plan before apply.
    pub plan_checks: Vec<PlanCheck>,
    /// Runs before the step, e.g. to change a resource behind Terraform's back (drift).
    pub pre_step: Option<Hook>,
    /// The plan after apply must be non-empty (and the refresh-only plan is not checked).
    pub expect_non_empty_plan: bool,
    /// Only plan: the plan must be empty unless `expect_non_empty_plan`; nothing is applied.
    pub plan_only: bool,
}

impl Step {
    /// A config step.
    pub fn new(config: impl Into<String>) -> Self {
        Step {
            config: config.into(),
            ..Step::default()
        }
    }

    /// An import step using the previous step's configuration.
    pub fn import(import: ImportStep) -> Self {
        Step {
            import: Some(import),
            ..Step::default()
        }
    }

    /// Replace the configuration (e.g. of an import step, which otherwise reuses the previous
    /// step's).
    pub fn with_config(mut self, config: impl Into<String>) -> Self {
        self.config = config.into();
        self
    }

    /// Expect `action` for `address` in the plan.
    pub fn expect(mut self, address: &str, action: Action) -> Self {
        self.expect_actions.push((address.to_string(), action));
        self
    }

    /// Expect the step to fail with output matching the regular expression `pattern`, at plan
    /// or at apply.
    pub fn expect_error(mut self, pattern: &str) -> Self {
        self.expect_error = Some(pattern.to_string());
        self
    }

    /// Expect `terraform plan` itself to fail with output matching `pattern`: nothing is
    /// applied, so a failure that only an apply would raise does not count.
    pub fn expect_plan_error(mut self, pattern: &str) -> Self {
        self.expect_error = Some(pattern.to_string());
        self.plan_only = true;
        self
    }

    /// Add a state check.
    pub fn check(mut self, check: StateCheck) -> Self {
        self.checks.push(check);
        self
    }

    /// Add a plan check.
    pub fn plan_check(mut self, check: PlanCheck) -> Self {
        self.plan_checks.push(check);
        self
    }

    /// Run `f` before the step (with the state as it is before the step).
    pub fn pre_step<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Ctx) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = CheckResult> + Send + 'static,
    {
        self.pre_step = Some(ctx::hook(f));
        self
    }

    /// The plan after apply must be non-empty.
    pub fn expect_non_empty_plan(mut self) -> Self {
        self.expect_non_empty_plan = true;
        self
    }

    /// Only plan, never apply.
    pub fn plan_only(mut self) -> Self {
        self.plan_only = true;
        self
    }

    fn phase(&self) -> String {
        match (&self.import, self.plan_only) {
            (Some(i), _) if i.kind == ImportKind::Command => "import step, command".to_string(),
            (Some(_), _) => "import step, import block".to_string(),
            (None, true) => "plan-only step".to_string(),
            (None, false) => "config step".to_string(),
        }
    }
}

/// Which AWS endpoint a test case uses.
#[derive(Debug, Clone, Default)]
pub enum Aws {
    /// The process-wide endpoint (or real AWS with `ECS_ACC_REAL=1`).
    #[default]
    Shared,
    /// A dedicated endpoint started by the test.
    Dedicated(Arc<Endpoint>),
    /// No AWS at all (configurations using only built-in resources such as `terraform_data`):
    /// AWS calls go to a closed local port ([`NO_AWS_URL`]), except in `ECS_ACC_REAL` mode.
    None,
}

/// A test case: steps run in order in one working directory, then everything is destroyed.
#[derive(Default)]
pub struct TestCase {
    /// Name used in reports and in the working directory's name.
    pub name: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// Runs after the final destroy (with the state from before it), e.g. to assert that the
    /// cluster is INACTIVE.
    pub check_destroy: Option<Hook>,
    /// The endpoint.
    pub aws: Aws,
    /// Environment variables for every Terraform command (e.g. `TF_VAR_subnet_ids`).
    pub env: Vec<(String, String)>,
    /// A directory whose files (local modules, variable files) are copied into the working
    /// directory before the first step; its top-level `main.tf` is left out, since each step
    /// writes its own.
    pub files: Option<PathBuf>,
}

/// What a passing run leaves behind.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Number of steps run.
    pub steps: usize,
    /// Wall time of the whole case, destroy included.
    pub seconds: f64,
    /// The case directory if it was kept (`TF_ACC_PERSIST_WORKING_DIR`).
    pub kept_dir: Option<PathBuf>,
}

impl TestCase {
    /// A case using the shared endpoint.
    pub fn new(name: &str) -> Self {
        TestCase {
            name: name.to_string(),
            ..TestCase::default()
        }
    }

    /// Append a step.
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Set the destroy check.
    pub fn check_destroy<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Ctx) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = CheckResult> + Send + 'static,
    {
        self.check_destroy = Some(ctx::hook(f));
        self
    }

    /// Use no AWS endpoint (built-in resources only).
    pub fn without_aws(mut self) -> Self {
        self.aws = Aws::None;
        self
    }

    /// Set an environment variable for every Terraform command of the case.
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// Copy the files of `dir` (e.g. an example with local modules) into the working directory.
    pub fn files(mut self, dir: impl Into<PathBuf>) -> Self {
        self.files = Some(dir.into());
        self
    }

    /// Use a dedicated endpoint.
    pub fn endpoint(mut self, endpoint: Arc<Endpoint>) -> Self {
        self.aws = Aws::Dedicated(endpoint);
        self
    }

    /// Run the case; panics with the failure report. Prints a skip notice and returns at once
    /// when `TF_ACC` is unset.
    pub async fn run(self) {
        if env::skip_without_acc(&self.name) {
            return;
        }
        if let Err(failure) = self.try_run().await {
            panic!("\n{failure}");
        }
    }

    /// Run the case (whatever `TF_ACC` says) and return the failure report instead of
    /// panicking.
    pub async fn try_run(self) -> Result<RunSummary, Failure> {
        let started = Instant::now();
        let steps = self.steps.len();
        let endpoint_url = match &self.aws {
            Aws::Shared if env::real_aws() => None,
            Aws::Shared => match endpoint::shared() {
                Ok(e) => Some(e.url().to_string()),
                Err(e) => return Err(Failure::new(&self.name, 0, steps, "setup", e)),
            },
            Aws::Dedicated(e) => Some(e.url().to_string()),
            // Never let a configuration that was meant to stay offline reach real AWS.
            Aws::None if env::real_aws() => None,
            Aws::None => Some(NO_AWS_URL.to_string()),
        };
        if !matches!(self.aws, Aws::None) {
            env::check_provider_bin()
                .map_err(|e| Failure::new(&self.name, 0, steps, "setup", e))?;
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("ecs-acc-{}-", sanitize(&self.name)))
            .tempdir()
            .map_err(|e| Failure::new(&self.name, 0, steps, "setup", e.to_string()))?;
        let work = dir.path().join("work");
        let mut tf = Terraform::new(&work, endpoint_url.as_deref())
            .map_err(|e| Failure::new(&self.name, 0, steps, "setup", e))?;
        for (key, value) in &self.env {
            tf.set_env(key, Some(value));
        }
        if let Some(files) = &self.files {
            copy_tree(files, &work, true)
                .map_err(|e| Failure::new(&self.name, 0, steps, "setup", e))?;
        }
        let mut run = Run {
            name: &self.name,
            steps,
            base: dir.path().to_path_buf(),
            endpoint_url,
            tf,
            env: &self.env,
            state: Value::Null,
            last_config: String::new(),
            last_good_config: None,
            modules_pending: self.files.is_some(),
        };

        let mut failure = None;
        for (i, step) in self.steps.iter().enumerate() {
            let result = if step.import.is_some() {
                run.import_step(i + 1, step).await
            } else {
                run.config_step(i + 1, step).await
            };
            if let Err(mut f) = result {
                f.workdir.get_or_insert_with(|| run.tf.dir().to_path_buf());
                failure = Some(f);
                break;
            }
        }
        if let Err(f) = run.destroy(self.check_destroy.as_ref()).await {
            match &mut failure {
                Some(first) => first.also.push(f),
                None => failure = Some(f),
            }
        }

        let keep = env::persist_working_dirs();
        let kept_dir = keep.then(|| dir.keep());
        if let Some(dir) = &kept_dir {
            eprintln!("{}: working directory kept at {}", self.name, dir.display());
        }
        match failure {
            Some(mut f) => {
                f.kept = keep;
                for other in &mut f.also {
                    other.kept = keep;
                }
                Err(f)
            }
            None => {
                let seconds = started.elapsed().as_secs_f64();
                eprintln!("{}: {steps} steps passed in {seconds:.1}s", self.name);
                Ok(RunSummary {
                    steps,
                    seconds,
                    kept_dir,
                })
            }
        }
    }
}

/// Copy the files under `from` into `to`, skipping `main.tf` at the top and Terraform's own
/// working files anywhere.
fn copy_tree(from: &Path, to: &Path, top: bool) -> Result<(), String> {
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if (top && name == "main.tf")
            || name.starts_with(".terraform")
            || name.ends_with(".tfstate")
        {
            continue;
        }
        let target = to.join(&*name);
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            copy_tree(&entry.path(), &target, false)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect()
}

/// Whether `out` (a failed command) satisfies an `expect_error` pattern.
pub fn error_matches(pattern: &str, out: &CmdOutput) -> Result<bool, String> {
    let re = Regex::new(pattern).map_err(|e| format!("invalid expect_error pattern: {e}"))?;
    let raw = out.combined();
    Ok(re.is_match(&raw) || re.is_match(&report::flatten_diagnostics(&raw)))
}

struct Run<'a> {
    name: &'a str,
    steps: usize,
    base: PathBuf,
    endpoint_url: Option<String>,
    tf: Terraform,
    env: &'a [(String, String)],
    state: Value,
    last_config: String,
    last_good_config: Option<String>,
    /// The case copied in files that may hold local modules, not installed yet.
    modules_pending: bool,
}

impl Run<'_> {
    fn fail(&self, step: usize, phase: &str, expectation: impl Into<String>) -> Failure {
        let mut f = Failure::new(self.name, step, self.steps, phase, expectation.into());
        f.workdir = Some(self.tf.dir().to_path_buf());
        f
    }

    fn ctx(&self, step: usize, dir: &Path) -> Ctx {
        Ctx::new(
            self.name,
            step,
            dir,
            self.state.clone(),
            self.endpoint_url.as_deref(),
        )
    }

    /// A failed command: `None` (the step is done) if the step expects an error that matches,
    /// else the failure, reported with working directory `dir`.
    fn command_failed(
        &self,
        n: usize,
        step: &Step,
        what: &str,
        out: CmdOutput,
        dir: &Path,
    ) -> Option<Failure> {
        let phase = step.phase();
        let mut failure = match &step.expect_error {
            Some(pattern) => match error_matches(pattern, &out) {
                Ok(true) => return None,
                Ok(false) => self
                    .fail(
                        n,
                        &phase,
                        format!("{what} failed, but not with an error matching /{pattern}/"),
                    )
                    .with_command(out),
                Err(e) => self.fail(n, &phase, e),
            },
            None => self
                .fail(n, &phase, format!("{what} must succeed"))
                .with_command(out),
        };
        failure.workdir = Some(dir.to_path_buf());
        Some(failure)
    }

    async fn pre_step(&self, n: usize, step: &Step) -> Result<(), Failure> {
        if let Some(hook) = &step.pre_step {
            ctx::run_hook(hook, self.ctx(n, self.tf.dir()))
                .await
                .map_err(|e| self.fail(n, &step.phase(), format!("pre_step hook failed: {e}")))?;
        }
        Ok(())
    }

    async fn plan_checks(
        &self,
        n: usize,
        step: &Step,
        tf: &Terraform,
        plan_out: &CmdOutput,
    ) -> Result<(), Failure> {
        if step.expect_actions.is_empty() && step.plan_checks.is_empty() {
            return Ok(());
        }
        let phase = step.phase();
        let plan = tf.show_plan_json(PLAN_FILE).await.map_err(|out| {
            self.fail(n, &phase, "show -json of the plan must succeed")
                .with_command(out)
        })?;
        let mut problems = Vec::new();
        if let Err(e) = checks::check_actions(&plan, &step.expect_actions) {
            problems.push(e);
        }
        problems.extend(step.plan_checks.iter().filter_map(|c| c.run(&plan).err()));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(self
                .fail(n, &phase, problems.join("\n"))
                .with_command(plan_out.clone()))
        }
    }

    async fn state_checks(&self, n: usize, step: &Step, dir: &Path) -> Result<(), Failure> {
        let ctx = self.ctx(n, dir);
        let mut problems = Vec::new();
        for check in &step.checks {
            if let Err(e) = check.run(&ctx).await {
                problems.push(e);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(self.fail(
                n,
                &step.phase(),
                format!("state checks failed:\n{}", problems.join("\n")),
            ))
        }
    }

    async fn refresh_state(&mut self, n: usize, phase: &str) -> Result<(), Failure> {
        self.state = self.tf.show_state_json().await.map_err(|out| {
            self.fail(n, phase, "show -json of the state must succeed")
                .with_command(out)
        })?;
        Ok(())
    }

    async fn config_step(&mut self, n: usize, step: &Step) -> Result<(), Failure> {
        let phase = step.phase();
        self.pre_step(n, step).await?;
        self.tf
            .write_config(&step.config)
            .map_err(|e| self.fail(n, &phase, e))?;
        self.last_config = step.config.clone();
        if std::mem::take(&mut self.modules_pending)
            && let Err(out) = self.tf.get_modules().await
        {
            let dir = self.tf.dir();
            return self
                .command_failed(n, step, "get", out, dir)
                .map_or(Ok(()), Err);
        }

        let plan = match self.tf.plan(Some(PLAN_FILE)).await {
            Ok(out) => out,
            Err(out) => {
                let dir = self.tf.dir();
                return self
                    .command_failed(n, step, "plan", out, dir)
                    .map_or(Ok(()), Err);
            }
        };
        self.plan_checks(n, step, &self.tf, &plan).await?;

        if step.plan_only {
            if let Some(pattern) = &step.expect_error {
                return Err(self
                    .fail(
                        n,
                        &phase,
                        format!("expected an error matching /{pattern}/, but the plan succeeded"),
                    )
                    .with_command(plan));
            }
            return match (plan.status, step.expect_non_empty_plan) {
                (0, false) | (2, true) => Ok(()),
                (0, true) => Err(self
                    .fail(n, &phase, "the plan must not be empty")
                    .with_command(plan)),
                _ => Err(self
                    .fail(n, &phase, "the plan must be empty")
                    .with_command(plan)),
            };
        }

        let apply = match self.tf.apply_plan(PLAN_FILE).await {
            Ok(out) => out,
            Err(out) => {
                let dir = self.tf.dir();
                if let Some(f) = self.command_failed(n, step, "apply", out, dir) {
                    return Err(f);
                }
                // Resources may have been created before the error: keep the state current.
                self.refresh_state(n, &phase).await?;
                return Ok(());
            }
        };
        if let Some(pattern) = &step.expect_error {
            return Err(self
                .fail(
                    n,
                    &phase,
                    format!("expected an error matching /{pattern}/, but plan and apply succeeded"),
                )
                .with_command(apply));
        }
        self.last_good_config = Some(step.config.clone());
        self.refresh_state(n, &phase).await?;
        let dir = self.tf.dir().to_path_buf();
        self.state_checks(n, step, &dir).await?;

        let replan = self.tf.plan(None).await.map_err(|out| {
            self.fail(n, &phase, "the plan after apply must succeed")
                .with_command(out)
        })?;
        if step.expect_non_empty_plan {
            if replan.status == 0 {
                return Err(self
                    .fail(
                        n,
                        &phase,
                        "expected a non-empty plan after apply, but it was empty",
                    )
                    .with_command(replan));
            }
            return Ok(());
        }
        if replan.status != 0 {
            return Err(self
                .fail(
                    n,
                    &phase,
                    "after apply, a second plan must be empty (the configuration does not converge: \
                     the provider plans changes against what it just applied)",
                )
                .with_command(replan));
        }
        let refresh = self
            .tf
            .plan_with(Some(REFRESH_PLAN), &["-refresh-only"])
            .await
            .map_err(|out| {
                self.fail(n, &phase, "the refresh-only plan after apply must succeed")
                    .with_command(out)
            })?;
        // Terraform sometimes answers 2 for a refresh-only plan that changes nothing (seen with
        // data sources): only drift or changes in the saved plan count.
        let drifted = refresh.status != 0
            && match self.tf.show_plan_json(REFRESH_PLAN).await {
                Ok(plan) => refresh_plan_changes_something(&plan),
                Err(_) => true,
            };
        if drifted {
            return Err(self
                .fail(
                    n,
                    &phase,
                    "after apply, a refresh-only plan must find no changes (read returns something \
                     different from what apply stored)",
                )
                .with_command(refresh));
        }
        Ok(())
    }

    async fn import_step(&mut self, n: usize, step: &Step) -> Result<(), Failure> {
        let phase = step.phase();
        let import = step.import.as_ref().expect("import step");
        self.pre_step(n, step).await?;
        let addr = import.resource_addr.as_str();
        let id = match &import.id {
            ImportId::Fixed(id) | ImportId::Identity(id) => id.clone(),
            ImportId::FromState(attr) => {
                state::attr_string(&self.state, addr, attr).map_err(|e| {
                    self.fail(
                        n,
                        &phase,
                        format!("import ID from state attribute {attr:?}: {e}"),
                    )
                })?
            }
        };
        let config = if step.config.is_empty() {
            self.last_config.clone()
        } else {
            step.config.clone()
        };
        let dir = self.base.join(format!("import-step-{n}"));
        let mut tf = Terraform::new(&dir, self.endpoint_url.as_deref())
            .map_err(|e| self.fail(n, &phase, e))?;
        for (key, value) in self.env {
            tf.set_env(key, Some(value));
        }
        let fail = |expectation: String| {
            let mut f = self.fail(n, &phase, expectation);
            f.workdir = Some(dir.clone());
            f
        };
        tf.write_config(&config).map_err(&fail)?;

        let last = match import.kind {
            ImportKind::Command => match tf.import(addr, &id).await {
                Ok(out) => out,
                Err(out) => {
                    return self
                        .command_failed(
                            n,
                            step,
                            &format!("import of {addr} with ID {id:?}"),
                            out,
                            &dir,
                        )
                        .map_or(Ok(()), Err);
                }
            },
            ImportKind::Block => {
                let target = match &import.id {
                    ImportId::Identity(hcl) => format!("identity = {hcl}"),
                    _ => format!("id = {}", Value::String(id.clone())),
                };
                let block = format!("import {{\n  to = {addr}\n  {target}\n}}\n");
                tf.write_file("import.tf", &block).map_err(&fail)?;
                let plan = match tf.plan(Some(PLAN_FILE)).await {
                    Ok(out) => out,
                    Err(out) => {
                        return self
                            .command_failed(n, step, "plan with the import block", out, &dir)
                            .map_or(Ok(()), Err);
                    }
                };
                let plan_json = tf.show_plan_json(PLAN_FILE).await.map_err(|out| {
                    fail("show -json of the plan must succeed".into()).with_command(out)
                })?;
                let change = checks::resource_change(&plan_json, addr);
                if change
                    .and_then(|c| c.pointer("/change/importing"))
                    .is_none()
                {
                    return Err(fail(format!(
                        "the plan must import {addr} (planned: {})",
                        state::list_or_none(&checks::plan_summary(&plan_json))
                    ))
                    .with_command(plan));
                }
                let expected = if step.expect_actions.is_empty() {
                    vec![(addr.to_string(), Action::NoOp)]
                } else {
                    step.expect_actions.clone()
                };
                let mut problems: Vec<String> = checks::check_actions(&plan_json, &expected)
                    .err()
                    .into_iter()
                    .collect();
                problems.extend(
                    step.plan_checks
                        .iter()
                        .filter_map(|c| c.run(&plan_json).err()),
                );
                if !problems.is_empty() {
                    return Err(fail(format!(
                        "the imported resource must match the configuration:\n{}",
                        problems.join("\n")
                    ))
                    .with_command(plan));
                }
                match tf.apply_plan(PLAN_FILE).await {
                    Ok(out) => out,
                    Err(out) => {
                        return self
                            .command_failed(n, step, "apply of the import", out, &dir)
                            .map_or(Ok(()), Err);
                    }
                }
            }
        };
        if let Some(pattern) = &step.expect_error {
            return Err(fail(format!(
                "expected an error matching /{pattern}/, but the import succeeded"
            ))
            .with_command(last));
        }

        let imported = tf.show_state_json().await.map_err(|out| {
            fail("show -json of the imported state must succeed".into()).with_command(out)
        })?;
        if import.verify {
            let before = state::resource_values(&self.state, addr).map_err(|e| {
                fail(format!(
                    "import verification needs the resource in the previous state: {e}"
                ))
            })?;
            let after = state::resource_values(&imported, addr)
                .map_err(|e| fail(format!("the import must produce {addr}: {e}")))?;
            let diffs = state::diff_values(before, after, &import.verify_ignore);
            if !diffs.is_empty() {
                return Err(fail(format!(
                    "imported attributes must equal the state of the previous step \
                     (expected = previous state, got = imported; ignore paths with ImportStep::ignore):\n{}",
                    diffs.join("\n")
                )));
            }
        }
        if !step.checks.is_empty() {
            let ctx = Ctx::new(self.name, n, &dir, imported, self.endpoint_url.as_deref());
            let mut problems = Vec::new();
            for check in &step.checks {
                if let Err(e) = check.run(&ctx).await {
                    problems.push(e);
                }
            }
            if !problems.is_empty() {
                return Err(fail(format!(
                    "state checks on the imported state failed:\n{}",
                    problems.join("\n")
                )));
            }
        }
        Ok(())
    }

    async fn destroy(&mut self, check: Option<&Hook>) -> Result<(), Failure> {
        let phase = "destroy";
        let fail = |this: &Self, e: String| {
            let mut f = Failure::new(this.name, 0, this.steps, phase, e);
            f.workdir = Some(this.tf.dir().to_path_buf());
            f
        };
        if state_has_resources(self.tf.dir()) {
            // Destroy with the last configuration that applied (a later one may be invalid).
            if let Some(config) = self.last_good_config.clone() {
                self.tf.write_config(&config).map_err(|e| fail(self, e))?;
            }
            self.state = self.tf.show_state_json().await.map_err(|out| {
                fail(self, "show -json of the state must succeed".into()).with_command(out)
            })?;
            self.tf.destroy().await.map_err(|out| {
                fail(
                    self,
                    "destroy must succeed (resources may be left behind)".into(),
                )
                .with_command(out)
            })?;
            if state_has_resources(self.tf.dir()) {
                let after = self.tf.show_state_json().await.unwrap_or_default();
                return Err(fail(
                    self,
                    format!(
                        "the state must be empty after destroy; left: {}",
                        state::list_or_none(&state::addresses(&after))
                    ),
                ));
            }
        }
        if let Some(hook) = check {
            ctx::run_hook(hook, self.ctx(0, self.tf.dir()))
                .await
                .map_err(|e| fail(self, format!("check_destroy failed: {e}")))?;
        }
        Ok(())
    }
}

/// Whether the working directory's local state file lists any resource.
fn state_has_resources(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("terraform.tfstate")) else {
        return false;
    };
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("resources")
                .and_then(Value::as_array)
                .map(|r| !r.is_empty())
        })
        .unwrap_or(true)
}

/// Where the refresh-only plan after each apply is saved.
const REFRESH_PLAN: &str = "refresh.tfplan";

/// Whether a refresh-only plan (`show -json`) finds drift or plans any change.
fn refresh_plan_changes_something(plan: &serde_json::Value) -> bool {
    let not_noop = |list: Option<&serde_json::Value>| {
        list.and_then(serde_json::Value::as_array)
            .is_some_and(|items| {
                items.iter().any(|c| {
                    c.pointer("/change/actions")
                        .and_then(serde_json::Value::as_array)
                        .is_none_or(|a| a.iter().any(|x| x != "no-op"))
                })
            })
    };
    let outputs_change = plan
        .get("output_changes")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|o| {
            o.values().any(|c| {
                c.get("actions")
                    .and_then(serde_json::Value::as_array)
                    .is_none_or(|a| a.iter().any(|x| x != "no-op"))
            })
        });
    not_noop(plan.get("resource_drift")) || not_noop(plan.get("resource_changes")) || outputs_change
}

#[cfg(test)]
mod refresh_tests {
    use super::refresh_plan_changes_something;
    use serde_json::json;

    #[test]
    fn only_drift_or_changes_count() {
        assert!(!refresh_plan_changes_something(
            &json!({ "applyable": true })
        ));
        assert!(!refresh_plan_changes_something(&json!({
            "resource_changes": [{ "change": { "actions": ["no-op"] } }],
            "output_changes": { "o": { "actions": ["no-op"] } }
        })));
        assert!(refresh_plan_changes_something(&json!({
            "resource_drift": [{ "change": { "actions": ["update"] } }]
        })));
        assert!(refresh_plan_changes_something(&json!({
            "output_changes": { "o": { "actions": ["update"] } }
        })));
    }
}
