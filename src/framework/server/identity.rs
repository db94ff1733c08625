//! Identity on the read, plan, apply and import paths: decoding what Terraform sends (nothing,
//! from an older Terraform or a state written before identity existed), computing the new
//! identity from state, enforcing that an existing object's identity never changes, encoding.

use super::{RawValue, Registered, decode, encode};
use crate::framework::context::Ctx;
use crate::framework::diag::Diagnostics;
use crate::framework::identity::{self, IdentitySchema, ResourceIdentity};
use crate::framework::resource::Resource;
use crate::framework::value::{Type, Value};

/// A registered resource's identity capability with its schema and type.
pub(super) struct Identity<'a> {
    pub imp: &'a dyn ResourceIdentity,
    pub schema: &'a IdentitySchema,
    pub ty: Type,
    type_name: &'a str,
}

impl<'a> Identity<'a> {
    pub fn of(r: &'a Registered<dyn Resource>) -> Option<Self> {
        Some(Self {
            imp: r.imp.as_identity()?,
            schema: r.identity.as_ref()?,
            ty: r.identity.as_ref()?.implied_type(),
            type_name: r.imp.type_name(),
        })
    }

    /// The identity Terraform sent; null when it sent none. `None` when it cannot be decoded.
    pub fn decode(
        &self,
        raw: &Option<RawValue>,
        what: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        match raw {
            None => Some(Value::Null),
            Some(raw) => decode(raw, &self.ty, what, diags).map(|v| self.schema.conform(&v)),
        }
    }

    /// An identity for the wire; nothing for null.
    pub fn encode(&self, value: &Value, what: &str, diags: &mut Diagnostics) -> Option<RawValue> {
        (!value.is_null()).then(|| encode(value, &self.ty, what, diags))
    }

    /// The identity of a known state (null state: null identity).
    pub async fn of_state(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        if state.is_null() {
            return Value::Null;
        }
        identity::identity_of(self.imp, self.schema, ctx, self.type_name, state, diags)
            .await
            .unwrap_or(Value::Null)
    }

    /// The identity of a state an operation returned for an existing object whose identity was
    /// `stored`: computed from the state, and checked to be unchanged.
    pub async fn of_existing(
        &self,
        ctx: &Ctx,
        what: &str,
        stored: &Value,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let new = self.of_state(ctx, state, diags).await;
        if !new.is_null() {
            self.check_unchanged(what, stored, &new, diags);
        }
        new
    }

    /// The identity of a planned state when it is known already.
    pub async fn of_planned(&self, ctx: &Ctx, planned: &Value) -> Option<Value> {
        if planned.is_null() {
            return None;
        }
        identity::planned_identity_of(self.imp, self.schema, ctx, planned).await
    }

    /// Terraform's rule, unless the resource declares its identity mutable.
    pub fn check_unchanged(
        &self,
        what: &str,
        stored: &Value,
        new: &Value,
        diags: &mut Diagnostics,
    ) {
        if !self.schema.mutable {
            identity::check_unchanged(self.type_name, what, stored, new, diags);
        }
    }
}
