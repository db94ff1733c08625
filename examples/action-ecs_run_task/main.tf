terraform {
  required_version = ">= 1.14"
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
  description = "Subnets the migration and the API run in."
  type        = list(string)
}

variable "image" {
  description = "Image of the API; the same image carries the migrations."
  type        = string
  default     = "public.ecr.aws/docker/library/busybox:1.36"
}

resource "ecs_cluster" "app" {
  name = "migrate-example"
}

resource "ecs_task_definition" "api" {
  family                   = "migrate-example-api"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name    = "api"
    image   = var.image
    command = ["sh", "-c", "httpd -f -p 8080"]
  }])
}

# The database migration: the API's image with another command, run once as a task. It
# succeeds only when the container exits 0.
action "ecs_run_task" "migrate" {
  config {
    cluster         = ecs_cluster.app.name
    task_definition = ecs_task_definition.api.arn
    launch_type     = "FARGATE"
    started_by      = "terraform-migrate"
    timeout         = 900

    network_configuration {
      subnets = var.subnet_ids
    }

    overrides {
      container_overrides {
        name    = "api"
        command = ["sh", "-c", "echo migrating && exit 0"]

        environment {
          key   = "MIGRATE_TARGET"
          value = "latest"
        }
      }
    }
  }
}

# Every create or update of the service (a new image, for instance) runs the migration first;
# a failed migration stops the apply before the service changes.
resource "ecs_service" "api" {
  name            = "api"
  cluster         = ecs_cluster.app.name
  task_definition = ecs_task_definition.api.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnet_ids
  }

  lifecycle {
    action_trigger {
      events  = [before_create, before_update]
      actions = [action.ecs_run_task.migrate]
    }
  }
}

# Roll the service's tasks without changing anything: terraform apply -invoke=action.ecs_service_redeploy.api
action "ecs_service_redeploy" "api" {
  config {
    cluster = ecs_cluster.app.name
    service = ecs_service.api.name
  }
}
