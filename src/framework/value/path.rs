use std::fmt;

/// One step of an attribute path, as the protocol addresses values (`AttributePath.steps`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute (`attribute_name`).
    Attr(String),
    /// A map element (`element_key_string`).
    Key(String),
    /// A list or tuple element (`element_key_int`). Set elements have no address.
    Index(i64),
}

/// A path from the root object to a nested value, shown as Terraform writes it: `a.b[0]["k"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.0.push(PathStep::Attr(name.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    pub fn index(mut self, index: i64) -> Self {
        self.0.push(PathStep::Index(index));
        self
    }

    pub fn push(&mut self, step: PathStep) {
        self.0.push(step);
    }

    /// A copy with one more step, leaving `self` as it is.
    pub fn child(&self, step: PathStep) -> Self {
        let mut p = self.clone();
        p.0.push(step);
        p
    }

    /// The path without its last step; `None` at the root.
    pub fn parent(&self) -> Option<AttrPath> {
        let mut p = self.clone();
        p.0.pop().map(|_| p)
    }

    pub fn last(&self) -> Option<&PathStep> {
        self.0.last()
    }

    /// True when `other` is this path or lies beneath it.
    pub fn is_prefix_of(&self, other: &AttrPath) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl From<Vec<PathStep>> for AttrPath {
    fn from(steps: Vec<PathStep>) -> Self {
        Self(steps)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => f.write_str(name)?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => {
                    f.write_str("[\"")?;
                    write_escaped(f, key)?;
                    f.write_str("\"]")?;
                }
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Quotes a map key the way HCL would read it back, keeping printable Unicode as is.
fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_terraform() {
        let p = AttrPath::root().attr("a").attr("b").index(0).key("k");
        assert_eq!(p.to_string(), r#"a.b[0]["k"]"#);
        assert_eq!(AttrPath::root().to_string(), "");
        assert_eq!(
            AttrPath::root().key("say \"hi\"\n\\ é").to_string(),
            r#"["say \"hi\"\n\\ é"]"#
        );
        assert_eq!(AttrPath::root().index(3).attr("x").to_string(), "[3].x");
    }

    #[test]
    fn structure() {
        let a = AttrPath::root().attr("a");
        let ab = a.clone().index(1);
        assert!(a.is_prefix_of(&ab));
        assert!(a.is_prefix_of(&a));
        assert!(AttrPath::root().is_prefix_of(&a));
        assert!(!ab.is_prefix_of(&a));
        assert!(!AttrPath::root().attr("ab").is_prefix_of(&a));
        assert_eq!(ab.parent(), Some(a.clone()));
        assert_eq!(AttrPath::root().parent(), None);
        assert_eq!(ab.last(), Some(&PathStep::Index(1)));
        assert_eq!(a.child(PathStep::Index(1)), ab);
        let mut p = AttrPath::root();
        p.push(PathStep::Attr("a".into()));
        assert_eq!(p, a);
        assert!(AttrPath::root().is_root() && !a.is_root());
    }
}
