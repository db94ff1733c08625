//! Runs the Terraform CLI in one working directory against the provider under test.
//!
//! Terraform finds the provider through a CLI configuration file with `dev_overrides` (written
//! into the working directory as `cli.tfrc`), so no `init` is needed unless a configuration uses
//! other providers. Every command gets `-no-color` and `-input=false`, a clean environment for
//! the AWS SDK (the local endpoint with test credentials, or the caller's real AWS settings in
//! `ECS_ACC_REAL` mode), and never reads standard input.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::clients::TEST_CREDENTIAL;
use crate::env::{self, LOCAL_REGION};

/// Provider source address the CLI configuration overrides. Written short, so that each CLI
/// qualifies it with its own default registry host, as it does the configurations' `source`.
pub const PROVIDER_SOURCE: &str = "ecsrs/ecs";

/// The name of the configuration file the runner writes.
pub const CONFIG_FILE: &str = "main.tf";

/// Default limit for one Terraform command (`TF_ACC_COMMAND_TIMEOUT` seconds overrides it).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The result of one Terraform command.
#[derive(Debug, Clone, Default)]
pub struct CmdOutput {
    /// The command line, e.g. `terraform plan -no-color -input=false -detailed-exitcode`.
    pub command: String,
    /// Exit code (128 + signal number when killed, -1 when it could not run).
    pub status: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CmdOutput {
    /// Standard output followed by standard error.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl fmt::Display for CmdOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "`{}` exited with {}", self.command, self.status)?;
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let text = crate::report::strip_dev_override_warning(text);
            if !text.trim().is_empty() {
                writeln!(f, "--- {name} ---\n{}", crate::report::tail(&text, 60))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CmdOutput {}

/// Result of a Terraform command: `Err` carries the output of a command whose exit code was
/// not the expected one.
pub type CmdResult<T = CmdOutput> = Result<T, CmdOutput>;

/// A Terraform runner bound to one working directory.
#[derive(Debug, Clone)]
pub struct Terraform {
    dir: PathBuf,
    bin: PathBuf,
    cli: env::Cli,
    env: Vec<(OsString, Option<OsString>)>,
    timeout: Duration,
}

impl Terraform {
    /// A runner for `dir` (created if missing). `endpoint_url` is the local AWS endpoint, or
    /// `None` to leave the AWS environment as it is (real AWS).
    pub fn new(dir: impl Into<PathBuf>, endpoint_url: Option<&str>) -> Result<Self, String> {
        Self::with_cli(env::cli(), dir, endpoint_url)
    }

    /// A runner that uses `cli` whatever `ECS_ACC_CLI` says (for tests that compare the two).
    pub fn with_cli(
        cli: env::Cli,
        dir: impl Into<PathBuf>,
        endpoint_url: Option<&str>,
    ) -> Result<Self, String> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // The binary's existence is checked by callers that need the provider
        // (env::check_provider_bin); configurations with built-in resources only run without it.
        let provider_dir = provider_dir(&dir, &env::provider_bin())?;
        let cli_config = dir.join("cli.tfrc");
        std::fs::write(&cli_config, cli_config_text(&provider_dir))
            .map_err(|e| format!("{}: {e}", cli_config.display()))?;

        let bin = env::cli_bin(cli)?;
        if std::env::var_os("TF_ACC_TERRAFORM_PATH").is_none() {
            env::ensure_tools()?;
        }
        let timeout = std::env::var("TF_ACC_COMMAND_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);
        Ok(Terraform {
            env: command_env(&cli_config, endpoint_url),
            dir,
            bin,
            cli,
            timeout,
        })
    }

    /// The CLI this runner drives.
    pub fn cli(&self) -> env::Cli {
        self.cli
    }

    /// Install the provider from the filesystem mirror `mirror` (laid out by
    /// `scripts/install-provider`) instead of `dev_overrides`, as a user's `init` would: `init`
    /// is then required and writes `.terraform.lock.hcl`.
    pub fn use_filesystem_mirror(&self, mirror: &Path) -> Result<(), String> {
        let text = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    include = [{}]\n  }}\n  direct {{\n    exclude = [{}]\n  }}\n}}\n",
            hcl_string(&mirror.to_string_lossy()),
            hcl_string(PROVIDER_SOURCE),
            hcl_string(PROVIDER_SOURCE),
        );
        self.write_file("cli.tfrc", &text)
    }

    /// Also install provider `source` (e.g. `hashicorp/aws`, for moves from it): from the
    /// directory `dir` holding its binary (`dev_overrides`, no `init` needed) or, with
    /// `mirror`, from that filesystem mirror (then `init` is required).
    pub fn add_provider(&self, source: &str, dir: &Path, mirror: bool) -> Result<(), String> {
        let ours = provider_dir(&self.dir, &env::provider_bin())?;
        let (ours, source, dir) = (
            hcl_string(&ours.to_string_lossy()),
            hcl_string(source),
            hcl_string(&dir.to_string_lossy()),
        );
        let pecs = hcl_string(PROVIDER_SOURCE);
        let text = if mirror {
            format!(
                "provider_installation {{\n  dev_overrides {{\n    {pecs} = {ours}\n  }}\n  filesystem_mirror {{\n    path    = {dir}\n    include = [{source}]\n  }}\n  direct {{\n    exclude = [{source}]\n  }}\n}}\n"
            )
        } else {
            format!(
                "provider_installation {{\n  dev_overrides {{\n    {pecs} = {ours}\n    {source} = {dir}\n  }}\n  direct {{}}\n}}\n"
            )
        };
        self.write_file("cli.tfrc", &text)
    }

    /// The working directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Set (or with `None` remove) an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: Option<&str>) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.map(Into::into)));
    }

    /// Write `hcl` as the directory's only configuration file (`main.tf`).
    pub fn write_config(&self, hcl: &str) -> Result<(), String> {
        self.remove_config_files()?;
        self.write_file(CONFIG_FILE, hcl)
    }

    /// Write an additional file into the working directory.
    pub fn write_file(&self, name: &str, text: &str) -> Result<(), String> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn remove_config_files(&self) -> Result<(), String> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| e.to_string())?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".tf") || name.ends_with(".tf.json") {
                std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    /// Run `terraform ARGS…` and return its output whatever the exit code.
    pub async fn run(&self, args: &[&str]) -> CmdOutput {
        let command = format!("{} {}", self.cli.name(), args.join(" "));
        let mut cmd = tokio::process::Command::new(&self.bin);
        cmd.args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let failed = |stderr: String| CmdOutput {
            command: command.clone(),
            status: -1,
            stdout: String::new(),
            stderr,
        };
        let child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => return failed(format!("cannot run {}: {e}", self.bin.display())),
        };
        match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Err(_) => failed(format!(
                "killed after {}s (TF_ACC_COMMAND_TIMEOUT)",
                self.timeout.as_secs()
            )),
            Ok(Err(e)) => failed(format!("waiting for terraform: {e}")),
            Ok(Ok(out)) => CmdOutput {
                command,
                status: exit_code(out.status),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        }
    }

    /// Start `terraform ARGS…` without waiting (e.g. to interrupt it); its output goes to
    /// `spawned.stdout` and `spawned.stderr` in the working directory.
    pub fn spawn(&self, args: &[&str]) -> std::io::Result<tokio::process::Child> {
        let stdout = std::fs::File::create(self.dir.join("spawned.stdout"))?;
        let stderr = std::fs::File::create(self.dir.join("spawned.stderr"))?;
        let mut cmd = tokio::process::Command::new(&self.bin);
        cmd.args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.spawn()
    }

    /// What a [`Terraform::spawn`]ed command wrote, once it has ended.
    pub fn spawned_output(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}\n{}", read("spawned.stdout"), read("spawned.stderr"))
    }

    async fn run_ok(&self, args: &[&str], ok: &[i32]) -> CmdResult {
        let out = self.run(args).await;
        if ok.contains(&out.status) {
            Ok(out)
        } else {
            Err(out)
        }
    }

    /// `terraform get`: installs the local modules a configuration calls (the provider needs no
    /// `init` under `dev_overrides`).
    pub async fn get_modules(&self) -> CmdResult {
        self.run_ok(&["get", "-no-color"], &[0]).await
    }

    /// `terraform init` (only needed for configurations using other providers).
    pub async fn init(&self) -> CmdResult {
        self.run_ok(&["init", "-no-color", "-input=false"], &[0])
            .await
    }

    /// `terraform plan -detailed-exitcode [-out=FILE] EXTRA…`: `Ok` with status 0 (no changes)
    /// or 2 (changes), `Err` on errors.
    pub async fn plan_with(&self, out: Option<&str>, extra: &[&str]) -> CmdResult {
        let out_arg = out.map(|f| format!("-out={f}"));
        let mut args = vec!["plan", "-no-color", "-input=false", "-detailed-exitcode"];
        args.extend(out_arg.as_deref());
        args.extend_from_slice(extra);
        self.run_ok(&args, &[0, 2]).await
    }

    /// `terraform plan -detailed-exitcode [-out=FILE]`; see [`Terraform::plan_with`].
    pub async fn plan(&self, out: Option<&str>) -> CmdResult {
        self.plan_with(out, &[]).await
    }

    /// `terraform plan -detailed-exitcode -generate-config-out=FILE`: writes the configuration
    /// of the objects that `import` blocks name and the configuration lacks.
    pub async fn plan_generate_config(&self, file: &str) -> CmdResult {
        self.plan_with(None, &[&format!("-generate-config-out={file}")])
            .await
    }

    /// `terraform query EXTRA…`: runs the `list` blocks of the `.tfquery.hcl` files.
    pub async fn query(&self, extra: &[&str]) -> CmdResult {
        let mut args = vec!["query", "-no-color"];
        args.extend_from_slice(extra);
        self.run_ok(&args, &[0]).await
    }

    /// `terraform plan -refresh-only -detailed-exitcode`.
    pub async fn plan_refresh_only(&self) -> CmdResult {
        self.plan_with(None, &["-refresh-only"]).await
    }

    /// `terraform show -json PLANFILE`, parsed.
    pub async fn show_plan_json(&self, plan_file: &str) -> CmdResult<Value> {
        self.json(&["show", "-no-color", "-json", plan_file]).await
    }

    /// `terraform apply -auto-approve`.
    pub async fn apply(&self) -> CmdResult {
        self.run_ok(
            &["apply", "-no-color", "-input=false", "-auto-approve"],
            &[0],
        )
        .await
    }

    /// `terraform apply -auto-approve -invoke=ADDRESS`: runs one action (e.g.
    /// `action.ecs_run_task.migrate`) and nothing else.
    pub async fn invoke(&self, address: &str) -> CmdResult {
        let invoke = format!("-invoke={address}");
        self.run_ok(
            &[
                "apply",
                "-no-color",
                "-input=false",
                "-auto-approve",
                &invoke,
            ],
            &[0],
        )
        .await
    }

    /// `terraform apply PLANFILE`.
    pub async fn apply_plan(&self, plan_file: &str) -> CmdResult {
        self.run_ok(&["apply", "-no-color", "-input=false", plan_file], &[0])
            .await
    }

    /// `terraform apply -refresh-only -auto-approve` (the replacement of `terraform refresh`).
    pub async fn refresh(&self) -> CmdResult {
        self.run_ok(
            &[
                "apply",
                "-no-color",
                "-input=false",
                "-refresh-only",
                "-auto-approve",
            ],
            &[0],
        )
        .await
    }

    /// `terraform import ADDR ID`.
    pub async fn import(&self, addr: &str, id: &str) -> CmdResult {
        self.run_ok(&["import", "-no-color", "-input=false", addr, id], &[0])
            .await
    }

    /// `terraform destroy -auto-approve`.
    pub async fn destroy(&self) -> CmdResult {
        self.run_ok(
            &["destroy", "-no-color", "-input=false", "-auto-approve"],
            &[0],
        )
        .await
    }

    /// `terraform show -json`: the current state, parsed (`{"format_version":…}` only when empty).
    pub async fn show_state_json(&self) -> CmdResult<Value> {
        self.json(&["show", "-no-color", "-json"]).await
    }

    /// `terraform state rm ADDR`.
    pub async fn state_rm(&self, addr: &str) -> CmdResult {
        self.run_ok(&["state", "rm", "-no-color", addr], &[0]).await
    }

    /// `terraform output -json`, parsed.
    pub async fn output_json(&self) -> CmdResult<Value> {
        self.json(&["output", "-no-color", "-json"]).await
    }

    async fn json(&self, args: &[&str]) -> CmdResult<Value> {
        let mut out = self.run_ok(args, &[0]).await?;
        match serde_json::from_str(&out.stdout) {
            Ok(v) => Ok(v),
            Err(e) => {
                out.stderr
                    .push_str(&format!("\n(harness) output is not valid JSON: {e}"));
                Err(out)
            }
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// The directory named in `dev_overrides`: the binary's own directory when it is called
/// `terraform-provider-ecs`, else a directory in the working directory with a link of that name.
fn provider_dir(workdir: &Path, provider: &Path) -> Result<PathBuf, String> {
    let provider =
        std::fs::canonicalize(provider).map_err(|e| format!("{}: {e}", provider.display()))?;
    if provider
        .file_name()
        .is_some_and(|n| n == "terraform-provider-ecs")
        && let Some(parent) = provider.parent()
    {
        return Ok(parent.to_path_buf());
    }
    let dir = workdir.join(".provider");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let link = dir.join("terraform-provider-ecs");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&provider, &link).map_err(|e| format!("{}: {e}", link.display()))?;
    Ok(dir)
}

fn hcl_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn cli_config_text(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    {} = {}\n  }}\n  direct {{}}\n}}\n",
        hcl_string(PROVIDER_SOURCE),
        hcl_string(&provider_dir.to_string_lossy())
    )
}

