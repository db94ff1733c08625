//! Turning SDK errors into text users can act on.
//!
//! Service errors read "Code: message". Failures before an answer arrives read as one sentence
//! naming the service, the endpoint and the cause: "could not reach Amazon ECS at
//! http://127.0.0.1:4566: connection refused", "could not get AWS credentials to call Amazon
//! ECS: …". The endpoint comes from [`Unreachable`], which the clients' HTTP connector
//! (`super::named`) puts into every connection failure.

use std::error::Error;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::error::ErrorMetadata;

/// "Code: message" for service errors, one sentence for everything that happened before an
/// answer arrived.
pub fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: fmt::Debug,
{
    let service = service_of::<E>();
    match err {
        SdkError::ServiceError(answer) => {
            let e = answer.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => e.to_string(),
            }
        }
        SdkError::TimeoutError(_) => format!("{service} did not answer in time"),
        SdkError::DispatchFailure(failure) => match failure.as_connector_error() {
            Some(connector) => before_answer(service, connector),
            None => format!("could not call {service}"),
        },
        SdkError::ResponseError(_) => {
            format!(
                "the answer from {service} could not be read: {}",
                source_cause(err)
            )
        }
        SdkError::ConstructionFailure(_) => format!(
            "the request to {service} could not be built: {}",
            source_cause(err)
        ),
        _ => format!("calling {service} failed: {}", source_cause(err)),
    }
}

/// The service error code, if the error came from the service.
pub fn code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

fn source_cause(err: &dyn Error) -> String {
    err.source().map_or_else(|| err.to_string(), cause)
}

/// The service an operation error type belongs to, by the SDK crate that defines it.
fn service_of<E>() -> &'static str {
    let name = std::any::type_name::<E>();
    [
        ("aws_sdk_ecs::", "Amazon ECS"),
        ("aws_sdk_ssm::", "AWS Systems Manager"),
        ("aws_sdk_sts::", "AWS STS"),
    ]
    .iter()
    .find(|(prefix, _)| name.starts_with(prefix))
    .map_or("AWS", |(_, service)| service)
}

/// A dispatch failure: credentials that could not be had, or an endpoint that could not be
/// reached (or anything else that stopped the request from leaving).
fn before_answer(service: &str, err: &ConnectorError) -> String {
    if let Some(creds) = find::<CredentialsError>(err) {
        return format!(
            "could not get AWS credentials to call {service}: {}",
            credentials_cause(creds)
        );
    }
    if let Some(unreachable) = find::<Unreachable>(err) {
        return unreachable.to_string();
    }
    format!("could not send the request to {service}: {}", cause(err))
}

fn credentials_cause(err: &CredentialsError) -> String {
    if let Some(role) = find::<RoleNotAssumed>(err) {
        return role.to_string();
    }
    if let Some(unreachable) = find::<Unreachable>(err) {
        return unreachable.to_string();
    }
    match err {
        CredentialsError::CredentialsNotLoaded(_) => "none were found (set `profile` or \
            `assume_role` in the provider block, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or \
            AWS_PROFILE)"
            .into(),
        CredentialsError::ProviderTimedOut(_) => err.to_string(),
        _ => cause(err),
    }
}

/// The first error of type `T` in `err`'s chain (`err` included).
fn find<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// Why something failed, in a few words: the service's "Code: message" when an error answer is
/// in the chain, a plain phrase for common socket errors, else the innermost error's text.
fn cause(err: &(dyn Error + 'static)) -> String {
    if let Some(meta) = find::<ErrorMetadata>(err)
        && let Some(code) = meta.code()
    {
        return match meta.message() {
            Some(message) => format!("{code}: {message}"),
            None => code.to_string(),
        };
    }
    if let Some(io) = find::<std::io::Error>(err) {
        use std::io::ErrorKind::*;
        let phrase = match io.kind() {
            ConnectionRefused => Some("connection refused"),
            ConnectionReset => Some("the connection was reset"),
            ConnectionAborted => Some("the connection was aborted"),
            TimedOut => Some("the connection timed out"),
            HostUnreachable => Some("the host is unreachable"),
            NetworkUnreachable => Some("the network is unreachable"),
            AddrNotAvailable => Some("the address is not available"),
            _ => None,
        };
        if let Some(phrase) = phrase {
            return phrase.into();
        }
    }
    // The step that failed, when a link of the chain names it.
    const STEPS: &[(&str, &str)] = &[
        ("dns error", "the host name could not be resolved"),
        ("TLS handshake failed", "the TLS handshake failed"),
    ];
    let mut step = None;
    let mut innermost = err;
    loop {
        let text = innermost.to_string();
        if let Some((_, phrase)) = STEPS.iter().find(|(link, _)| text.starts_with(link)) {
            step.get_or_insert(*phrase);
        }
        match innermost.source() {
            Some(next) => innermost = next,
            None => break,
        }
    }
    let mut text = innermost.to_string();
    // io::Error's text ends in "(os error N)", which says nothing more.
    if let Some(at) = text.rfind(" (os error ")
        && text.ends_with(')')
    {
        text.truncate(at);
    }
    match step {
        Some(step) => format!("{step} ({text})"),
        None => text,
    }
}

/// A request that got no answer: the service, the endpoint (scheme and authority) and the
/// connector's error. The HTTP connector of every client wraps its failures in it.
#[derive(Debug)]
pub struct Unreachable {
    pub service: &'static str,
    pub endpoint: String,
    pub source: ConnectorError,
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.source.is_user() {
            "could not send the request to"
        } else {
            "could not reach"
        };
        write!(
            f,
            "{what} {} at {}: {}",
            self.service,
            self.endpoint,
            cause(&self.source)
        )
    }
}

