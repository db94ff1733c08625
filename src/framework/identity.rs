//! Resource identity (protocol 6.9): a small object naming the remote object a resource instance
//! manages, stored by Terraform beside the state. A resource offers it through
//! `Resource::as_identity`; the framework computes it from state after every read, plan, apply
//! and import, and enforces Terraform's rule that an existing object's identity never changes.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::context::Ctx;
use super::diag::Diagnostics;
use super::resource::ImportResponse;
use super::value::{Type, Value};

/// The identity schema of one resource type. Identity attributes are primitives (string, number,
/// bool) or lists of them; the object they form is always wholly known.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentitySchema {
    /// Bumped when an attribute is renamed or its meaning changes; stored identities of an older
    /// version then go through [`ResourceIdentity::upgrade_identity`].
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
    /// The identity may change under an update (what terraform-plugin-framework calls a mutable
    /// identity), e.g. a task definition whose update registers a new revision. The
    /// unchanged-identity check then does not apply; Terraform itself accepts it.
    pub mutable: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// An `import` block by identity must set it.
    pub required_for_import: bool,
    /// An `import` block by identity may leave it out (the provider fills a default).
    pub optional_for_import: bool,
    pub description: String,
}

impl IdentityAttribute {
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            ty,
            required_for_import: false,
            optional_for_import: false,
            description: String::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    pub fn required_for_import(mut self) -> Self {
        self.required_for_import = true;
        self.optional_for_import = false;
        self
    }

    pub fn optional_for_import(mut self) -> Self {
        self.optional_for_import = true;
        self.required_for_import = false;
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}

impl IdentitySchema {
    pub fn new(version: i64) -> Self {
        Self {
            version,
            attributes: Vec::new(),
            mutable: false,
        }
    }

    /// See [`IdentitySchema::mutable`].
    pub fn mutable(mut self) -> Self {
        self.mutable = true;
        self
    }

    pub fn attribute(mut self, attribute: IdentityAttribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The object type identity values are encoded with.
    pub fn implied_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The value with exactly the schema's attributes: missing ones null, others dropped.
    pub fn conform(&self, value: &Value) -> Value {
        if value.is_null() || value.is_unknown() {
            return value.clone();
        }
        let attrs: BTreeMap<String, Value> = self
            .attributes
            .iter()
            .map(|a| {
                let v = value.get(&a.name).cloned().unwrap_or(Value::Null);
                (a.name.clone(), v)
            })
            .collect();
        Value::Object(attrs)
    }

    /// The attributes an import by identity must set but `identity` leaves null.
    pub fn missing_for_import(&self, identity: &Value) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|a| a.required_for_import)
            .filter(|a| identity.get(&a.name).is_none_or(Value::is_null))
            .map(|a| a.name.as_str())
            .collect()
    }
}

/// A resource whose instances have an identity.
#[async_trait]
pub trait ResourceIdentity: Send + Sync {
    fn identity_schema(&self) -> IdentitySchema;

