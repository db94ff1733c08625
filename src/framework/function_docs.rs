//! Markdown pages for provider functions, rendered from their signatures (like the schema pages
//! of [`super::docs`]), so a parameter is described once.

use std::fmt::Write;

use super::function::{Parameter, Signature};
use super::value::Type;

/// One page: title, summary and description, an optional example, the signature line, the
/// arguments and the return type. `provider` is the provider's local name (`ecs`).
pub fn render(provider: &str, name: &str, signature: &Signature, example: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {name} (Function)\n");
    let _ = writeln!(out, "{}\n", signature.summary);
    if let Some(deprecation) = &signature.deprecation {
        let _ = writeln!(out, "~> **Deprecated:** {deprecation}\n");
    }
    if !signature.description.is_empty() {
        let _ = writeln!(out, "{}\n", signature.description.trim_end());
    }
    if let Some(example) = example {
        let _ = writeln!(
            out,
            "## Example Usage\n\n```hcl\n{}\n```\n",
            example.trim_end()
        );
    }
    let mut params: Vec<String> = signature
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, hcl_type(&p.ty)))
        .collect();
    if let Some(v) = &signature.variadic {
        params.push(format!("{}... {}", v.name, hcl_type(&v.ty)));
    }
    let _ = writeln!(
        out,
        "## Signature\n\n```text\nprovider::{provider}::{name}({}) {}\n```\n",
        params.join(", "),
        hcl_type(&signature.return_type)
    );
    if !params.is_empty() {
        let _ = writeln!(out, "## Arguments\n");
        for p in &signature.parameters {
            argument(&mut out, p, false);
        }
        if let Some(v) = &signature.variadic {
            argument(&mut out, v, true);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Return Type\n\n`{}`",
        hcl_type(&signature.return_type)
    );
    out.trim_end().to_string() + "\n"
}

fn argument(out: &mut String, p: &Parameter, variadic: bool) {
    let mut flags = vec![format!("`{}`", hcl_type(&p.ty))];
    if variadic {
        flags.push("variadic".into());
    }
    if p.allow_null_value {
        flags.push("nullable".into());
    }
    let _ = writeln!(
        out,
        "1. `{}` ({}) {}",
        p.name,
        flags.join(", "),
        p.description
    );
}

/// A type as a Terraform type constraint: `list(object({cpu = number, memory = number}))`.
pub fn hcl_type(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "any".into(),
        Type::List(t) => format!("list({})", hcl_type(t)),
        Type::Set(t) => format!("set({})", hcl_type(t)),
        Type::Map(t) => format!("map({})", hcl_type(t)),
        Type::Tuple(items) => format!(
            "tuple([{}])",
            items.iter().map(hcl_type).collect::<Vec<_>>().join(", ")
        ),
        Type::Object(o) => format!(
            "object({{{}}})",
            o.attrs
                .iter()
                .map(|(k, t)| format!("{k} = {}", hcl_type(t)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_shows_signature_arguments_and_return_type() {
        let s = Signature::new("Adds numbers", Type::Number)
            .description("Adds **all** of them.")
            .parameter(Parameter::new("a", Type::Number, "The first."))
            .variadic(Parameter::new("rest", Type::Number, "The others.").allow_null());
        let page = render("x", "add", &s, Some("output \"n\" {}"));
        assert!(page.starts_with("# add (Function)\n\nAdds numbers\n\nAdds **all** of them."));
        assert!(
            page.contains("provider::x::add(a number, rest... number) number"),
            "{page}"
        );
        assert!(page.contains("1. `a` (`number`) The first."), "{page}");
        assert!(
            page.contains("1. `rest` (`number`, variadic, nullable) The others."),
            "{page}"
        );
        assert!(page.contains("## Example Usage"), "{page}");
    }

    #[test]
    fn types_read_as_type_constraints() {
        let t = Type::list(Type::object([
            ("cpu", Type::Number),
            ("memory", Type::Number),
        ]));
        assert_eq!(
            hcl_type(&t),
            "list(object({cpu = number, memory = number}))"
        );
        assert_eq!(hcl_type(&Type::map(Type::Dynamic)), "map(any)");
    }
}
