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

# The Auto Scaling group of the cluster's EC2 instances (made elsewhere, e.g. with the AWS
# provider's aws_autoscaling_group).
variable "auto_scaling_group_arn" {
  type    = string
  default = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/example-ec2"
}

resource "ecs_cluster" "example" {
  name = "example-ec2"
}

# ECS scales the group to keep it 80% used, and drains instances before the group removes them.
resource "ecs_capacity_provider" "ec2" {
  name = "example-ec2"

  auto_scaling_group_provider {
    auto_scaling_group_arn = var.auto_scaling_group_arn
    managed_draining       = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 80
      maximum_scaling_step_size = 10
    }
  }
}

# The cluster may use the group and Fargate; services without their own strategy go to the group.
resource "ecs_cluster_capacity_providers" "example" {
  cluster_name       = ecs_cluster.example.name
  capacity_providers = [ecs_capacity_provider.ec2.name, "FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = ecs_capacity_provider.ec2.name
    weight            = 1
  }
}
