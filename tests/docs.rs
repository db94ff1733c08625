//! The documentation under docs/ is generated from the schema descriptions; this test fails when
//! it is stale. Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.

use std::path::PathBuf;

use ecs_provider::ecs::EcsProvider;
use ecs_provider::framework::docs::{Kind, identity_section, render};
use ecs_provider::framework::function_docs;
use ecs_provider::framework::provider::Provider;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(dir: &str) -> Option<String> {
    std::fs::read_to_string(root().join("examples").join(dir).join("main.tf")).ok()
}

/// A function's example: its file in `examples/functions/`.
fn function_example(name: &str) -> Option<String> {
    std::fs::read_to_string(root().join("examples/functions").join(format!("{name}.tf"))).ok()
}

fn import_text(type_name: &str) -> Option<String> {
    std::fs::read_to_string(root().join("docs/import").join(format!("{type_name}.md"))).ok()
}

#[test]
fn docs_are_generated_from_schemas() {
    let provider = EcsProvider::new();
    let mut pages = vec![(
        root().join("docs/index.md"),
        render(
            Kind::Provider,
            "ecs",
            &provider.schema(),
            example("quickstart").as_deref(),
            None,
        ),
    )];
    for resource in provider.resources() {
        let name = resource.type_name();
        let short = name.trim_start_matches("ecs_");
        let mut page = render(
            Kind::Resource,
            name,
            &resource.schema(),
            example(name).as_deref(),
            import_text(name).as_deref(),
        );
        if let Some(identity) = resource.as_identity() {
            page.push_str(&identity_section(name, &identity.identity_schema()));
        }
        pages.push((
            root().join("docs/resources").join(format!("{short}.md")),
            page,
        ));
    }
    for data_source in provider.data_sources() {
        let name = data_source.type_name();
        let short = name.trim_start_matches("ecs_");
        pages.push((
            root().join("docs/data-sources").join(format!("{short}.md")),
            render(
                Kind::DataSource,
                name,
                &data_source.schema(),
                example(&format!("data-{name}")).as_deref(),
                None,
            ),
        ));
    }
    for function in provider.functions() {
        let name = function.name();
        pages.push((
            root().join("docs/functions").join(format!("{name}.md")),
            function_docs::render(
                "ecs",
                name,
                &function.signature(),
                function_example(name).as_deref(),
            ),
        ));
    }
    for ephemeral in provider.ephemeral_resources() {
        let name = ephemeral.type_name();
        let short = name.trim_start_matches("ecs_");
        pages.push((
            root()
                .join("docs/ephemeral-resources")
                .join(format!("{short}.md")),
            render(
                Kind::EphemeralResource,
                name,
                &ephemeral.schema(),
                example(&format!("ephemeral-{name}")).as_deref(),
                None,
            ),
        ));
    }
    for action in provider.actions() {
        let name = action.type_name();
        let short = name.trim_start_matches("ecs_");
        pages.push((
            root().join("docs/actions").join(format!("{short}.md")),
            render(
                Kind::Action,
                name,
                &action.schema(),
                example(&format!("action-{name}")).as_deref(),
                None,
            ),
        ));
    }
    for list in provider.list_resources() {
        let name = list.type_name();
        let short = name.trim_start_matches("ecs_");
        let example = std::fs::read_to_string(
            root()
                .join("examples")
                .join(format!("query-{name}"))
                .join("main.tfquery.hcl"),
        )
        .ok();
        pages.push((
            root()
                .join("docs/list-resources")
                .join(format!("{short}.md")),
            render(
                Kind::ListResource,
                name,
                &list.config_schema(),
                example.as_deref(),
                None,
            ),
        ));
    }
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, text) in pages {
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs (run UPDATE_DOCS=1 cargo test --test docs): {stale:?}"
    );
}
