//! Command-line flags of `local-aws`.

use std::path::PathBuf;
use std::time::Duration;

/// What the endpoint adds on top of moto. Everything is off or neutral by default except the
/// fidelity layer itself and the drain/steady delays, which match a small real service.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `moto_server` executable.
    pub moto: PathBuf,
    /// Plain moto behind the proxy: no fidelity behaviour, no shape rewriting.
    pub no_fidelity: bool,
    /// Added to every call before it is answered.
    pub latency: Duration,
    /// ECS's published token buckets per API family.
    pub throttle: bool,
    /// With `throttle`: every bucket holds at most this many tokens (the account's other callers
    /// have spent the bursts; only ECS's sustained rates are left).
    pub throttle_burst: Option<f64>,
    /// Fraction of calls answered with HTTP 500 before they reach moto.
    pub fault_rate: f64,
    /// How long a deleted service stays DRAINING before it is INACTIVE.
    pub drain: Duration,
    /// How long a deployment takes to reach steady state.
    pub steady: Duration,
    /// New deployments fail as a deployment circuit breaker would fail them.
    pub fail_deployments: bool,
    /// Only deployments of task definitions with an image containing this text fail (a broken
    /// image), so a test can create a service and then break it with an update.
    pub fail_image: Option<String>,
    /// Also emulate the response-shape rows whose evidence is weaker (reported or inferred).
    pub strict_shapes: bool,
    /// A deleted cluster is forgotten at once instead of staying INACTIVE (as ECS does after a
    /// while): calls naming it answer `ClusterNotFoundException`.
    pub forget_deleted_clusters: bool,
    /// How long one minute of a deployment's bake time lasts (`bakeTimeInMinutes` and the
    /// linear and canary step bake times); zero by default, so bakes pass at once.
    pub bake_per_minute: Duration,
    /// CloudWatch alarms that are in ALARM while a deployment replaces a running revision.
    pub fire_alarms: Vec<String>,
    /// Lifecycle hook targets that answer FAILED when a deployment replacing a running revision
    /// invokes them.
    pub fail_hooks: Vec<String>,
    /// How long a RunTask task takes from PROVISIONING to STOPPED.
    pub task_run: Duration,
    /// RunTask places no task and answers this `failures` reason (e.g. `RESOURCE:MEMORY`).
    pub run_task_failure: Option<String>,
    /// RunTask's tasks stop before their containers start (`TaskFailedToStart`).
    pub tasks_fail_to_start: bool,
}

impl Options {
    /// Parse `args` (without the program name). `default_moto` is used without `--moto`.
    pub fn parse(args: &[String], default_moto: PathBuf) -> Result<Options, String> {
        let mut options = Options {
            moto: default_moto,
            no_fidelity: false,
            latency: Duration::ZERO,
            throttle: false,
            throttle_burst: None,
            fault_rate: 0.0,
            drain: Duration::from_secs(2),
            steady: Duration::from_secs(1),
            fail_deployments: false,
            fail_image: None,
            strict_shapes: false,
            forget_deleted_clusters: false,
            bake_per_minute: Duration::ZERO,
            fire_alarms: Vec::new(),
            fail_hooks: Vec::new(),
            task_run: Duration::from_secs(2),
            run_task_failure: None,
            tasks_fail_to_start: false,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = |what: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs {what}"))
            };
            match flag.as_str() {
                "--moto" => options.moto = PathBuf::from(value("a path")?),
                "--no-fidelity" => options.no_fidelity = true,
                "--throttle" => options.throttle = true,
                "--fail-deployments" => options.fail_deployments = true,
                "--fail-image" => options.fail_image = Some(value("a piece of an image name")?),
                "--strict-shapes" => options.strict_shapes = true,
                "--forget-deleted-clusters" => options.forget_deleted_clusters = true,
                "--latency-ms" => options.latency = millis(flag, &value("milliseconds")?)?,
                "--throttle-burst" => {
                    let text = value("a number of tokens")?;
                    let burst = text
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            format!("{flag}: {text:?} is not a whole number of tokens (at least 1)")
                        })?;
                    options.throttle = true;
                    options.throttle_burst = Some(f64::from(burst));
                }
                "--drain-seconds" => options.drain = seconds(flag, &value("seconds")?)?,
                "--steady-seconds" => options.steady = seconds(flag, &value("seconds")?)?,
                "--bake-seconds-per-minute" => {
                    options.bake_per_minute = seconds(flag, &value("seconds")?)?
                }
                "--fire-alarm" => options.fire_alarms.push(value("an alarm name")?),
                "--fail-hook" => options.fail_hooks.push(value("a hook target ARN")?),
                "--task-seconds" => options.task_run = seconds(flag, &value("seconds")?)?,
                "--run-task-failure" => options.run_task_failure = Some(value("a reason")?),
                "--tasks-fail-to-start" => options.tasks_fail_to_start = true,
                "--fault-rate" => {
                    let text = value("a fraction between 0 and 1")?;
                    options.fault_rate = text
                        .parse::<f64>()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(|| {
                            format!("{flag}: {text:?} is not a fraction between 0 and 1")
                        })?;
                }
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
            }
        }
        Ok(options)
    }
}

