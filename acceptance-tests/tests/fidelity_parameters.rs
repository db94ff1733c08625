//! Fidelity of PutParameter: like Parameter Store, the local endpoint refuses a value that does
//! not match `AllowedPattern` (the whole value, the parameter's pattern when overwriting without
//! one), drops an `aws:ec2:image` value that is not an AMI ID after answering 200, refuses an
//! existing name without `Overwrite`, and refuses tags with `Overwrite`. Each test talks to the
//! endpoint with the AWS SDK for Rust. Run with `TF_ACC=1`.

use acceptance_tests::{local_endpoint, unique_name};
use aws_sdk_ssm::types::{ParameterType, Tag};

#[tokio::test]
async fn allowed_pattern_refuses_a_value_that_does_not_match_whole() {
    let Some(endpoint) =
        local_endpoint("allowed_pattern_refuses_a_value_that_does_not_match_whole")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let name = unique_name("fid-pattern");
    let put = |value: &'static str, pattern: Option<&'static str>, overwrite: bool| {
        ssm.put_parameter()
            .name(&name)
            .r#type(ParameterType::String)
            .value(value)
            .set_allowed_pattern(pattern.map(str::to_string))
            .overwrite(overwrite)
            .send()
    };
    let refused = put("10000", Some(r"\d{1,4}"), false).await.unwrap_err();
    let message = format!("{:?}", refused.into_service_error());
    assert!(
        message.contains("ParameterPatternMismatchException")
            // Debug output escapes the backslash of `\d{1,4}`.
            && message.contains(r"cannot be validated against allowedPattern: \\d{1,4}"),
        "{message}"
    );
    put("1000", Some(r"\d{1,4}"), false)
        .await
        .expect("a whole match is accepted");
    let refused = put("abc", None, true).await.unwrap_err();
    assert!(
        format!("{:?}", refused.into_service_error()).contains("ParameterPatternMismatch"),
        "overwriting without a pattern checks the parameter's"
    );
    put("abc", Some(""), true)
        .await
        .expect("an empty pattern removes the check");
    let described = ssm
        .describe_parameters()
        .parameter_filters(
            aws_sdk_ssm::types::ParameterStringFilter::builder()
                .key("Name")
                .values(&name)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(described.parameters()[0].allowed_pattern(), None);
    let refused = put("x", Some("(unclosed"), true).await.unwrap_err();
    assert!(
        format!("{:?}", refused.into_service_error()).contains("InvalidAllowedPatternException")
    );
    ssm.delete_parameter().name(&name).send().await.unwrap();
}

#[tokio::test]
async fn an_image_parameter_that_is_no_ami_id_is_accepted_then_never_written() {
    let Some(endpoint) =
        local_endpoint("an_image_parameter_that_is_no_ami_id_is_accepted_then_never_written")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let name = unique_name("fid-ami");
    let put = |value: &'static str| {
        ssm.put_parameter()
            .name(&name)
            .r#type(ParameterType::String)
            .data_type("aws:ec2:image")
            .value(value)
            .overwrite(true)
            .send()
    };
    put("not-an-ami").await.expect("answered 200");
    let missing = ssm.get_parameter().name(&name).send().await.unwrap_err();
    assert!(missing.into_service_error().is_parameter_not_found());

    put("ami-0123456789abcdef0").await.unwrap();
    let got = ssm.get_parameter().name(&name).send().await.unwrap();
    let parameter = got.parameter().unwrap();
    assert_eq!(parameter.value(), Some("ami-0123456789abcdef0"));
    assert_eq!(parameter.data_type(), Some("aws:ec2:image"));

    put("ami-bad").await.expect("answered 200");
    let got = ssm.get_parameter().name(&name).send().await.unwrap();
    assert_eq!(
        got.parameter().unwrap().value(),
        Some("ami-0123456789abcdef0"),
        "the update was dropped"
    );
    ssm.delete_parameter().name(&name).send().await.unwrap();
}

#[tokio::test]
async fn an_existing_name_needs_overwrite_and_overwrite_takes_no_tags() {
    let Some(endpoint) =
        local_endpoint("an_existing_name_needs_overwrite_and_overwrite_takes_no_tags")
    else {
        return;
    };
    let ssm = endpoint.ssm_client().await;
    let name = unique_name("fid-overwrite");
    let put = |overwrite: bool, tag: bool| {
        ssm.put_parameter()
            .name(&name)
            .r#type(ParameterType::String)
            .value("v")
            .overwrite(overwrite)
            .set_tags(tag.then(|| vec![Tag::builder().key("k").value("v").build().unwrap()]))
            .send()
    };
    put(false, true).await.unwrap();
    let refused = put(false, false).await.unwrap_err();
    assert!(
        refused.into_service_error().is_parameter_already_exists(),
        "an existing name without Overwrite"
    );
    let refused = put(true, true).await.unwrap_err();
    assert!(
        format!("{:?}", refused.into_service_error())
            .contains("tags and overwrite can't be used together")
    );
    let written = put(true, false).await.unwrap();
    assert_eq!(written.version(), 2);
    ssm.delete_parameter().name(&name).send().await.unwrap();
}
