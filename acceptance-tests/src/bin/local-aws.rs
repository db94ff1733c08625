//! `local-aws`: starts a pinned moto server on a free loopback port, prints
//! `AWS_ENDPOINT_URL=http://127.0.0.1:PORT` as its first stdout line and serves until SIGTERM or
//! SIGINT, then stops moto. The AWS fidelity layer is not in front of it yet: calls reach moto as is.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::signal::unix::{SignalKind, signal};

fn moto_path(args: &[String]) -> PathBuf {
    if let Some(i) = args.iter().position(|a| a == "--moto")
        && let Some(p) = args.get(i + 1)
    {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("tools/.venv/bin/moto_server")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let moto = moto_path(&args);
    let mut cmd = Command::new(&moto);
    cmd.args(["-H", "127.0.0.1", "-p", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: prctl in the child before exec only asks the kernel to signal it when we die.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("local-aws: could not start {}: {e}", moto.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let port = loop {
        match tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(p) = digits.parse::<u16>() {
                        break p;
                    }
                }
            }
            _ => {
                eprintln!("local-aws: moto did not report its port");
                return std::process::ExitCode::FAILURE;
            }
        }
    };
    // Keep draining moto's log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    println!("AWS_ENDPOINT_URL=http://127.0.0.1:{port}");
    let _ = std::io::stdout().flush();
    let mut term = signal(SignalKind::terminate()).expect("signal handler");
    let mut int = signal(SignalKind::interrupt()).expect("signal handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = child.wait() => {
            eprintln!("local-aws: moto exited");
            return std::process::ExitCode::FAILURE;
        }
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
    std::process::ExitCode::SUCCESS
}
