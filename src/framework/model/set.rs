//! A set in a model: a `Vec` that compares as Terraform compares sets.

use serde::{Deserialize, Serialize};

use crate::framework::value::same_elements;

/// The elements of a set attribute or block. Equality ignores order (a multiset comparison),
/// so a change check on two models sees what Terraform sees.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Set<T>(pub Vec<T>);

impl<T> Default for Set<T> {
    fn default() -> Self {
        Set(Vec::new())
    }
}

impl<T: PartialEq> PartialEq for Set<T> {
    fn eq(&self, other: &Self) -> bool {
        same_elements(&self.0, &other.0)
    }
}

impl<T> From<Vec<T>> for Set<T> {
    fn from(items: Vec<T>) -> Self {
        Set(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_without_order() {
        assert_eq!(Set(vec![1, 2, 2]), Set(vec![2, 1, 2]));
        assert_ne!(Set(vec![1, 1, 2]), Set(vec![1, 2, 2]));
    }
}
