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

# One container of the latest ACTIVE revision of a family (or of `family:revision`, or an
# ARN): e.g. the image a CI pipeline deployed last.
data "ecs_container_definition" "api" {
  task_definition = "example-api"
  container_name  = "api"
}

output "api_image" {
  value = data.ecs_container_definition.api.image
}
