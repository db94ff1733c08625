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

variable "db_password" {
  type      = string
  sensitive = true
  default   = "change-me-in-tfvars"
}

# A password that containers read through `secrets`; the value never enters state or plan.
resource "ecs_secret" "db_password" {
  name             = "/example/db-password"
  description      = "Database password for the web service"
  value_wo         = var.db_password
  value_wo_version = 1

  tags = {
    environment = "dev"
  }
}

# A plain configuration value, kept in state (marked sensitive).
resource "ecs_secret" "feature_flags" {
  name  = "/example/feature-flags"
  type  = "StringList"
  value = "search,checkout"
}

output "db_password_arn" {
  description = "Use as `valueFrom` in a container's `secrets`."
  value       = ecs_secret.db_password.arn
}
