# The ECS resources of the community service module, translated to this provider. Differences
# from the original, each because this provider needs no work-around:
# - one service resource instead of two: with `ignore_task_definition_changes`, the service
#   names the family (its latest ACTIVE revision) and the task definition has `track_latest`,
#   so revisions a pipeline registers cause no diff and are never reverted;
# - `scheduling_strategy`, `desired_count` and the deployment percentages are passed as given:
#   the provider itself leaves out what ECS refuses for DAEMON services and says so at plan.

locals {
  is_external_deployment = try(var.deployment_controller.type, null) == "EXTERNAL"
  is_fargate             = var.launch_type == "FARGATE"

  family          = coalesce(var.family, var.name)
  task_definition = var.create_task_definition ? (var.ignore_task_definition_changes ? local.family : ecs_task_definition.this[0].arn) : var.task_definition_arn

  # Containers in RegisterTaskDefinition's shape; the map key is the default name.
  container_definitions = [
    for name, c in var.container_definitions : merge({ name = name, essential = true }, c)
  ]
}

resource "ecs_service" "this" {
  count = var.create ? 1 : 0

  name    = var.name
  cluster = var.cluster_arn

  task_definition = local.task_definition
  desired_count   = var.scheduling_strategy == "DAEMON" ? null : var.desired_count
  launch_type     = local.is_external_deployment || var.capacity_provider_strategy != null ? null : var.launch_type

  platform_version                   = local.is_fargate && !local.is_external_deployment ? var.platform_version : null
  scheduling_strategy                = local.is_fargate ? "REPLICA" : var.scheduling_strategy
  deployment_maximum_percent         = var.scheduling_strategy == "DAEMON" ? null : var.deployment_maximum_percent
  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  availability_zone_rebalancing      = var.availability_zone_rebalancing
  enable_ecs_managed_tags            = var.enable_ecs_managed_tags
  enable_execute_command             = var.enable_execute_command
  force_delete                       = var.force_delete
  force_new_deployment               = local.is_external_deployment ? null : var.force_new_deployment
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds
  propagate_tags                     = var.propagate_tags
  sigint_rollback                    = try(var.deployment_configuration.strategy, null) == "BLUE_GREEN" ? var.sigint_rollback : null
  triggers                           = var.triggers
  wait_for_steady_state              = var.wait_for_steady_state

  dynamic "alarms" {
    for_each = var.alarms != null ? [var.alarms] : []

    content {
      alarm_names = alarms.value.alarm_names
      enable      = alarms.value.enable
      rollback    = alarms.value.rollback
    }
  }

  dynamic "capacity_provider_strategy" {
    for_each = !local.is_external_deployment && var.capacity_provider_strategy != null ? var.capacity_provider_strategy : {}

    content {
      base              = capacity_provider_strategy.value.base
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = coalesce(capacity_provider_strategy.value.weight, 1)
    }
  }

  dynamic "deployment_circuit_breaker" {
    for_each = var.deployment_circuit_breaker != null ? [var.deployment_circuit_breaker] : []

    content {
      enable   = deployment_circuit_breaker.value.enable
      rollback = deployment_circuit_breaker.value.rollback
    }
  }

  dynamic "deployment_configuration" {
    for_each = var.deployment_configuration != null ? [var.deployment_configuration] : []

    content {
      strategy             = deployment_configuration.value.strategy
      bake_time_in_minutes = deployment_configuration.value.bake_time_in_minutes

      dynamic "linear_configuration" {
        for_each = deployment_configuration.value.linear_configuration != null ? [deployment_configuration.value.linear_configuration] : []

        content {
          step_bake_time_in_minutes = linear_configuration.value.step_bake_time_in_minutes
          step_percent              = linear_configuration.value.step_percent
        }
      }

      dynamic "canary_configuration" {
        for_each = deployment_configuration.value.canary_configuration != null ? [deployment_configuration.value.canary_configuration] : []

        content {
          canary_bake_time_in_minutes = canary_configuration.value.canary_bake_time_in_minutes
          canary_percent              = canary_configuration.value.canary_percent
        }
      }

      dynamic "lifecycle_hook" {
        for_each = deployment_configuration.value.lifecycle_hook != null ? deployment_configuration.value.lifecycle_hook : {}

        content {
          hook_target_arn  = lifecycle_hook.value.hook_target_arn
          role_arn         = lifecycle_hook.value.role_arn
          lifecycle_stages = lifecycle_hook.value.lifecycle_stages
          hook_details     = lifecycle_hook.value.hook_details
        }
      }
    }
  }

  dynamic "deployment_controller" {
    for_each = var.deployment_controller != null ? [var.deployment_controller] : []

    content {
      type = deployment_controller.value.type
    }
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer != null ? var.load_balancer : {}

    content {
      container_name   = load_balancer.value.container_name
      container_port   = load_balancer.value.container_port
      elb_name         = load_balancer.value.elb_name
      target_group_arn = load_balancer.value.target_group_arn

      dynamic "advanced_configuration" {
        for_each = load_balancer.value.advanced_configuration != null ? [load_balancer.value.advanced_configuration] : []

        content {
          alternate_target_group_arn = advanced_configuration.value.alternate_target_group_arn
          production_listener_rule   = advanced_configuration.value.production_listener_rule
          role_arn                   = advanced_configuration.value.role_arn
          test_listener_rule         = advanced_configuration.value.test_listener_rule
        }
      }
    }
  }

  dynamic "network_configuration" {
    for_each = var.network_mode == "awsvpc" && !local.is_external_deployment ? [1] : []

    content {
      assign_public_ip = var.assign_public_ip
      security_groups  = var.security_group_ids
      subnets          = var.subnet_ids
    }
  }

  dynamic "ordered_placement_strategy" {
    for_each = var.ordered_placement_strategy != null ? var.ordered_placement_strategy : []

    content {
      field = ordered_placement_strategy.value.field
      type  = ordered_placement_strategy.value.type
    }
  }

  dynamic "placement_constraints" {
    for_each = var.placement_constraints != null ? var.placement_constraints : {}

    content {
      expression = placement_constraints.value.expression
      type       = placement_constraints.value.type
    }
  }

  dynamic "service_connect_configuration" {
    for_each = var.service_connect_configuration != null ? [var.service_connect_configuration] : []

    content {
      enabled   = service_connect_configuration.value.enabled
      namespace = service_connect_configuration.value.namespace

      dynamic "access_log_configuration" {
        for_each = service_connect_configuration.value.access_log_configuration != null ? [service_connect_configuration.value.access_log_configuration] : []

        content {
          format                   = access_log_configuration.value.format
          include_query_parameters = access_log_configuration.value.include_query_parameters
        }
      }

      dynamic "log_configuration" {
        for_each = service_connect_configuration.value.log_configuration != null ? [service_connect_configuration.value.log_configuration] : []

        content {
          log_driver = log_configuration.value.log_driver
          options    = log_configuration.value.options

          dynamic "secret_option" {
            for_each = log_configuration.value.secret_option != null ? log_configuration.value.secret_option : []

            content {
              name       = secret_option.value.name
              value_from = secret_option.value.value_from
            }
          }
        }
      }

      dynamic "service" {
        for_each = service_connect_configuration.value.service != null ? service_connect_configuration.value.service : []

        content {
          port_name             = service.value.port_name
          discovery_name        = service.value.discovery_name
          ingress_port_override = service.value.ingress_port_override

          dynamic "client_alias" {
            for_each = service.value.client_alias != null ? [service.value.client_alias] : []

            content {
              dns_name = client_alias.value.dns_name
              port     = client_alias.value.port
            }
          }

          dynamic "timeout" {
            for_each = service.value.timeout != null ? [service.value.timeout] : []

            content {
              idle_timeout_seconds        = timeout.value.idle_timeout_seconds
              per_request_timeout_seconds = timeout.value.per_request_timeout_seconds
            }
          }
        }
      }
    }
  }

  dynamic "service_registries" {
    for_each = var.service_registries != null && !local.is_external_deployment ? [var.service_registries] : []

    content {
      container_name = service_registries.value.container_name
      container_port = service_registries.value.container_port
      port           = service_registries.value.port
      registry_arn   = service_registries.value.registry_arn
    }
  }

  dynamic "volume_configuration" {
    for_each = var.volume_configuration != null ? [var.volume_configuration] : []

    content {
      name = volume_configuration.value.name

      managed_ebs_volume {
        role_arn         = volume_configuration.value.managed_ebs_volume.role_arn
        encrypted        = volume_configuration.value.managed_ebs_volume.encrypted
        file_system_type = volume_configuration.value.managed_ebs_volume.file_system_type
        iops             = volume_configuration.value.managed_ebs_volume.iops
        kms_key_id       = volume_configuration.value.managed_ebs_volume.kms_key_id
        size_in_gb       = volume_configuration.value.managed_ebs_volume.size_in_gb
        snapshot_id      = volume_configuration.value.managed_ebs_volume.snapshot_id
        throughput       = volume_configuration.value.managed_ebs_volume.throughput
        volume_type      = volume_configuration.value.managed_ebs_volume.volume_type
      }
    }
  }

  dynamic "timeouts" {
    for_each = var.timeouts != null ? [var.timeouts] : []

    content {
      create = timeouts.value.create
      update = timeouts.value.update
      delete = timeouts.value.delete
    }
  }

  tags = merge(var.tags, var.service_tags)

  lifecycle {
    # Autoscaling owns the count after create, as in the original module.
    ignore_changes = [desired_count]
  }
}