    /// The identity of the object `state` (a resource state: read, applied, imported or listed)
    /// describes, as an object of the identity schema's attributes. Parts the state lacks (the
    /// account, the region) come from the configured provider in `ctx`. An attribute whose value
    /// the state does not know yet (a planned value) is `Value::Unknown`; `None` with an error
    /// diagnostic when the identity cannot be told.
    async fn identity(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Option<Value>;

    /// Import by identity: turn `identity` (an object of the identity schema's attributes; the
    /// optional ones may be null) into a state holding what `read` needs, in `resp.state`, or
    /// refuse it with a diagnostic (e.g. an account other than the provider's).
    async fn import_by_identity(&self, ctx: &Ctx, identity: &Value, resp: &mut ImportResponse);

    /// Converts an identity stored under an older identity version (JSON form) into the current
    /// one. None is known by default.
    fn upgrade_identity(
        &self,
        from_version: i64,
        _raw: serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        diags.error(
            "Cannot upgrade stored identity",
            format!("No upgrade from identity version {from_version} is known."),
        );
        None
    }
}

/// What the framework needs to know about a stored or returned identity.
pub fn is_fully_null(identity: &Value) -> bool {
    match identity {
        Value::Null => true,
        Value::Object(attrs) => attrs.values().all(Value::is_null),
        _ => false,
    }
}

/// The identity of `state` computed by the resource and checked against its schema: wholly known
/// (a state is), not null, every attribute required for import set. `None` after adding an error
/// diagnostic otherwise. `state` must be a known, non-null object.
pub async fn identity_of(
    imp: &dyn ResourceIdentity,
    schema: &IdentitySchema,
    ctx: &Ctx,
    type_name: &str,
    state: &Value,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let computed = imp.identity(ctx, state, diags).await?;
    let identity = schema.conform(&computed);
    if !identity.is_wholly_known() || is_fully_null(&identity) {
        diags.error(
            "Provider bug",
            format!(
                "The identity computed for this {type_name} is not wholly known: {}.",
                describe(&identity)
            ),
        );
        return None;
    }
    let missing = schema.missing_for_import(&identity);
    if !missing.is_empty() {
        diags.error(
            "Provider bug",
            format!(
                "The identity computed for this {type_name} leaves {} null.",
                missing.join(", ")
            ),
        );
        return None;
    }
    Some(identity)
}

/// The identity of a planned state, when every part of it is known already.
pub async fn planned_identity_of(
    imp: &dyn ResourceIdentity,
    schema: &IdentitySchema,
    ctx: &Ctx,
    planned: &Value,
) -> Option<Value> {
    // A plan may not know what the identity needs yet; nothing to report then.
    let mut scratch = Diagnostics::new();
    let identity = schema.conform(&imp.identity(ctx, planned, &mut scratch).await?);
    (!scratch.has_errors() && identity.is_wholly_known() && !is_fully_null(&identity))
        .then_some(identity)
}

/// Terraform's rule: the identity of an existing object never changes. `stored` is the identity
/// Terraform holds (null for state written before identity existed: nothing to compare),
/// `new` the one the operation (`what`: "read", "plan", "update") produced.
pub fn check_unchanged(
    type_name: &str,
    what: &str,
    stored: &Value,
    new: &Value,
    diags: &mut Diagnostics,
) {
    if is_fully_null(stored) || stored == new {
        return;
    }
    diags.error(
        "Provider bug",
        format!(
            "The {what} of this {type_name} would change its identity from {} to {}; the identity of an existing object must never change.",
            describe(stored),
            describe(new)
        ),
    );
}

/// `{name = "x", revision = 2}`-style text of an identity for diagnostics.
pub fn describe(identity: &Value) -> String {
    match identity {
        Value::Object(attrs) => {
            let parts: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!("{k} = {}", describe(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.as_str().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Unknown => "(known after apply)".into(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(describe).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(_) | Value::Dynamic(..) => format!("{identity:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        IdentitySchema::new(0)
            .attribute(IdentityAttribute::string("account_id").optional_for_import())
            .attribute(IdentityAttribute::string("name").required_for_import())
    }

    struct Named;

    #[async_trait]
    impl ResourceIdentity for Named {
        fn identity_schema(&self) -> IdentitySchema {
            schema()
        }
        async fn identity(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) -> Option<Value> {
            Some(Value::object([
                ("account_id", Value::string("111")),
                ("name", state.get("name").cloned().unwrap_or(Value::Null)),
                ("extra", Value::string("dropped")),
            ]))
        }
        async fn import_by_identity(&self, _: &Ctx, identity: &Value, resp: &mut ImportResponse) {
            resp.state = Value::object([("name", identity.get("name").cloned().unwrap())]);
        }
    }

    fn ctx() -> Ctx {
        Ctx {
            cancel: Default::default(),
            provider_data: None,
            read_burst: false,
        }
    }

    #[test]
    fn implied_type_is_an_object_of_the_attributes() {
        assert_eq!(
            schema().implied_type(),
            Type::object([("account_id", Type::String), ("name", Type::String)])
        );
    }

    #[test]
    fn required_and_optional_for_import_exclude_each_other() {
        let a = IdentityAttribute::string("x")
            .required_for_import()
            .optional_for_import();
        assert!(a.optional_for_import && !a.required_for_import);
    }

    #[test]
    fn import_needs_every_required_attribute() {
        let identity = Value::object([("account_id", Value::string("1")), ("name", Value::Null)]);
        assert_eq!(schema().missing_for_import(&identity), vec!["name"]);
        let identity = Value::object([("name", Value::string("web"))]);
        assert!(schema().missing_for_import(&identity).is_empty());
    }

    #[tokio::test]
    async fn identity_is_conformed_to_the_schema() {
        let mut diags = Diagnostics::new();
        let state = Value::object([("name", Value::string("web"))]);
        let id = identity_of(&Named, &schema(), &ctx(), "t", &state, &mut diags).await;
        assert_eq!(
            id,
            Some(Value::object([
                ("account_id", Value::string("111")),
                ("name", Value::string("web"))
            ]))
        );
        assert!(diags.is_empty());
    }

    #[tokio::test]
    async fn an_identity_with_unknowns_or_a_null_required_attribute_is_a_provider_bug() {
        let mut diags = Diagnostics::new();
        let planned = Value::object([("name", Value::Unknown)]);
        assert!(
            identity_of(&Named, &schema(), &ctx(), "t", &planned, &mut diags)
                .await
                .is_none()
        );
        assert!(diags.0[0].detail.contains("not wholly known"), "{diags:?}");
        let mut diags = Diagnostics::new();
        let nameless = Value::object([("name", Value::Null)]);
        assert!(
            identity_of(&Named, &schema(), &ctx(), "t", &nameless, &mut diags)
                .await
                .is_none()
        );
        assert!(diags.0[0].detail.contains("leaves name null"), "{diags:?}");
        // At plan time unknowns are no error: the identity is simply not told yet.
        assert_eq!(
            planned_identity_of(&Named, &schema(), &ctx(), &planned).await,
            None
        );
    }

    #[test]
    fn a_changed_identity_is_a_provider_bug_unless_none_was_stored() {
        let a = Value::object([("name", Value::string("a"))]);
        let b = Value::object([("name", Value::string("b"))]);
        let mut diags = Diagnostics::new();
        check_unchanged("t", "read", &a, &a, &mut diags);
        check_unchanged("t", "read", &Value::Null, &b, &mut diags);
        check_unchanged(
            "t",
            "read",
            &Value::object([("name", Value::Null)]),
            &b,
            &mut diags,
        );
        assert!(diags.is_empty());
        check_unchanged("t", "read", &a, &b, &mut diags);
        assert_eq!(diags.0[0].summary, "Provider bug");
        assert!(
            diags.0[0]
                .detail
                .contains(r#"from {name = "a"} to {name = "b"}"#),
            "{diags:?}"
        );
    }

    #[test]
    fn the_default_upgrade_refuses_with_the_version() {
        let mut diags = Diagnostics::new();
        assert!(
            Named
                .upgrade_identity(0, serde_json::json!({}), &mut diags)
                .is_none()
        );
        assert!(diags.0[0].detail.contains("identity version 0"));
    }
}
