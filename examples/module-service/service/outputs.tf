output "id" {
  description = "ARN of the service."
  value       = try(ecs_service.this[0].id, null)
}

output "name" {
  description = "Name of the service."
  value       = try(ecs_service.this[0].name, null)
}

output "task_definition_arn" {
  description = "ARN of the task definition revision this configuration registered."
  value       = try(ecs_task_definition.this[0].arn, null)
}

output "task_definition_family" {
  description = "Family of the task definition."
  value       = try(ecs_task_definition.this[0].family, null)
}

output "task_definition_revision" {
  description = "Revision of the task definition."
  value       = try(ecs_task_definition.this[0].revision, null)
}
