use std::fmt;

use super::path::AttrPath;

/// A value or type that could not be encoded or decoded, with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecError {
    pub path: AttrPath,
    pub message: String,
}

impl CodecError {
    pub fn new(path: &AttrPath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CodecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_path() {
        let at_root = CodecError::new(&AttrPath::root(), "bad");
        assert_eq!(at_root.to_string(), "bad");
        let nested = CodecError::new(&AttrPath::root().attr("a").index(0), "bad");
        assert_eq!(nested.to_string(), "at a[0]: bad");
    }
}
