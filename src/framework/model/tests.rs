use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;
use crate::framework::Diagnostics;
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::framework::value::Number;

fn num(text: &str) -> Value {
    Value::Number(Number::parse(text).unwrap())
}

fn err_text<T: std::fmt::Debug>(r: Result<T, ModelError>) -> String {
    r.expect_err("should fail").to_string()
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Mode {
    Replica,
    Daemon,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Network {
    subnets: Vec<String>,
    public_ip: Option<bool>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Lb {
    port: i64,
    name: Attr<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Everything {
    name: String,
    enabled: bool,
    count: i64,
    ratio: f64,
    big: Number,
    note: Option<String>,
    arn: Attr<String>,
    ports: Vec<i64>,
    groups: Vec<String>,
    tags: BTreeMap<String, String>,
    network: Option<Network>,
    legacy: Option<Network>,
    load_balancer: Vec<Lb>,
    raw: Value,
    mode: Mode,
}

fn network_type() -> Type {
    Type::object([
        ("subnets", Type::set(Type::String)),
        ("public_ip", Type::Bool),
    ])
}

fn everything_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("enabled", Type::Bool),
        ("count", Type::Number),
        ("ratio", Type::Number),
        ("big", Type::Number),
        ("note", Type::String),
        ("arn", Type::String),
        ("ports", Type::list(Type::Number)),
        ("groups", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
        ("network", network_type()),
        ("legacy", Type::list(network_type())),
        (
            "load_balancer",
            Type::set(Type::object([
                ("port", Type::Number),
                ("name", Type::String),
            ])),
        ),
        ("raw", Type::Dynamic),
        ("mode", Type::String),
    ])
}

fn everything_value() -> Value {
    let network = Value::object([
        ("subnets", Value::set([Value::string("s-1")])),
        ("public_ip", Value::Null),
    ]);
    Value::object([
        ("name", Value::string("web")),
        ("enabled", Value::Bool(true)),
        ("count", Value::number_i64(-3)),
        ("ratio", num("0.1")),
        ("big", num("123456789012345678901234567890.000000001")),
        ("note", Value::Null),
        ("arn", Value::Unknown),
        (
            "ports",
            Value::list([Value::number_i64(80), Value::number_i64(443)]),
        ),
        (
            "groups",
            Value::set([Value::string("b"), Value::string("a")]),
        ),
        ("tags", Value::map([("env", Value::string("prod"))])),
        ("network", network.clone()),
        ("legacy", Value::list([network])),
        (
            "load_balancer",
            Value::set([Value::object([
                ("port", Value::number_i64(8080)),
                ("name", Value::string("lb")),
            ])]),
        ),
        (
            "raw",
            Value::Dynamic(
                Box::new(Type::list(Type::String)),
                Box::new(Value::list([Value::Unknown])),
            ),
        ),
        ("mode", Value::string("DAEMON")),
    ])
}

#[test]
fn every_field_kind_round_trips() {
    let value = everything_value();
    let model: Everything = decode(&value).unwrap();
    let network = Network {
        subnets: vec!["s-1".into()],
        public_ip: None,
    };
    assert_eq!(
        model,
        Everything {
            name: "web".into(),
            enabled: true,
            count: -3,
            ratio: 0.1,
            big: Number::parse("123456789012345678901234567890.000000001").unwrap(),
            note: None,
            arn: Attr::Unknown,
            ports: vec![80, 443],
            groups: vec!["b".into(), "a".into()],
            tags: BTreeMap::from([("env".into(), "prod".into())]),
            network: Some(network.clone()),
            legacy: Some(network),
            load_balancer: vec![Lb {
                port: 8080,
                name: Attr::Known("lb".into()),
            }],
            raw: value.get("raw").unwrap().clone(),
            mode: Mode::Daemon,
        }
    );
    assert_eq!(encode(&model, &everything_type()).unwrap(), value);
}

#[test]
fn the_type_decides_list_or_set_and_absent_blocks() {
    let model = Everything {
        groups: vec!["x".into()],
        network: None,
        legacy: None,
        ..decode(&everything_value()).unwrap()
    };
    let back = encode(&model, &everything_type()).unwrap();
    assert_eq!(back.get("groups"), Some(&Value::set([Value::string("x")])));
    assert_eq!(back.get("ports").unwrap().kind(), "list");
    // A single block absent: null as an object, no element as a list of blocks.
    assert_eq!(back.get("network"), Some(&Value::Null));
    assert_eq!(back.get("legacy"), Some(&Value::list([])));
    for absent in [Value::list([]), Value::Null] {
        let mut value = everything_value();
        *value.get_mut("legacy").unwrap() = absent;
        *value.get_mut("network").unwrap() = Value::Null;
        let model: Everything = decode(&value).unwrap();
        assert_eq!((model.network, model.legacy), (None, None));
    }
    let mut two = everything_value();
    let block = two.get("network").unwrap().clone();
    *two.get_mut("legacy").unwrap() = Value::list([block.clone(), block]);
    assert_eq!(
        err_text(decode::<Everything>(&two)),
        "legacy: expected at most one block, found 2 blocks"
    );
}

#[test]
fn option_of_a_list_keeps_empty_apart_from_null() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct M {
        names: Option<Vec<String>>,
        blocks: Attr<Vec<Lb>>,
    }
    let ty = Type::object([
        ("names", Type::list(Type::String)),
        (
            "blocks",
            Type::list(Type::object([
                ("port", Type::Number),
                ("name", Type::String),
            ])),
        ),
    ]);
    for v in [Value::Null, Value::list([])] {
        let value = Value::object([("names", v.clone()), ("blocks", v)]);
        let model: M = decode(&value).unwrap();
        assert_eq!(encode(&model, &ty).unwrap(), value);
    }
}

#[test]
fn attr_carries_null_and_unknown() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct M {
        a: Attr<i64>,
        b: Attr<Vec<String>>,
        c: Attr<Network>,
    }
    let ty = Type::object([
        ("a", Type::Number),
        ("b", Type::set(Type::String)),
        ("c", network_type()),
    ]);
    let cases = [
        (Value::Unknown, Attr::Unknown, Attr::Unknown, Attr::Unknown),
        (Value::Null, Attr::Null, Attr::Null, Attr::Null),
    ];
    for (v, a, b, c) in cases {
        let value = Value::object([("a", v.clone()), ("b", v.clone()), ("c", v)]);
        let model: M = decode(&value).unwrap();
        assert_eq!(model, M { a, b, c });
        assert_eq!(encode(&model, &ty).unwrap(), value);
    }
    let value = Value::object([
        ("a", Value::number_i64(7)),
        ("b", Value::set([])),
        (
            "c",
            Value::object([
                ("subnets", Value::Unknown),
                ("public_ip", Value::Bool(false)),
            ]),
        ),
    ]);
    let err = err_text(decode::<M>(&value));
    assert_eq!(err, "c.subnets: expected a list or set, found unknown");

    let a: Attr<i64> = Some(3).into();
    assert_eq!(a.known(), Some(&3));
    assert_eq!(a.clone().map(|n| n + 1).into_option(), Some(4));
    assert!(Attr::<i64>::default().is_null());
    assert!(Attr::<i64>::Unknown.is_unknown() && !Attr::<i64>::Unknown.is_known());
    assert_eq!(Attr::<i64>::from(None), Attr::Null);
    assert_eq!(Attr::from(5).as_ref(), Attr::Known(&5));
}

