//! GetFunctions: every function's signature, built once when the server starts. The same map
//! goes into GetProviderSchema; OpenTofu also asks here for names missing from the schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Server;
use crate::framework::diag::Diagnostics;
use crate::framework::function::{Function, Signature};
use crate::framework::provider::Provider;

pub(super) struct RegisteredFunction {
    pub(super) imp: Arc<dyn Function>,
    pub(super) signature: Signature,
}

/// The provider's functions by name, each signature built once.
pub(super) fn register(provider: &dyn Provider) -> BTreeMap<String, RegisteredFunction> {
    provider
        .functions()
        .into_iter()
        .map(|imp| {
            let signature = imp.signature();
            (
                imp.name().to_string(),
                RegisteredFunction { imp, signature },
            )
        })
        .collect()
}

pub struct GetFunctionsResponse<'a> {
    pub functions: Vec<(&'a str, &'a Signature)>,
    pub diags: Diagnostics,
}

impl Server {
    pub fn get_functions(&self) -> GetFunctionsResponse<'_> {
        GetFunctionsResponse {
            functions: self.function_signatures(),
            diags: Diagnostics::new(),
        }
    }

    pub(super) fn function_signatures(&self) -> Vec<(&str, &Signature)> {
        self.functions
            .iter()
            .map(|(n, f)| (n.as_str(), &f.signature))
            .collect()
    }

    pub fn function_names(&self) -> Vec<&str> {
        self.functions.keys().map(String::as_str).collect()
    }
}
