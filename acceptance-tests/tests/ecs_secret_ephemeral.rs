//! The ephemeral resource `ecs_secret` with the real CLI: its value copied into another
//! secret's write-only `value_wo` arrives in Parameter Store while the plan, the state, `show
//! -json` and TRACE logs never hold it; read by name and by ARN, decrypted or encrypted as
//! Parameter Store keeps it; a missing parameter fails naming `name`; its value configures an
//! aliased provider's `assume_role`; it is opened and closed in every run and never stored.

use acceptance_tests::{
    CmdOutput, Terraform, endpoint_url, real_aws, skip_without_acc, ssm_client, unique_name,
};
use aws_sdk_ssm::types::ParameterType;

const HEADER: &str = r#"
terraform {
  required_providers {
    ecs = { source = "ecsrs/ecs" }
  }
}
"#;

fn skip(test: &str) -> bool {
    // The checks read the endpoint's logs and Parameter Store directly.
    skip_without_acc(test) || real_aws()
}

/// A working directory whose commands log at TRACE to their own stderr (Terraform's lines and
/// the provider's, which Terraform relays), so every command's output holds both.
fn terraform(dir: &tempfile::TempDir) -> Terraform {
    let url = endpoint_url();
    let mut tf = Terraform::new(dir.path().join("work"), Some(&url)).unwrap();
    tf.set_env("TF_LOG", Some("TRACE"));
    tf.set_env("TF_LOG_PATH", None);
    tf
}

async fn put(name: &str, value: &str, kind: ParameterType) {
    ssm_client()
        .await
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(kind)
        .overwrite(true)
        .send()
        .await
        .unwrap();
}

async fn stored(name: &str, decrypt: bool) -> aws_sdk_ssm::types::Parameter {
    ssm_client()
        .await
        .get_parameter()
        .name(name)
        .with_decryption(decrypt)
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap()
}

async fn delete(names: &[&str]) {
    let ssm = ssm_client().await;
    for name in names {
        let _ = ssm.delete_parameter().name(*name).send().await;
    }
}

/// Fails naming the lines that hold the secret (shown masked).
fn assert_absent(secret: &str, text: &str, what: &str) {
    let lines: Vec<String> = text
        .lines()
        .filter(|l| l.contains(secret))
        .map(|l| l.replace(secret, "<SECRET>").chars().take(400).collect())
        .collect();
    assert!(
        lines.is_empty(),
        "the secret value appears in {what}:\n{}",
        lines.join("\n")
    );
}

fn assert_outputs_clean(secret: &str, outputs: &[CmdOutput]) {
    for out in outputs {
        assert_absent(secret, &out.combined(), &out.command);
    }
}

#[tokio::test]
async fn ephemeral_value_reaches_value_wo_and_never_plan_state_or_logs() {
    let test = "ephemeral_value_reaches_value_wo_and_never_plan_state_or_logs";
    if skip(test) {
        return;
    }
    let prefix = format!("/{}", unique_name("eph"));
    let (source, copy) = (format!("{prefix}/source"), format!("{prefix}/copy"));
    let secret = format!("ephemeral-secret-{}", unique_name("v"));
    put(&source, &secret, ParameterType::SecureString).await;
    let dir = tempfile::tempdir().unwrap();
    let tf = terraform(&dir);
    tf.write_config(&format!(
        r#"{HEADER}
ephemeral "ecs_secret" "source" {{
  name = "{source}"
}}

resource "ecs_secret" "copy" {{
  name             = "{copy}"
  value_wo         = ephemeral.ecs_secret.source.value
  value_wo_version = 1
}}
"#
    ))
    .unwrap();
    let mut outputs = vec![tf.plan(Some("tfplan")).await.expect("plan")];
    let plan_json = tf.show_plan_json("tfplan").await.expect("show plan");
    outputs.push(tf.apply_plan("tfplan").await.expect("apply"));
    assert_eq!(stored(&copy, true).await.value(), Some(secret.as_str()));
    let empty = tf.plan(None).await.expect("second plan");
    assert_eq!(empty.status, 0, "nothing to change:\n{empty}");
    outputs.push(empty);
    let state_json = tf.show_state_json().await.expect("show");
    let state = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap();
    let plan_file = std::fs::read(tf.dir().join("tfplan")).unwrap();
    outputs.push(tf.destroy().await.expect("destroy"));

    let trace: String = outputs.iter().map(CmdOutput::combined).collect();
    assert!(
        trace.contains("OpenEphemeralResource"),
        "the output is a TRACE log with the provider's lines"
    );
    assert_outputs_clean(&secret, &outputs);
    assert_absent(&secret, &plan_json.to_string(), "the plan JSON");
    assert_absent(&secret, &state_json.to_string(), "`show -json`");
    assert_absent(&secret, &state, "the state file");
    assert_absent(
        &secret,
        &String::from_utf8_lossy(&plan_file),
        "the plan file",
    );
    delete(&[&source]).await;
}

