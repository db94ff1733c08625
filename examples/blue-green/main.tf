# A Fargate service that ECS deploys blue/green: each new image runs beside the old one on the
# alternate target group, takes test then production traffic through the listener rules, bakes
# for `bake_minutes`, and rolls back when the alarm goes off. The apply ends when ECS reports
# the deployment SUCCESSFUL. The load balancer, target groups, listener rules and role come
# from outside (variables).
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

variable "subnet_ids" {
  description = "Subnets the tasks run in."
  type        = list(string)
}

variable "blue_target_group_arn" {
  description = "Target group production traffic reaches first."
  type        = string
}

variable "green_target_group_arn" {
  description = "Alternate target group a new revision registers with."
  type        = string
}

variable "production_listener_rule_arn" {
  description = "Listener rule that routes production traffic."
  type        = string
}

variable "test_listener_rule_arn" {
  description = "Listener rule that routes test traffic."
  type        = string
}

variable "deployment_role_arn" {
  description = "IAM role that lets ECS change the listener rules."
  type        = string
}

variable "image" {
  description = "Container image of the web server."
  type        = string
  default     = "public.ecr.aws/nginx/nginx:1.27"
}

variable "bake_minutes" {
  description = "How long old and new revisions run side by side after the traffic shift."
  type        = number
  default     = 5
}

resource "ecs_cluster" "web" {
  name = "blue-green-web"
}

resource "ecs_task_definition" "web" {
  family                   = "blue-green-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name         = "web"
    image        = var.image
    portMappings = [{ containerPort = 80 }]
  }])
}

resource "ecs_service" "web" {
  name            = "web"
  cluster         = ecs_cluster.web.name
  task_definition = ecs_task_definition.web.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnet_ids
  }

  load_balancer {
    target_group_arn = var.blue_target_group_arn
    container_name   = "web"
    container_port   = 80

    advanced_configuration {
      alternate_target_group_arn = var.green_target_group_arn
      production_listener_rule   = var.production_listener_rule_arn
      test_listener_rule         = var.test_listener_rule_arn
      role_arn                   = var.deployment_role_arn
    }
  }

  deployment_configuration {
    strategy             = "BLUE_GREEN"
    bake_time_in_minutes = var.bake_minutes
  }

  alarms {
    alarm_names = ["blue-green-web-5xx"]
    enable      = true
    rollback    = true
  }

  # Ctrl-C during a deployment asks ECS to roll it back.
  sigint_rollback = true

  timeouts {
    update = "30m"
  }
}

output "service_arn" {
  value = ecs_service.web.arn
}
