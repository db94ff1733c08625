//! The trait a provider-defined function implements (`provider::NAME::FUNCTION(…)` in
//! configuration): a signature, and `call` on decoded arguments. Functions are pure: Terraform may
//! call them before the provider is configured, so they get no provider data.

use super::value::{Type, Value};

/// One parameter of a function.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Whether `null` may be passed; otherwise Terraform refuses it before calling.
    pub allow_null_value: bool,
    /// Whether the function is called while the argument is not known yet; otherwise the
    /// result is unknown without a call.
    pub allow_unknown_values: bool,
}

impl Parameter {
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Self {
            name: name.into(),
            ty,
            description: description.into(),
            allow_null_value: false,
            allow_unknown_values: false,
        }
    }

    pub fn allow_null(mut self) -> Self {
        self.allow_null_value = true;
        self
    }
}

/// What Terraform shows of a function and checks its calls against.
#[derive(Clone, Debug)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    /// Taken any number of times (zero included) after the fixed parameters.
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    /// One line, without a trailing period.
    pub summary: String,
    /// Markdown.
    pub description: String,
    pub deprecation: Option<String>,
}

impl Signature {
    pub fn new(summary: &str, return_type: Type) -> Self {
        Self {
            parameters: Vec::new(),
            variadic: None,
            return_type,
            summary: summary.into(),
            description: String::new(),
            deprecation: None,
        }
    }

    pub fn parameter(mut self, parameter: Parameter) -> Self {
        self.parameters.push(parameter);
        self
    }

    pub fn variadic(mut self, parameter: Parameter) -> Self {
        self.variadic = Some(parameter);
        self
    }

    pub fn description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// The declared parameter of argument `index` (the variadic one past the fixed ones).
    pub fn parameter_at(&self, index: usize) -> Option<&Parameter> {
        self.parameters.get(index).or(self.variadic.as_ref())
    }
}

/// A failed call: Terraform shows `text`, pointing at the argument when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionError {
    pub text: String,
    /// Zero-based position of the argument at fault.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about the argument at `index`.
    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// An error about the call as a whole.
    pub fn call(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }
}

pub trait Function: Send + Sync {
    /// The name after `provider::NAME::`, e.g. `arn_parse`.
    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    /// `args` are decoded with the declared types, fixed parameters first, then the variadic
    /// ones; the result must conform to the declared return type.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}
