//! PutParameter rules that moto does not apply.
//!
//! - `AllowedPattern`: the whole value must match the pattern (the request's, or when
//!   overwriting without one, the parameter's), else `ParameterPatternMismatchException`
//!   "Parameter value, cannot be validated against allowedPattern: PATTERN" (AWS Systems Manager
//!   User Guide, "Create a String parameter (AWS CLI)", whose `\d{1,4}` example refuses
//!   `10000`). A pattern that is no regular expression: `InvalidAllowedPatternException`
//!   (PutParameter reference, Errors). moto stores the pattern and checks nothing. Patterns are
//!   read as Rust regular expressions; Java-only syntax counts as invalid here.
//! - `DataType = "aws:ec2:image"`: Parameter Store answers HTTP 200 and validates the value
//!   afterwards; a value that is not an AMI ID (`ami-` and 8 or 17 hexadecimal digits) is then
//!   never written (PutParameter reference, DataType: "a successful HTTP 200 response does not
//!   guarantee that your parameter was successfully created or updated"; User Guide, "Native
//!   parameter support for Amazon Machine Image IDs"). moto writes any value. Whether the AMI
//!   exists is not checked here.
//!
//! moto already refuses an existing name without `Overwrite` (`ParameterAlreadyExists`) and tags
//! with `Overwrite`, as Parameter Store does; the SDK tests pin both.
//!
//! https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html

use hyper::StatusCode;
use hyper::header::HeaderValue;
use regex::Regex;
use serde_json::{Value, json};

use crate::local_aws::moto::Upstream;
use crate::local_aws::wire::{Call, Reply, client_error, json_reply};

pub async fn put_parameter(call: &Call, up: &Upstream) -> Reply {
    let Some(name) = call.str("Name") else {
        return up.forward(call).await;
    };
    let value = call.str("Value").unwrap_or_default();
    let overwrite = call.json.get("Overwrite").and_then(Value::as_bool) == Some(true);
    let ami = call.str("DataType") == Some("aws:ec2:image");
    let existing = if overwrite || ami || call.str("AllowedPattern").is_none() {
        metadata(call, up, name).await
    } else {
        None
    };
    let pattern = match call.str("AllowedPattern") {
        Some(p) => Some(p.to_string()),
        None if overwrite => existing
            .as_ref()
            .and_then(|m| m.get("AllowedPattern"))
            .and_then(Value::as_str)
            .map(str::to_string),
        None => None,
    };
    if let Some(pattern) = pattern.filter(|p| !p.is_empty()) {
        let Ok(matcher) = Regex::new(&format!("^(?:{pattern})$")) else {
            return client_error(
                "InvalidAllowedPatternException",
                format!("The request does not meet the regular expression requirement: {pattern}"),
            );
        };
        if !matcher.is_match(value) {
            return client_error(
                "ParameterPatternMismatchException",
                format!("Parameter value, cannot be validated against allowedPattern: {pattern}"),
            );
        }
    }
    if ami && !is_ami_id(value) {
        // Accepted, then dropped by the asynchronous validation: nothing is written.
        let version = existing
            .as_ref()
            .and_then(|m| m.get("Version"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if existing.is_some() && !overwrite {
            return up.forward(call).await;
        }
        return json_reply(
            StatusCode::OK,
            &json!({ "Version": version + 1, "Tier": "Standard" }),
        );
    }
    up.forward(call).await
}

/// `ami-` and 8 or 17 lowercase hexadecimal digits.
pub fn is_ami_id(value: &str) -> bool {
    value.strip_prefix("ami-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// The parameter's DescribeParameters entry, asked of moto.
async fn metadata(call: &Call, up: &Upstream, name: &str) -> Option<Value> {
    let mut described = call.with_json(json!({
        "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": [name] }],
    }));
    described.action = "DescribeParameters".to_string();
    described.key = "ssm:DescribeParameters".to_string();
    described.headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AmazonSSM.DescribeParameters"),
    );
    described.headers.remove(hyper::header::CONTENT_LENGTH);
    let answer = up.ask(&described).await;
    answer
        .json
        .get("Parameters")
        .and_then(Value::as_array)?
        .first()
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::is_ami_id;

    #[test]
    fn ami_ids() {
        assert!(is_ami_id("ami-0abcdef1"));
        assert!(is_ami_id("ami-0123456789abcdef0"));
        assert!(!is_ami_id("ami-0abcdef"));
        assert!(!is_ami_id("ami-0ABCDEF1"));
        assert!(!is_ami_id("not-an-image"));
    }
}
