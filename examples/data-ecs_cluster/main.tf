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

resource "ecs_cluster" "shared" {
  name = "example-shared"
}

# Look a cluster up by name (or ARN), e.g. one made by another team's configuration.
data "ecs_cluster" "shared" {
  name = ecs_cluster.shared.name
}

output "shared_cluster" {
  value = {
    arn              = data.ecs_cluster.shared.arn
    running_tasks    = data.ecs_cluster.shared.running_tasks_count
    capacity_options = data.ecs_cluster.shared.capacity_providers
  }
}