/// The environment changes for every command.
fn command_env(cli_config: &Path, endpoint_url: Option<&str>) -> Vec<(OsString, Option<OsString>)> {
    let mut env: Vec<(OsString, Option<OsString>)> = Vec::new();
    let mut set = |k: &str, v: &str| env.push((k.into(), Some(v.into())));
    set("TF_CLI_CONFIG_FILE", &cli_config.to_string_lossy());
    set("CHECKPOINT_DISABLE", "1");
    set("TF_IN_AUTOMATION", "1");
    set("TF_INPUT", "0");
    if let Some(path) = std::env::var_os("TF_ACC_LOG_PATH") {
        set("TF_LOG_PATH", &path.to_string_lossy());
        if std::env::var_os("TF_LOG").is_none() {
            set("TF_LOG", "TRACE");
        }
    }
    if let Some(url) = endpoint_url {
        set("AWS_ENDPOINT_URL", url);
        set("AWS_REGION", LOCAL_REGION);
        set("AWS_DEFAULT_REGION", LOCAL_REGION);
        set("AWS_ACCESS_KEY_ID", TEST_CREDENTIAL);
        set("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIAL);
        // Never let a developer's AWS profile or service endpoints leak into local runs.
        set("AWS_CONFIG_FILE", "/dev/null");
        set("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        set("AWS_EC2_METADATA_DISABLED", "true");
    }
    let mut remove: Vec<OsString> = ["TF_REATTACH_PROVIDERS", "TF_WORKSPACE", "TF_CLI_ARGS"]
        .iter()
        .map(OsString::from)
        .collect();
    for (k, _) in std::env::vars_os() {
        let name = k.to_string_lossy();
        let aws_local = endpoint_url.is_some()
            && (name.starts_with("AWS_ENDPOINT_URL_")
                || matches!(
                    name.as_ref(),
                    "AWS_SESSION_TOKEN"
                        | "AWS_PROFILE"
                        | "AWS_DEFAULT_PROFILE"
                        | "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
                ));
        if name.starts_with("TF_CLI_ARGS_") || aws_local {
            remove.push(k);
        }
    }
    env.extend(remove.into_iter().map(|k| (k, None)));
    env
}