#[test]
fn raw_values_keep_unknowns_and_types() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct M {
        list: Value,
        set: Value,
        json: Value,
        absent: Value,
    }
    let ty = Type::object([
        ("list", Type::list(Type::String)),
        ("set", Type::set(Type::String)),
        ("json", Type::Dynamic),
        ("absent", Type::String),
    ]);
    let value = Value::object([
        ("list", Value::list([Value::string("a"), Value::Unknown])),
        ("set", Value::set([Value::Unknown, Value::string("b")])),
        (
            "json",
            Value::Dynamic(Box::new(Type::Number), Box::new(Value::Unknown)),
        ),
        ("absent", Value::Unknown),
    ]);
    let model: M = decode(&value).unwrap();
    assert_eq!(model.set, *value.get("set").unwrap());
    assert_eq!(encode(&model, &ty).unwrap(), value);
    // Other serializers are refused rather than given a wrong value.
    assert!(serde_json::to_string(&model.list).is_err());
    assert!(serde_json::from_str::<Value>("1").is_err());
}

#[test]
fn integers_refuse_what_does_not_fit() {
    #[derive(Deserialize, Debug)]
    struct M {
        #[allow(dead_code)]
        count: i64,
    }
    #[derive(Deserialize, Debug)]
    struct Small {
        #[allow(dead_code)]
        n: u16,
    }
    let m = |v: Value| decode::<M>(&Value::object([("count", v)]));
    assert_eq!(
        err_text(m(num("1.5"))),
        "count: expected a whole number, found 1.5"
    );
    assert_eq!(
        err_text(m(num("1180591620717411303424"))),
        "count: expected a whole number that fits i64, found 1180591620717411303424"
    );
    assert_eq!(
        err_text(m(num("-9223372036854775809"))),
        "count: expected a whole number that fits i64, found -9223372036854775809"
    );
    assert_eq!(m(num("-9223372036854775808")).unwrap().count, i64::MIN);
    assert_eq!(m(num("4.2e1")).unwrap().count, 42);
    let small = decode::<Small>(&Value::object([("n", num("70000"))]));
    assert_eq!(
        err_text(small),
        "n: expected a whole number that fits u16, found 70000"
    );
    assert_eq!(
        err_text(m(Value::string("3"))),
        "count: expected a whole number, found string"
    );
}

