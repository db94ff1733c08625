//! Conversions between tfplugin6 messages and framework types.

use super::tfplugin6 as pb;
use crate::framework::diag::{Diagnostic, Diagnostics, Severity};
use crate::framework::identity::IdentitySchema;
use crate::framework::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::framework::server::RawValue;
use crate::framework::value::{AttrPath, PathStep};

pub fn raw(value: Option<pb::DynamicValue>) -> RawValue {
    value
        .map(|v| RawValue {
            msgpack: v.msgpack,
            json: v.json,
        })
        .unwrap_or_default()
}

pub fn dynamic(value: RawValue) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: value.msgpack,
        json: value.json,
    })
}

/// Identity data as it travels: None when Terraform sent none (or it holds no value).
pub fn identity_raw(data: Option<pb::ResourceIdentityData>) -> Option<RawValue> {
    data.and_then(|d| d.identity_data)
        .map(|v| raw(Some(v)))
        .filter(|r| !r.msgpack.is_empty() || !r.json.is_empty())
}

pub fn identity_data(value: Option<RawValue>) -> Option<pb::ResourceIdentityData> {
    value.map(|v| pb::ResourceIdentityData {
        identity_data: dynamic(v),
    })
}

pub fn identity_schema(schema: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: schema.version,
        identity_attributes: schema
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

pub fn diagnostics(diags: Diagnostics) -> Vec<pb::Diagnostic> {
    diags.0.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.path.filter(|p| !p.0.is_empty()).map(attribute_path),
    }
}

pub fn attribute_path(path: AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    let steps = path
        .0
        .into_iter()
        .map(|step| pb::attribute_path::Step {
            selector: Some(match step {
                PathStep::Attr(name) => Selector::AttributeName(name),
                PathStep::Key(key) => Selector::ElementKeyString(key),
                PathStep::Index(i) => Selector::ElementKeyInt(i),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

fn string_kind(description: &str) -> i32 {
    // Descriptions are written in markdown; plain text is valid markdown.
    if description.is_empty() {
        pb::StringKind::Plain as i32
    } else {
        pb::StringKind::Markdown as i32
    }
}

pub fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block)),
    }
}

fn block(block: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: block.attributes.iter().map(attribute).collect(),
        block_types: block.blocks.iter().map(nested_block).collect(),
        description: block.description.clone(),
        description_kind: string_kind(&block.description),
        deprecated: block.deprecated.is_some(),
        deprecation_message: block.deprecated.clone().unwrap_or_default(),
    }
}

fn attribute(attribute: &Attribute) -> pb::schema::Attribute {
    // Nested attributes carry their structure in nested_type and leave type empty.
    let (ty, nested_type) = match &attribute.nested {
        Some(nested) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: nested.attributes.iter().map(self::attribute).collect(),
                nesting: object_nesting(nested.nesting) as i32,
                ..Default::default()
            }),
        ),
        None => (attribute.ty.to_json_bytes(), None),
    };
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type: ty,
        nested_type,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: string_kind(&attribute.description),
        deprecated: attribute.deprecated.is_some(),
        write_only: attribute.write_only,
        deprecation_message: attribute.deprecated.clone().unwrap_or_default(),
    }
}

fn nested_block(nested: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match nested.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::Group => NestingMode::Group,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: nested.type_name.clone(),
        block: Some(block(&nested.block)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

fn object_nesting(nesting: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode;
    match nesting {
        Nesting::Single | Nesting::Group => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::value::AttrPath;

    #[test]
    fn paths_become_protocol_steps() {
        let path = AttrPath::root().attr("tags").key("team").attr("x").index(2);
        let pb = attribute_path(path);
        assert_eq!(pb.steps.len(), 4);
    }

    #[test]
    fn schema_attributes_carry_type_json() {
        let s = Schema::new(Block::new().attribute(Attribute::string_map("tags").optional()));
        let pb = schema(&s);
        let attr = &pb.block.unwrap().attributes[0];
        assert_eq!(attr.r#type, br#"["map","string"]"#);
        assert!(attr.optional);
    }
}
