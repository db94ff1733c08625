# The community ECS cluster module's ECS part, translated to this provider (./cluster), called
# the way the module's own "complete" example calls it: Fargate and Fargate Spot as the default
# strategy, managed storage keys, execute-command logging, and a managed-instances capacity
# provider. IAM roles, the instance profile and the subnets come in as variables.

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
  description = "Subnets of the managed instances."
  type        = list(string)
}

variable "infrastructure_role_arn" {
  description = "Role ECS uses to manage the instances."
  type        = string
  default     = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
}

variable "instance_profile_arn" {
  description = "Instance profile of the managed instances."
  type        = string
  default     = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
}

module "ecs_cluster" {
  source = "./cluster"

  name = "module-cluster"

  configuration = {
    execute_command_configuration = {
      logging = "OVERRIDE"
      log_configuration = {
        cloud_watch_log_group_name = "/aws/ecs/module-cluster"
      }
    }
    managed_storage_configuration = {
      kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  cluster_capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy = {
    FARGATE = {
      weight = 50
      base   = 20
    }
    FARGATE_SPOT = {
      weight = 50
    }
  }

  capacity_providers = {
    managed = {
      managed_instances_provider = {
        infrastructure_role_arn = var.infrastructure_role_arn
        instance_launch_template = {
          ec2_instance_profile_arn = var.instance_profile_arn
          network_configuration = {
            subnets = var.subnet_ids
          }
          storage_configuration = {
            storage_size_gib = 30
          }
        }
        propagate_tags = "CAPACITY_PROVIDER"
      }
    }
  }

  tags = {
    Environment = "dev"
  }
}

output "cluster_arn" {
  value = module.ecs_cluster.arn
}

output "capacity_provider_names" {
  value = [for p in module.ecs_cluster.capacity_providers : p.name]
}
