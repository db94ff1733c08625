use super::attribute::Attribute;
use crate::framework::value::Type;

/// How a nested block (or nested attribute) repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// Exactly one; Terraform synthesises an all-null object when absent.
    Group,
    List,
    Set,
    /// Labelled blocks, keyed by label.
    Map,
}

/// A block: attributes and nested block types.
#[derive(Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: Option<String>,
}

/// A nested block type, written `name { ... }` in configuration.
#[derive(Clone)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }

    /// The same block with every attribute read-only (computed, no validators, defaults or
    /// plan modifiers) except those named in `arguments`, which become required: a data
    /// source's view of a resource's schema. Write-only attributes and `timeouts` are dropped.
    pub fn read_only_except(&self, arguments: &[&str]) -> Block {
        let attributes = self
            .attributes
            .iter()
            .filter(|a| !a.write_only)
            .map(|a| {
                let argument = arguments.contains(&a.name.as_str());
                Attribute {
                    required: argument,
                    optional: false,
                    computed: !argument,
                    default: None,
                    validators: Vec::new(),
                    plan_modifiers: Vec::new(),
                    ..a.clone()
                }
            })
            .collect();
        let blocks = self
            .blocks
            .iter()
            .filter(|b| b.type_name != "timeouts")
            .map(|b| NestedBlock {
                block: b.block.read_only_except(&[]),
                min_items: 0,
                max_items: 0,
                ..b.clone()
            })
            .collect();
        Block {
            attributes,
            blocks,
            description: self.description.clone(),
            deprecated: None,
        }
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Self {
        self.description = markdown.into();
        self
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// The same block with every nested block turned into a computed nested attribute of the
    /// same nesting (recursively): a data source's read-only view, whose blocks would otherwise
    /// be empty while its read is deferred (blocks cannot be unknown; attributes can).
    pub fn blocks_as_computed_attributes(&self) -> Block {
        fn attribute(nested: &NestedBlock) -> Attribute {
            let inner = nested.block.blocks_as_computed_attributes();
            let mut attr =
                Attribute::nested(nested.type_name.clone(), nested.nesting, inner.attributes)
                    .computed()
                    .description(nested.block.description.clone());
            attr.deprecated = nested.block.deprecated.clone();
            attr
        }
        let mut attributes = self.attributes.clone();
        attributes.extend(self.blocks.iter().map(attribute));
        Block {
            attributes,
            blocks: Vec::new(),
            description: self.description.clone(),
            deprecated: self.deprecated.clone(),
        }
    }

    pub fn attribute_named(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block_named(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }

    /// The object type of this block's values: one attribute per attribute and per block type.
    pub fn implied_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()));
        let blocks = self
            .blocks
            .iter()
            .map(|b| (b.type_name.clone(), b.implied_type()));
        Type::object(attrs.chain(blocks))
    }
}

impl NestedBlock {
    pub fn new(type_name: impl Into<String>, nesting: Nesting, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    /// A block that may appear at most once (`SINGLE` nesting).
    pub fn single(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Single, block)
    }

    pub fn list(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::List, block)
    }

    pub fn set(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Set, block)
    }

    pub fn max_items(mut self, max: i64) -> Self {
        self.max_items = max;
        self
    }

    pub fn min_items(mut self, min: i64) -> Self {
        self.min_items = min;
        self
    }

    pub fn implied_type(&self) -> Type {
        let object = self.block.implied_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::list(object),
            Nesting::Set => Type::set(object),
            Nesting::Map => Type::map(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_computed_nested_attributes_of_the_same_type() {
        let inner = Block::new().attribute(Attribute::number("n").computed());
        let block = Block::new()
            .attribute(Attribute::string("name").required())
            .block(NestedBlock::single(
                "outer",
                Block::new()
                    .description("Outer.")
                    .attribute(Attribute::string("s").computed())
                    .block(NestedBlock::list("inner", inner)),
            ));
        let converted = block.blocks_as_computed_attributes();
        assert!(converted.blocks.is_empty());
        assert_eq!(converted.implied_type(), block.implied_type());
        let outer = converted.attribute_named("outer").unwrap();
        assert!(outer.computed && !outer.optional && !outer.required);
        assert_eq!(outer.description, "Outer.");
        let nested = outer.nested.as_ref().unwrap();
        assert_eq!(nested.nesting, Nesting::Single);
        let inner = nested
            .attributes
            .iter()
            .find(|a| a.name == "inner")
            .unwrap();
        assert!(inner.computed);
        assert_eq!(inner.nested.as_ref().unwrap().nesting, Nesting::List);
    }
}
