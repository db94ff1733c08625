# The ECS resources of the community cluster module, translated to this provider. Differences
# from the original, each because this provider needs no work-around:
# - `setting { name = "containerInsights" }` becomes `container_insights`;
# - no `time_sleep` before associating capacity providers: `ecs_capacity_provider` returns
#   once ECS reports the provider ACTIVE.

locals {
  container_insights = one([for s in var.setting : s.value if s.name == "containerInsights"])
}

resource "ecs_cluster" "this" {
  count = var.create ? 1 : 0

  name               = var.name
  container_insights = local.container_insights

  dynamic "configuration" {
    for_each = var.configuration != null ? [var.configuration] : []

    content {
      dynamic "execute_command_configuration" {
        for_each = configuration.value.execute_command_configuration != null ? [configuration.value.execute_command_configuration] : []

        content {
          kms_key_id = execute_command_configuration.value.kms_key_id
          logging    = execute_command_configuration.value.logging

          dynamic "log_configuration" {
            for_each = execute_command_configuration.value.log_configuration != null ? [execute_command_configuration.value.log_configuration] : []

            content {
              cloud_watch_encryption_enabled = log_configuration.value.cloud_watch_encryption_enabled
              cloud_watch_log_group_name     = log_configuration.value.cloud_watch_log_group_name
              s3_bucket_encryption_enabled   = log_configuration.value.s3_bucket_encryption_enabled
              s3_bucket_name                 = log_configuration.value.s3_bucket_name
              s3_key_prefix                  = log_configuration.value.s3_key_prefix
            }
          }
        }
      }

      dynamic "managed_storage_configuration" {
        for_each = configuration.value.managed_storage_configuration != null ? [configuration.value.managed_storage_configuration] : []

        content {
          fargate_ephemeral_storage_kms_key_id = managed_storage_configuration.value.fargate_ephemeral_storage_kms_key_id
          kms_key_id                           = managed_storage_configuration.value.kms_key_id
        }
      }
    }
  }

  dynamic "service_connect_defaults" {
    for_each = var.service_connect_defaults != null ? [var.service_connect_defaults] : []

    content {
      namespace = service_connect_defaults.value.namespace
    }
  }

  tags = var.tags
}

resource "ecs_capacity_provider" "this" {
  for_each = var.create && var.capacity_providers != null ? var.capacity_providers : {}

  name = coalesce(each.value.name, each.key)

  # Managed-instances providers belong to one cluster; Auto Scaling group providers to none.
  cluster = each.value.managed_instances_provider != null ? ecs_cluster.this[0].name : null

  dynamic "auto_scaling_group_provider" {
    for_each = each.value.auto_scaling_group_provider != null ? [each.value.auto_scaling_group_provider] : []

    content {
      auto_scaling_group_arn = auto_scaling_group_provider.value.auto_scaling_group_arn
      managed_draining       = auto_scaling_group_provider.value.managed_draining

      # Managed termination protection works only with managed scaling.
      managed_termination_protection = auto_scaling_group_provider.value.managed_scaling != null ? auto_scaling_group_provider.value.managed_termination_protection : "DISABLED"

      dynamic "managed_scaling" {
        for_each = auto_scaling_group_provider.value.managed_scaling != null ? [auto_scaling_group_provider.value.managed_scaling] : []

        content {
          instance_warmup_period    = managed_scaling.value.instance_warmup_period
          maximum_scaling_step_size = managed_scaling.value.maximum_scaling_step_size
          minimum_scaling_step_size = managed_scaling.value.minimum_scaling_step_size
          status                    = managed_scaling.value.status
          target_capacity           = managed_scaling.value.target_capacity
        }
      }
    }
  }

  dynamic "managed_instances_provider" {
    for_each = each.value.managed_instances_provider != null ? [each.value.managed_instances_provider] : []

    content {
      infrastructure_role_arn = managed_instances_provider.value.infrastructure_role_arn
      propagate_tags          = managed_instances_provider.value.propagate_tags

      instance_launch_template {
        ec2_instance_profile_arn = managed_instances_provider.value.instance_launch_template.ec2_instance_profile_arn
        monitoring               = managed_instances_provider.value.instance_launch_template.monitoring

        dynamic "network_configuration" {
          for_each = managed_instances_provider.value.instance_launch_template.network_configuration != null ? [managed_instances_provider.value.instance_launch_template.network_configuration] : []

          content {
            security_groups = network_configuration.value.security_groups
            subnets         = network_configuration.value.subnets
          }
        }

        dynamic "storage_configuration" {
          for_each = managed_instances_provider.value.instance_launch_template.storage_configuration != null ? [managed_instances_provider.value.instance_launch_template.storage_configuration] : []

          content {
            storage_size_gib = storage_configuration.value.storage_size_gib
          }
        }
      }
    }
  }

  tags = merge(var.tags, each.value.tags)
}

resource "ecs_cluster_capacity_providers" "this" {
  count = var.create ? 1 : 0

  cluster_name       = ecs_cluster.this[0].name
  capacity_providers = distinct(concat(var.cluster_capacity_providers, [for p in ecs_capacity_provider.this : p.name]))

  dynamic "default_capacity_provider_strategy" {
    for_each = var.default_capacity_provider_strategy

    content {
      base              = default_capacity_provider_strategy.value.base
      capacity_provider = coalesce(default_capacity_provider_strategy.value.name, default_capacity_provider_strategy.key)
      weight            = coalesce(default_capacity_provider_strategy.value.weight, 1)
    }
  }
}