impl Error for Unreachable {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// `err` wrapped in [`Unreachable`], keeping its kind (timeout, I/O, user, other) and connection
/// metadata, so retries classify it as before.
pub fn unreachable(service: &'static str, uri: &str, err: ConnectorError) -> ConnectorError {
    let metadata = err.connection_metadata().cloned();
    let (timeout, io, user, other) = (err.is_timeout(), err.is_io(), err.is_user(), err.as_other());
    let source = Box::new(Unreachable {
        service,
        endpoint: endpoint_of(uri),
        source: err,
    });
    let wrapped = if timeout {
        ConnectorError::timeout(source)
    } else if io {
        ConnectorError::io(source)
    } else if user {
        ConnectorError::user(source)
    } else {
        ConnectorError::other(source, other)
    };
    match metadata {
        Some(m) => wrapped.with_connection(m),
        None => wrapped,
    }
}

/// `scheme://host[:port]` of a URI: no user information, path or query.
pub fn endpoint_of(uri: &str) -> String {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("https", uri));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

/// Credentials for an `assume_role` that STS would not give: the role and why.
#[derive(Debug)]
pub struct RoleNotAssumed {
    pub role_arn: String,
    pub source: CredentialsError,
}

impl fmt::Display for RoleNotAssumed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match find::<Unreachable>(&self.source) {
            Some(unreachable) => unreachable.to_string(),
            None if find::<ErrorMetadata>(&self.source).is_some() => {
                format!("AWS STS answered {}", cause(&self.source))
            }
            None => cause(&self.source),
        };
        write!(f, "assuming the role {} failed: {why}", self.role_arn)
    }
}

impl Error for RoleNotAssumed {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::sync::Mutex;

    use super::*;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::{ProvideCredentials, future};

    /// A loopback port nothing listens on.
    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    /// A loopback endpoint answering every request with HTTP 400 and this JSON error.
    fn refusing_endpoint(code: &'static str, message: &'static str) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
                let _ = write!(
                    stream,
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        url
    }

    /// Credentials that fail once with the error given.
    #[derive(Debug)]
    struct Failing(Mutex<Option<CredentialsError>>);

    impl Failing {
        fn new(err: CredentialsError) -> Self {
            Failing(Mutex::new(Some(err)))
        }
    }

