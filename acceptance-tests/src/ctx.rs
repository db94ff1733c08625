//! What hooks and custom checks receive, and how async hooks are stored and run.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde_json::Value;

use crate::{clients, state};

/// Error type of hooks and custom checks: `?` works on SDK errors, `Err("text".into())` on
/// strings.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Result of a hook or custom check.
pub type CheckResult = Result<(), BoxError>;

/// A boxed future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An async callback taking the test context: build one with [`hook`].
pub type Hook = Box<dyn Fn(Ctx) -> BoxFuture<'static, CheckResult> + Send + Sync>;

/// Wrap an async closure as a [`Hook`]:
/// `hook(|ctx| async move { ctx.ecs().await.describe_clusters().send().await?; Ok(()) })`.
pub fn hook<F, Fut>(f: F) -> Hook
where
    F: Fn(Ctx) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CheckResult> + Send + 'static,
{
    Box::new(move |ctx| Box::pin(f(ctx)))
}

/// The test case as seen by a hook: its name, step, working directory, the Terraform state
/// (`terraform show -json`) and the AWS endpoint. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Ctx {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    test: String,
    step: usize,
    workdir: PathBuf,
    state: Value,
    endpoint_url: Option<String>,
}

impl Ctx {
    /// A context; the step runner makes these.
    pub fn new(
        test: &str,
        step: usize,
        workdir: &Path,
        state: Value,
        endpoint_url: Option<&str>,
    ) -> Ctx {
        Ctx {
            inner: Arc::new(Inner {
                test: test.to_string(),
                step,
                workdir: workdir.to_path_buf(),
                state,
                endpoint_url: endpoint_url.map(str::to_string),
            }),
        }
    }

    /// The test case name.
    pub fn test(&self) -> &str {
        &self.inner.test
    }

    /// The 1-based step number (0 for the destroy check).
    pub fn step(&self) -> usize {
        self.inner.step
    }

    /// The working directory.
    pub fn workdir(&self) -> &Path {
        &self.inner.workdir
    }

    /// The state as `terraform show -json` prints it: after the step's apply for checks,
    /// before the step for `pre_step`, before the destroy for `check_destroy`.
    pub fn state(&self) -> &Value {
        &self.inner.state
    }

    /// The local endpoint URL (`None` against real AWS).
    pub fn endpoint_url(&self) -> Option<&str> {
        self.inner.endpoint_url.as_deref()
    }

    /// Attribute `path` of resource `address` in [`Ctx::state`] (`null` when unset).
    pub fn attr(&self, address: &str, path: &str) -> Result<&Value, BoxError> {
        Ok(state::attr(self.state(), address, path)?)
    }

    /// Attribute `path` of resource `address` as a string.
    pub fn attr_string(&self, address: &str, path: &str) -> Result<String, BoxError> {
        Ok(state::attr_string(self.state(), address, path)?)
    }

    /// An ECS client for the endpoint the test uses.
    pub async fn ecs(&self) -> aws_sdk_ecs::Client {
        clients::ecs_client_for(self.endpoint_url()).await
    }

    /// An SSM client for the endpoint the test uses.
    pub async fn ssm(&self) -> aws_sdk_ssm::Client {
        clients::ssm_client_for(self.endpoint_url()).await
    }

    /// `Ok` when the SSM parameter `name` does not exist; any other SDK error fails the check.
    pub async fn parameter_gone(&self, name: &str) -> CheckResult {
        match self.ssm().await.get_parameter().name(name).send().await {
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_parameter_not_found()) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
            Ok(_) => Err(format!("parameter {name} still exists").into()),
        }
    }

    /// `Ok` when cluster `name` is INACTIVE (deleted); for `check_destroy`. An SDK error fails
    /// the check, and so does an empty answer: ECS keeps a deleted cluster INACTIVE for a while
    /// (real AWS may already have forgotten it, which counts as gone there).
    pub async fn cluster_gone(&self, name: &str) -> CheckResult {
        let out = self
            .ecs()
            .await
            .describe_clusters()
            .clusters(name)
            .send()
            .await?;
        match out.clusters().first().and_then(|c| c.status()) {
            Some("INACTIVE") => Ok(()),
            None if crate::env::real_aws() => Ok(()),
            None => Err(format!(
                "DescribeClusters knows no cluster {name}: a deleted cluster reads INACTIVE ({:?})",
                out.failures()
            )
            .into()),
            Some(status) => Err(format!("cluster {name} is still {status}").into()),
        }
    }

    /// `Ok` when service `name` of `cluster` is INACTIVE, or its cluster is gone with it. An SDK
    /// error or a service ECS does not know (never created) fails the check.
    pub async fn service_gone(&self, cluster: &str, name: &str) -> CheckResult {
        let out = self
            .ecs()
            .await
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_cluster_not_found_exception()) =>
            {
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        match out.services().first().and_then(|s| s.status()) {
            Some("INACTIVE") => Ok(()),
            None if crate::env::real_aws() => Ok(()),
            None => Err(format!(
                "DescribeServices knows no service {name}: a deleted service reads INACTIVE ({:?})",
                out.failures()
            )
            .into()),
            Some(status) => Err(format!("service {name} is still {status}").into()),
        }
    }

    /// Every object the state held before the destroy is gone from AWS: clusters and services
    /// INACTIVE, parameters not found, task-definition revisions no longer ACTIVE (unless
    /// `skip_destroy` keeps them).
    pub async fn all_destroyed(&self) -> CheckResult {
        let mut problems = Vec::new();
        for r in state::resources(self.state()) {
            let (Some(kind), Some(values)) =
                (r.get("type").and_then(Value::as_str), r.get("values"))
            else {
                continue;
            };
            if r.get("mode").and_then(Value::as_str) == Some("data") {
                continue;
            }
            let text = |k: &str| values.get(k).and_then(Value::as_str).unwrap_or_default();
            let result = match kind {
                "ecs_cluster" => self.cluster_gone(text("name")).await,
                "ecs_service" => self.service_gone(text("cluster"), text("name")).await,
                "ecs_secret" => self.parameter_gone(text("name")).await,
                "ecs_task_definition" if values.get("skip_destroy") != Some(&Value::Bool(true)) => {
                    self.revision_gone(text("arn")).await
                }
                _ => Ok(()),
            };
            if let Err(e) = result {
                problems.push(format!(
                    "{}: {e}",
                    r.get("address").and_then(Value::as_str).unwrap_or(kind)
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; ").into())
        }
    }

    /// `Ok` when the task-definition revision `arn` is deregistered or deleted.
    pub async fn revision_gone(&self, arn: &str) -> CheckResult {
        let out = self
            .ecs()
            .await
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await;
        match out {
            Ok(out) => match out.task_definition().and_then(|t| t.status()) {
                Some(s) if s.as_str() == "ACTIVE" => {
                    Err(format!("task definition {arn} is still ACTIVE").into())
                }
                _ => Ok(()),
            },
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_client_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Polls a future, turning a panic inside it into `Err(message)`.
struct CatchUnwind<F: ?Sized> {
    inner: Pin<Box<F>>,
}

impl<F: Future + ?Sized> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// Run a hook; a panic in it becomes an error, so the test still destroys what it created.
pub(crate) async fn run_hook(hook: &Hook, ctx: Ctx) -> Result<(), String> {
    let future = match std::panic::catch_unwind(AssertUnwindSafe(|| hook(ctx))) {
        Ok(f) => f,
        Err(payload) => return Err(format!("panicked: {}", panic_message(payload.as_ref()))),
    };
    match (CatchUnwind { inner: future }).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("panicked: {panic}")),
    }
}
