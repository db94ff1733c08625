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

# Read a service another configuration manages, e.g. to follow its task definition.
data "ecs_service" "api" {
  cluster = "example-service"
  name    = "api"
}

output "api" {
  value = {
    task_definition = data.ecs_service.api.task_definition
    running         = data.ecs_service.api.running_count
  }
}
