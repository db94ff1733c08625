# The smallest useful configuration: one ECS cluster.
# Run it against the local AWS endpoint with `make demo`.
terraform {
  required_providers {
    ecs = {
      source = "ecsrs/ecs"
    }
  }
}

provider "ecs" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed_by = "terraform"
    }
  }
}

resource "ecs_cluster" "demo" {
  name               = "quickstart"
  container_insights = "enabled"

  tags = {
    team = "platform"
  }
}

output "cluster_arn" {
  value = ecs_cluster.demo.arn
}
