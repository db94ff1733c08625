//! A SecureString read without decryption. Parameter Store then answers the value as it keeps
//! it: the base64 KMS ciphertext (a blob starting `AQICAH…`), never the plain text; String and
//! StringList values are the same either way (GetParameter reference: `WithDecryption` "Return
//! decrypted values for secure string parameters. This flag is ignored for String and
//! StringList parameter types"; Parameter Store keeps only the KMS-encrypted value, User Guide,
//! "AWS KMS encryption for Parameter Store SecureString parameters"). moto answers
//! `kms:<key>:<plain text>`, which shows the secret. Here the value becomes a stable base64
//! blob derived from the key, the version and the value, with KMS's ciphertext header, so it
//! differs per version and never contains the plain text.
//!
//! https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html

use serde_json::Value;

use super::{fnv, reply_of};
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply};

/// GetParameter or GetParameters: moto's answer, with every SecureString value encrypted
/// unless the call decrypts.
pub async fn answer(call: &Call, up: &Upstream) -> Reply {
    if call.json.get("WithDecryption").and_then(Value::as_bool) == Some(true) {
        return up.forward(call).await;
    }
    let mut answer = up.ask(call).await;
    if answer.ok() {
        if let Some(p) = answer.json.get_mut("Parameter") {
            encrypt(p);
        }
        if let Some(Value::Array(ps)) = answer.json.get_mut("Parameters") {
            ps.iter_mut().for_each(encrypt);
        }
    }
    reply_of(&answer)
}

fn encrypt(parameter: &mut Value) {
    if parameter.get("Type").and_then(Value::as_str) != Some("SecureString") {
        return;
    }
    let version = parameter
        .get("Version")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if let Some(Value::String(value)) = parameter.get_mut("Value") {
        *value = ciphertext(value, version);
    }
}

/// KMS's ciphertext header (version 1, AES-GCM, key reference) and 48 opaque bytes, in base64.
fn ciphertext(stored: &str, version: i64) -> String {
    let mut blob = vec![0x01, 0x02, 0x02, 0x00, 0x78];
    for round in 0..6u64 {
        let word = fnv(&format!("{round}:{version}:{stored}"));
        blob.extend_from_slice(&word.to_be_bytes());
    }
    base64(&blob)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciphertext_looks_like_kms_and_hides_the_value() {
        let c = ciphertext("kms:alias/aws/ssm:hunter2", 1);
        assert!(c.starts_with("AQICAH"), "{c}");
        assert!(!c.contains("hunter2"));
        assert_ne!(c, ciphertext("kms:alias/aws/ssm:hunter2", 2));
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
