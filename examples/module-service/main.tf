# The community ECS service module's ECS part, translated to this provider (./service), called
# twice as its own examples do: a web service with Service Connect, an EBS volume attached at
# launch, a circuit breaker and alarms; and a worker whose task definition a deploy pipeline
# owns (`ignore_task_definition_changes`). IAM roles and subnets come in as variables.

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

variable "task_exec_role_arn" {
  description = "Task execution role (pulls images, reads the secret)."
  type        = string
  default     = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
}

variable "infrastructure_role_arn" {
  description = "Role ECS uses to create the EBS volumes."
  type        = string
  default     = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
}

resource "ecs_cluster" "this" {
  name = "module-service"

  service_connect_defaults {
    namespace = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-modulesvc0000001"
  }
}

resource "ecs_secret" "api_key" {
  name     = "/module-service/api-key"
  value_wo = "not-a-real-key"

  value_wo_version = 1
}

module "web" {
  source = "./service"

  name        = "web"
  cluster_arn = ecs_cluster.this.arn
  subnet_ids  = var.subnet_ids

  cpu                    = 512
  memory                 = 1024
  task_exec_iam_role_arn = var.task_exec_role_arn

  container_definitions = {
    web = {
      image = "public.ecr.aws/nginx/nginx:1.27"
      portMappings = [
        { name = "http", containerPort = 80, protocol = "tcp" }
      ]
      mountPoints = [
        { sourceVolume = "data", containerPath = "/data" }
      ]
      secrets = [
        { name = "API_KEY", valueFrom = ecs_secret.api_key.arn }
      ]
    }
  }

  volume = {
    data = { configure_at_launch = true }
  }

  volume_configuration = {
    name = "data"
    managed_ebs_volume = {
      role_arn    = var.infrastructure_role_arn
      size_in_gb  = 20
      volume_type = "gp3"
    }
  }

  service_connect_configuration = {
    service = [{
      port_name = "http"
      client_alias = {
        port = 80
      }
    }]
  }

  deployment_circuit_breaker = {
    enable   = true
    rollback = true
  }

  alarms = {
    alarm_names = ["web-5xx"]
  }

  tags = {
    Service = "web"
  }
}

module "worker" {
  source = "./service"

  name        = "worker"
  cluster_arn = ecs_cluster.this.arn
  subnet_ids  = var.subnet_ids

  cpu    = 256
  memory = 512

  # A deploy pipeline registers new revisions; Terraform follows them and never reverts them.
  ignore_task_definition_changes = true

  container_definitions = {
    worker = {
      image   = "public.ecr.aws/docker/library/busybox:1.36"
      command = ["sh", "-c", "while true; do sleep 30; done"]
    }
  }
}

output "web_service" {
  value = module.web.id
}

output "worker_task_definition" {
  value = module.worker.task_definition_family
}
