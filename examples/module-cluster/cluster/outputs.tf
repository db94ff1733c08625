output "arn" {
  description = "ARN of the cluster."
  value       = try(ecs_cluster.this[0].arn, null)
}

output "id" {
  description = "ID of the cluster."
  value       = try(ecs_cluster.this[0].id, null)
}

output "name" {
  description = "Name of the cluster."
  value       = try(ecs_cluster.this[0].name, null)
}

output "cluster_capacity_providers" {
  description = "The cluster's capacity-provider associations."
  value       = { for v in ecs_cluster_capacity_providers.this : v.id => v }
}

output "capacity_providers" {
  description = "The capacity providers this module created, by key."
  value       = ecs_capacity_provider.this
}
