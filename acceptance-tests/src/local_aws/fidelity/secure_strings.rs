//! SecureString parameters whose KMS key the caller may not use. Reading one with
//! `WithDecryption` fails with KMS's `AccessDeniedException` (HTTP 400, "… is not authorized to
//! perform: kms:Decrypt …"; terraform-provider-aws#42849). GetParameters answers only
//! `Parameters` and `InvalidParameters` (names that do not exist), with no per-parameter error,
//! so such a parameter fails the whole call and the error does not say which one it was
//! (GetParameters reference). moto decrypts anything. Here a key is unusable when its id is the
//! alias [`UNREADABLE_KEY`] (or an ARN ending in it): `PutParameter` with
//! `KeyId = "alias/local-aws-unreadable"` stores a parameter nobody can decrypt. Reading without
//! decryption, and DescribeParameters, still work, as they do on AWS.
//!
//! https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html

use hyper::header::HeaderValue;
use serde_json::{Value, json};

use super::limits;
use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error};

/// The key alias that stands for a KMS key the caller may not use.
pub const UNREADABLE_KEY: &str = "alias/local-aws-unreadable";

/// GetParameters (at most 10 names).
pub async fn get_parameters(call: &Call, up: &Upstream) -> Reply {
    if let Some(refusal) = limits::ssm_get_parameters(call) {
        return refusal;
    }
    let names: Vec<String> = call
        .list("Names")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    match refusal(call, up, &names).await {
        Some(refusal) => refusal,
        None => super::encrypted_values::answer(call, up).await,
    }
}

/// GetParameter.
pub async fn get_parameter(call: &Call, up: &Upstream) -> Reply {
    let names: Vec<String> = call.str("Name").map(str::to_string).into_iter().collect();
    match refusal(call, up, &names).await {
        Some(refusal) => refusal,
        None => super::encrypted_values::answer(call, up).await,
    }
}

/// KMS's refusal when the call decrypts a parameter under the unusable key.
async fn refusal(call: &Call, up: &Upstream, names: &[String]) -> Option<Reply> {
    let decrypting = call
        .json
        .get("WithDecryption")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !decrypting || names.is_empty() {
        return None;
    }
    let key = unreadable_key(call, up, names).await?;
    Some(client_error(
        "AccessDeniedException",
        format!(
            "User: arn:aws:iam::123456789012:user/local-aws is not authorized to perform: \
             kms:Decrypt on resource: {key} because no resource-based policy allows the \
             kms:Decrypt action (Service: AWSKMS; Status Code: 400; Error Code: \
             AccessDeniedException)"
        ),
    ))
}

/// The parameter name in a GetParameter(s) name: without an ARN prefix or a `:version` or
/// `:label` selector (names themselves never contain `:`).
fn plain_names(name: &str) -> Vec<String> {
    let name = match name.split_once(":parameter") {
        Some((arn, rest)) if arn.starts_with("arn:") => rest,
        _ => name,
    };
    let name = name.split(':').next().unwrap_or(name);
    // `…:parameter/app/x` is `/app/x`, `…:parameter/x` is `x`: try both.
    match name.strip_prefix('/') {
        Some(bare) if !bare.contains('/') => vec![name.to_string(), bare.to_string()],
        _ => vec![name.to_string()],
    }
}

/// The unusable key of one of the SecureString parameters `names`, asked of moto.
async fn unreadable_key(call: &Call, up: &Upstream, names: &[String]) -> Option<String> {
    let values: Vec<String> = names.iter().flat_map(|n| plain_names(n)).collect();
    let mut described = call.with_json(json!({
        "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": values }],
        "MaxResults": 50,
    }));
    described.action = "DescribeParameters".to_string();
    described.key = "ssm:DescribeParameters".to_string();
    described.headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AmazonSSM.DescribeParameters"),
    );
    let answer = up.ask(&described).await;
    answer
        .json
        .get("Parameters")
        .and_then(Value::as_array)?
        .iter()
        .filter(|p| p.get("Type").and_then(Value::as_str) == Some("SecureString"))
        .filter_map(|p| p.get("KeyId").and_then(Value::as_str))
        .find(|key| key.ends_with(UNREADABLE_KEY))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::plain_names;

    #[test]
    fn names_lose_their_arn_and_selector() {
        assert_eq!(plain_names("/app/db:3"), ["/app/db"]);
        assert_eq!(
            plain_names("arn:aws:ssm:us-east-1:123456789012:parameter/app/db:live"),
            ["/app/db"]
        );
        assert_eq!(
            plain_names("arn:aws:ssm:us-east-1:123456789012:parameter/db"),
            ["/db", "db"]
        );
        assert_eq!(plain_names("db"), ["db"]);
    }
}
