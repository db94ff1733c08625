terraform {
  required_providers {
    ecs = {
      source = "ecsrs/ecs"
    }
  }
}

provider "ecs" {
  region = "us-east-1"
}

# Something to find: a cluster with two services made by another team's configuration.
resource "ecs_cluster" "shop" {
  name = "example-query"
}

resource "ecs_task_definition" "worker" {
  family = "example-query-worker"
  container_definitions = jsonencode([
    { name = "worker", image = "public.ecr.aws/nginx/nginx:1.27", memory = 128 }
  ])
}

resource "ecs_service" "worker" {
  for_each = toset(["orders", "billing"])

  name                  = each.key
  cluster               = ecs_cluster.shop.name
  task_definition       = ecs_task_definition.worker.arn
  desired_count         = 0
  wait_for_steady_state = false
}
