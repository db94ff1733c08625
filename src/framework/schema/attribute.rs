use std::sync::Arc;

use super::block::Nesting;
use super::modifiers::{self, PlanModifier};
use super::validators::Validator;
use crate::framework::value::{Type, Value};

/// Attributes of a nested attribute (`nested_type`), with their nesting mode.
#[derive(Clone)]
pub struct NestedAttributes {
    pub attributes: Vec<Attribute>,
    /// Only `Single`, `List`, `Set` and `Map` are meaningful for nested attributes.
    pub nesting: Nesting,
}

/// One attribute of a block, with everything the framework needs to validate and plan it.
#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub nested: Option<NestedAttributes>,
    /// Markdown; rendered into the generated documentation as well.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: Option<String>,
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
}

impl Attribute {
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            ty,
            nested: None,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: None,
            default: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }

    pub fn string_map(name: impl Into<String>) -> Self {
        Self::new(name, Type::Map(Box::new(Type::String)))
    }

    pub fn string_set(name: impl Into<String>) -> Self {
        Self::new(name, Type::Set(Box::new(Type::String)))
    }

    pub fn string_list(name: impl Into<String>) -> Self {
        Self::new(name, Type::List(Box::new(Type::String)))
    }

    /// An attribute whose value is an object (or collection of objects) described by attributes.
    pub fn nested(name: impl Into<String>, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        let nested = NestedAttributes {
            attributes,
            nesting,
        };
        let ty = nested.implied_type();
        let mut attr = Self::new(name, ty);
        attr.nested = Some(nested);
        attr
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecated = Some(message.into());
        self
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Self {
        self.description = markdown.into();
        self
    }

    /// A value planned when the configuration leaves the attribute null. Implies computed,
    /// because Terraform only lets the provider fill in values of computed attributes.
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self.computed = true;
        self
    }

    pub fn validate(mut self, validator: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(validator));
        self
    }

    pub fn plan_modifier(mut self, modifier: impl PlanModifier + 'static) -> Self {
        self.plan_modifiers.push(Arc::new(modifier));
        self
    }

    pub fn requires_replace(self) -> Self {
        self.plan_modifier(modifiers::RequiresReplace)
    }

    pub fn use_state_for_unknown(self) -> Self {
        self.plan_modifier(modifiers::UseStateForUnknown)
    }

    pub fn use_state_for_unknown_including_null(self) -> Self {
        self.plan_modifier(modifiers::UseStateForUnknownIncludingNull)
    }
}

impl NestedAttributes {
    pub fn object_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    pub fn implied_type(&self) -> Type {
        let object = self.object_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::list(object),
            Nesting::Set => Type::set(object),
            Nesting::Map => Type::map(object),
        }
    }
}
