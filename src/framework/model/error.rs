use std::fmt;

use crate::framework::diag::{Diagnostic, Diagnostics, Severity};
use crate::framework::value::AttrPath;

/// A value that does not fit a model (or a model that does not fit a type), with where.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelError {
    path: AttrPath,
    message: String,
    /// False while the error comes from serde and has not been given its place yet.
    located: bool,
    /// How many steps of `path` Terraform can address: set elements have no address.
    addressable: usize,
    /// An empty list or set met where a struct was asked for; `decode` retries it as `None`.
    empty_single: bool,
}

impl ModelError {
    pub(super) fn new(path: &AttrPath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
            located: true,
            addressable: path.0.len(),
            empty_single: false,
        }
    }

    /// "expected X, found Y" at `path`.
    pub(super) fn expected(path: &AttrPath, expected: &str, found: &str) -> Self {
        Self::new(path, format!("expected {expected}, found {found}"))
    }

    pub(super) fn empty_single(self) -> Self {
        Self {
            empty_single: true,
            ..self
        }
    }

    pub(super) fn is_empty_single(&self) -> bool {
        self.empty_single
    }

    fn unlocated(message: String) -> Self {
        Self {
            located: false,
            ..Self::new(&AttrPath::root(), message)
        }
    }

    /// Places an error raised by serde (which knows no paths) at the value it was raised for.
    pub(super) fn at(mut self, path: &AttrPath) -> Self {
        if !self.located {
            self.path = path.clone();
            self.addressable = path.0.len();
            self.located = true;
        }
        self
    }

    /// Marks that the error lies inside a set whose own path has `depth` steps.
    pub(super) fn in_set(mut self, depth: usize) -> Self {
        self.addressable = self.addressable.min(depth);
        self
    }

    /// The full path, set elements included as `[i]`.
    pub fn path(&self) -> &AttrPath {
        &self.path
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error as a diagnostic on the attribute, as far as Terraform can address it.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let path = AttrPath(self.path.0[..self.addressable].to_vec());
        Diagnostic {
            severity: Severity::Error,
            summary: "Invalid attribute value".into(),
            detail: self.to_string(),
            path: (!path.is_root()).then_some(path),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ModelError {}

impl serde::de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::unlocated(msg.to_string())
    }
}

impl serde::ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::unlocated(msg.to_string())
    }
}

impl From<ModelError> for Diagnostic {
    fn from(e: ModelError) -> Self {
        e.to_diagnostic()
    }
}

/// Lets CRUD code, which reports into `Diagnostics`, stop on a model error:
/// `let Some(plan) = decode::<M>(&req.planned).or_report(&mut resp.diags) else { return };`
pub trait OrReport<T> {
    fn or_report(self, diags: &mut Diagnostics) -> Option<T>;
}

impl<T> OrReport<T> for Result<T, ModelError> {
    fn or_report(self, diags: &mut Diagnostics) -> Option<T> {
        self.map_err(|e| diags.0.push(e.to_diagnostic())).ok()
    }
}
