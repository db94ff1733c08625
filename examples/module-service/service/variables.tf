# The ECS inputs of the community service module (terraform-aws-modules/ecs, submodule
# `service`), with the same names and types. Inputs that only create IAM roles, security
# groups, log groups or autoscaling are left out: pass the ARNs those resources produce.

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

variable "ignore_task_definition_changes" {
  description = "Leave `task_definition` to a deploy pipeline: Terraform sets it once and then ignores it."
  type        = bool
  default     = false
  nullable    = false
}

# Service

variable "name" {
  description = "Name of the service."
  type        = string
}

variable "cluster_arn" {
  description = "ARN (or name) of the cluster."
  type        = string
}

variable "alarms" {
  description = "CloudWatch alarms that roll a deployment back."
  type = object({
    alarm_names = list(string)
    enable      = optional(bool, true)
    rollback    = optional(bool, true)
  })
  default = null
}

variable "availability_zone_rebalancing" {
  description = "`ENABLED` or `DISABLED`."
  type        = string
  default     = null
}

variable "capacity_provider_strategy" {
  description = "Capacity-provider strategy of the service, by key."
  type = map(object({
    base              = optional(number)
    capacity_provider = string
    weight            = optional(number)
  }))
  default = null
}

variable "deployment_circuit_breaker" {
  description = "Deployment circuit breaker."
  type = object({
    enable   = bool
    rollback = bool
  })
  default = null
}

variable "deployment_configuration" {
  description = "Deployment strategy (`ROLLING`, `BLUE_GREEN`, `LINEAR`, `CANARY`) and its settings."
  type = object({
    strategy             = optional(string)
    bake_time_in_minutes = optional(string)
    canary_configuration = optional(object({
      canary_bake_time_in_minutes = optional(string)
      canary_percent              = optional(string)
    }))
    linear_configuration = optional(object({
      step_bake_time_in_minutes = optional(string)
      step_percent              = optional(string)
    }))
    lifecycle_hook = optional(map(object({
      hook_target_arn  = string
      role_arn         = string
      lifecycle_stages = list(string)
      hook_details     = optional(string)
    })))
  })
  default = null
}

variable "deployment_controller" {
  description = "Deployment controller."
  type = object({
    type = optional(string)
  })
  default = null
}

variable "deployment_maximum_percent" {
  description = "Upper bound of tasks during a deployment, in percent."
  type        = number
  default     = 200
}

variable "deployment_minimum_healthy_percent" {
  description = "Lower bound of running tasks during a deployment, in percent."
  type        = number
  default     = 66
}

variable "desired_count" {
  description = "Number of tasks; ignored after create (autoscaling owns it)."
  type        = number
  default     = 1
}

variable "enable_ecs_managed_tags" {
  description = "Let ECS tag the tasks."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks."
  type        = bool
  default     = false
  nullable    = false
}

variable "force_delete" {
  description = "Delete the service without scaling it to zero first."
  type        = bool
  default     = null
}

variable "force_new_deployment" {
  description = "Every update starts a new deployment."
  type        = bool
  default     = true
  nullable    = false
}

variable "health_check_grace_period_seconds" {
  description = "Seconds to ignore load-balancer health checks after a task starts."
  type        = number
  default     = null
}

variable "launch_type" {
  description = "`FARGATE`, `EC2` or `EXTERNAL`."
  type        = string
  default     = "FARGATE"
  nullable    = false
}

variable "load_balancer" {
  description = "Load balancers of the service, by key."
  type = map(object({
    container_name   = string
    container_port   = number
    elb_name         = optional(string)
    target_group_arn = optional(string)
    advanced_configuration = optional(object({
      alternate_target_group_arn = string
      production_listener_rule   = string
      role_arn                   = string
      test_listener_rule         = optional(string)
    }))
  }))
  default = null
}

variable "assign_public_ip" {
  description = "Give each task a public IP (Fargate)."
  type        = bool
  default     = false
  nullable    = false
}

