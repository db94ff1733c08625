variable "task_cpu" {
  type    = number
  default = 1024
}

variable "task_memory" {
  type    = number
  default = 3072

  # The plan-time rule of ecs_task_definition, checked where the module takes its input.
  validation {
    condition     = contains(provider::ecs::fargate_sizes(), { cpu = var.task_cpu, memory = var.task_memory })
    error_message = "No Fargate task size has this cpu and memory; see provider::ecs::fargate_sizes()."
  }
}

# The memory sizes (MiB) Fargate offers with 1 vCPU.
output "memory_for_1_vcpu" {
  value = [for s in provider::ecs::fargate_sizes() : s.memory if s.cpu == 1024]
}