#[tokio::test]
async fn ephemeral_reads_by_name_or_arn_and_encrypted_without_decryption() {
    let test = "ephemeral_reads_by_name_or_arn_and_encrypted_without_decryption";
    if skip(test) {
        return;
    }
    let prefix = format!("/{}", unique_name("eph-read"));
    let source = format!("{prefix}/source");
    let secret = format!("read-secret-{}", unique_name("v"));
    put(&source, &secret, ParameterType::SecureString).await;
    let arn = stored(&source, false).await.arn.unwrap();
    let ciphertext = stored(&source, false).await.value.unwrap();
    assert!(
        !ciphertext.contains(&secret),
        "Parameter Store never answers the plain text undecrypted"
    );
    let dir = tempfile::tempdir().unwrap();
    let tf = terraform(&dir);
    // Ephemeral results may go to write-only arguments and conditions only: the postconditions
    // check the non-secret attributes, the copies the values.
    tf.write_config(&format!(
        r#"{HEADER}
ephemeral "ecs_secret" "by_name" {{
  name = "{source}"
  lifecycle {{
    postcondition {{
      condition     = self.arn == "{arn}" && self.type == "SecureString" && self.version == 1 && self.data_type == "text" && self.with_decryption && self.key_id == "alias/aws/ssm" && self.tier == "Standard"
      error_message = "by_name: unexpected attributes"
    }}
  }}
}}

ephemeral "ecs_secret" "by_arn" {{
  name = "{arn}"
  lifecycle {{
    postcondition {{
      condition     = self.arn == "{arn}" && self.name == "{arn}" && self.value == ephemeral.ecs_secret.by_name.value
      error_message = "by_arn: unexpected attributes"
    }}
  }}
}}

ephemeral "ecs_secret" "encrypted" {{
  name            = "{source}"
  with_decryption = false
  lifecycle {{
    postcondition {{
      condition     = !self.with_decryption && self.type == "SecureString"
      error_message = "encrypted: unexpected attributes"
    }}
  }}
}}

resource "ecs_secret" "from_arn" {{
  name             = "{prefix}/from-arn"
  value_wo         = ephemeral.ecs_secret.by_arn.value
  value_wo_version = 1
}}

resource "ecs_secret" "from_encrypted" {{
  name             = "{prefix}/from-encrypted"
  value_wo         = ephemeral.ecs_secret.encrypted.value
  value_wo_version = 1
}}
"#
    ))
    .unwrap();
    let applied = tf.apply().await.expect("apply");
    assert_eq!(
        stored(&format!("{prefix}/from-arn"), true).await.value(),
        Some(secret.as_str()),
        "by ARN: the decrypted value"
    );
    assert_eq!(
        stored(&format!("{prefix}/from-encrypted"), true)
            .await
            .value(),
        Some(ciphertext.as_str()),
        "with_decryption = false: the value as Parameter Store keeps it"
    );
    let destroyed = tf.destroy().await.expect("destroy");
    assert_outputs_clean(&secret, &[applied, destroyed]);
    delete(&[&source]).await;
}

#[tokio::test]
async fn a_missing_parameter_fails_naming_the_attribute_and_leaks_nothing() {
    let test = "a_missing_parameter_fails_naming_the_attribute_and_leaks_nothing";
    if skip(test) {
        return;
    }
    let prefix = format!("/{}", unique_name("eph-missing"));
    let source = format!("{prefix}/source");
    let missing = format!("{prefix}/missing");
    let secret = format!("missing-test-secret-{}", unique_name("v"));
    put(&source, &secret, ParameterType::SecureString).await;
    let dir = tempfile::tempdir().unwrap();
    let tf = terraform(&dir);
    tf.write_config(&format!(
        r#"{HEADER}
ephemeral "ecs_secret" "present" {{
  name = "{source}"
}}

ephemeral "ecs_secret" "missing" {{
  name = "{missing}"
}}

resource "ecs_secret" "copy" {{
  name             = "{prefix}/copy"
  value_wo         = "${{ephemeral.ecs_secret.present.value}}${{ephemeral.ecs_secret.missing.value}}"
  value_wo_version = 1
}}
"#
    ))
    .unwrap();
    let plan = tf.plan(None).await.expect_err("the plan fails");
    let apply = tf.apply().await.expect_err("the apply fails");
    for out in [&plan, &apply] {
        let text = out.combined();
        assert!(text.contains("Parameter not found"), "{out}");
        assert!(
            text.contains(&format!("No parameter \"{missing}\" exists")),
            "{out}"
        );
        // The diagnostic points at the argument: Terraform quotes its line.
        assert!(
            text.contains(&format!("name = \"{missing}\"")),
            "the diagnostic names `name`:\n{out}"
        );
    }
    assert_outputs_clean(&secret, &[plan, apply]);
    let state = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap_or_default();
    assert!(!state.contains("ecs_secret"), "nothing was created");
    delete(&[&source]).await;
}

