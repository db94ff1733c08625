# Provider functions need no provider configuration and make no AWS call: each file here
# shows one of them in outputs (`terraform apply`, then `terraform output`).
terraform {
  required_version = ">= 1.9"

  required_providers {
    ecs = {
      source = "ecsrs/ecs"
    }
  }
}
