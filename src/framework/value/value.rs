use std::collections::BTreeMap;

use super::number::Number;
use super::path::{AttrPath, PathStep};
use super::types::Type;

/// A cty value without its type; the codecs take the type from the schema.
///
/// Null and unknown are untyped here. Where a `dynamic` slot held a typed null or unknown on
/// the wire (`[type, nil]`), it stays wrapped in [`Value::Dynamic`] so the type survives a
/// round trip; the accessors look through that wrapper.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Unknown,
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    Set(Vec<Value>),
    Tuple(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value held in a `dynamic` slot, with the concrete type it had on the wire.
    Dynamic(Box<Type>, Box<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (String(a), String(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => same_elements(a, b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Dynamic(ta, a), Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Multiset equality: sets have no order.
pub(crate) fn same_elements<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = (0..b.len()).find(|&i| !used[i] && *x == b[i]);
        if let Some(i) = found {
            used[i] = true;
        }
        found.is_some()
    })
}

impl Value {
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Self {
        Value::Number(n.into())
    }

    pub fn number_i64(n: i64) -> Self {
        Value::Number(Number::from_i64(n))
    }

    pub fn bool(b: bool) -> Self {
        Value::Bool(b)
    }

    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Self {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Self {
        Value::Set(items.into_iter().collect())
    }

    /// Null, including a typed null in a dynamic slot.
    pub fn is_null(&self) -> bool {
        matches!(self.strip_dynamic(), Value::Null)
    }

    /// Unknown at the top level, including a typed unknown in a dynamic slot.
    pub fn is_unknown(&self) -> bool {
        matches!(self.strip_dynamic(), Value::Unknown)
    }

    /// Known at the top level (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// This planned value after apply: every value it knew stays, each unknown one is taken
    /// from `reported` (what the remote API answered). After apply the state must match the
    /// plan wherever the plan was known.
    pub fn with_unknowns_from(&self, reported: &Value) -> Value {
        match (self, reported) {
            (Value::Unknown, r) => r.clone(),
            (Value::Object(p), Value::Object(r)) => Value::Object(
                p.iter()
                    .map(|(k, v)| {
                        let filled = r
                            .get(k)
                            .map_or_else(|| v.clone(), |rv| v.with_unknowns_from(rv));
                        (k.clone(), filled)
                    })
                    .collect(),
            ),
            (p, r) if !p.is_wholly_known() => r.clone(),
            (p, _) => p.clone(),
        }
    }

    /// Whether a nested block is in the configuration, as far as validation can tell.
    /// A `dynamic` block whose `for_each` is not known yet reaches the provider as an unknown
    /// block list, or as one block whose every attribute is unknown (and whose nested blocks
    /// are such blocks in turn): whether it will exist is
    /// then [`Presence::Unknown`], and rules about which blocks go together must wait.
    pub fn block_presence(&self) -> Presence {
        match self.strip_dynamic() {
            Value::Null => Presence::Absent,
            Value::Unknown => Presence::Unknown,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                if items.is_empty() {
                    Presence::Absent
                } else if items
                    .iter()
                    .all(|i| i.block_presence() == Presence::Unknown)
                {
                    Presence::Unknown
                } else {
                    Presence::Present
                }
            }
            // Nested blocks of such a block are blocks of unknown attributes too.
            Value::Object(attrs)
                if !attrs.is_empty()
                    && attrs
                        .values()
                        .all(|v| v.is_unknown() || v.block_presence() == Presence::Unknown) =>
            {
                Presence::Unknown
            }
            _ => Presence::Present,
        }
    }

    /// No unknown anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.strip_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.strip_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.strip_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an i64, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// An object's attribute.
    pub fn get(&self, attr: &str) -> Option<&Value> {
        match self.strip_dynamic() {
            Value::Object(m) => m.get(attr),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, attr: &str) -> Option<&mut Value> {
        match self.strip_dynamic_mut() {
            Value::Object(m) => m.get_mut(attr),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self.strip_dynamic() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a map or the attributes of an object.
    pub fn entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.strip_dynamic() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The value a path addresses: attributes in objects, keys in maps, indexes in lists and
    /// tuples. Set elements have no address, so a path through a set finds nothing.
    pub fn at_path(&self, path: &AttrPath) -> Option<&Value> {
        let mut current = self;
        for step in &path.0 {
            current = match (step, current.strip_dynamic()) {
                (PathStep::Attr(name), Value::Object(m)) => m.get(name)?,
                (PathStep::Key(key), Value::Map(m)) => m.get(key)?,
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// The value inside any dynamic wrappers, or itself.
    pub fn strip_dynamic(&self) -> &Value {
        match self {
            Value::Dynamic(_, v) => v.strip_dynamic(),
            v => v,
        }
    }

    pub fn strip_dynamic_mut(&mut self) -> &mut Value {
        match self {
            Value::Dynamic(_, v) => v.strip_dynamic_mut(),
            v => v,
        }
    }

    /// The type a value has on its own, as used when it fills a `dynamic` slot without a
    /// wrapper: lists, sets and maps take the type of their first known, non-null element,
    /// and an empty one gets `dynamic` elements.
    pub fn infer_type(&self) -> Type {
        fn element(items: &mut dyn Iterator<Item = &Value>) -> Type {
            items
                .map(Value::infer_type)
                .find(|t| *t != Type::Dynamic)
                .unwrap_or(Type::Dynamic)
        }
        match self {
            Value::String(_) => Type::String,
            Value::Number(_) => Type::Number,
            Value::Bool(_) => Type::Bool,
            Value::List(items) => Type::list(element(&mut items.iter())),
            Value::Set(items) => Type::set(element(&mut items.iter())),
            Value::Map(entries) => Type::map(element(&mut entries.values())),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::infer_type).collect()),
            Value::Object(attrs) => {
                Type::object(attrs.iter().map(|(k, v)| (k.clone(), v.infer_type())))
            }
            Value::Dynamic(t, _) => (**t).clone(),
            Value::Null | Value::Unknown => Type::Dynamic,
        }
    }

    /// A short name for the value's shape, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Tuple(_) => "tuple",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Dynamic(..) => "dynamic",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::number_i64(n)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dynamic(t: Type, v: Value) -> Value {
        Value::Dynamic(Box::new(t), Box::new(v))
    }

    #[test]
    fn sets_compare_as_multisets() {
        let a = Value::set([Value::string("x"), Value::string("y"), Value::string("x")]);
        let b = Value::set([Value::string("x"), Value::string("x"), Value::string("y")]);
        let c = Value::set([Value::string("x"), Value::string("y"), Value::string("y")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            Value::list([Value::string("x"), Value::string("y")]),
            Value::list([Value::string("y"), Value::string("x")])
        );
        assert_ne!(Value::list([]), Value::set([]));
        assert_ne!(Value::Null, Value::Unknown);
    }

    #[test]
    fn accessors() {
        let v = Value::object([
            ("name", Value::string("web")),
            ("count", Value::number_i64(3)),
            ("on", Value::Bool(true)),
            ("tags", Value::map([("k", Value::string("v"))])),
            (
                "ports",
                Value::list([Value::number_i64(80), Value::Unknown]),
            ),
            ("d", dynamic(Type::String, Value::string("x"))),
            ("dn", dynamic(Type::String, Value::Null)),
        ]);
        assert_eq!(v.get("name").and_then(Value::as_str), Some("web"));
        assert_eq!(v.get("count").and_then(Value::as_i64), Some(3));
        assert_eq!(v.get("on").and_then(Value::as_bool), Some(true));
        assert_eq!(v.get("d").and_then(Value::as_str), Some("x"));
        assert!(v.get("dn").unwrap().is_null());
        assert!(v.get("missing").is_none());
        assert_eq!(
            v.get("ports").and_then(Value::elements).map(<[_]>::len),
            Some(2)
        );
        let path = AttrPath::root().attr("tags").key("k");
        assert_eq!(v.at_path(&path).and_then(Value::as_str), Some("v"));
        let path = AttrPath::root().attr("ports").index(1);
        assert!(v.at_path(&path).unwrap().is_unknown());
        assert!(
            v.at_path(&AttrPath::root().attr("ports").index(2))
                .is_none()
        );
        assert!(
            v.at_path(&AttrPath::root().attr("tags").attr("k"))
                .is_none()
        );
        assert_eq!(v.at_path(&AttrPath::root()), Some(&v));
        assert!(v.is_known() && !v.is_wholly_known());
        assert!(Value::Unknown.is_unknown() && !Value::Unknown.is_known());

        let mut v = v;
        *v.get_mut("name").unwrap() = Value::string("api");
        assert_eq!(v.get("name").and_then(Value::as_str), Some("api"));
    }

    #[test]
    fn inferred_types() {
        let v = Value::object([
            ("l", Value::list([Value::Null, Value::string("a")])),
            ("e", Value::map::<String>([])),
            (
                "t",
                Value::Tuple(vec![Value::Bool(true), Value::number_i64(1)]),
            ),
        ]);
        assert_eq!(
            v.infer_type(),
            Type::object([
                ("l", Type::list(Type::String)),
                ("e", Type::map(Type::Dynamic)),
                ("t", Type::Tuple(vec![Type::Bool, Type::Number])),
            ])
        );
    }
}

/// Whether a nested block is configured: see [`Value::block_presence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Absent,
    Present,
    /// A `dynamic` block whose `for_each` is not known yet.
    Unknown,
}

#[cfg(test)]
mod plan_value_tests {
    use super::*;

    #[test]
    fn an_applied_value_keeps_what_the_plan_knew_and_fills_its_unknowns() {
        let planned = Value::object([
            ("a", Value::string("mine")),
            ("b", Value::Unknown),
            (
                "c",
                Value::object([("d", Value::Unknown), ("e", Value::number_i64(1))]),
            ),
        ]);
        let reported = Value::object([
            ("a", Value::string("theirs")),
            ("b", Value::string("filled")),
            (
                "c",
                Value::object([("d", Value::number_i64(7)), ("e", Value::number_i64(2))]),
            ),
        ]);
        let filled = planned.with_unknowns_from(&reported);
        assert_eq!(filled.get("a"), Some(&Value::string("mine")));
        assert_eq!(filled.get("b"), Some(&Value::string("filled")));
        let c = filled.get("c").unwrap();
        assert_eq!(c.get("d"), Some(&Value::number_i64(7)));
        assert_eq!(c.get("e"), Some(&Value::number_i64(1)));
    }

    #[test]
    fn a_dynamic_block_with_unknown_for_each_is_neither_present_nor_absent() {
        let all_unknown = Value::object([("a", Value::Unknown), ("b", Value::Unknown)]);
        assert_eq!(all_unknown.block_presence(), Presence::Unknown);
        let nested = Value::object([("a", Value::Unknown), ("inner", all_unknown.clone())]);
        assert_eq!(nested.block_presence(), Presence::Unknown);
        assert_eq!(Value::Unknown.block_presence(), Presence::Unknown);
        assert_eq!(
            Value::list([all_unknown.clone()]).block_presence(),
            Presence::Unknown
        );
    }

    #[test]
    fn written_blocks_are_present_even_with_unknown_attributes() {
        let one_unknown = Value::object([("a", Value::Unknown), ("b", Value::Null)]);
        assert_eq!(one_unknown.block_presence(), Presence::Present);
        assert_eq!(
            Value::list([one_unknown, Value::object([("a", Value::Unknown)])]).block_presence(),
            Presence::Present
        );
        assert_eq!(Value::Null.block_presence(), Presence::Absent);
        assert_eq!(Value::list([]).block_presence(), Presence::Absent);
    }
}
