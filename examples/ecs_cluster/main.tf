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

# A cluster with Container Insights, execute-command logging to CloudWatch and tags.
resource "ecs_cluster" "example" {
  name               = "example"
  container_insights = "enabled"

  execute_command_configuration {
    logging = "OVERRIDE"

    log_configuration {
      cloud_watch_log_group_name     = "/ecs/exec/example"
      cloud_watch_encryption_enabled = true
    }
  }

  tags = {
    environment = "dev"
  }

  timeouts {
    delete = "15m"
  }
}

output "cluster_arn" {
  value = ecs_cluster.example.arn
}
