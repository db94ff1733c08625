//! Proof that a model struct and a schema agree, both ways, in one call a unit test makes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{de, ser, shown};
use crate::framework::schema::{Block, NestedBlock, Schema};
use crate::framework::value::{AttrPath, Number, Type, Value};

/// What a model can be checked against: the object type its values have.
pub trait ModelSchema {
    fn model_type(&self) -> Type;
}

impl ModelSchema for Schema {
    fn model_type(&self) -> Type {
        self.implied_type()
    }
}

impl ModelSchema for Block {
    fn model_type(&self) -> Type {
        self.implied_type()
    }
}

/// One block of the nested type (the model of one element).
impl ModelSchema for NestedBlock {
    fn model_type(&self) -> Type {
        self.block.implied_type()
    }
}

impl ModelSchema for Type {
    fn model_type(&self) -> Type {
        self.clone()
    }
}

/// Every attribute of the schema has a field of a fitting type and every field is an attribute,
/// at every level. A sample value with every attribute known (collections with one element)
/// is decoded strictly, comparing names and shapes, then encoded back and compared; then again
/// with empty collections, which catches single blocks that cannot be absent.
pub fn check_agrees<T: Serialize + DeserializeOwned>(
    schema: &impl ModelSchema,
) -> Result<(), Vec<String>> {
    let ty = schema.model_type();
    for empty in [false, true] {
        let sample = sample(&ty, empty);
        let (decoded, mut problems) = de::run::<T>(&sample, true);
        // After a mismatch the model holds placeholders: encoding it would say nothing new.
        match decoded {
            Ok(model) if problems.is_empty() => match ser::encode(&model, &ty) {
                Ok(back) => diff(&AttrPath::root(), &sample, &back, &mut problems),
                Err(e) => problems.push(e.to_string()),
            },
            Ok(_) => {}
            Err(e) => problems.push(e.to_string()),
        }
        if !problems.is_empty() {
            if empty {
                for p in &mut problems {
                    p.push_str(" (with empty lists, sets and maps)");
                }
            }
            return Err(problems);
        }
    }
    Ok(())
}

/// Panics with every mismatch between `T` and `schema`, one a line.
#[track_caller]
pub fn assert_model_agrees<T: Serialize + DeserializeOwned>(schema: &impl ModelSchema) {
    if let Err(problems) = check_agrees::<T>(schema) {
        panic!(
            "the model `{}` does not agree with its schema:\n  - {}",
            std::any::type_name::<T>(),
            problems.join("\n  - ")
        );
    }
}

/// A value of `ty` with everything known.
fn sample(ty: &Type, empty: bool) -> Value {
    let many = |t: &Type| -> Vec<Value> {
        if empty {
            Vec::new()
        } else {
            vec![sample(t, empty)]
        }
    };
    match ty {
        Type::String | Type::Dynamic => Value::string("text"),
        Type::Number => Value::Number(Number::from_i64(1)),
        Type::Bool => Value::Bool(true),
        Type::List(t) => Value::List(many(t)),
        Type::Set(t) => Value::Set(many(t)),
        Type::Map(t) => Value::Map(many(t).into_iter().map(|v| ("key".into(), v)).collect()),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| sample(t, empty)).collect()),
        Type::Object(o) => Value::Object(
            o.attrs
                .iter()
                .map(|(k, t)| (k.clone(), sample(t, empty)))
                .collect(),
        ),
    }
}

/// Where the round trip changed the sample.
fn diff(path: &AttrPath, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            for (k, v) in a {
                let back = b.get(k).unwrap_or(&Value::Null);
                diff(&path.clone().attr(k.clone()), v, back, out);
            }
        }
        (Value::List(a), Value::List(b)) if a.len() == b.len() => {
            for (i, (v, back)) in a.iter().zip(b).enumerate() {
                diff(&path.clone().index(i as i64), v, back, out);
            }
        }
        (Value::Set(a), Value::Set(b)) if a.len() == b.len() => {
            for (i, (v, back)) in a.iter().zip(b).enumerate() {
                diff(&path.clone().index(i as i64), v, back, out);
            }
        }
        (Value::Map(a), Value::Map(b)) if a.len() == b.len() => {
            for (k, v) in a {
                let back = b.get(k).unwrap_or(&Value::Null);
                diff(&path.clone().key(k.clone()), v, back, out);
            }
        }
        // Shapes matter, not contents: an enum field turns the sample text into its variant.
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        _ if want == got => {}
        _ => out.push(format!(
            "{}: the model turns {} into {}",
            shown(path),
            brief(want),
            brief(got)
        )),
    }
}

fn brief(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(v) if v.is_empty() => "an empty list".into(),
        Value::Set(v) if v.is_empty() => "an empty set".into(),
        Value::Map(m) if m.is_empty() => "an empty map".into(),
        other => other.kind().into(),
    }
}
