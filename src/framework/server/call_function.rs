//! CallFunction: decode each argument with its declared type, call the function, encode the
//! result with the declared return type. Every failure is a `FunctionError` (Terraform shows it
//! at the argument it names), never a panic or a gRPC error.

use super::{RawValue, Server};
use crate::framework::function::{FunctionError, Signature};
use crate::framework::value::{Value, json, msgpack};

pub struct CallFunctionRequest {
    pub name: String,
    pub arguments: Vec<RawValue>,
}

#[derive(Debug, Default)]
pub struct CallFunctionResponse {
    pub result: RawValue,
    pub error: Option<FunctionError>,
}

impl Server {
    pub fn call_function(&self, req: CallFunctionRequest) -> CallFunctionResponse {
        let Some(function) = self.functions.get(&req.name) else {
            return failed(FunctionError::call(format!(
                "This provider has no function \"{}\".",
                req.name
            )));
        };
        let signature = &function.signature;
        let args = match decode_arguments(&req.name, signature, &req.arguments) {
            Ok(Some(args)) => args,
            // An argument not known yet: the result is not known either (Terraform's rule for
            // parameters that do not take unknowns).
            Ok(None) => return encoded(&req.name, signature, &Value::Unknown),
            Err(error) => return failed(error),
        };
        match function.imp.call(args) {
            Ok(value) => encoded(&req.name, signature, &value),
            Err(error) => failed(error),
        }
    }
}

fn failed(error: FunctionError) -> CallFunctionResponse {
    CallFunctionResponse {
        result: RawValue::default(),
        error: Some(error),
    }
}

fn encoded(name: &str, signature: &Signature, value: &Value) -> CallFunctionResponse {
    match msgpack::encode(value, &signature.return_type) {
        Ok(msgpack) => CallFunctionResponse {
            result: RawValue {
                msgpack,
                json: Vec::new(),
            },
            error: None,
        },
        Err(err) => failed(FunctionError::call(format!(
            "Provider bug: the result of {name} does not match its return type {}: {err}.",
            signature.return_type
        ))),
    }
}

/// The decoded arguments; `None` when one that may not be unknown is.
fn decode_arguments(
    name: &str,
    signature: &Signature,
    raw: &[RawValue],
) -> Result<Option<Vec<Value>>, FunctionError> {
    let fixed = signature.parameters.len();
    if raw.len() < fixed {
        let missing = &signature.parameters[raw.len()];
        return Err(FunctionError::call(format!(
            "{name} takes {fixed} argument(s) before any optional ones; argument {} (\"{}\") is missing.",
            raw.len(),
            missing.name
        )));
    }
    let mut args = Vec::with_capacity(raw.len());
    let mut unknown = false;
    for (i, raw) in raw.iter().enumerate() {
        let Some(parameter) = signature.parameter_at(i) else {
            return Err(FunctionError::argument(
                i,
                format!("{name} takes {fixed} argument(s); argument {i} is one too many."),
            ));
        };
        let decoded = if !raw.msgpack.is_empty() {
            msgpack::decode(&raw.msgpack, &parameter.ty)
        } else if !raw.json.is_empty() {
            json::decode(&raw.json, &parameter.ty, json::JsonDecodeOptions::default())
        } else {
            Ok(Value::Null)
        };
        let value = decoded.map_err(|err| {
            FunctionError::argument(
                i,
                format!(
                    "argument {i} (\"{}\") must be {}: {err}",
                    parameter.name, parameter.ty
                ),
            )
        })?;
        if value.is_null() && !parameter.allow_null_value {
            return Err(FunctionError::argument(
                i,
                format!("argument {i} (\"{}\") must not be null.", parameter.name),
            ));
        }
        unknown |= !parameter.allow_unknown_values && !value.is_wholly_known();
        args.push(value);
    }
    Ok((!unknown).then_some(args))
}

#[cfg(test)]
#[path = "call_function_tests.rs"]
mod tests;
