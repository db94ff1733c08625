# The normal form ecs_task_definition compares: API member names, ECS's defaults, sorted keys.
output "normalized" {
  value = provider::ecs::container_definitions_normalize(jsonencode([{
    Name  = "web"
    image = "nginx"
  }]))
}
