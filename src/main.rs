//! The provider binary: Terraform starts it, reads the handshake line and talks gRPC to it.

use std::process::ExitCode;
use std::sync::Arc;

use ecs_provider::ecs::EcsProvider;
use ecs_provider::framework::server::Server;
use ecs_provider::plugin::{self, ServeConfig};
use ecs_provider::protocol;

fn main() -> ExitCode {
    let config = ServeConfig {
        provider_address: "registry.terraform.io/ecsrs/ecs",
        binary_name: env!("CARGO_PKG_NAME"),
    };
    plugin::run(config, || {
        protocol::routes(Arc::new(Server::new(EcsProvider::new())))
    })
}
