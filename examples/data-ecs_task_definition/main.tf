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

# The latest ACTIVE revision of a family (or `family:revision`, or an ARN).
data "ecs_task_definition" "api" {
  task_definition = "example-api"
}

output "api_revision" {
  value = data.ecs_task_definition.api.revision
}
