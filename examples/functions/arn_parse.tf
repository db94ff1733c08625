locals {
  service_arn = "arn:aws:ecs:us-east-1:123456789012:service/web/api"
}

# The cluster and name of a service (the cluster is null for the old format, service/NAME).
output "service_cluster" {
  value = provider::ecs::arn_parse(local.service_arn).cluster
}

output "service_name" {
  value = provider::ecs::arn_parse(local.service_arn).name
}

# Family and revision of a task definition.
output "task_definition_revision" {
  value = provider::ecs::arn_parse("arn:aws:ecs:us-east-1:123456789012:task-definition/web:7").revision
}

# The name of an SSM parameter, with the leading slash the ARN drops.
output "parameter_name" {
  value = provider::ecs::arn_parse("arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password").name
}
