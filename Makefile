# The two commands a newcomer needs are `make demo` and `make test`; see README.md.
.PHONY: demo test install install-release build fmt lint docs

demo:
	scripts/demo

test:
	scripts/test

build:
	cargo build --bin terraform-provider-ecs

# Filesystem-mirror install into ~/.terraform.d/plugins (debug build).
install: build
	scripts/install-provider

install-release:
	scripts/install-provider "$$HOME/.terraform.d/plugins" --release

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
