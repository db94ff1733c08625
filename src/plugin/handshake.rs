//! The go-plugin start-up contract: magic cookie, protocol negotiation and the handshake line.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// Environment variable Terraform and OpenTofu set to prove they launched the binary.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform's plugin client puts in [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Comma-separated list of the app protocol versions the client speaks.
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
/// go-plugin's own protocol version: always 1.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only app protocol this provider speaks: tfplugin6.
pub const PROTOCOL_VERSION: u32 = 6;

/// Printed when the binary is run by hand; same wording as go-plugin so users recognise it.
pub const NOT_A_PROGRAM_MESSAGE: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will\n\
load any plugins automatically\n";

/// The cookie was absent or wrong: the binary was not started by a plugin host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLaunchedByHost;

impl fmt::Display for NotLaunchedByHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NOT_A_PROGRAM_MESSAGE)
    }
}

impl std::error::Error for NotLaunchedByHost {}

/// Checks the value of [`MAGIC_COOKIE_KEY`] (`None` when unset).
pub fn check_cookie(value: Option<&str>) -> Result<(), NotLaunchedByHost> {
    match value {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(NotLaunchedByHost),
    }
}

/// The host does not offer protocol 6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedProtocol {
    /// The raw value of [`PROTOCOL_VERSIONS_KEY`].
    pub offered: String,
}

impl fmt::Display for UnsupportedProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this provider speaks plugin protocol version {PROTOCOL_VERSION} only, but the host \
             offered {PROTOCOL_VERSIONS_KEY}={:?}; use Terraform 1.0 or later, or OpenTofu",
            self.offered
        )
    }
}

impl std::error::Error for UnsupportedProtocol {}

/// Picks the app protocol from [`PROTOCOL_VERSIONS_KEY`] (`None` when unset).
///
/// The list comes from a Go map, so its order means nothing. Entries that are not numbers
/// are skipped, as go-plugin does. An unset or empty variable means a legacy host that
/// expects the server's default, which is 6.
pub fn negotiate_protocol(value: Option<&str>) -> Result<u32, UnsupportedProtocol> {
    let Some(raw) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let offered = raw
        .split(',')
        .filter_map(|part| part.trim().parse::<u32>().ok());
    for version in offered {
        if version == PROTOCOL_VERSION {
            return Ok(PROTOCOL_VERSION);
        }
    }
    Err(UnsupportedProtocol {
        offered: raw.to_owned(),
    })
}

/// Formats the single stdout line go-plugin waits for, newline included.
///
/// `server_cert_der` is `None` without AutoMTLS (the field is then empty). The certificate
/// must be unpadded base64: go-plugin decodes with `RawStdEncoding`, which rejects `=`.
pub fn handshake_line(socket_path: &str, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{socket_path}|grpc|{cert}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert_eq!(check_cookie(Some(MAGIC_COOKIE_VALUE)), Ok(()));
        assert_eq!(check_cookie(None), Err(NotLaunchedByHost));
        assert_eq!(check_cookie(Some("")), Err(NotLaunchedByHost));
        assert_eq!(check_cookie(Some("d602bf8f")), Err(NotLaunchedByHost));
        let with_space = format!("{MAGIC_COOKIE_VALUE} ");
        assert_eq!(check_cookie(Some(&with_space)), Err(NotLaunchedByHost));
        assert!(
            NotLaunchedByHost
                .to_string()
                .starts_with("This binary is a plugin.")
        );
    }

    #[test]
    fn negotiation_picks_6_in_any_order() {
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(6));
        assert_eq!(negotiate_protocol(Some("6,5")), Ok(6));
        assert_eq!(negotiate_protocol(Some("6")), Ok(6));
        assert_eq!(negotiate_protocol(Some(" 5 , 6 ")), Ok(6));
        assert_eq!(negotiate_protocol(Some("7,6,5")), Ok(6));
    }

    #[test]
    fn negotiation_without_6_fails() {
        let err = negotiate_protocol(Some("5")).unwrap_err();
        assert_eq!(err.offered, "5");
        assert!(err.to_string().contains("version 6"));
        assert!(negotiate_protocol(Some("4,5")).is_err());
        assert!(negotiate_protocol(Some("garbage")).is_err());
        assert!(negotiate_protocol(Some("6x,five")).is_err());
        assert!(negotiate_protocol(Some(",,,")).is_err());
    }

    #[test]
    fn negotiation_skips_garbage_entries() {
        assert_eq!(negotiate_protocol(Some("abc,6")), Ok(6));
        assert_eq!(negotiate_protocol(Some("5,,6,")), Ok(6));
    }

    #[test]
    fn negotiation_defaults_to_6_for_legacy_hosts() {
        assert_eq!(negotiate_protocol(None), Ok(6));
        assert_eq!(negotiate_protocol(Some("")), Ok(6));
    }

    #[test]
    fn handshake_line_without_tls_has_empty_cert_field() {
        assert_eq!(
            handshake_line("/tmp/x.sock", None),
            "1|6|unix|/tmp/x.sock|grpc|\n"
        );
    }

    #[test]
    fn handshake_line_base64_is_unpadded_for_every_length() {
        // DER lengths of 3n, 3n+1 and 3n+2 bytes: only the last two would get padding.
        for len in [600usize, 601, 602] {
            let der: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let line = handshake_line("/tmp/p.sock", Some(&der));
            assert!(line.ends_with('\n'));
            assert_eq!(line.matches('\n').count(), 1);
            let fields: Vec<&str> = line.trim_end().split('|').collect();
            assert_eq!(fields.len(), 6);
            assert_eq!(&fields[..5], ["1", "6", "unix", "/tmp/p.sock", "grpc"]);
            assert!(!fields[5].contains('='), "padded for len {len}");
            assert_eq!(fields[5].len(), (len * 4).div_ceil(3));
            assert_eq!(STANDARD_NO_PAD.decode(fields[5]).unwrap(), der);
        }
        // A known vector: two bytes give three characters, no '='.
        let line = handshake_line("/s", Some(&[0xff, 0xee]));
        assert_eq!(line, "1|6|unix|/s|grpc|/+4\n");
    }
}
