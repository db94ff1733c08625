//! Registry-style markdown documentation rendered from schemas, so descriptions are written once.

use std::fmt::Write;

use super::identity::IdentitySchema;
use super::schema::{Attribute, Block, Nesting, Schema};
use super::value::Type;

/// What a page documents.
pub enum Kind {
    Provider,
    Resource,
    DataSource,
    EphemeralResource,
    Action,
    /// A list resource: the schema is its `config` block's.
    ListResource,
}

/// Renders one page: title, description, an optional example, then arguments and attributes.
pub fn render(
    kind: Kind,
    name: &str,
    schema: &Schema,
    example: Option<&str>,
    import: Option<&str>,
) -> String {
    let mut out = String::new();
    let label = match kind {
        Kind::Provider => "Provider",
        Kind::Resource => "Resource",
        Kind::DataSource => "Data Source",
        Kind::EphemeralResource => "Ephemeral Resource",
        Kind::Action => "Action",
        Kind::ListResource => "List Resource",
    };
    let _ = writeln!(out, "# {name} ({label})\n");
    if !schema.block.description.is_empty() {
        let _ = writeln!(out, "{}\n", schema.block.description);
    }
    if let Kind::Action = kind {
        let _ = writeln!(
            out,
            "The arguments below go in the action's `config` block. Terraform 1.14 or later runs it with `terraform apply -invoke=action.{name}.LABEL`, or from an `action_trigger` in a resource's `lifecycle` block.\n"
        );
    }
    if let Some(example) = example {
        let _ = writeln!(
            out,
            "## Example Usage\n\n```hcl\n{}\n```\n",
            example.trim_end()
        );
    }
    if let Kind::ListResource = kind {
        let _ = writeln!(
            out,
            "Used by `terraform query` in a `list \"{name}\"` block of a `.tfquery.hcl` file. Each result carries the object's resource identity and, with `include_resource = true`, the whole object; `terraform query -generate-config-out=FILE` writes a resource and an `import` block for each.\n"
        );
    }
    let _ = writeln!(out, "## Schema\n");
    if let Kind::ListResource = kind {
        let _ = writeln!(out, "Arguments of the `config` block.\n");
    }
    block_sections(&mut out, &schema.block, "");
    let mut nested = Vec::new();
    collect_nested(&schema.block, "", &mut nested);
    for Nested {
        path,
        block,
        nesting,
        limits,
        attribute,
    } in nested
    {
        let (anchor, label) = if attribute {
            ("nestedatt", attribute_label(nesting).to_string())
        } else {
            ("nestedblock", nesting_label(nesting, limits))
        };
        let _ = writeln!(out, "<a id=\"{anchor}--{}\"></a>", path.replace('.', "--"));
        let _ = writeln!(out, "### Nested Schema for `{path}` ({label})\n");
        if !block.description.is_empty() {
            let _ = writeln!(out, "{}\n", block.description);
        }
        block_sections(&mut out, &block, &path);
    }
    if let Some(import) = import {
        let _ = writeln!(out, "## Import\n\n{}\n", import.trim_end());
    }
    out.trim_end().to_string() + "\n"
}

/// How often a block may appear: its nesting and the item limits (`min`, `max`; 0 is none)
/// Terraform enforces.
fn nesting_label(nesting: Nesting, (min, max): (i64, i64)) -> String {
    match nesting {
        Nesting::Single | Nesting::Group if min >= 1 => "block, exactly one".into(),
        Nesting::Single | Nesting::Group => "block, at most one".into(),
        nesting => {
            let kind = match nesting {
                Nesting::List => "list of blocks",
                Nesting::Set => "set of blocks",
                _ => "map of blocks",
            };
            match (min, max) {
                (0, 0) => kind.into(),
                (0, max) => format!("{kind}, at most {max}"),
                (min, 0) => format!("{kind}, at least {min}"),
                (min, max) => format!("{kind}, {min} to {max}"),
            }
        }
    }
}

fn attribute_label(nesting: Nesting) -> &'static str {
    match nesting {
        Nesting::Single | Nesting::Group => "object",
        Nesting::List => "list of objects",
        Nesting::Set => "set of objects",
        Nesting::Map => "map of objects",
    }
}

/// A nested block, or a nested attribute shown as the block of its attributes.
struct Nested {
    path: String,
    block: Block,
    nesting: Nesting,
    /// `min_items` and `max_items` of a block (0 for attributes).
    limits: (i64, i64),
    attribute: bool,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect_nested(block: &Block, prefix: &str, out: &mut Vec<Nested>) {
    for a in &block.attributes {
        if let Some(nested) = &a.nested {
            let inner = Block {
                attributes: nested.attributes.clone(),
                description: a.description.clone(),
                ..Block::default()
            };
            let path = join(prefix, &a.name);
            out.push(Nested {
                path: path.clone(),
                block: inner.clone(),
                nesting: nested.nesting,
                limits: (0, 0),
                attribute: true,
            });
            collect_nested(&inner, &path, out);
        }
    }
    for nested in &block.blocks {
        let path = join(prefix, &nested.type_name);
        out.push(Nested {
            path: path.clone(),
            block: nested.block.clone(),
            nesting: nested.nesting,
            limits: (nested.min_items, nested.max_items),
            attribute: false,
        });
        collect_nested(&nested.block, &path, out);
    }
}

fn block_sections(out: &mut String, block: &Block, prefix: &str) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        // A block Terraform requires (`min_items` 1 or more) is listed with the required ones.
        let blocks: Vec<_> = match title {
            "Required" => block.blocks.iter().filter(|b| b.min_items >= 1).collect(),
            "Optional" => block.blocks.iter().filter(|b| b.min_items < 1).collect(),
            _ => Vec::new(),
        };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for a in attrs {
            let mut flags = vec![type_label(&a.ty)];
            if a.sensitive {
                flags.push("Sensitive".into());
            }
            if a.write_only {
                flags.push("Write-only".into());
            }
            let below = if a.nested.is_some() {
                format!(
                    " See [below for nested schema](#nestedatt--{}).",
                    join(prefix, &a.name).replace('.', "--")
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "- `{}` ({}) {}{below}",
                a.name,
                flags.join(", "),
                a.description
            );
        }
        for b in blocks {
            let path = if prefix.is_empty() {
                b.type_name.clone()
            } else {
                format!("{prefix}.{}", b.type_name)
            };
            let _ = writeln!(
                out,
                "- `{}` (Block, {}) {} See [below for nested schema](#nestedblock--{}).",
                b.type_name,
                nesting_label(b.nesting, (b.min_items, b.max_items)),
                b.block.description,
                path.replace('.', "--")
            );
        }
        out.push('\n');
    }
}

