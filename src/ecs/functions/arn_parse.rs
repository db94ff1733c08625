//! `arn_parse(arn)`: the parts of an ECS or SSM parameter ARN ([`crate::ecs::arn::parse`]).

use crate::ecs::arn;
use crate::framework::Value;
use crate::framework::function::{Function, FunctionError, Parameter, Signature};
use crate::framework::value::Type;

pub struct ArnParse;

const STRINGS: &[&str] = &[
    "partition",
    "service",
    "region",
    "account_id",
    "resource_type",
    "resource",
    "cluster",
    "name",
];

fn return_type() -> Type {
    Type::object(
        STRINGS
            .iter()
            .map(|n| (*n, Type::String))
            .chain([("revision", Type::Number)]),
    )
}

impl Function for ArnParse {
    fn name(&self) -> &'static str {
        "arn_parse"
    }

    fn signature(&self) -> Signature {
        Signature::new("Splits an ECS or SSM parameter ARN into its parts", return_type())
            .description(
                "Returns an object with `partition`, `service` (`ecs` or `ssm`), `region`, `account_id`, `resource_type` (`cluster`, `service`, `task`, `task-definition`, `container-instance`, `capacity-provider`, `task-set` or `parameter`), `resource` (everything after the account, e.g. `service/web/api`), `cluster`, `name` and `revision`.\n\n\
                 `name` is the object's name or ID: the family of a task definition, the ID of a task, container instance or task set, the parameter name of a parameter (with its leading `/` when the name is hierarchical). `cluster` is the cluster the object belongs to (for a cluster ARN, the cluster's name). Services, tasks and container instances in the old ARN format (`service/NAME`) have a null `cluster`. `revision` is a task definition's revision; parts an ARN type lacks are null.\n\n\
                 Any other text fails, naming what is expected.",
            )
            .parameter(Parameter::new(
                "arn",
                Type::String,
                "The ARN, e.g. `arn:aws:ecs:us-east-1:123456789012:service/web/api`.",
            ))
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let text = args.first().and_then(Value::as_str).unwrap_or_default();
        let (parts, named) = arn::parse(text).map_err(|why| {
            FunctionError::argument(
                0,
                format!(
                    "\"{text}\" is not an ECS or SSM parameter ARN: {why}. Expected {}.",
                    arn::EXPECTED
                ),
            )
        })?;
        let revision = named.revision.map_or(Value::Null, |r| {
            Value::number(crate::framework::value::Number::from_u64(r))
        });
        Ok(Value::object([
            ("partition", Value::string(parts.partition)),
            ("service", Value::string(parts.service)),
            ("region", Value::string(parts.region)),
            ("account_id", Value::string(parts.account_id)),
            ("resource_type", Value::string(named.resource_type)),
            ("resource", Value::string(parts.resource)),
            ("cluster", named.cluster.map_or(Value::Null, Value::string)),
            ("name", Value::string(named.name)),
            ("revision", revision),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::value::msgpack;

    #[test]
    fn a_task_definition_arn_gives_family_and_revision() {
        let out = ArnParse
            .call(vec![Value::string(
                "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7",
            )])
            .unwrap();
        assert_eq!(out.get("name"), Some(&Value::string("web")));
        assert_eq!(out.get("revision").and_then(Value::as_i64), Some(7));
        assert_eq!(out.get("cluster"), Some(&Value::Null));
        assert_eq!(
            out.get("resource"),
            Some(&Value::string("task-definition/web:7"))
        );
        // The result conforms to the declared type.
        msgpack::encode(&out, &ArnParse.signature().return_type).unwrap();
    }

    #[test]
    fn a_malformed_arn_names_argument_zero_and_the_expected_forms() {
        let err = ArnParse.call(vec![Value::string("web")]).unwrap_err();
        assert_eq!(err.argument, Some(0));
        assert!(
            err.text.contains("is not an ECS or SSM parameter ARN"),
            "{err:?}"
        );
        assert!(
            err.text.contains("task-definition/FAMILY:REVISION"),
            "{err:?}"
        );
    }
}
