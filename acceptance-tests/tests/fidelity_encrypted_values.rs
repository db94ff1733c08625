//! Fidelity of reads without decryption and reads by ARN: like Parameter Store, the local
//! endpoint answers a SecureString read without `WithDecryption` with an opaque base64 KMS
//! ciphertext (never the plain text), String values the same either way, and a parameter asked
//! for by ARN with its name and ARN. Each test talks to the endpoint with the AWS SDK for Rust.
//! Run with `TF_ACC=1`.

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ssm::types::ParameterType;

#[tokio::test]
async fn secure_strings_read_without_decryption_are_ciphertext_never_the_value() {
    let Some(endpoint) =
        local_endpoint("secure_strings_read_without_decryption_are_ciphertext_never_the_value")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let prefix = format!("/{}", unique_name("fid-enc"));
    let (secure, plain) = (format!("{prefix}/secure"), format!("{prefix}/plain"));
    for (name, kind) in [
        (&secure, ParameterType::SecureString),
        (&plain, ParameterType::String),
    ] {
        ssm.put_parameter()
            .name(name)
            .value("plain-text-5e1d")
            .r#type(kind)
            .send()
            .await
            .unwrap();
    }
    let one = ssm
        .get_parameter()
        .name(&secure)
        .with_decryption(false)
        .send()
        .await
        .unwrap();
    let encrypted = one.parameter().and_then(|p| p.value()).unwrap().to_string();
    assert!(encrypted.starts_with("AQICAH"), "{encrypted}");
    assert!(!encrypted.contains("plain-text-5e1d"), "{encrypted}");
    let both = ssm
        .get_parameters()
        .names(&secure)
        .names(&plain)
        .send()
        .await
        .unwrap();
    for p in both.parameters() {
        let value = p.value().unwrap();
        if p.name() == Some(secure.as_str()) {
            assert_eq!(value, encrypted, "the same ciphertext from either call");
        } else {
            assert_eq!(value, "plain-text-5e1d", "String values are not encrypted");
        }
    }
    let decrypted = ssm
        .get_parameter()
        .name(&secure)
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        decrypted.parameter().and_then(|p| p.value()),
        Some("plain-text-5e1d")
    );
    ssm.put_parameter()
        .name(&secure)
        .value("plain-text-5e1d")
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap();
    let next = ssm.get_parameter().name(&secure).send().await.unwrap();
    assert_ne!(
        next.parameter().and_then(|p| p.value()),
        Some(encrypted.as_str()),
        "each version is encrypted anew"
    );
    for name in [&secure, &plain] {
        ssm.delete_parameter().name(name).send().await.unwrap();
    }
}

#[tokio::test]
async fn a_parameter_asked_for_by_arn_answers_with_its_name_and_arn() {
    let Some(endpoint) =
        local_endpoint("a_parameter_asked_for_by_arn_answers_with_its_name_and_arn")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let name = format!("/{}/db", unique_name("fid-arn"));
    ssm.put_parameter()
        .name(&name)
        .value("v")
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap();
    let by_name = ssm.get_parameter().name(&name).send().await.unwrap();
    let arn = by_name
        .parameter()
        .and_then(|p| p.arn())
        .unwrap()
        .to_string();
    assert!(arn.ends_with(&format!(":parameter{name}")), "{arn}");
    let by_arn = ssm.get_parameters().names(&arn).send().await.unwrap();
    let p = &by_arn.parameters()[0];
    assert_eq!(p.name(), Some(name.as_str()));
    assert_eq!(p.arn(), Some(arn.as_str()));
    assert!(by_arn.invalid_parameters().is_empty());
    ssm.delete_parameter().name(&name).send().await.unwrap();
}
