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

variable "subnet_ids" {
  description = "Subnets the tasks run in."
  type        = list(string)
}

resource "ecs_cluster" "example" {
  name = "example-service"
}

resource "ecs_task_definition" "api" {
  family                   = "example-api"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    { name = "api", image = "public.ecr.aws/nginx/nginx:1.27", portMappings = [{ containerPort = 80 }] }
  ])
}

# Two Fargate tasks; the apply waits until they run and fails at once if the deployment
# circuit breaker trips.
resource "ecs_service" "api" {
  name            = "api"
  cluster         = ecs_cluster.example.name
  task_definition = ecs_task_definition.api.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnet_ids
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  timeouts {
    create = "15m"
    update = "15m"
  }
}