variable "security_group_ids" {
  description = "Security groups of the tasks."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "sigint_rollback" {
  description = "Roll a blue/green deployment back when the apply is interrupted."
  type        = bool
  default     = null
}

variable "ordered_placement_strategy" {
  description = "Placement strategies, in order of precedence (EC2)."
  type = list(object({
    field = optional(string)
    type  = string
  }))
  default = null
}

variable "placement_constraints" {
  description = "Placement constraints of the service, by key."
  type = map(object({
    expression = optional(string)
    type       = string
  }))
  default = null
}

variable "platform_version" {
  description = "Fargate platform version."
  type        = string
  default     = null
}

variable "propagate_tags" {
  description = "`SERVICE` or `TASK_DEFINITION`."
  type        = string
  default     = null
}

variable "scheduling_strategy" {
  description = "`REPLICA` or `DAEMON`."
  type        = string
  default     = null
}

variable "service_connect_configuration" {
  description = "Service Connect of the service."
  type = object({
    enabled = optional(bool, true)
    access_log_configuration = optional(object({
      format                   = string
      include_query_parameters = optional(string)
    }))
    log_configuration = optional(object({
      log_driver = string
      options    = optional(map(string))
      secret_option = optional(list(object({
        name       = string
        value_from = string
      })))
    }))
    namespace = optional(string)
    service = optional(list(object({
      client_alias = optional(object({
        dns_name = optional(string)
        port     = number
      }))
      discovery_name        = optional(string)
      ingress_port_override = optional(number)
      port_name             = string
      timeout = optional(object({
        idle_timeout_seconds        = optional(number)
        per_request_timeout_seconds = optional(number)
      }))
    })))
  })
  default = null
}

variable "service_registries" {
  description = "Cloud Map registry of the service."
  type = object({
    container_name = optional(string)
    container_port = optional(number)
    port           = optional(number)
    registry_arn   = string
  })
  default = null
}

variable "timeouts" {
  description = "Create, update and delete timeouts of the service."
  type = object({
    create = optional(string)
    update = optional(string)
    delete = optional(string)
  })
  default = null
}

variable "triggers" {
  description = "Values whose change redeploys the service."
  type        = map(string)
  default     = null
}

variable "volume_configuration" {
  description = "The EBS volume of the task definition's volume configured at launch."
  type = object({
    name = string
    managed_ebs_volume = object({
      role_arn         = string
      encrypted        = optional(bool)
      file_system_type = optional(string)
      iops             = optional(number)
      kms_key_id       = optional(string)
      size_in_gb       = optional(number)
      snapshot_id      = optional(string)
      throughput       = optional(number)
      volume_type      = optional(string)
    })
  })
  default = null
}

variable "wait_for_steady_state" {
  description = "Wait until the deployment is done (this provider's default: true)."
  type        = bool
  default     = null
}

variable "service_tags" {
  description = "Tags of the service only."
  type        = map(string)
  default     = {}
  nullable    = false
}

# Task definition

variable "create_task_definition" {
  description = "Create a task definition; otherwise use `task_definition_arn`."
  type        = bool
  default     = true
}

variable "task_definition_arn" {
  description = "An existing task definition (when `create_task_definition = false`)."
  type        = string
  default     = null
}

variable "container_definitions" {
  description = "Containers by name, each an object in RegisterTaskDefinition's shape (camelCase members)."
  type        = any
  default     = {}
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  default     = 1024
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
  default     = 2048
}

variable "enable_fault_injection" {
  description = "Accept fault injection requests from the containers."
  type        = bool
  default     = null
}

variable "ephemeral_storage" {
  description = "Fargate task storage beyond 20 GiB."
  type = object({
    size_in_gib = number
  })
  default = null
}

variable "family" {
  description = "Family of the task definition; the service name when unset."
  type        = string
  default     = null
}

variable "ipc_mode" {
  description = "IPC namespace of the containers."
  type        = string
  default     = null
}

variable "pid_mode" {
  description = "Process namespace of the containers."
  type        = string
  default     = null
}

variable "network_mode" {
  description = "Network mode of the tasks."
  type        = string
  default     = "awsvpc"
}

variable "requires_compatibilities" {
  description = "Launch types the task definition must be valid for."
  type        = list(string)
  default     = ["FARGATE"]
}

variable "runtime_platform" {
  description = "Operating system and CPU architecture."
  type = object({
    cpu_architecture        = optional(string, "X86_64")
    operating_system_family = optional(string, "LINUX")
  })
  default = {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
}

variable "skip_destroy" {
  description = "Keep old revisions ACTIVE."
  type        = bool
  default     = null
}

variable "track_latest" {
  description = "Follow revisions a deploy pipeline registers."
  type        = bool
  default     = null
}

variable "task_definition_placement_constraints" {
  description = "Placement constraints of the task definition, by key."
  type = map(object({
    expression = optional(string)
    type       = string
  }))
  default = null
}

variable "volume" {
  description = "Volumes of the task definition, by name."
  type = map(object({
    configure_at_launch = optional(bool)
    host_path           = optional(string)
    name                = optional(string)
  }))
  default = null
}

variable "task_exec_iam_role_arn" {
  description = "Task execution role."
  type        = string
  default     = null
}

variable "tasks_iam_role_arn" {
  description = "Task role."
  type        = string
  default     = null
}

variable "task_tags" {
  description = "Tags of the task definition only."
  type        = map(string)
  default     = {}
  nullable    = false
}
