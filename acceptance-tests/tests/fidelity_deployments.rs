//! Fidelity of service deployments (ListServiceDeployments, DescribeServiceDeployments,
//! StopServiceDeployment): one object per deployment with its status, lifecycle stage and
//! revisions; the BLUE_GREEN stages with a bake time scaled by `--bake-seconds-per-minute`;
//! LINEAR traffic steps; rollbacks when an alarm goes off (`--fire-alarm`) or a lifecycle hook
//! fails (`--fail-hook`); and ECS's refusals of deployment settings. Each test uses the AWS SDK
//! against a dedicated endpoint. Run with `TF_ACC=1`.

use std::time::{Duration, Instant};

use acceptance_tests::{Endpoint, real_aws, skip_without_acc, unique_name};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AdvancedConfiguration, ContainerDefinition, DeploymentAlarms, DeploymentConfiguration,
    DeploymentController, DeploymentControllerType, DeploymentLifecycleHook,
    DeploymentLifecycleHookStage, DeploymentStrategy, LinearConfiguration, LoadBalancer,
    ServiceDeployment, StopServiceDeploymentStopType,
};

const HOOK: &str = "arn:aws:lambda:us-east-1:123456789012:function:check";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-deploy";
const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1";
const TG2: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2";
const RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/l/1/2/3";

fn endpoint(test: &str) -> Option<Endpoint> {
    if skip_without_acc(test) || real_aws() {
        return None;
    }
    Some(
        Endpoint::start(&[
            "--steady-seconds",
            "0.4",
            "--bake-seconds-per-minute",
            "0.5",
            "--fire-alarm",
            "latency-high",
            "--fail-hook",
            HOOK,
        ])
        .unwrap(),
    )
}

async fn register(ecs: &Client, family: &str, image: &str) -> String {
    let out = ecs
        .register_task_definition()
        .family(family)
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image(image)
                .memory(128)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string()
}

fn balancer() -> LoadBalancer {
    LoadBalancer::builder()
        .target_group_arn(TG)
        .container_name("app")
        .container_port(80)
        .advanced_configuration(
            AdvancedConfiguration::builder()
                .alternate_target_group_arn(TG2)
                .production_listener_rule(RULE)
                .role_arn(ROLE)
                .build(),
        )
        .build()
}

/// A cluster, two revisions of a family, and a service on the first with `config`.
async fn service(ecs: &Client, config: DeploymentConfiguration) -> (String, String, String) {
    let cluster = unique_name("fid-dep");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name("fid-dep-td");
    let first = register(ecs, &family, "nginx:1").await;
    let second = register(ecs, &family, "nginx:2").await;
    let lb = config.strategy().is_some_and(|s| s.as_str() != "ROLLING");
    ecs.create_service()
        .cluster(&cluster)
        .service_name("web")
        .task_definition(&first)
        .desired_count(1)
        .set_load_balancers(lb.then(|| vec![balancer()]))
        .deployment_configuration(config)
        .send()
        .await
        .unwrap();
    (cluster, first, second)
}

async fn list(ecs: &Client, cluster: &str) -> Vec<String> {
    let out = ecs
        .list_service_deployments()
        .cluster(cluster)
        .service("web")
        .send()
        .await
        .unwrap();
    out.service_deployments()
        .iter()
        .filter_map(|b| b.service_deployment_arn().map(str::to_string))
        .collect()
}

async fn describe(ecs: &Client, arn: &str) -> ServiceDeployment {
    let out = ecs
        .describe_service_deployments()
        .service_deployment_arns(arn)
        .send()
        .await
        .unwrap();
    out.service_deployments()[0].clone()
}

fn status(d: &ServiceDeployment) -> &str {
    d.status().map_or("", |s| s.as_str())
}

