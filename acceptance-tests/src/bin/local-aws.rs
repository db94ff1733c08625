//! `local-aws`: a pinned moto server behind the fidelity proxy. Prints
//! `AWS_ENDPOINT_URL=http://127.0.0.1:PORT` as its first stdout line and serves until SIGTERM or
//! SIGINT. See `acceptance_tests::local_aws` and the harness README for the flags.

use std::path::PathBuf;
use std::process::ExitCode;

use acceptance_tests::local_aws::{self, Options};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let default_moto =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/.venv/bin/moto_server");
    match Options::parse(&args, default_moto) {
        Ok(options) => local_aws::run(options).await,
        Err(message) => {
            eprintln!("local-aws: {message}");
            ExitCode::from(2)
        }
    }
}
