locals {
  written = jsonencode([{
    name         = "web"
    image        = "nginx"
    portMappings = [{ containerPort = 80 }]
  }])
  # The same containers as ECS answers them: defaults filled in, members reordered.
  answered = jsonencode([{
    portMappings = [{ containerPort = 80, hostPort = 80, protocol = "tcp" }]
    essential    = true
    cpu          = 0
    image        = "nginx"
    name         = "web"
  }])
}

# true: ecs_task_definition plans no change between the two (under awsvpc, an omitted
# hostPort is the containerPort).
output "same_containers" {
  value = provider::ecs::container_definitions_equal(local.written, local.answered, "awsvpc")
}