resource "ecs_task_definition" "this" {
  count = var.create && var.create_task_definition ? 1 : 0

  family                   = local.family
  container_definitions    = jsonencode(local.container_definitions)
  cpu                      = var.cpu
  memory                   = var.memory
  network_mode             = var.network_mode
  requires_compatibilities = var.requires_compatibilities
  execution_role_arn       = var.task_exec_iam_role_arn
  task_role_arn            = var.tasks_iam_role_arn
  ipc_mode                 = var.ipc_mode
  pid_mode                 = var.pid_mode
  enable_fault_injection   = var.enable_fault_injection
  skip_destroy             = var.skip_destroy
  track_latest             = var.ignore_task_definition_changes ? true : var.track_latest

  dynamic "runtime_platform" {
    for_each = var.runtime_platform != null ? [var.runtime_platform] : []

    content {
      cpu_architecture        = runtime_platform.value.cpu_architecture
      operating_system_family = runtime_platform.value.operating_system_family
    }
  }

  dynamic "ephemeral_storage" {
    for_each = var.ephemeral_storage != null ? [var.ephemeral_storage] : []

    content {
      size_in_gib = ephemeral_storage.value.size_in_gib
    }
  }

  dynamic "placement_constraints" {
    for_each = var.task_definition_placement_constraints != null ? var.task_definition_placement_constraints : {}

    content {
      expression = placement_constraints.value.expression
      type       = placement_constraints.value.type
    }
  }

  dynamic "volume" {
    for_each = var.volume != null ? var.volume : {}

    content {
      name                = coalesce(volume.value.name, volume.key)
      host_path           = volume.value.host_path
      configure_at_launch = volume.value.configure_at_launch
    }
  }

  tags = merge(var.tags, var.task_tags)

  lifecycle {
    create_before_destroy = true
  }
}
