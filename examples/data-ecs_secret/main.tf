terraform {
  required_providers {
    ecs = {
      source = "ecsrs/ecs"
    }
  }
}

provider "ecs" {
  region = "us-east-1"
}

resource "ecs_secret" "api_key" {
  name  = "/example/data/api-key"
  value = "not-a-real-key"
}

# Only metadata: the value stays out of state unless `with_decryption = true`.
data "ecs_secret" "api_key" {
  name = ecs_secret.api_key.name
}

output "api_key_arn" {
  value = data.ecs_secret.api_key.arn
}
