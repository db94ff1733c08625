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

resource "ecs_cluster" "example" {
  name = "example-capacity"
}

# Run one task on regular Fargate, then four Spot tasks for every regular one.
resource "ecs_cluster_capacity_providers" "example" {
  cluster_name       = ecs_cluster.example.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 4
  }
}
