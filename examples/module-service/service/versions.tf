terraform {
  required_version = ">= 1.5.7"

  required_providers {
    ecs = {
      source = "ecsrs/ecs"
    }
  }
}
