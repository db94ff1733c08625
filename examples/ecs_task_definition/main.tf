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

# A Fargate task definition. Write the containers as you think of them: ECS's defaults
# (essential, cpu 0, protocol tcp, host ports, health-check timings, …) and the order of
# variables never show up as a diff.
resource "ecs_task_definition" "web" {
  family                   = "example-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"

  container_definitions = jsonencode([
    {
      name         = "web"
      image        = "public.ecr.aws/nginx/nginx:1.27"
      portMappings = [{ containerPort = 80 }]
      environment = [
        { name = "LOG_LEVEL", value = "info" },
        { name = "APP_ENV", value = "dev" },
      ]
      healthCheck = {
        command = ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
      }
    }
  ])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  tags = {
    app = "web"
  }
}

output "task_definition_arn" {
  value = ecs_task_definition.web.arn
}
