# The ECS inputs of the community cluster module (terraform-aws-modules/ecs, submodule
# `cluster`), with the same names and types. Inputs that only create IAM roles, security
# groups or log groups are left out: pass the ARNs those resources produce instead.

variable "create" {
  description = "Whether to create the resources of this module."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "name" {
  description = "Name of the cluster (up to 255 letters, digits, hyphens and underscores)."
  type        = string
  default     = ""
}

variable "configuration" {
  description = "Execute-command and managed-storage configuration of the cluster."
  type = object({
    execute_command_configuration = optional(object({
      kms_key_id = optional(string)
      log_configuration = optional(object({
        cloud_watch_encryption_enabled = optional(bool)
        cloud_watch_log_group_name     = optional(string)
        s3_bucket_encryption_enabled   = optional(bool)
        s3_bucket_name                 = optional(string)
        s3_key_prefix                  = optional(string)
      }))
      logging = optional(string, "OVERRIDE")
    }))
    managed_storage_configuration = optional(object({
      fargate_ephemeral_storage_kms_key_id = optional(string)
      kms_key_id                           = optional(string)
    }))
  })
  default = null
}

variable "service_connect_defaults" {
  description = "The default Service Connect namespace of the cluster."
  type = object({
    namespace = string
  })
  default = null
}

variable "setting" {
  description = "Cluster settings; `containerInsights` is the one ECS has."
  type = list(object({
    name  = string
    value = string
  }))
  default = [
    {
      name  = "containerInsights"
      value = "enabled"
    }
  ]
}

variable "cluster_capacity_providers" {
  description = "Names of capacity providers to associate with the cluster; the ones this module creates are added."
  type        = list(string)
  default     = []
}

variable "capacity_providers" {
  description = "Capacity providers to create, by key."
  type = map(object({
    name = optional(string)
    tags = optional(map(string), {})
    auto_scaling_group_provider = optional(object({
      auto_scaling_group_arn = string
      managed_draining       = optional(string, "ENABLED")
      managed_scaling = optional(object({
        instance_warmup_period    = optional(number)
        maximum_scaling_step_size = optional(number)
        minimum_scaling_step_size = optional(number)
        status                    = optional(string)
        target_capacity           = optional(number)
      }))
      managed_termination_protection = optional(string)
    }))
    managed_instances_provider = optional(object({
      infrastructure_role_arn = string
      instance_launch_template = object({
        ec2_instance_profile_arn = string
        monitoring               = optional(string)
        network_configuration = optional(object({
          security_groups = optional(list(string), [])
          subnets         = list(string)
        }))
        storage_configuration = optional(object({
          storage_size_gib = number
        }))
      })
      propagate_tags = optional(string)
    }))
  }))
  default = null
}

variable "default_capacity_provider_strategy" {
  description = "The cluster's default capacity-provider strategy, by provider name."
  type = map(object({
    base   = optional(number)
    name   = optional(string)
    weight = optional(number)
  }))
  default = {}
}