#[tokio::test]
async fn ephemeral_values_configure_an_aliased_provider() {
    let test = "ephemeral_values_configure_an_aliased_provider";
    if skip(test) {
        return;
    }
    let prefix = format!("/{}", unique_name("eph-provider"));
    let (role_param, external_param) = (format!("{prefix}/role"), format!("{prefix}/external-id"));
    // moto gives an assumed role's credentials the account of the role's ARN: the cluster's ARN
    // tells whose credentials created it, so it proves the role came from the ephemeral value.
    let account = "210987654321";
    let role = format!("arn:aws:iam::{account}:role/acc-ephemeral");
    let external_id = format!("external-id-{}", unique_name("v"));
    put(&role_param, &role, ParameterType::String).await;
    put(&external_param, &external_id, ParameterType::SecureString).await;
    let url = endpoint_url();
    let cluster = unique_name("acc-eph");
    let dir = tempfile::tempdir().unwrap();
    let tf = terraform(&dir);
    tf.write_config(&format!(
        r#"{HEADER}
ephemeral "ecs_secret" "role" {{
  name = "{role_param}"
}}

ephemeral "ecs_secret" "external_id" {{
  name = "{external_param}"
}}

provider "ecs" {{
  alias = "deployer"
  endpoints {{
    ecs = "{url}"
    ssm = "{url}"
    sts = "{url}"
  }}
  assume_role {{
    role_arn     = ephemeral.ecs_secret.role.value
    external_id  = ephemeral.ecs_secret.external_id.value
    session_name = "acc-ephemeral"
  }}
}}

resource "ecs_cluster" "c" {{
  provider = ecs.deployer
  name     = "{cluster}"
}}
"#
    ))
    .unwrap();
    let applied = tf.apply().await.expect("apply");
    let state = tf.show_state_json().await.expect("show");
    let arn = acceptance_tests::state::attr_string(&state, "ecs_cluster.c", "arn").unwrap();
    assert!(
        arn.contains(&format!(":{account}:cluster/")),
        "created with the role's credentials: {arn}"
    );
    let planned = tf.plan(None).await.expect("plan");
    assert_eq!(planned.status, 0, "nothing to change:\n{planned}");
    let state_file = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap();
    let destroyed = tf.destroy().await.expect("destroy");
    assert_outputs_clean(&external_id, &[applied, planned, destroyed]);
    assert_absent(&external_id, &state_file, "the state file");
    assert_absent(&external_id, &state.to_string(), "`show -json`");
    delete(&[&role_param, &external_param]).await;
}

#[tokio::test]
async fn ephemeral_resources_open_and_close_every_run_and_stay_out_of_state() {
    let test = "ephemeral_resources_open_and_close_every_run_and_stay_out_of_state";
    if skip(test) {
        return;
    }
    let prefix = format!("/{}", unique_name("eph-life"));
    let source = format!("{prefix}/source");
    put(&source, "lifecycle-value", ParameterType::SecureString).await;
    let dir = tempfile::tempdir().unwrap();
    let tf = terraform(&dir);
    tf.write_config(&format!(
        r#"{HEADER}
ephemeral "ecs_secret" "source" {{
  name = "{source}"
}}

resource "ecs_secret" "copy" {{
  name             = "{prefix}/copy"
  value_wo         = ephemeral.ecs_secret.source.value
  value_wo_version = 1
}}
"#
    ))
    .unwrap();
    let count = |out: &CmdOutput, rpc: &str| {
        out.combined()
            .lines()
            .filter(|l| l.contains(&format!("tf_rpc={rpc}")) && l.contains("ecs_secret"))
            .count()
    };
    let runs = [
        ("apply", tf.apply().await.expect("apply")),
        ("plan", tf.plan(None).await.expect("plan")),
        ("apply", tf.apply().await.expect("second apply")),
    ];
    for (what, out) in &runs {
        let (opened, closed) = (
            count(out, "OpenEphemeralResource"),
            count(out, "CloseEphemeralResource"),
        );
        assert!(opened >= 1, "{what} opens the ephemeral resource:\n{out}");
        assert_eq!(opened, closed, "{what} closes every one it opened");
    }
    let state = tf.show_state_json().await.expect("show");
    let addresses = acceptance_tests::state::addresses(&state);
    assert_eq!(addresses, ["ecs_secret.copy"], "only the managed secret");
    let state_file = std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap();
    // The state records the dependency on the ephemeral resource, never an object of it.
    let raw: serde_json::Value = serde_json::from_str(&state_file).unwrap();
    let modes: Vec<&str> = raw["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["mode"].as_str())
        .collect();
    assert_eq!(modes, ["managed"], "{state_file}");
    assert_absent("lifecycle-value", &state_file, "the state file");
    tf.destroy().await.expect("destroy");
    delete(&[&source]).await;
}
