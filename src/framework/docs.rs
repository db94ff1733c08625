//! Registry-style markdown documentation rendered from schemas, so descriptions are written once.

use std::fmt::Write;

use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::value::Type;

/// What a page documents.
pub enum Kind {
    Provider,
    Resource,
    DataSource,
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
    };
    let _ = writeln!(out, "# {name} ({label})\n");
    if !schema.block.description.is_empty() {
        let _ = writeln!(out, "{}\n", schema.block.description);
    }
    if let Some(example) = example {
        let _ = writeln!(
            out,
            "## Example Usage\n\n```hcl\n{}\n```\n",
            example.trim_end()
        );
    }
    let _ = writeln!(out, "## Schema\n");
    block_sections(&mut out, &schema.block, "");
    let mut nested = Vec::new();
    collect_nested(&schema.block, "", &mut nested);
    for (path, nested) in nested {
        let block = &nested.block;
        let _ = writeln!(
            out,
            "<a id=\"nestedblock--{}\"></a>",
            path.replace('.', "--")
        );
        let _ = writeln!(
            out,
            "### Nested Schema for `{path}` ({})\n",
            nesting_label(nested)
        );
        if !block.description.is_empty() {
            let _ = writeln!(out, "{}\n", block.description);
        }
        block_sections(&mut out, block, &path);
    }
    if let Some(import) = import {
        let _ = writeln!(out, "## Import\n\n{}\n", import.trim_end());
    }
    out.trim_end().to_string() + "\n"
}

/// How often the block may appear: its nesting and the item limits Terraform enforces.
fn nesting_label(nested: &NestedBlock) -> String {
    let (min, max) = (nested.min_items, nested.max_items);
    match nested.nesting {
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

fn collect_nested<'a>(block: &'a Block, prefix: &str, out: &mut Vec<(String, &'a NestedBlock)>) {
    for nested in &block.blocks {
        let path = if prefix.is_empty() {
            nested.type_name.clone()
        } else {
            format!("{prefix}.{}", nested.type_name)
        };
        out.push((path.clone(), nested));
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
            let _ = writeln!(
                out,
                "- `{}` ({}) {}",
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
                nesting_label(b),
                b.block.description,
                path.replace('.', "--")
            );
        }
        out.push('\n');
    }
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
}
