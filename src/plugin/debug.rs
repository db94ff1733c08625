//! Debug (reattach) mode: the developer starts the provider, for example under a debugger,
//! and points Terraform at it with `TF_REATTACH_PROVIDERS`.

use serde_json::{Value, json};

use super::handshake::PROTOCOL_VERSION;

/// The `TF_REATTACH_PROVIDERS` value for one provider listening on `socket_path`.
///
/// `Test: true` tells Terraform the process owns its lifetime: Terraform neither kills it
/// nor tries to install the provider. The address is written short (`namespace/type`): each
/// CLI qualifies it with its own default host, as it does the configuration's `source`, so
/// one value serves Terraform and OpenTofu alike.
pub fn reattach_json(provider_address: &str, pid: u32, socket_path: &str) -> String {
    let mut providers = serde_json::Map::new();
    providers.insert(
        short_address(provider_address).to_owned(),
        json!({
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket_path },
        }),
    );
    Value::Object(providers).to_string()
}

/// `host/namespace/type` without the host; anything else as it is.
fn short_address(address: &str) -> &str {
    match address.split('/').collect::<Vec<_>>().as_slice() {
        [host, _, _] => &address[host.len() + 1..],
        _ => address,
    }
}

/// Wraps `s` in single quotes for POSIX shells.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The block printed on stdout in debug mode.
pub fn instructions(
    binary_name: &str,
    provider_address: &str,
    pid: u32,
    socket_path: &str,
) -> String {
    let value = shell_quote(&reattach_json(provider_address, pid, socket_path));
    format!(
        "{binary_name} is running in debug mode (pid {pid}).\n\
         To use it, set this in the shell that runs terraform or tofu:\n\
         \n\
         \tTF_REATTACH_PROVIDERS={value}\n\
         \n\
         Terraform will not start or stop this process. Press Ctrl-C to stop it.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_json_has_terraforms_shape() {
        let raw = reattach_json("registry.terraform.io/ecsrs/ecs", 4242, "/tmp/p.sock");
        assert_eq!(
            raw,
            r#"{"ecsrs/ecs":{"Protocol":"grpc","ProtocolVersion":6,"Pid":4242,"Test":true,"Addr":{"Network":"unix","String":"/tmp/p.sock"}}}"#
        );
    }

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
        assert_eq!(shell_quote("{}"), "'{}'");
    }

    #[test]
    fn instructions_contain_a_pasteable_line() {
        let text = instructions(
            "terraform-provider-ecs",
            "registry.terraform.io/ecsrs/ecs",
            7,
            "/t/s",
        );
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("TF_REATTACH_PROVIDERS="))
            .unwrap();
        let value = line
            .trim_start()
            .strip_prefix("TF_REATTACH_PROVIDERS=")
            .unwrap();
        let json = value
            .strip_prefix('\'')
            .unwrap()
            .strip_suffix('\'')
            .unwrap();
        let parsed: Value = serde_json::from_str(json).unwrap();
        assert_eq!(parsed["ecsrs/ecs"]["Pid"], 7);
    }
}
