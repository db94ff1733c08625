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

resource "ecs_capacity_provider" "ec2" {
  name = "example-lookup"

  auto_scaling_group_provider {
    auto_scaling_group_arn = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/example-lookup"
  }
}

# Look a capacity provider up by name, with the settings ECS filled in.
data "ecs_capacity_provider" "ec2" {
  name = ecs_capacity_provider.ec2.name
}

output "capacity_provider" {
  value = {
    arn             = data.ecs_capacity_provider.ec2.arn
    status          = data.ecs_capacity_provider.ec2.status
    target_capacity = data.ecs_capacity_provider.ec2.auto_scaling_group_provider.managed_scaling.target_capacity
  }
}