/// The "Identity" section of a resource page: the identity attributes, and an `import` block by
/// identity that sets the required ones. Appended after the page [`render`] made.
pub fn identity_section(type_name: &str, schema: &IdentitySchema) -> String {
    let mut out = String::from(
        "\n## Identity\n\nTerraform (1.12 and later) and OpenTofu store this identity with each \
         instance; an `import` block may name it instead of an ID.\n\n",
    );
    for a in &schema.attributes {
        let need = if a.required_for_import {
            ", Required for import"
        } else if a.optional_for_import {
            ", Optional for import"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "- `{}` ({}{need}) {}",
            a.name,
            type_label(&a.ty),
            a.description
        );
    }
    let _ = writeln!(
        out,
        "\n```hcl\nimport {{\n  to = {type_name}.example\n  identity = {{"
    );
    for a in schema.attributes.iter().filter(|a| a.required_for_import) {
        let placeholder = match a.ty {
            Type::Number => "1".to_string(),
            _ => format!("\"<{}>\"", a.name),
        };
        let _ = writeln!(out, "    {} = {placeholder}", a.name);
    }
    out.push_str("  }\n}\n```\n");
    out
}

fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(t) => format!("List of {}", type_label(t)),
        Type::Set(t) => format!("Set of {}", type_label(t)),
        Type::Map(t) => format!("Map of {}", type_label(t)),
        Type::Tuple(_) => "Tuple".into(),
        Type::Object(_) => "Object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::NestedBlock;

    #[test]
    fn nested_attributes_get_their_own_section() {
        let block = Block::new().attribute(
            Attribute::nested(
                "outer",
                Nesting::Single,
                vec![Attribute::string("inner").computed().description("Inner.")],
            )
            .computed()
            .description("Outer."),
        );
        let page = render(Kind::DataSource, "x", &Schema::new(block), None, None);
        assert!(
            page.contains(
                "- `outer` (Object) Outer. See [below for nested schema](#nestedatt--outer)."
            ),
            "{page}"
        );
        assert!(page.contains("<a id=\"nestedatt--outer\"></a>"), "{page}");
        assert!(
            page.contains("### Nested Schema for `outer` (object)"),
            "{page}"
        );
        assert!(page.contains("- `inner` (String) Inner."), "{page}");
    }

    #[test]
    fn item_limits_show_and_required_blocks_are_listed_as_required() {
        let inner = Block::new().description("Inner.");
        let schema = Schema::new(
            Block::new()
                .block(
                    NestedBlock::single("auth", inner.clone())
                        .min_items(1)
                        .max_items(1),
                )
                .block(NestedBlock::set("rule", inner.clone()).max_items(10))
                .block(NestedBlock::list("step", inner.clone()).min_items(1))
                .block(NestedBlock::single("extra", inner)),
        );
        let page = render(Kind::Resource, "x", &schema, None, None);
        let required =
            &page[page.find("### Required").unwrap()..page.find("### Optional").unwrap()];
        assert!(
            required.contains("- `auth` (Block, block, exactly one)"),
            "{page}"
        );
        assert!(
            required.contains("- `step` (Block, list of blocks, at least 1)"),
            "{page}"
        );
        let optional = &page[page.find("### Optional").unwrap()..];
        assert!(
            optional.contains("- `rule` (Block, set of blocks, at most 10)"),
            "{page}"
        );
        assert!(
            optional.contains("- `extra` (Block, block, at most one)"),
            "{page}"
        );
        assert!(
            page.contains("### Nested Schema for `auth` (block, exactly one)"),
            "{page}"
        );
    }

    #[test]
    fn the_identity_section_lists_the_attributes_and_imports_with_the_required_ones() {
        use crate::framework::identity::IdentityAttribute;
        let schema = IdentitySchema::new(0)
            .attribute(
                IdentityAttribute::string("region")
                    .optional_for_import()
                    .description("Where."),
            )
            .attribute(IdentityAttribute::number("revision").required_for_import());
        let text = identity_section("x_thing", &schema);
        assert!(
            text.contains("- `region` (String, Optional for import) Where."),
            "{text}"
        );
        assert!(
            text.contains("- `revision` (Number, Required for import)"),
            "{text}"
        );
        assert!(
            text.contains("to = x_thing.example\n  identity = {\n    revision = 1\n  }"),
            "{text}"
        );
        assert!(!text.contains("region ="), "{text}");
    }
}
