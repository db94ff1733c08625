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

# A secret kept elsewhere (made here so that the example stands alone).
resource "ecs_secret" "upstream" {
  name             = "/example/ephemeral/upstream-token"
  value_wo         = "not-a-real-token"
  value_wo_version = 1
}

# Read for this run only: the value reaches neither the plan nor the state. By ARN here (as
# for a parameter shared from another account); a name works too. Until the ARN is known the
# value is not either, and Terraform reads it at apply.
ephemeral "ecs_secret" "token" {
  name = ecs_secret.upstream.arn
}

# Copied into a write-only argument: Parameter Store holds it, the state does not.
resource "ecs_secret" "app_token" {
  name             = "/example/ephemeral/app-token"
  value_wo         = ephemeral.ecs_secret.token.value
  value_wo_version = ecs_secret.upstream.version
}

# The external ID a deployment role's trust policy asks for, kept in Parameter Store.
resource "ecs_secret" "external_id" {
  name             = "/example/ephemeral/deployer-external-id"
  value_wo         = "not-a-real-external-id"
  value_wo_version = 1
}

ephemeral "ecs_secret" "external_id" {
  name = ecs_secret.external_id.arn
}

# A provider block may take ephemeral values: this one assumes the role with the secret
# external ID, which never lands in the state.
provider "ecs" {
  alias  = "deployer"
  region = "us-east-1"

  assume_role {
    role_arn    = "arn:aws:iam::123456789012:role/example-deployer"
    external_id = ephemeral.ecs_secret.external_id.value
  }
}

resource "ecs_cluster" "deployed" {
  provider = ecs.deployer
  name     = "example-ephemeral"
}
