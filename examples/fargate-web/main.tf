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
      app = "fargate-web"
    }
  }
}

variable "subnet_ids" {
  description = "Subnets the web tasks run in."
  type        = list(string)
}

variable "image" {
  description = "Container image of the web server."
  type        = string
  default     = "public.ecr.aws/nginx/nginx:1.27"
}

variable "db_password" {
  description = "Database password, sent to Parameter Store as a write-only value."
  type        = string
  sensitive   = true
  default     = "change-me"
}

resource "ecs_cluster" "web" {
  name               = "fargate-web"
  container_insights = "enabled"
}

resource "ecs_cluster_capacity_providers" "web" {
  cluster_name       = ecs_cluster.web.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
}

# The password never enters Terraform's state or plan.
resource "ecs_secret" "db_password" {
  name             = "/fargate-web/db-password"
  value_wo         = var.db_password
  value_wo_version = 1
}

resource "ecs_task_definition" "web" {
  family                   = "fargate-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = jsonencode([
    {
      name         = "web"
      image        = var.image
      portMappings = [{ containerPort = 80 }]
      environment = [
        { name = "DB_HOST", value = "db.internal" },
      ]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = ecs_secret.db_password.arn },
      ]
      healthCheck = {
        command = ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
      }
    }
  ])
}

resource "ecs_service" "web" {
  name            = "web"
  cluster         = ecs_cluster.web.arn
  task_definition = ecs_task_definition.web.arn
  desired_count   = 2

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 3
  }

  network_configuration {
    subnets = var.subnet_ids
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [ecs_cluster_capacity_providers.web]
}

output "service_arn" {
  value = ecs_service.web.arn
}