#[test]
fn option_refuses_unknown_with_the_path() {
    let mut value = everything_value();
    *value.get_mut("note").unwrap() = Value::Unknown;
    assert_eq!(
        err_text(decode::<Everything>(&value)),
        "note: expected a known value or null (only an Attr field takes unknown), found unknown"
    );
}

#[test]
fn nested_errors_name_the_path() {
    #[derive(Deserialize, Debug)]
    struct Inner {
        #[allow(dead_code)]
        b: i64,
    }
    #[derive(Deserialize, Debug)]
    struct Outer {
        #[allow(dead_code)]
        a: Vec<Inner>,
        #[allow(dead_code)]
        s: Vec<Inner>,
        #[allow(dead_code)]
        m: BTreeMap<String, Inner>,
    }
    let inner = |b: Value| Value::object([("b", b)]);
    let good = || inner(Value::number_i64(1));
    let value = |a: Value, s: Value, m: Value| {
        Value::object([
            ("a", Value::list([good(), a])),
            ("s", Value::set([s])),
            ("m", Value::map([("k", m)])),
        ])
    };
    let err = decode::<Outer>(&value(inner(Value::Null), good(), good())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a[1].b: expected a whole number, found null"
    );
    assert_eq!(err.path(), &AttrPath::root().attr("a").index(1).attr("b"));
    let missing = Value::object::<String>([]);
    let err = decode::<Outer>(&value(good(), good(), missing)).unwrap_err();
    assert_eq!(err.to_string(), r#"m["k"]: missing field `b`"#);

    // Set elements have no address: the diagnostic points at the set, the detail says more.
    let err = decode::<Outer>(&value(good(), inner(num("0.5")), good())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "s[0].b: expected a whole number, found 0.5"
    );
    let diag = err.to_diagnostic();
    assert_eq!(diag.path, Some(AttrPath::root().attr("s")));
    assert_eq!(diag.detail, "s[0].b: expected a whole number, found 0.5");
}

#[test]
fn errors_become_diagnostics() {
    let mut value = everything_value();
    *value.get_mut("count").unwrap() = num("2.5");
    let mut diags = Diagnostics::new();
    assert!(decode::<Everything>(&value).or_report(&mut diags).is_none());
    assert_eq!(diags.0.len(), 1);
    assert_eq!(diags.0[0].path, Some(AttrPath::root().attr("count")));
    assert_eq!(
        diags.0[0].detail,
        "count: expected a whole number, found 2.5"
    );
    assert!(diags.has_errors());

    fn planned(v: &Value) -> Result<Everything, crate::framework::Diagnostic> {
        Ok(decode(v)?)
    }
    assert_eq!(
        planned(&value).unwrap_err().path,
        Some(AttrPath::root().attr("count"))
    );
}

#[test]
fn encoding_checks_the_model_against_the_type() {
    let model: Everything = decode(&everything_value()).unwrap();
    let ty = |edit: &dyn Fn(&mut BTreeMap<String, Type>)| {
        let Type::Object(mut o) = everything_type() else {
            unreachable!()
        };
        edit(&mut o.attrs);
        Type::Object(o)
    };
    let extra = ty(&|a| {
        a.insert("zone".into(), Type::String);
    });
    assert_eq!(
        err_text(encode(&model, &extra)),
        "the schema's attributes `zone` have no field in `Everything`"
    );
    let fewer = ty(&|a| {
        a.remove("mode");
    });
    assert_eq!(
        err_text(encode(&model, &fewer)),
        "mode: the field of `Everything` is not an attribute of the schema"
    );
    let wrong = ty(&|a| {
        a.insert("enabled".into(), Type::String);
    });
    assert_eq!(
        err_text(encode(&model, &wrong)),
        "enabled: expected string, found a bool"
    );
    let map_as_object = ty(&|a| {
        a.insert("tags".into(), Type::object([("env", Type::String)]));
    });
    assert_eq!(
        err_text(encode(&model, &map_as_object)),
        "tags: expected object, found a map"
    );
    let nested = ty(&|a| {
        let inner = Type::object([("port", Type::String), ("name", Type::String)]);
        a.insert("load_balancer".into(), Type::set(inner));
    });
    let err = encode(&model, &nested).unwrap_err();
    assert_eq!(
        err.to_string(),
        "load_balancer[0].port: expected string, found a number"
    );
    assert_eq!(
        err.to_diagnostic().path,
        Some(AttrPath::root().attr("load_balancer"))
    );
    let nan = Everything {
        ratio: f64::NAN,
        ..model
    };
    assert_eq!(
        err_text(encode(&nan, &everything_type())),
        "ratio: expected a finite number, found NaN"
    );
}

// The agreement check.

fn schema() -> Schema {
    let network = Block::new()
        .attribute(Attribute::string_set("subnets").required())
        .attribute(Attribute::bool("public_ip").optional());
    let lb = Block::new()
        .attribute(Attribute::number("port").required())
        .attribute(Attribute::string("name").optional().computed());
    Schema::new(
        Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::bool("enabled").optional())
            .attribute(Attribute::string_map("tags").optional())
            .block(NestedBlock::single("network", network))
            .block(NestedBlock::set("load_balancer", lb)),
    )
}

