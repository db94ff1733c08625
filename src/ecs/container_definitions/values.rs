//! Plan-time checks of member values against what ECS accepts, as the field table declares them
//! ([`super::fields`]): fixed values, ranges, formats, required members and list lengths. Runs
//! on containers already parsed in [`super::parse::Mode::Config`], so members are spelled the
//! API's way and have the right JSON types.

use serde_json::Value;

use super::fields::{CONTAINER, Field, Kind, Rule};
use super::parse::{Problem, container_label};
use crate::framework::suggest::did_you_mean;

/// Every value in `containers` that ECS would refuse.
pub fn check(containers: &[Value]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, container) in containers.iter().enumerate() {
        let mut walk = Walk {
            container: container_label(i, container),
            problems: &mut problems,
        };
        walk.object(CONTAINER, container, "");
    }
    problems
}

struct Walk<'a> {
    container: String,
    problems: &'a mut Vec<Problem>,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl Walk<'_> {
    fn problem(&mut self, path: String, message: String) {
        self.problems.push(Problem {
            container: self.container.clone(),
            path,
            message,
        });
    }

    fn object(&mut self, fields: &'static [Field], value: &Value, path: &str) {
        let Some(map) = value.as_object() else {
            return;
        };
        for field in fields {
            let here = join(path, field.name);
            match map.get(field.name) {
                None if field.required => {
                    let allowed = match field.rule {
                        Rule::OneOf(values) => format!("; allowed: {}", values.join(", ")),
                        _ => String::new(),
                    };
                    self.problem(here, format!("is required{allowed}."));
                }
                None => {}
                Some(member) => self.member(field, member, &here),
            }
        }
    }

    fn member(&mut self, field: &Field, value: &Value, path: &str) {
        match (field.kind, value) {
            (Kind::Obj(fields), _) => self.object(fields, value, path),
            (Kind::ObjList(fields), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.object(fields, item, &format!("{path}[{i}]"));
                }
            }
            (Kind::StrList | Kind::IntList, Value::Array(items)) => {
                if let Some(max) = field.max_items
                    && items.len() > max
                {
                    self.problem(
                        path.to_string(),
                        format!("has {} entries; ECS allows at most {max}.", items.len()),
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    self.scalar(field.rule, item, &format!("{path}[{i}]"));
                }
            }
            _ => self.scalar(field.rule, value, path),
        }
    }

    fn scalar(&mut self, rule: Rule, value: &Value, path: &str) {
        let why = match (rule, value) {
            (Rule::OneOf(allowed), Value::String(s)) => one_of(s, allowed).err(),
            (Rule::Format(check), Value::String(s)) => check(s).err(),
            (Rule::Range(low, high), Value::Number(n)) => match n.as_i64() {
                Some(v) if (low..=high).contains(&v) => None,
                _ => Some(format!("is {n}; allowed: {low} to {high}.")),
            },
            _ => None,
        };
        if let Some(why) = why {
            self.problem(path.to_string(), why);
        }
    }
}

/// `value` is one of `allowed`, spelled exactly: ECS compares these case-sensitively.
fn one_of(value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let mut hint = did_you_mean(value, allowed.iter().copied());
    // Docker also takes capabilities as `CAP_NAME`; ECS lists them without the prefix.
    if hint.is_empty()
        && let Some(bare) = value.strip_prefix("CAP_")
    {
        hint = did_you_mean(bare, allowed.iter().copied());
    }
    Err(format!(
        "is \"{value}\"; allowed: {}.{hint}",
        allowed.join(", ")
    ))
}

/// Tmpfs `mountOptions`: the options the Tmpfs API reference lists. Those tmpfs(5) gives a value
/// (`mode=1777`, `uid=1000`, …) are also accepted with one.
const TMPFS_OPTIONS: &[&str] = &[
    "defaults",
    "ro",
    "rw",
    "suid",
    "nosuid",
    "dev",
    "nodev",
    "exec",
    "noexec",
    "sync",
    "async",
    "dirsync",
    "remount",
    "mand",
    "nomand",
    "atime",
    "noatime",
    "diratime",
    "nodiratime",
    "bind",
    "rbind",
    "unbindable",
    "runbindable",
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "relatime",
    "norelatime",
    "strictatime",
    "nostrictatime",
    "mode",
    "uid",
    "gid",
    "nr_inodes",
    "nr_blocks",
    "mpol",
];
const TMPFS_VALUED: &[&str] = &["mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"];

pub fn tmpfs_mount_option(option: &str) -> Result<(), String> {
    match option.split_once('=') {
        Some((name, value)) if TMPFS_VALUED.contains(&name) && !value.is_empty() => Ok(()),
        Some((name, _)) => Err(format!(
            "is \"{option}\"; only {} take a value (e.g. \"mode=1777\").{}",
            TMPFS_VALUED.join(", "),
            did_you_mean(name, TMPFS_VALUED.iter().copied())
        )),
        None => one_of(option, TMPFS_OPTIONS),
    }
}

/// SystemControl `namespace`: the namespaced kernel parameters the SystemControl API reference
/// lists (IPC: eight `kernel.*` names and `fs.mqueue.*`; network: `net.*`).
const IPC_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

pub fn sysctl_namespace(namespace: &str) -> Result<(), String> {
    let prefixed = ["fs.mqueue.", "net."]
        .iter()
        .any(|p| namespace.len() > p.len() && namespace.starts_with(p));
    if prefixed || IPC_SYSCTLS.contains(&namespace) {
        return Ok(());
    }
    Err(format!(
        "is \"{namespace}\", which is not a namespaced kernel parameter ECS accepts: {}, fs.mqueue.* or net.*.{}",
        IPC_SYSCTLS.join(", "),
        did_you_mean(namespace, IPC_SYSCTLS.iter().copied())
    ))
}

/// RepositoryCredentials `credentialsParameter`: a Secrets Manager secret, by ARN or by name.
pub fn secret_arn_or_name(value: &str) -> Result<(), String> {
    let name_ok = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
    };
    let ok = match value.strip_prefix("arn:") {
        Some(rest) => matches!(
            rest.splitn(6, ':').collect::<Vec<_>>().as_slice(),
            [_, "secretsmanager", _, _, "secret", name] if name_ok(name)
        ),
        None => name_ok(value),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "is \"{value}\"; give a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or the secret's name."
        ))
    }
}

/// `credentialSpecs` entries: `credentialspecdomainless:ARN` or `credentialspec:ARN`, the ARN of
/// an SSM parameter or an S3 object.
pub fn credential_spec(value: &str) -> Result<(), String> {
    const PREFIXES: &[&str] = &["credentialspecdomainless", "credentialspec"];
    let (prefix, arn) = value.split_once(':').unwrap_or(("", value));
    if !PREFIXES.contains(&prefix) {
        return Err(format!(
            "is \"{value}\"; write credentialspecdomainless:ARN or credentialspec:ARN, with the ARN of an SSM parameter or an S3 object.{}",
            did_you_mean(prefix, PREFIXES.iter().copied())
        ));
    }
    let service = arn.strip_prefix("arn:").and_then(|r| r.split(':').nth(1));
    match service {
        Some("ssm" | "s3") => Ok(()),
        _ => Err(format!(
            "is \"{value}\"; after `{prefix}:` comes the ARN of an SSM parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) or an S3 object (arn:aws:s3:::BUCKET/KEY)."
        )),
    }
}
