//! Conversions of provider functions: signatures to `tfplugin6.Function`, call errors to
//! `FunctionError`.

use std::collections::HashMap;

use super::tfplugin6 as pb;
use crate::framework::function::{FunctionError, Parameter, Signature};

fn string_kind(text: &str) -> i32 {
    if text.is_empty() {
        pb::StringKind::Plain as i32
    } else {
        pb::StringKind::Markdown as i32
    }
}

fn parameter(p: &Parameter) -> pb::function::Parameter {
    pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: p.allow_null_value,
        allow_unknown_values: p.allow_unknown_values,
        description: p.description.clone(),
        description_kind: string_kind(&p.description),
    }
}

pub fn function(s: &Signature) -> pb::Function {
    pb::Function {
        parameters: s.parameters.iter().map(parameter).collect(),
        variadic_parameter: s.variadic.as_ref().map(parameter),
        r#return: Some(pb::function::Return {
            r#type: s.return_type.to_json_bytes(),
        }),
        summary: s.summary.clone(),
        description: s.description.clone(),
        description_kind: string_kind(&s.description),
        deprecation_message: s.deprecation.clone().unwrap_or_default(),
    }
}

pub fn functions(list: Vec<(&str, &Signature)>) -> HashMap<String, pb::Function> {
    list.into_iter()
        .map(|(name, s)| (name.to_string(), function(s)))
        .collect()
}

pub fn error(e: FunctionError) -> pb::FunctionError {
    pb::FunctionError {
        text: e.text,
        function_argument: e.argument.and_then(|i| i64::try_from(i).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::value::Type;

    #[test]
    fn signatures_carry_type_json_and_the_variadic_parameter() {
        let s = Signature::new("Sum", Type::Number)
            .parameter(Parameter::new("a", Type::list(Type::Number), "Numbers."))
            .variadic(Parameter::new("more", Type::Number, ""));
        let pb = function(&s);
        assert_eq!(pb.parameters[0].r#type, br#"["list","number"]"#);
        assert_eq!(
            pb.parameters[0].description_kind,
            pb::StringKind::Markdown as i32
        );
        assert_eq!(pb.variadic_parameter.unwrap().name, "more");
        assert_eq!(pb.r#return.unwrap().r#type, br#""number""#);
        assert!(pb.deprecation_message.is_empty());
    }

    #[test]
    fn errors_keep_the_argument_index() {
        assert_eq!(
            error(FunctionError::argument(2, "bad")).function_argument,
            Some(2)
        );
        assert_eq!(error(FunctionError::call("bad")).function_argument, None);
    }
}