#[derive(Serialize, Deserialize)]
struct Good {
    name: String,
    enabled: Option<bool>,
    tags: Attr<BTreeMap<String, String>>,
    network: Option<Network>,
    load_balancer: Vec<Lb>,
}

#[test]
fn a_model_that_fits_agrees() {
    assert_model_agrees::<Good>(&schema());
    assert_model_agrees::<Everything>(&everything_type());
    assert_model_agrees::<Network>(schema().block.block_named("network").unwrap());
}

fn problems<T: Serialize + serde::de::DeserializeOwned>() -> Vec<String> {
    check_agrees::<T>(&schema()).expect_err("should disagree")
}

#[test]
fn agreement_finds_an_attribute_without_a_field() {
    #[derive(Serialize, Deserialize)]
    struct M {
        name: String,
        enabled: Option<bool>,
        network: Option<Network>,
        load_balancer: Vec<Lb>,
    }
    assert_eq!(
        problems::<M>(),
        ["tags: the schema's attribute has no field in `M`"]
    );
}

#[test]
fn agreement_finds_a_field_without_an_attribute() {
    #[derive(Serialize, Deserialize)]
    struct M {
        name: String,
        enabled: Option<bool>,
        tags: Attr<BTreeMap<String, String>>,
        network: Option<Network>,
        load_balancer: Vec<Lb>,
        zone: String,
    }
    assert_eq!(
        problems::<M>(),
        ["zone: the field of `M` is not an attribute of the schema"]
    );
}

#[test]
fn agreement_finds_a_wrong_field_type() {
    #[derive(Serialize, Deserialize)]
    struct M {
        name: String,
        enabled: String,
        tags: Attr<BTreeMap<String, String>>,
        network: Option<Network>,
        load_balancer: Vec<Lb>,
    }
    assert_eq!(
        problems::<M>(),
        ["enabled: the field expects a string, the schema has bool"]
    );
}

#[test]
fn agreement_looks_inside_nested_blocks_and_lists_every_mismatch() {
    #[derive(Serialize, Deserialize)]
    struct Net {
        subnets: Vec<bool>,
        public: Option<bool>,
    }
    #[derive(Serialize, Deserialize)]
    struct Balancer {
        port: String,
        name: Attr<String>,
    }
    #[derive(Serialize, Deserialize)]
    struct M {
        name: String,
        enabled: Option<bool>,
        tags: Vec<String>,
        network: Option<Net>,
        load_balancer: Vec<Balancer>,
    }
    assert_eq!(
        problems::<M>(),
        [
            "load_balancer[0].port: the field expects a string, the schema has number",
            "network.public_ip: the schema's attribute has no field in `Net`",
            "network.public: the field of `Net` is not an attribute of the schema",
            "network.subnets[0]: the field expects a bool, the schema has string",
            "tags: the field expects a list or set, the schema has map",
        ]
    );
}

#[test]
fn agreement_needs_single_blocks_that_can_be_absent() {
    #[derive(Serialize, Deserialize)]
    struct M {
        blocks: Lb,
    }
    let block = Block::new()
        .attribute(Attribute::number("port").required())
        .attribute(Attribute::string("name").optional());
    let list_block = Block::new().block(NestedBlock::list("blocks", block).max_items(1));
    assert_eq!(
        check_agrees::<M>(&list_block).unwrap_err(),
        ["blocks: expected one block, found none (with empty lists, sets and maps)"]
    );
}

#[test]
#[should_panic(expected = "does not agree with its schema:\n  - tags: the field expects")]
fn assert_model_agrees_panics_with_the_list() {
    #[derive(Serialize, Deserialize)]
    struct M {
        name: String,
        enabled: Option<bool>,
        tags: String,
        network: Option<Network>,
        load_balancer: Vec<Lb>,
    }
    assert_model_agrees::<M>(&schema());
}
