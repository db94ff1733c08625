//! Where things are and which mode the suite runs in, read from the environment.
//!
//! | variable | effect |
//! |---|---|
//! | `TF_ACC` | acceptance tests run only when set (to anything but `0`/empty) |
//! | `ECS_ACC_REAL` | `1`: no local endpoint; Terraform and SDK checks use the real AWS credentials and region |
//! | `ECS_PROVIDER_BIN` | provider binary (default `<target>/debug/terraform-provider-ecs`) |
//! | `ECS_ACC_CLI` | `terraform` (default) or `tofu`: which CLI drives the provider |
//! | `TF_ACC_TERRAFORM_PATH` | the CLI binary (default: `<root>/tools/bin/terraform`, installed by `tools/setup-venv`; for `tofu`, the OpenTofu built by `tools/setup-go-peers`) |
//! | `ECS_LOCAL_AWS_BIN` | the `local-aws` endpoint binary (default `<target>/debug/local-aws`) |
//! | `ECS_ACC_ENDPOINT` | shared endpoint: `local-aws` (default), `moto` (plain moto, no fidelity layer), or the URL of a running endpoint |
//! | `ECS_ACC_LOCAL_AWS_FLAGS` | flags for the shared `local-aws` (default `--strict-shapes`) |
//! | `TF_ACC_PERSIST_WORKING_DIR` | keep each test's working directories and endpoint logs |
//! | `TF_ACC_LOG_PATH` | Terraform writes a TRACE log there (`TF_LOG_PATH`) |

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// Region used by the local endpoint, by Terraform and by the verification clients.
pub const LOCAL_REGION: &str = "us-east-1";

fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// True when acceptance tests should run (`TF_ACC` is set).
pub fn acc_enabled() -> bool {
    flag("TF_ACC")
}

/// Print the skip notice and return true when `TF_ACC` is unset. For tests that do work
/// before building a [`crate::TestCase`]: `if acceptance_tests::skip_without_acc("name") { return; }`.
pub fn skip_without_acc(test: &str) -> bool {
    if acc_enabled() {
        return false;
    }
    eprintln!("{test}: skipped: set TF_ACC=1 to run acceptance tests");
    true
}

/// True when the suite targets real AWS (`ECS_ACC_REAL=1`): no local endpoint is started.
pub fn real_aws() -> bool {
    flag("ECS_ACC_REAL")
}

/// True when working directories and logs are kept (`TF_ACC_PERSIST_WORKING_DIR`).
pub fn persist_working_dirs() -> bool {
    flag("TF_ACC_PERSIST_WORKING_DIR")
}

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest.parent().unwrap_or(manifest).to_path_buf()
    })
}

/// The cargo profile directory the running test binary was built into (`<target>/debug`),
/// falling back to `<root>/target/debug`.
pub fn profile_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        // Test binaries live in <target>/<profile>/deps/.
        if let Some(deps) = exe.parent()
            && deps.file_name().is_some_and(|n| n == "deps")
            && let Some(profile) = deps.parent()
        {
            return profile.to_path_buf();
        }
    }
    workspace_root().join("target").join("debug")
}

fn from_env_or(var: &str, default: PathBuf) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => default,
    }
}

/// The `tools/` directory.
pub fn tools_dir() -> PathBuf {
    workspace_root().join("tools")
}

/// The CLI that drives the provider in the acceptance tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cli {
    /// HashiCorp Terraform.
    Terraform,
    /// OpenTofu.
    Tofu,
}

impl Cli {
    /// The command's name, as users type it.
    pub fn name(self) -> &'static str {
        match self {
            Cli::Terraform => "terraform",
            Cli::Tofu => "tofu",
        }
    }
}

/// The CLI selected by `ECS_ACC_CLI` (`terraform` when unset). Any other value is a mistake
/// that would otherwise run the suite under the wrong CLI, so it stops the run.
pub fn cli() -> Cli {
    match std::env::var("ECS_ACC_CLI").as_deref() {
        Err(_) | Ok("") | Ok("terraform") => Cli::Terraform,
        Ok("tofu") => Cli::Tofu,
        Ok(other) => panic!("ECS_ACC_CLI={other:?}: expected `terraform` or `tofu`"),
    }
}

