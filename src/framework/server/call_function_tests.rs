//! CallFunction and GetFunctions with a small provider of functions: argument decoding and its
//! errors, variadic arguments, unknowns, and results that do not match the return type.

use std::sync::Arc;

use async_trait::async_trait;

use super::*;
use crate::framework::data_source::DataSource;
use crate::framework::function::{Function, Parameter};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::resource::Resource;
use crate::framework::schema::{Block, Schema};
use crate::framework::value::Type;

/// `join(sep, parts...)`; with `sep = "bad"` it answers a number where a string is declared.
struct Join;

impl Function for Join {
    fn name(&self) -> &'static str {
        "join"
    }
    fn signature(&self) -> Signature {
        Signature::new("Joins strings", Type::String)
            .parameter(Parameter::new("sep", Type::String, "Separator."))
            .variadic(Parameter::new("parts", Type::String, "Parts.").allow_null())
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let sep = args[0].as_str().unwrap_or_default();
        if sep == "bad" {
            return Ok(Value::number_i64(1));
        }
        let parts: Vec<&str> = args[1..].iter().filter_map(Value::as_str).collect();
        Ok(Value::string(parts.join(sep)))
    }
}

struct Functions;

#[async_trait]
impl Provider for Functions {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _req: ConfigureRequest, _resp: &mut ConfigureResponse) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Join)]
    }
}

fn server() -> Server {
    Server::new(Arc::new(Functions))
}

fn arg(value: Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(&value, ty).unwrap(),
        json: Vec::new(),
    }
}

fn call(args: Vec<RawValue>) -> CallFunctionResponse {
    server().call_function(CallFunctionRequest {
        name: "join".into(),
        arguments: args,
    })
}

fn s(text: &str) -> RawValue {
    arg(Value::string(text), &Type::String)
}

fn result(resp: &CallFunctionResponse) -> Value {
    assert_eq!(resp.error, None);
    msgpack::decode(&resp.result.msgpack, &Type::String).unwrap()
}

#[test]
fn variadic_arguments_follow_the_fixed_ones() {
    assert_eq!(
        result(&call(vec![s("-"), s("a"), s("b")])),
        Value::string("a-b")
    );
    assert_eq!(result(&call(vec![s("-")])), Value::string(""));
}

#[test]
fn a_missing_argument_is_named() {
    let error = call(vec![]).error.unwrap();
    assert!(
        error.text.contains("argument 0 (\"sep\") is missing"),
        "{error:?}"
    );
}

#[test]
fn an_argument_of_the_wrong_type_names_its_index() {
    let error = call(vec![s("-"), arg(Value::bool(true), &Type::Bool)])
        .error
        .unwrap();
    assert_eq!(error.argument, Some(1), "{error:?}");
    assert!(
        error.text.contains("(\"parts\") must be \"string\""),
        "{error:?}"
    );
}

#[test]
fn null_is_refused_where_the_parameter_does_not_allow_it() {
    let null = RawValue::default();
    let error = call(vec![null.clone()]).error.unwrap();
    assert_eq!(error.argument, Some(0));
    assert!(error.text.contains("must not be null"), "{error:?}");
    assert_eq!(result(&call(vec![s("-"), null])), Value::string(""));
}

#[test]
fn an_unknown_argument_gives_an_unknown_result_without_a_call() {
    let unknown = arg(Value::Unknown, &Type::String);
    assert_eq!(result(&call(vec![unknown])), Value::Unknown);
}

#[test]
fn a_result_off_the_return_type_is_a_provider_bug_not_a_panic() {
    let error = call(vec![s("bad")]).error.unwrap();
    assert_eq!(error.argument, None);
    assert!(
        error.text.starts_with("Provider bug: the result of join"),
        "{error:?}"
    );
}

#[test]
fn an_unknown_function_is_named() {
    let resp = server().call_function(CallFunctionRequest {
        name: "nope".into(),
        arguments: vec![],
    });
    assert!(resp.error.unwrap().text.contains("no function \"nope\""));
}

#[test]
fn get_functions_answers_the_schema_map() {
    let server = server();
    let names = |list: Vec<(&str, &Signature)>| -> Vec<String> {
        list.into_iter().map(|(n, _)| n.to_string()).collect()
    };
    assert_eq!(
        names(server.get_functions().functions),
        names(server.get_provider_schema().functions)
    );
    assert_eq!(server.function_names(), vec!["join"]);
}