    impl ProvideCredentials for Failing {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let err = self.0.lock().unwrap().take();
            future::ProvideCredentials::ready(Err(
                err.unwrap_or_else(|| CredentialsError::unhandled("asked twice"))
            ))
        }
    }

    /// An ECS client as `Clients::load` builds one (named connector), without retries.
    fn ecs_client(
        endpoint: &str,
        service: &'static str,
        credentials: impl ProvideCredentials + 'static,
    ) -> aws_sdk_ecs::Client {
        let config = aws_sdk_ecs::Config::builder()
            .behavior_version(aws_sdk_ecs::config::BehaviorVersion::latest())
            .region(aws_sdk_ecs::config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(credentials)
            .retry_config(aws_sdk_ecs::config::retry::RetryConfig::disabled())
            .http_client(super::super::named::named(
                service,
                super::super::pace::paced_https_client(),
            ))
            .build();
        aws_sdk_ecs::Client::from_conf(config)
    }

    fn test_credentials() -> Credentials {
        Credentials::new("AKIDEXAMPLE", "not-a-real-secret", None, None, "test")
    }

    async fn list_clusters_error(client: aws_sdk_ecs::Client) -> String {
        let err = client.list_clusters().send().await.unwrap_err();
        describe(&err)
    }

    fn assert_no_debug_dump(text: &str) {
        for noise in ["ConnectorError", "Some(", "DispatchFailure", "source:", "{"] {
            assert!(!text.contains(noise), "{noise:?} in {text:?}");
        }
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_one_sentence_naming_service_endpoint_and_cause() {
        let url = format!("http://127.0.0.1:{}", closed_port());
        let text = list_clusters_error(ecs_client(&url, "Amazon ECS", test_credentials())).await;
        assert_eq!(
            text,
            format!("could not reach Amazon ECS at {url}: connection refused")
        );
        assert_no_debug_dump(&text);
    }

    #[tokio::test]
    async fn an_unresolvable_host_says_the_name_could_not_be_resolved() {
        let url = "https://no-such-host.invalid";
        let text =
            list_clusters_error(ecs_client(url, "AWS Systems Manager", test_credentials())).await;
        assert!(
            text.starts_with(&format!(
                "could not reach AWS Systems Manager at {url}: the host name could not be resolved ("
            )),
            "{text}"
        );
        assert_no_debug_dump(&text);
    }

    #[tokio::test]
    async fn missing_credentials_name_the_service_and_what_to_set() {
        let url = format!("http://127.0.0.1:{}", closed_port());
        let creds = Failing::new(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        ));
        let text = list_clusters_error(ecs_client(&url, "Amazon ECS", creds)).await;
        assert_eq!(
            text,
            "could not get AWS credentials to call Amazon ECS: none were found (set `profile` or \
             `assume_role` in the provider block, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or \
             AWS_PROFILE)"
        );
    }

    #[tokio::test]
    async fn an_unreachable_sts_names_the_role_the_sts_endpoint_and_the_cause() {
        // What the assumed-role credentials provider returns when its STS call cannot connect:
        // the STS client's own dispatch failure, from a connector named like the real one.
        let sts_url = format!("http://127.0.0.1:{}", closed_port());
        let sts_failure = ecs_client(&sts_url, "AWS STS", test_credentials())
            .list_clusters()
            .send()
            .await
            .unwrap_err();
        let role = "arn:aws:iam::123456789012:role/deployer";
        let creds = Failing::new(CredentialsError::provider_error(RoleNotAssumed {
            role_arn: role.into(),
            source: CredentialsError::provider_error(sts_failure),
        }));
        let ecs_url = format!("http://127.0.0.1:{}", closed_port());
        let text = list_clusters_error(ecs_client(&ecs_url, "Amazon ECS", creds)).await;
        assert_eq!(
            text,
            format!(
                "could not get AWS credentials to call Amazon ECS: assuming the role {role} \
                 failed: could not reach AWS STS at {sts_url}: connection refused"
            )
        );
        assert_no_debug_dump(&text);
    }

    #[tokio::test]
    async fn a_refused_assume_role_names_the_role_and_the_answer() {
        let sts_url = refusing_endpoint("AccessDenied", "not authorized to perform sts:AssumeRole");
        let refusal = ecs_client(&sts_url, "AWS STS", test_credentials())
            .list_clusters()
            .send()
            .await
            .unwrap_err();
        let role = "arn:aws:iam::123456789012:role/deployer";
        let creds = Failing::new(CredentialsError::provider_error(RoleNotAssumed {
            role_arn: role.into(),
            source: CredentialsError::provider_error(refusal),
        }));
        let ecs_url = format!("http://127.0.0.1:{}", closed_port());
        let text = list_clusters_error(ecs_client(&ecs_url, "Amazon ECS", creds)).await;
        assert_eq!(
            text,
            format!(
                "could not get AWS credentials to call Amazon ECS: assuming the role {role} \
                 failed: AWS STS answered AccessDenied: not authorized to perform sts:AssumeRole"
            )
        );
    }

    #[tokio::test]
    async fn service_errors_stay_code_and_message() {
        let url = refusing_endpoint("ClientException", "Cluster name is invalid.");
        let text = list_clusters_error(ecs_client(&url, "Amazon ECS", test_credentials())).await;
        assert_eq!(text, "ClientException: Cluster name is invalid.");
    }

    #[test]
    fn wrapped_connector_errors_keep_their_retry_kind() {
        let uri = "http://127.0.0.1:1/";
        let kinds = |e: &ConnectorError| (e.is_io(), e.is_timeout(), e.is_user(), e.as_other());
        for (err, expected) in [
            (ConnectorError::io("x".into()), (true, false, false, None)),
            (
                ConnectorError::timeout("x".into()),
                (false, true, false, None),
            ),
            (ConnectorError::user("x".into()), (false, false, true, None)),
            (
                ConnectorError::other(
                    "x".into(),
                    Some(aws_smithy_types::retry::ErrorKind::TransientError),
                ),
                (
                    false,
                    false,
                    false,
                    Some(aws_smithy_types::retry::ErrorKind::TransientError),
                ),
            ),
        ] {
            let wrapped = unreachable("Amazon ECS", uri, err);
            assert_eq!(kinds(&wrapped), expected);
            assert!(find::<Unreachable>(&wrapped).is_some());
        }
    }

    #[test]
    fn endpoints_are_shown_without_user_information_path_or_query() {
        assert_eq!(
            endpoint_of(
                "https://user:s3cr3t@ecs.eu-west-1.amazonaws.com/path?X-Amz-Security-Token=t"
            ),
            "https://ecs.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint_of("http://127.0.0.1:4566/"),
            "http://127.0.0.1:4566"
        );
    }

    #[test]
    fn the_service_is_named_after_the_sdk_crate_of_the_error() {
        assert_eq!(
            service_of::<aws_sdk_ecs::operation::create_cluster::CreateClusterError>(),
            "Amazon ECS"
        );
        assert_eq!(
            service_of::<aws_sdk_ssm::operation::get_parameter::GetParameterError>(),
            "AWS Systems Manager"
        );
        assert_eq!(service_of::<std::io::Error>(), "AWS");
    }
}
