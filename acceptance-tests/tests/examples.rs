//! Every example under `examples/` is `terraform fmt`-clean, applies, re-plans empty and
//! destroys cleanly against the local endpoint (or real AWS with `ECS_ACC_REAL=1`).

use acceptance_tests::env::Cli;
use acceptance_tests::{Action, Step, Terraform, TestCase, env, skip_without_acc};

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
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
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

/// The functions example: one file per function, applied together; the outputs are what each
/// file's comments say.
#[tokio::test]
async fn example_functions() {
    let dir = env::workspace_root().join("examples").join("functions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    let config: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let output = |name: &'static str, expected: serde_json::Value| {
        acceptance_tests::StateCheck::custom(&format!("output {name}"), move |ctx| {
            let expected = expected.clone();
            async move {
                let got = &ctx.state()["values"]["outputs"][name]["value"];
                if *got == expected {
                    Ok(())
                } else {
                    Err(format!("output {name} is {got}, not {expected}").into())
                }
            }
        })
    };
    TestCase::new("example_functions")
        .step(
            Step::new(config.join("\n"))
                .check(output("service_cluster", "web".into()))
                .check(output("task_definition_revision", 7.into()))
                .check(output("parameter_name", "/app/db/password".into()))
                .check(output("same_containers", true.into()))
                .check(output(
                    "memory_for_1_vcpu",
                    serde_json::json!([2048, 3072, 4096, 5120, 6144, 7168, 8192]),
                )),
        )
        .run()
        .await;
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
async fn example_ephemeral_ecs_secret() {
    apply_example("ephemeral-ecs_secret").await;
}

#[tokio::test]
async fn example_ecs_cluster_capacity_providers() {
    apply_example("ecs_cluster_capacity_providers").await;
}

#[tokio::test]
async fn example_ecs_capacity_provider() {
    apply_example("ecs_capacity_provider").await;
}

#[tokio::test]
async fn example_data_ecs_capacity_provider() {
    apply_example("data-ecs_capacity_provider").await;
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

/// The realistic example: applies, re-plans empty, takes a new image as one in-place update of
/// the task definition and of the service (no replacement), and destroys cleanly.
#[tokio::test]
async fn example_fargate_web() {
    if skip_without_acc("example_fargate_web") {
        return;
    }
    let subnet = if acceptance_tests::real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
            .await
            .expect("a default subnet")
    };
    let config = example("fargate-web");
    TestCase::new("example_fargate_web")
        .env("TF_VAR_subnet_ids", format!("[\"{subnet}\"]"))
        .step(Step::new(config.clone()).expect("ecs_service.web", Action::Create))
        .step(
            Step::new(config.replace(
                "public.ecr.aws/nginx/nginx:1.27",
                "public.ecr.aws/nginx/nginx:1.28",
            ))
            .expect("ecs_task_definition.web", Action::Update)
            .expect("ecs_service.web", Action::Update)
            .expect("ecs_cluster.web", Action::NoOp)
            .expect("ecs_secret.db_password", Action::NoOp),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// The migration example: the `action_trigger` runs the migration task before the service is
/// created and again before a new image updates it; re-plans empty. OpenTofu has no actions.
#[tokio::test]
async fn example_action_ecs_run_task() {
    let test = "example_action_ecs_run_task";
    if skip_without_acc(test) || env::skip_under(env::Cli::Tofu, test, "OpenTofu has no actions") {
        return;
    }
    let subnet = if acceptance_tests::real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
            .await
            .expect("a default subnet")
    };
    let config = example("action-ecs_run_task");
    TestCase::new(test)
        .env("TF_VAR_subnet_ids", format!("[\"{subnet}\"]"))
        .step(Step::new(config.clone()).expect("ecs_service.api", Action::Create))
        .step(
            Step::new(config.replace("busybox:1.36", "busybox:1.37"))
                .expect("ecs_task_definition.api", Action::Update)
                .expect("ecs_service.api", Action::Update),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// The blue/green example: applies (the apply ends when ECS reports the deployment
/// SUCCESSFUL), re-plans empty, deploys a new image blue/green in place, destroys cleanly. The
/// load balancer pieces are variables; against the local endpoint any ARNs do.
#[tokio::test]
async fn example_blue_green() {
    if skip_without_acc("example_blue_green") || acceptance_tests::real_aws() {
        return;
    }
    let subnet = acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
        .await
        .expect("a default subnet");
    let elb = "arn:aws:elasticloadbalancing:us-east-1:123456789012";
    let config = example("blue-green");
    TestCase::new("example_blue_green")
        .env("TF_VAR_subnet_ids", format!("[\"{subnet}\"]"))
        .env(
            "TF_VAR_blue_target_group_arn",
            format!("{elb}:targetgroup/blue/1"),
        )
        .env(
            "TF_VAR_green_target_group_arn",
            format!("{elb}:targetgroup/green/2"),
        )
        .env(
            "TF_VAR_production_listener_rule_arn",
            format!("{elb}:listener-rule/app/web/1/2/3"),
        )
        .env(
            "TF_VAR_test_listener_rule_arn",
            format!("{elb}:listener-rule/app/web/1/2/4"),
        )
        .env(
            "TF_VAR_deployment_role_arn",
            "arn:aws:iam::123456789012:role/ecs-blue-green",
        )
        .step(Step::new(config.clone()).expect("ecs_service.web", Action::Create))
        .step(
            Step::new(config.replace(
                "public.ecr.aws/nginx/nginx:1.27",
                "public.ecr.aws/nginx/nginx:1.28",
            ))
            .expect("ecs_task_definition.web", Action::Update)
            .expect("ecs_service.web", Action::Update),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

#[tokio::test]
async fn example_ecs_service_and_its_data_sources() {
    if skip_without_acc("example_ecs_service_and_its_data_sources") || acceptance_tests::real_aws()
    {
        return;
    }
    let subnet = acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
        .await
        .expect("a default subnet");
    // The data-source examples read what the service example makes: apply them together.
    let combined = format!(
        "{}\n{}\n{}\n{}",
        example("ecs_service"),
        strip_header(&example("data-ecs_service")),
        strip_header(&example("data-ecs_task_definition")),
        strip_header(&example("data-ecs_container_definition"))
    )
    .replace(
        "data \"ecs_service\" \"api\" {\n  cluster = \"example-service\"",
        "data \"ecs_service\" \"api\" {\n  depends_on = [ecs_service.api]\n  cluster = \"example-service\"",
    )
    .replace(
        "data \"ecs_task_definition\" \"api\" {\n",
        "data \"ecs_task_definition\" \"api\" {\n  depends_on = [ecs_task_definition.api]\n",
    )
    .replace(
        "data \"ecs_container_definition\" \"api\" {\n",
        "data \"ecs_container_definition\" \"api\" {\n  depends_on = [ecs_task_definition.api]\n",
    );
    TestCase::new("example_ecs_service")
        .env("TF_VAR_subnet_ids", format!("[\"{subnet}\"]"))
        .step(Step::new(combined))
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// An example without its `terraform {}` and `provider {}` blocks, to append to another.
fn strip_header(text: &str) -> String {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut skipping = false;
    for line in text.lines() {
        if depth == 0 && (line.starts_with("terraform {") || line.starts_with("provider \"ecs\" {"))
        {
            skipping = true;
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        if !skipping {
            out.push(line);
        }
        if skipping && depth == 0 {
            skipping = false;
        }
    }
    out.join("\n")
}

/// The examples' subnets: the endpoint's default subnet, or `ECS_ACC_SUBNET` on real AWS.
async fn example_subnets() -> String {
    let subnet = if acceptance_tests::real_aws() {
        std::env::var("ECS_ACC_SUBNET").unwrap_or_default()
    } else {
        acceptance_tests::fixtures::default_subnet(&acceptance_tests::endpoint_url())
            .await
            .expect("a default subnet")
    };
    format!("[\"{subnet}\"]")
}

/// The community cluster module translated to this provider: its local module applies with
/// managed storage keys, Fargate strategies and a managed-instances capacity provider,
/// re-plans empty and destroys, leaving no capacity provider behind.
#[tokio::test]
async fn example_module_cluster() {
    if skip_without_acc("example_module_cluster") {
        return;
    }
    let dir = env::workspace_root()
        .join("examples")
        .join("module-cluster");
    TestCase::new("example_module_cluster")
        .files(&dir)
        .env("TF_VAR_subnet_ids", example_subnets().await)
        .step(
            Step::new(example("module-cluster"))
                .expect("module.ecs_cluster.ecs_cluster.this[0]", Action::Create)
                .expect(
                    "module.ecs_cluster.ecs_capacity_provider.this[\"managed\"]",
                    Action::Create,
                ),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// The community service module translated to this provider: a web service (Service Connect,
/// an EBS volume configured at launch, alarms) and a worker whose revisions a pipeline
/// registers. An image change replaces the web revision and updates its service in place; a
/// revision registered and deployed outside Terraform plans no change and is not reverted.
#[tokio::test]
async fn example_module_service() {
    if skip_without_acc("example_module_service") {
        return;
    }
    let dir = env::workspace_root()
        .join("examples")
        .join("module-service");
    let config = example("module-service");
    TestCase::new("example_module_service")
        .files(&dir)
        .env("TF_VAR_subnet_ids", example_subnets().await)
        .step(
            Step::new(config.clone())
                .expect("module.web.ecs_service.this[0]", Action::Create)
                .expect("module.worker.ecs_service.this[0]", Action::Create),
        )
        .step(
            Step::new(config.replace(
                "public.ecr.aws/nginx/nginx:1.27",
                "public.ecr.aws/nginx/nginx:1.28",
            ))
            .expect("module.web.ecs_task_definition.this[0]", Action::Update)
            .expect("module.web.ecs_service.this[0]", Action::Update)
            .expect("module.worker.ecs_service.this[0]", Action::NoOp),
        )
        .step(
            Step::new(config.replace(
                "public.ecr.aws/nginx/nginx:1.27",
                "public.ecr.aws/nginx/nginx:1.28",
            ))
            .pre_step(|ctx| async move { deploy_outside(&ctx, "worker").await })
            .expect("module.worker.ecs_task_definition.this[0]", Action::NoOp)
            .expect("module.worker.ecs_service.this[0]", Action::NoOp),
        )
        .check_destroy(|ctx| async move { ctx.all_destroyed().await })
        .run()
        .await;
}

/// What a deploy pipeline does: register a new revision of `family` and move the service of
/// the same name to it.
async fn deploy_outside(
    ctx: &acceptance_tests::Ctx,
    family: &str,
) -> Result<(), acceptance_tests::BoxError> {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode};
    let ecs = ctx.ecs().await;
    let registered = ecs
        .register_task_definition()
        .family(family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name(family)
                .image("public.ecr.aws/docker/library/busybox:1.37")
                .essential(true)
                .build(),
        )
        .send()
        .await?;
    let arn = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .ok_or("no task definition ARN")?;
    ecs.update_service()
        .cluster("module-service")
        .service(family)
        .task_definition(arn)
        .send()
        .await?;
    Ok(())
}

/// The query example: its configuration applies, `terraform query` with its `.tfquery.hcl` file
/// lists both services, and everything destroys.
#[tokio::test]
async fn example_query_ecs_service() {
    let test = "example_query_ecs_service";
    if skip_without_acc(test) || env::skip_under(Cli::Tofu, test, "OpenTofu has no list resources")
    {
        return;
    }
    let dir = env::workspace_root().join("examples/query-ecs_service");
    let work = tempfile::tempdir().unwrap();
    let endpoint = (!acceptance_tests::real_aws()).then(acceptance_tests::endpoint_url);
    let tf = Terraform::new(work.path(), endpoint.as_deref()).unwrap();
    tf.write_config(&example("query-ecs_service")).unwrap();
    let query = std::fs::read_to_string(dir.join("main.tfquery.hcl")).unwrap();
    tf.write_file("main.tfquery.hcl", &query).unwrap();
    tf.apply().await.unwrap_or_else(|o| panic!("{o}"));
    let listed = tf.query(&[]).await;
    let destroyed = tf.destroy().await;
    let listed = listed.unwrap_or_else(|o| panic!("{o}"));
    for name in ["orders", "billing"] {
        assert!(listed.stdout.contains(name), "{name} listed:\n{listed}");
    }
    destroyed.unwrap_or_else(|o| panic!("{o}"));
}
