# `terraform query` lists the cluster's services; `terraform query
# -generate-config-out=services.tf` writes a resource and an import block for each.
list "ecs_service" "shop" {
  provider         = ecs
  include_resource = true

  config {
    cluster = "example-query"
  }
}
