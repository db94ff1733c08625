//! `fargate_sizes()`: the valid Fargate task sizes, from the table the task definition's plan
//! rule checks ([`crate::ecs::task_definition::fargate_sizes`]).

use crate::ecs::task_definition;
use crate::framework::Value;
use crate::framework::function::{Function, FunctionError, Signature};
use crate::framework::value::{Number, Type};

pub struct FargateSizes;

impl Function for FargateSizes {
    fn name(&self) -> &'static str {
        "fargate_sizes"
    }

    fn signature(&self) -> Signature {
        Signature::new(
            "The valid Fargate task sizes: cpu units and memory in MiB",
            Type::list(Type::object([("cpu", Type::Number), ("memory", Type::Number)])),
        )
        .description("Returns every `{ cpu, memory }` pair Fargate runs, ordered by `cpu` then `memory`: exactly the pairs `ecs_task_definition` accepts at plan time when `requires_compatibilities` includes `FARGATE` (`cpu` in CPU units, `memory` in MiB; 8192 and 16384 units need platform version 1.4.0 or later).\n\nCheck a module's variables with `contains(provider::ecs::fargate_sizes(), { cpu = var.cpu, memory = var.memory })`, or list the memory sizes of one cpu size with `[for s in provider::ecs::fargate_sizes() : s.memory if s.cpu == 1024]`.")
    }

    fn call(&self, _args: Vec<Value>) -> Result<Value, FunctionError> {
        let n = |v: u64| Value::number(Number::from_u64(v));
        Ok(Value::list(
            task_definition::fargate_sizes()
                .into_iter()
                .map(|(cpu, memory)| Value::object([("cpu", n(cpu)), ("memory", n(memory))])),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::value::msgpack;

    #[test]
    fn sizes_are_the_plan_rule_table() {
        let out = FargateSizes.call(vec![]).unwrap();
        let items = out.elements().unwrap();
        assert_eq!(items.len(), task_definition::fargate_sizes().len());
        for item in items {
            let (cpu, memory) = (
                item.get("cpu").and_then(Value::as_i64).unwrap() as u64,
                item.get("memory").and_then(Value::as_i64).unwrap() as u64,
            );
            assert!(task_definition::fargate_size(cpu, memory).is_ok());
        }
        msgpack::encode(&out, &FargateSizes.signature().return_type).unwrap();
    }
}
