//! Property tests: any value of any type, with nulls and unknowns at every depth, survives the
//! msgpack round trip; wholly known values survive JSON; types survive type JSON.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::json::{self, JsonDecodeOptions};
use super::{Number, Type, Value, msgpack};

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic)
    ]
}

fn any_type() -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner
                .clone()
                .prop_filter("sets hold no dynamic values", |t| !contains_dynamic(t))
                .prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4).prop_flat_map(|attrs| {
                let names: Vec<String> = attrs.keys().cloned().collect();
                prop::sample::subsequence(names.clone(), 0..=names.len())
                    .prop_map(move |optional| Type::object_with_optional(attrs.clone(), optional))
            }),
        ]
    })
}

fn contains_dynamic(t: &Type) -> bool {
    match t {
        Type::Dynamic => true,
        Type::List(e) | Type::Set(e) | Type::Map(e) => contains_dynamic(e),
        Type::Tuple(ts) => ts.iter().any(contains_dynamic),
        Type::Object(o) => o.attrs.values().any(contains_dynamic),
        _ => false,
    }
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        (-1e300f64..1e300).prop_filter_map("finite", Number::from_f64),
        "-?[1-9][0-9]{20,40}(\\.[0-9]{1,20})?".prop_filter_map("decimal", |s| Number::parse(&s)),
    ]
}

/// A known value of exactly `ty` (no null/unknown at the top).
fn known_value(ty: Type, with_unknowns: bool) -> BoxedStrategy<Value> {
    let child = move |t: Type| value_of(t, with_unknowns);
    match ty {
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Number => number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Dynamic => leaf_type()
            .prop_filter("concrete", |t| *t != Type::Dynamic)
            .prop_flat_map(move |t| {
                known_value(t.clone(), with_unknowns)
                    .prop_map(move |v| Value::Dynamic(Box::new(t.clone()), Box::new(v)))
            })
            .boxed(),
        Type::List(e) => prop::collection::vec(child(*e), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(child(*e), 0..3)
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
        Type::Map(e) => prop::collection::btree_map("[a-z]{0,4}", child(*e), 0..3)
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
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
    }
}

fn value_of(ty: Type, with_unknowns: bool) -> BoxedStrategy<Value> {
    if with_unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 4 => known_value(ty, true)]
            .boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 4 => known_value(ty, false)].boxed()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trips((ty, v) in any_type().prop_flat_map(|t| (Just(t.clone()), value_of(t, true)))) {
        let bytes = msgpack::encode(&v, &ty).unwrap();
        prop_assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn json_round_trips_known_values((ty, v) in any_type().prop_flat_map(|t| (Just(t.clone()), value_of(t, false)))) {
        let bytes = json::encode(&v, &ty).unwrap();
        prop_assert_eq!(json::decode(&bytes, &ty, JsonDecodeOptions::default()).unwrap(), v);
    }

    #[test]
    fn type_json_round_trips(ty in any_type()) {
        prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()).unwrap(), ty);
    }
}
