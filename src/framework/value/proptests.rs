//! Property tests: any value of any type, with nulls and unknowns at every depth, survives the
//! msgpack round trip; wholly known values survive JSON; types survive type JSON; numbers keep
//! one canonical form.

use proptest::prelude::*;

use super::json::{self, JsonDecodeOptions};
use super::{Number, Type, Value, msgpack};

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ]
}

/// Types up to four levels deep. Set elements never contain `dynamic`, as in Terraform.
fn any_type() -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner
                .clone()
                .prop_filter("sets hold no dynamic values", |t| !t.has_dynamic())
                .prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..5).prop_flat_map(|attrs| {
                let names: Vec<String> = attrs.keys().cloned().collect();
                let n = names.len();
                prop::sample::subsequence(names, 0..=n)
                    .prop_map(move |optional| Type::object_with_optional(attrs.clone(), optional))
            }),
        ]
    })
}

/// A concrete type for a value in a `dynamic` slot (which may itself contain `dynamic`).
fn concrete_type() -> impl Strategy<Value = Type> {
    any_type().prop_filter("concrete at the top", |t| *t != Type::Dynamic)
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        any::<f64>().prop_filter_map("finite", Number::from_f64_exact),
        decimal_text().prop_filter_map("decimal", |s| Number::parse(&s)),
    ]
}

/// Decimal literals in every shape the parser accepts, including huge and tiny exponents.
fn decimal_text() -> impl Strategy<Value = String> {
    (
        "[-+]?",
        "[0-9]{0,30}",
        prop::option::of("[0-9]{0,30}"),
        prop::option::of(-1000i64..1000),
    )
        .prop_filter_map("needs a digit", |(sign, int, frac, exp)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            if int.is_empty() && frac.len() < 2 {
                return None;
            }
            let exp = exp.map(|e| format!("e{e}")).unwrap_or_default();
            Some(format!("{sign}{int}{frac}{exp}"))
        })
}

/// How much deeper values may grow through `dynamic` slots, whose types are chosen here.
const DYNAMIC_BUDGET: u32 = 2;

/// A known value of exactly `ty` (no null or unknown at the top).
fn known_value(ty: Type, unknowns: bool, budget: u32) -> BoxedStrategy<Value> {
    let child = move |t: Type| value_of(t, unknowns, budget);
    match ty {
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Number => number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Dynamic if budget == 0 => prop_oneof![
            ".{0,6}"
                .prop_map(|s| Value::Dynamic(Box::new(Type::String), Box::new(Value::String(s)))),
            any::<bool>()
                .prop_map(|b| Value::Dynamic(Box::new(Type::Bool), Box::new(Value::Bool(b)))),
        ]
        .boxed(),
        Type::Dynamic => concrete_type()
            .prop_flat_map(move |t| {
                // The wrapped value may be a typed null or unknown.
                value_of(t.clone(), unknowns, budget - 1)
                    .prop_map(move |v| Value::Dynamic(Box::new(t.clone()), Box::new(v)))
            })
            .boxed(),
        Type::List(e) => prop::collection::vec(child(*e), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(child(*e), 0..4)
            .prop_map(|items| {
                let mut distinct: Vec<Value> = Vec::new();
                for i in items {
                    if !distinct.contains(&i) {
                        distinct.push(i);
                    }
                }
                Value::Set(distinct)
            })
            .boxed(),
        Type::Map(e) => prop::collection::btree_map(".{0,4}", child(*e), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ts) => ts
            .into_iter()
            .map(child)
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object(o) => o
            .attrs
            .into_iter()
            .map(|(k, t)| child(t).prop_map(move |v| (k.clone(), v)))
            .collect::<Vec<_>>()
            .prop_map(Value::object)
            .boxed(),
    }
}

/// Any value of `ty`, with null (and unknown when asked) possible at every depth.
fn value_of(ty: Type, unknowns: bool, budget: u32) -> BoxedStrategy<Value> {
    if unknowns {
        prop_oneof![
            1 => Just(Value::Null),
            1 => Just(Value::Unknown),
            5 => known_value(ty, true, budget),
        ]
        .boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 5 => known_value(ty, false, budget)].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(move |t| (Just(t.clone()), value_of(t, unknowns, DYNAMIC_BUDGET)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trips((ty, v) in typed_value(true)) {
        let bytes = msgpack::encode(&v, &ty).unwrap();
        let back = msgpack::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        // Decoding keeps element order, so re-encoding is byte for byte the same.
        prop_assert_eq!(msgpack::encode(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trips_known_values((ty, v) in typed_value(false)) {
        prop_assert!(v.is_wholly_known());
        let bytes = json::encode(&v, &ty).unwrap();
        prop_assert_eq!(&json::decode(&bytes, &ty, JsonDecodeOptions::default()).unwrap(), &v);
        let serde = json::to_serde(&v, &ty).unwrap();
        prop_assert_eq!(json::from_serde(&serde, &ty, JsonDecodeOptions::default()).unwrap(), v);
    }

    #[test]
    fn json_refuses_unknowns((ty, v) in typed_value(true)) {
        prop_assert_eq!(json::encode(&v, &ty).is_ok(), v.is_wholly_known());
    }

    #[test]
    fn type_json_round_trips(ty in any_type()) {
        prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()).unwrap(), ty);
    }

    #[test]
    fn decoding_garbage_never_panics(ty in any_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = msgpack::decode(&bytes, &ty);
        let _ = json::decode(&bytes, &ty, JsonDecodeOptions::default());
    }

    #[test]
    fn numbers_have_one_canonical_form(n in number()) {
        prop_assert_eq!(Number::parse(&n.to_string()), Some(n.clone()));
        if let Some(i) = n.as_i64() {
            prop_assert_eq!(Number::from_i64(i), n.clone());
        }
        if let Some(f) = n.to_f64_exact() {
            prop_assert_eq!(Number::from_f64_exact(f), Some(n));
        }
    }

    #[test]
    fn decimal_spellings_agree(text in decimal_text(), zeros in 0usize..3) {
        // Padding the fraction with zeros or moving the point into the exponent keeps the value.
        let Some(n) = Number::parse(&text) else { return Ok(()) };
        let (mantissa, exp) = match text.split_once('e') {
            Some((m, e)) => (m.to_string(), e.parse::<i64>().unwrap()),
            None => (text.clone(), 0),
        };
        let padded = if mantissa.contains('.') {
            format!("{mantissa}{}e{exp}", "0".repeat(zeros))
        } else {
            format!("{mantissa}.{}e{exp}", "0".repeat(zeros))
        };
        prop_assert_eq!(Number::parse(&padded), Some(n.clone()));
        if !mantissa.contains('.') {
            let shifted = format!("{mantissa}0e{}", exp - 1);
            prop_assert_eq!(Number::parse(&shifted), Some(n));
        }
    }

    #[test]
    fn floats_survive(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        prop_assert_eq!(Number::from_f64(f).unwrap().as_f64(), f);
        prop_assert_eq!(Number::from_f64_exact(f).unwrap().to_f64_exact(), Some(f));
    }

    #[test]
    fn order_agrees_with_integers(a in any::<i64>(), b in any::<i64>()) {
        prop_assert_eq!(Number::from_i64(a).cmp(&Number::from_i64(b)), a.cmp(&b));
    }

    #[test]
    fn order_agrees_with_floats(a in -1e30f64..1e30, b in -1e30f64..1e30) {
        let (na, nb) = (Number::from_f64_exact(a).unwrap(), Number::from_f64_exact(b).unwrap());
        prop_assert_eq!(na.cmp(&nb), a.partial_cmp(&b).unwrap());
    }
}
