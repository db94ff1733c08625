//! Response shapes: services come back from the local endpoint with what CreateService and
//! DescribeServices carry on AWS, whether or not it was sent. Each test creates a service with a
//! JSON request and compares the members its row is about with ECS's answer written out,
//! exactly. The evidence is the answers in aws-cli `examples/ecs/create-service.rst` (Example 2:
//! an EC2 service created without settings; Example 5, 2025-01: the members added since) and
//! pasted DescribeServices answers. Run with `TF_ACC=1`.

mod ecs_json;

use acceptance_tests::{local_endpoint, unique_name};
use ecs_json::{ACCOUNT, call, now, pick, same, stamp};
use serde_json::{Value, json};

/// A service created with only a name, a task definition and a count of 0.
struct Created {
    cluster: String,
    family: String,
    /// CreateService's `service`.
    service: Value,
    from: f64,
    to: f64,
}

impl Created {
    fn task_definition_arn(&self) -> String {
        format!(
            "arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{}:1",
            self.family
        )
    }

    async fn describe(&self, url: &str) -> Value {
        let out = call(
            url,
            "DescribeServices",
            &json!({ "cluster": self.cluster, "services": ["web"] }),
        )
        .await;
        same(&out["failures"], &json!([]), "no failures");
        out["services"][0].clone()
    }
}

async fn create_minimal_service(url: &str) -> Created {
    let cluster = unique_name("shape-svc");
    let family = unique_name("shape-svc-td");
    call(url, "CreateCluster", &json!({ "clusterName": cluster })).await;
    call(
        url,
        "RegisterTaskDefinition",
        &json!({ "family": family,
                 "containerDefinitions": [{ "name": "app", "image": "nginx", "memory": 128 }] }),
    )
    .await;
    // As Example 2: `aws ecs create-service --cluster MyCluster --service-name …
    // --task-definition sleep360:2 --desired-count 1` (a family:revision, no launch type).
    let from = now();
    let out = call(
        url,
        "CreateService",
        &json!({ "cluster": cluster, "serviceName": "web",
                 "taskDefinition": format!("{family}:1"), "desiredCount": 0 }),
    )
    .await;
    let to = now();
    Created {
        cluster,
        family,
        service: out["service"].clone(),
        from,
        to,
    }
}

#[tokio::test]
async fn unsent_service_settings_read_back_with_ecs_defaults() {
    let Some(endpoint) = local_endpoint("unsent_service_settings_read_back_with_ecs_defaults")
    else {
        return;
    };
    let created = create_minimal_service(endpoint.url()).await;
    // The settings CreateService was not sent, as Example 5 (2025-01) returns them: a disabled
    // circuit breaker next to 200/100, the ECS controller, execute-command off; and as Example 2
    // returns them: EC2 without a launch type, empty load balancer/registry/placement lists,
    // REPLICA, no managed tags, propagateTags NONE.
    let members = [
        "deploymentConfiguration",
        "deploymentController",
        "enableECSManagedTags",
        "enableExecuteCommand",
        "launchType",
        "loadBalancers",
        "placementConstraints",
        "placementStrategy",
        "propagateTags",
        "schedulingStrategy",
        "serviceRegistries",
    ];
    let expected = json!({
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": { "enable": false, "rollback": false },
            "maximumPercent": 200,
            "minimumHealthyPercent": 100
        },
        "deploymentController": { "type": "ECS" },
        "enableECSManagedTags": false,
        "enableExecuteCommand": false,
        "launchType": "EC2",
        "loadBalancers": [],
        "placementConstraints": [],
        "placementStrategy": [],
        "propagateTags": "NONE",
        "schedulingStrategy": "REPLICA",
        "serviceRegistries": []
    });
    same(
        &pick(&created.service, &members),
        &expected,
        "CreateService",
    );
    same(
        &pick(&created.describe(endpoint.url()).await, &members),
        &expected,
        "DescribeServices",
    );
}

#[tokio::test]
async fn services_carry_creation_metadata() {
    let Some(endpoint) = local_endpoint("services_carry_creation_metadata") else {
        return;
    };
    let created = create_minimal_service(endpoint.url()).await;
    // Identity and creation members (Example 5: `createdAt` in epoch seconds, `createdBy` the
    // caller's ARN; every example: the task definition as an ARN although `family:revision` was
    // sent, long-format service ARNs naming the cluster). moto leaves createdAt null.
    let described = created.describe(endpoint.url()).await;
    let (cluster, family) = (&created.cluster, &created.family);
    let expected = json!({
        "serviceArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:service/{cluster}/web"),
        "serviceName": "web",
        "clusterArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{cluster}"),
        "status": "ACTIVE",
        "taskDefinition": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:1"),
        "createdAt": stamp(&described, "createdAt", created.from, created.to),
        "createdBy": format!("arn:aws:iam::{ACCOUNT}:root"),
    });
    let members: Vec<&str> = expected
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    same(&pick(&described, &members), &expected, "DescribeServices");
    same(
        &pick(&created.service, &members),
        &expected,
        "CreateService",
    );
}

#[tokio::test]
async fn deployments_carry_rollout_state_and_launch() {
    let Some(endpoint) = local_endpoint("deployments_carry_rollout_state_and_launch") else {
        return;
    };
    let url = endpoint.url();
    let created = create_minimal_service(url).await;
    // The first deployment as CreateService returns it (Example 5): an `ecs-svc/` id, PRIMARY,
    // the task definition's ARN, counts, `failedTasks: 0`, one timestamp for created and
    // updated, the launch type, and IN_PROGRESS with "ECS deployment <id> in progress.".
    let deployments = created.service["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1, "{deployments:#?}");
    let id = deployments[0]["id"].as_str().unwrap().to_string();
    let digits = id.strip_prefix("ecs-svc/").unwrap_or("");
    assert!(
        (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
        "deployment id {id}: ecs-svc/ and up to 19 digits"
    );
    let created_at = stamp(&deployments[0], "createdAt", created.from, created.to);
    let mut expected = json!({
        "id": id,
        "status": "PRIMARY",
        "taskDefinition": created.task_definition_arn(),
        "desiredCount": 0,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": created_at,
        "updatedAt": created_at,
        "launchType": "EC2",
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": format!("ECS deployment {id} in progress.")
    });
    same(
        &created.service["deployments"],
        &json!([expected.clone()]),
        "CreateService",
    );

    // Once the service is steady (`--steady-seconds`, 1 s on the shared endpoint), the same
    // deployment is COMPLETED with "ECS deployment <id> completed." and a later updatedAt (a
    // pasted DescribeServices answer of 2026: `"rolloutState": "COMPLETED", "rolloutStateReason":
    // "ECS deployment ecs-svc/6239594548179359778 completed."`).
    let deadline = now() + 30.0;
    let service = loop {
        let service = created.describe(url).await;
        let state = service["deployments"][0]["rolloutState"].clone();
        if state != json!("IN_PROGRESS") || now() > deadline {
            break service;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    let deployment = &service["deployments"][0];
    expected["updatedAt"] = json!(stamp(deployment, "updatedAt", created_at, now()));
    expected["rolloutState"] = json!("COMPLETED");
    expected["rolloutStateReason"] = json!(format!("ECS deployment {id} completed."));
    same(
        &service["deployments"],
        &json!([expected]),
        "DescribeServices once steady",
    );
}