fn millis(flag: &str, text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{flag}: {text:?} is not a whole number of milliseconds"))
}

fn seconds(flag: &str, text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{flag}: {text:?} is not a number of seconds"))
}

/// Shown for `--help` and after an unknown flag.
pub const USAGE: &str = "\
usage: local-aws [--moto PATH] [--no-fidelity] [--latency-ms N] [--throttle] [--throttle-burst N]
                 [--fault-rate P] [--drain-seconds N] [--steady-seconds N] [--fail-deployments]
                 [--fail-image TEXT] [--strict-shapes] [--forget-deleted-clusters]
                 [--bake-seconds-per-minute N] [--fire-alarm NAME]... [--fail-hook ARN]...
                 [--task-seconds N] [--run-task-failure REASON] [--tasks-fail-to-start]";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Options::parse(&args, PathBuf::from("moto_server"))
    }

    #[test]
    fn defaults_are_neutral() {
        let o = parse(&[]).unwrap();
        assert!(!o.no_fidelity && !o.throttle && !o.fail_deployments && !o.strict_shapes);
        assert!(!o.forget_deleted_clusters);
        assert_eq!(o.throttle_burst, None);
        assert_eq!(o.fail_image, None);
        assert_eq!(o.latency, Duration::ZERO);
        assert_eq!(o.fault_rate, 0.0);
        assert_eq!(o.drain, Duration::from_secs(2));
        assert_eq!(o.steady, Duration::from_secs(1));
        assert_eq!(o.bake_per_minute, Duration::ZERO);
        assert!(o.fire_alarms.is_empty() && o.fail_hooks.is_empty());
    }

    #[test]
    fn deployment_flags_are_read_and_repeat() {
        let o = parse(&[
            "--bake-seconds-per-minute",
            "0.5",
            "--fire-alarm",
            "a",
            "--fire-alarm",
            "b",
            "--fail-hook",
            "arn:aws:lambda:us-east-1:123456789012:function:h",
        ])
        .unwrap();
        assert_eq!(o.bake_per_minute, Duration::from_millis(500));
        assert_eq!(o.fire_alarms, ["a", "b"]);
        assert_eq!(o.fail_hooks.len(), 1);
    }

    #[test]
    fn every_flag_is_read() {
        let o = parse(&[
            "--latency-ms",
            "25",
            "--throttle",
            "--fault-rate",
            "0.5",
            "--drain-seconds",
            "0.5",
            "--steady-seconds",
            "3",
            "--fail-deployments",
            "--strict-shapes",
            "--no-fidelity",
            "--forget-deleted-clusters",
            "--fail-image",
            "broken",
        ])
        .unwrap();
        assert!(o.forget_deleted_clusters);
        assert_eq!(o.fail_image.as_deref(), Some("broken"));
        assert_eq!(o.latency, Duration::from_millis(25));
        assert!(o.throttle && o.fail_deployments && o.strict_shapes && o.no_fidelity);
        assert_eq!(o.fault_rate, 0.5);
        assert_eq!(o.drain, Duration::from_millis(500));
        assert_eq!(o.steady, Duration::from_secs(3));
    }

    #[test]
    fn task_flags_are_read() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.task_run, Duration::from_secs(2));
        assert!(o.run_task_failure.is_none() && !o.tasks_fail_to_start);
        let o = parse(&[
            "--task-seconds",
            "0.5",
            "--run-task-failure",
            "RESOURCE:MEMORY",
            "--tasks-fail-to-start",
        ])
        .unwrap();
        assert_eq!(o.task_run, Duration::from_millis(500));
        assert_eq!(o.run_task_failure.as_deref(), Some("RESOURCE:MEMORY"));
        assert!(o.tasks_fail_to_start);
    }

    #[test]
    fn throttle_burst_caps_the_buckets_and_turns_throttling_on() {
        let o = parse(&["--throttle-burst", "2"]).unwrap();
        assert!(o.throttle);
        assert_eq!(o.throttle_burst, Some(2.0));
    }

    #[test]
    fn bad_values_and_unknown_flags_are_refused() {
        assert!(
            parse(&["--fault-rate", "2"])
                .unwrap_err()
                .contains("fraction")
        );
        assert!(parse(&["--latency-ms"]).unwrap_err().contains("needs"));
        assert!(
            parse(&["--throttle-burst", "0"])
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(parse(&["--bogus"]).unwrap_err().contains("unknown flag"));
    }
}