/// Poll `arn` until it reaches a terminal status, returning it and the stages seen on the way.
async fn follow(ecs: &Client, arn: &str) -> (ServiceDeployment, Vec<String>, Vec<f64>) {
    let start = Instant::now();
    let (mut stages, mut weights) = (Vec::<String>::new(), Vec::<f64>::new());
    loop {
        let d = describe(ecs, arn).await;
        if let Some(stage) = d.lifecycle_stage().map(|s| s.as_str().to_string())
            && stages.last() != Some(&stage)
        {
            stages.push(stage);
        }
        if let Some(w) = d
            .target_service_revision()
            .and_then(|t| t.requested_production_traffic_weight())
            && weights.last() != Some(&w)
        {
            weights.push(w);
        }
        let s = status(&d);
        if matches!(
            s,
            "SUCCESSFUL" | "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED"
        ) || start.elapsed() > Duration::from_secs(60)
        {
            return (d, stages, weights);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn update(ecs: &Client, cluster: &str, td: &str) {
    ecs.update_service()
        .cluster(cluster)
        .service("web")
        .task_definition(td)
        .send()
        .await
        .unwrap();
}

async fn running_definition(ecs: &Client, cluster: &str) -> String {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    out.services()[0]
        .task_definition()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn each_deployment_is_a_service_deployment_that_ends_successful() {
    let Some(endpoint) = endpoint("each_deployment_is_a_service_deployment_that_ends_successful")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let rolling = DeploymentConfiguration::builder().build();
    let (cluster, _, second) = service(&ecs, rolling).await;
    let created = list(&ecs, &cluster).await;
    assert_eq!(created.len(), 1);
    assert!(created[0].contains(&format!(":service-deployment/{cluster}/web/")));
    let (first, _, _) = follow(&ecs, &created[0]).await;
    assert_eq!(status(&first), "SUCCESSFUL");
    assert!(
        first.source_service_revisions().is_empty(),
        "a first deployment replaces nothing"
    );
    // The revision ARN ends with the number of the deployment id DescribeServices reports.
    let out = ecs
        .describe_services()
        .cluster(&cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    let id = out.services()[0].deployments()[0].id().unwrap().to_string();
    let target = first
        .target_service_revision()
        .unwrap()
        .arn()
        .unwrap()
        .to_string();
    assert!(
        target.ends_with(id.rsplit('/').next().unwrap()),
        "{target} vs {id}"
    );

    update(&ecs, &cluster, &second).await;
    let listed = list(&ecs, &cluster).await;
    assert_eq!(listed.len(), 2, "newest first: {listed:?}");
    let (next, _, _) = follow(&ecs, &listed[0]).await;
    assert_eq!(status(&next), "SUCCESSFUL");
    assert_eq!(
        next.source_service_revisions()[0].arn(),
        Some(target.as_str()),
        "the new deployment replaces the first revision"
    );
    let missing = ecs
        .describe_service_deployments()
        .service_deployment_arns(format!("{}x", listed[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.failures()[0].reason(), Some("MISSING"));
}

#[tokio::test]
async fn blue_green_runs_its_stages_and_bakes_before_success() {
    let Some(endpoint) = endpoint("blue_green_runs_its_stages_and_bakes_before_success") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let config = DeploymentConfiguration::builder()
        .strategy(DeploymentStrategy::BlueGreen)
        .bake_time_in_minutes(2)
        .build();
    let (cluster, _, _) = service(&ecs, config).await;
    let arn = list(&ecs, &cluster).await.remove(0);
    let started = Instant::now();
    let (done, stages, _) = follow(&ecs, &arn).await;
    assert_eq!(status(&done), "SUCCESSFUL");
    for stage in [
        "SCALE_UP",
        "TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT",
        "BAKE_TIME",
        "CLEAN_UP",
    ] {
        assert!(
            stages.iter().any(|s| s == stage),
            "{stage} not seen in {stages:?}"
        );
    }
    // Two minutes of bake at 0.5 s a minute.
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn linear_deployments_shift_production_traffic_in_steps() {
    let Some(endpoint) = endpoint("linear_deployments_shift_production_traffic_in_steps") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let config = DeploymentConfiguration::builder()
        .strategy(DeploymentStrategy::Linear)
        .linear_configuration(
            LinearConfiguration::builder()
                .step_percent(50.0)
                .step_bake_time_in_minutes(1)
                .build(),
        )
        .build();
    let (cluster, _, _) = service(&ecs, config).await;
    let arn = list(&ecs, &cluster).await.remove(0);
    let (done, _, weights) = follow(&ecs, &arn).await;
    assert_eq!(status(&done), "SUCCESSFUL");
    assert!(
        weights.contains(&50.0) && weights.contains(&100.0),
        "{weights:?}"
    );
}

#[tokio::test]
async fn a_firing_alarm_rolls_the_deployment_back_and_names_the_alarm() {
    let Some(endpoint) = endpoint("a_firing_alarm_rolls_the_deployment_back_and_names_the_alarm")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let config = DeploymentConfiguration::builder()
        .strategy(DeploymentStrategy::BlueGreen)
        .bake_time_in_minutes(1)
        .alarms(
            DeploymentAlarms::builder()
                .alarm_names("latency-high")
                .enable(true)
                .rollback(true)
                .build()
                .unwrap(),
        )
        .build();
    let (cluster, first, second) = service(&ecs, config).await;
    let created = list(&ecs, &cluster).await.remove(0);
    assert_eq!(
        status(&follow(&ecs, &created).await.0),
        "SUCCESSFUL",
        "the first deployment replaces nothing to compare with"
    );
    update(&ecs, &cluster, &second).await;
    let arn = list(&ecs, &cluster).await.remove(0);
    let (done, _, _) = follow(&ecs, &arn).await;
    assert_eq!(status(&done), "ROLLBACK_SUCCESSFUL");
    let alarms = done.alarms().unwrap();
    assert_eq!(alarms.triggered_alarm_names(), ["latency-high"]);
    assert_eq!(alarms.status().map(|s| s.as_str()), Some("TRIGGERED"));
    assert!(done.status_reason().unwrap().contains("latency-high"));
    assert_eq!(
        done.lifecycle_stage().map(|s| s.as_str()),
        Some("BAKE_TIME")
    );
    assert!(done.rollback().is_some());
    assert_eq!(
        running_definition(&ecs, &cluster).await,
        first,
        "rolled back"
    );
    assert_eq!(
        list(&ecs, &cluster).await.len(),
        2,
        "a rollback is no deployment of its own"
    );
}

#[tokio::test]
async fn a_failing_lifecycle_hook_rolls_back_and_stop_rolls_back_on_request() {
    let Some(endpoint) =
        endpoint("a_failing_lifecycle_hook_rolls_back_and_stop_rolls_back_on_request")
    else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let hook = DeploymentLifecycleHook::builder()
        .hook_target_arn(HOOK)
        .role_arn(ROLE)
        .lifecycle_stages(DeploymentLifecycleHookStage::PostTestTrafficShift)
        .build();
    let config = DeploymentConfiguration::builder()
        .strategy(DeploymentStrategy::BlueGreen)
        .bake_time_in_minutes(1)
        .lifecycle_hooks(hook)
        .build();
    let (cluster, first, second) = service(&ecs, config).await;
    let created = list(&ecs, &cluster).await.remove(0);
    assert_eq!(status(&follow(&ecs, &created).await.0), "SUCCESSFUL");
    update(&ecs, &cluster, &second).await;
    let arn = list(&ecs, &cluster).await.remove(0);
    let (done, _, _) = follow(&ecs, &arn).await;
    assert_eq!(status(&done), "ROLLBACK_SUCCESSFUL");
    assert!(
        done.status_reason().unwrap().contains(HOOK),
        "{:?}",
        done.status_reason()
    );
    assert_eq!(
        done.lifecycle_stage().map(|s| s.as_str()),
        Some("POST_TEST_TRAFFIC_SHIFT")
    );
    assert_eq!(
        running_definition(&ecs, &cluster).await,
        first,
        "rolled back"
    );

    // Without the hook and with a 30-"minute" bake (15 s), StopServiceDeployment rolls back.
    let baking = DeploymentConfiguration::builder()
        .strategy(DeploymentStrategy::BlueGreen)
        .bake_time_in_minutes(30)
        .build();
    ecs.update_service()
        .cluster(&cluster)
        .service("web")
        .task_definition(&second)
        .deployment_configuration(baking)
        .send()
        .await
        .unwrap();
    let arn = list(&ecs, &cluster).await.remove(0);
    tokio::time::sleep(Duration::from_millis(200)).await;
    ecs.stop_service_deployment()
        .service_deployment_arn(&arn)
        .stop_type(StopServiceDeploymentStopType::Rollback)
        .send()
        .await
        .unwrap();
    let (stopped, _, _) = follow(&ecs, &arn).await;
    assert_eq!(status(&stopped), "ROLLBACK_SUCCESSFUL");
    assert_eq!(running_definition(&ecs, &cluster).await, first);
    let again = ecs
        .stop_service_deployment()
        .service_deployment_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(format!("{again:?}").contains("Conflict"), "{again:?}");
}

#[tokio::test]
async fn deployment_settings_ecs_refuses_are_refused() {
    let Some(endpoint) = endpoint("deployment_settings_ecs_refuses_are_refused") else {
        return;
    };
    let ecs = endpoint.ecs_client().await;
    let cluster = unique_name("fid-dep-no");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let family = unique_name("fid-dep-no-td");
    let td = register(&ecs, &family, "nginx:1").await;
    let refused = |config: DeploymentConfiguration, lb: bool| {
        let ecs = ecs.clone();
        let (cluster, td) = (cluster.clone(), td.clone());
        async move {
            let err = ecs
                .create_service()
                .cluster(&cluster)
                .service_name("web")
                .task_definition(&td)
                .set_load_balancers(lb.then(|| vec![balancer()]))
                .deployment_configuration(config)
                .send()
                .await
                .unwrap_err()
                .into_service_error();
            assert!(err.is_invalid_parameter_exception(), "{err:?}");
            format!("{err:?}")
        }
    };
    let bg = || DeploymentConfiguration::builder().strategy(DeploymentStrategy::BlueGreen);
    assert!(
        refused(bg().build(), false)
            .await
            .contains("advancedConfiguration")
    );
    let linear = LinearConfiguration::builder().step_percent(10.0).build();
    assert!(
        refused(bg().linear_configuration(linear).build(), true)
            .await
            .contains("LINEAR")
    );
    let small = LinearConfiguration::builder().step_percent(2.0).build();
    let out = refused(
        DeploymentConfiguration::builder()
            .strategy(DeploymentStrategy::Linear)
            .linear_configuration(small)
            .build(),
        true,
    )
    .await;
    assert!(out.contains("stepPercent must be between 3"), "{out}");
    assert!(
        refused(bg().bake_time_in_minutes(1441).build(), true)
            .await
            .contains("bakeTimeInMinutes")
    );

    // A CODE_DEPLOY service cannot take a new task definition from UpdateService, and no service
    // moves to CODE_DEPLOY.
    ecs.create_service()
        .cluster(&cluster)
        .service_name("cd")
        .task_definition(&td)
        .deployment_controller(
            DeploymentController::builder()
                .r#type(DeploymentControllerType::CodeDeploy)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("cd")
        .task_definition(&td)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        format!("{err:?}").contains(
            "Unable to update task definition on services with a CODE_DEPLOY deployment controller"
        ),
        "{err:?}"
    );
    ecs.create_service()
        .cluster(&cluster)
        .service_name("roll")
        .task_definition(&td)
        .send()
        .await
        .unwrap();
    let err = ecs
        .update_service()
        .cluster(&cluster)
        .service("roll")
        .deployment_controller(
            DeploymentController::builder()
                .r#type(DeploymentControllerType::CodeDeploy)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        format!("{err:?}").contains("from ECS to CODE_DEPLOY is not supported"),
        "{err:?}"
    );
    // CODE_DEPLOY to ECS is a supported move: the service then runs ECS deployments.
    ecs.update_service()
        .cluster(&cluster)
        .service("cd")
        .deployment_controller(
            DeploymentController::builder()
                .r#type(DeploymentControllerType::Ecs)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let out = ecs
        .list_service_deployments()
        .cluster(&cluster)
        .service("cd")
        .send()
        .await
        .unwrap();
    assert_eq!(out.service_deployments().len(), 1);
}