/// Print why a test does not run under the selected CLI and return true when it does not.
/// For features a CLI never calls (e.g. an RPC OpenTofu does not send): the skip is printed,
/// never silent. `if acceptance_tests::env::skip_under(Cli::Tofu, "name", "why") { return; }`
pub fn skip_under(unsupported: Cli, test: &str, reason: &str) -> bool {
    if cli() != unsupported {
        return false;
    }
    eprintln!("{test}: skipped under {}: {reason}", unsupported.name());
    true
}

/// The binary of `cli`: `$TF_ACC_TERRAFORM_PATH` when `cli` is the selected CLI; else for
/// Terraform the launcher `tools/bin/terraform`, for OpenTofu the binary `tools/setup-go-peers
/// tofu` builds (once).
pub fn cli_bin(cli: Cli) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty())
        && cli == self::cli()
    {
        return Ok(PathBuf::from(path));
    }
    match cli {
        Cli::Terraform => Ok(tools_dir().join("bin").join("terraform")),
        Cli::Tofu => go_peer("tofu"),
    }
}

/// The path of a program built by `tools/setup-go-peers NAME`, which builds it on first use
/// and is a quick no-op afterwards; the result is shared by the whole test process.
pub fn go_peer(name: &'static str) -> Result<PathBuf, String> {
    /// Each peer asked for, with what `setup-go-peers` answered.
    type Built = Vec<(&'static str, Result<PathBuf, String>)>;
    static PEERS: OnceLock<std::sync::Mutex<Built>> = OnceLock::new();
    let peers = PEERS.get_or_init(Default::default);
    let mut peers = peers.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, found)) = peers.iter().find(|(n, _)| *n == name) {
        return found.clone();
    }
    let script = tools_dir().join("setup-go-peers");
    let found = Command::new(&script)
        .arg(name)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))
        .and_then(|out| {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                Ok(PathBuf::from(path))
            } else {
                Err(format!(
                    "{} {name} failed ({}):\n{}",
                    script.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        });
    peers.push((name, found.clone()));
    found
}

/// The provider binary: `$ECS_PROVIDER_BIN`, else `terraform-provider-ecs` in the profile directory.
pub fn provider_bin() -> PathBuf {
    let default = {
        let beside = profile_dir().join("terraform-provider-ecs");
        if beside.exists() {
            beside
        } else {
            workspace_root().join("target/debug/terraform-provider-ecs")
        }
    };
    from_env_or("ECS_PROVIDER_BIN", default)
}

/// The `local-aws` endpoint binary: `$ECS_LOCAL_AWS_BIN`, else `local-aws` in the profile directory.
pub fn local_aws_bin() -> PathBuf {
    from_env_or("ECS_LOCAL_AWS_BIN", profile_dir().join("local-aws"))
}

/// `moto_server` from the tools virtual environment.
pub fn moto_server_bin() -> PathBuf {
    tools_dir().join(".venv").join("bin").join("moto_server")
}

/// Run `tools/setup-venv` once per process (a no-op taking a few milliseconds when the venv is
/// current). Skipped when `TF_ACC_TERRAFORM_PATH` points elsewhere and plain moto is not needed.
pub fn ensure_tools() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let script = tools_dir().join("setup-venv");
        let out = Command::new(&script)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}):\n{}{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    })
    .clone()
}

/// Check that the provider binary exists, and warn once (on stderr) when it is older than the
/// provider sources, which usually means `cargo build --bin terraform-provider-ecs` was forgotten.
pub fn check_provider_bin() -> Result<PathBuf, String> {
    static WARNED: OnceLock<()> = OnceLock::new();
    let bin = provider_bin();
    let meta = std::fs::metadata(&bin).map_err(|_| {
        format!(
            "provider binary {} not found: run `cargo build --bin terraform-provider-ecs` \
             (or set ECS_PROVIDER_BIN)",
            bin.display()
        )
    })?;
    WARNED.get_or_init(|| {
        let built = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let root = workspace_root();
        let newest = [
            root.join("src"),
            root.join("proto"),
            root.join("Cargo.toml"),
        ]
        .iter()
        .filter_map(|p| newest_mtime(p))
        .max();
        if std::env::var_os("ECS_PROVIDER_BIN").is_none() && newest.is_some_and(|n| n > built) {
            eprintln!(
                "warning: {} is older than the provider sources; \
                 run `cargo build --bin terraform-provider-ecs`",
                bin.display()
            );
        }
    });
    Ok(bin)
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    let mut newest = meta.modified().ok()?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).ok()?.flatten() {
            if let Some(t) = newest_mtime(&entry.path()) {
                newest = newest.max(t);
            }
        }
    }
    Some(newest)
}
