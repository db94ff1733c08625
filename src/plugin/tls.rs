//! go-plugin AutoMTLS, server side: a fresh self-signed certificate per launch and a verifier
//! that accepts exactly the client certificate the host passed in `PLUGIN_CLIENT_CERT`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName as RustlsDn, ServerConfig,
    SignatureScheme,
};

/// Environment variable holding the PEM of the host's one-shot client certificate.
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";

/// How long go-plugin makes its certificates valid: 262980 hours, about 30 years.
const VALIDITY: Duration = Duration::from_secs(262_980 * 3600);
/// Backdating absorbs small clock differences, as go-plugin does.
const BACKDATE: Duration = Duration::from_secs(30);

/// Anything that stops the TLS set-up.
#[derive(Debug)]
pub enum TlsSetupError {
    /// `PLUGIN_CLIENT_CERT` holds no PEM certificate.
    ClientCert(String),
    /// Generating our own certificate failed.
    Generate(rcgen::Error),
    /// rustls refused the configuration.
    Config(rustls::Error),
}

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientCert(e) => write!(f, "cannot read {CLIENT_CERT_KEY}: {e}"),
            Self::Generate(e) => write!(f, "cannot generate the server certificate: {e}"),
            Self::Config(e) => write!(f, "cannot build the TLS configuration: {e}"),
        }
    }
}

impl std::error::Error for TlsSetupError {}

/// The aws-lc-rs provider: unlike ring it verifies the host's P-521 signatures.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads the first certificate of a PEM document.
pub fn parse_client_cert_pem(pem: &str) -> Result<CertificateDer<'static>, TlsSetupError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| TlsSetupError::ClientCert(e.to_string()))
}

/// Our certificate and key for one launch.
pub struct ServerIdentity {
    /// DER of the self-signed certificate; its base64 goes into the handshake line.
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("cert_der_len", &self.cert_der.len())
            .finish_non_exhaustive()
    }
}

impl ServerIdentity {
    /// Generates a self-signed certificate shaped like go-plugin's `generateCert`.
    ///
    /// The Go client checks that it chains to itself, names `localhost` and allows
    /// serverAuth. P-256 rather than go-plugin's P-521: the client accepts any curve and
    /// P-256 keys are generated faster. The serial defaults to a hash of the fresh key,
    /// so it differs on every launch.
    pub fn generate() -> Result<Self, TlsSetupError> {
        let key =
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(TlsSetupError::Generate)?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])
            .map_err(TlsSetupError::Generate)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "localhost");
        dn.push(DnType::OrganizationName, "HashiCorp");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let epoch = rcgen::date_time_ymd(1970, 1, 1);
        params.not_before = epoch + since_epoch.saturating_sub(BACKDATE);
        params.not_after = epoch + since_epoch + VALIDITY;
        let cert = params.self_signed(&key).map_err(TlsSetupError::Generate)?;
        Ok(Self {
            cert_der: cert.der().clone(),
            key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }
}

/// Builds the server configuration: TLS 1.2 and 1.3, ALPN `h2` (grpc-go refuses a server
/// without it), and mandatory client authentication against `pinned_client`.
pub fn server_config(
    identity: &ServerIdentity,
    pinned_client: CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, TlsSetupError> {
    let provider = crypto_provider();
    let verifier = PinnedClientCert::new(pinned_client, &provider);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(TlsSetupError::Config)?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )
        .map_err(TlsSetupError::Config)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts one exact client certificate.
///
/// webpki refuses the host's certificate (self-signed, `cA=true`, used as end entity), so
/// trust is pinning: byte equality with the DER from `PLUGIN_CLIENT_CERT`, then a normal
/// check of the handshake signature with that certificate's key.
#[derive(Debug)]
pub struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    /// Pins `pinned`; signatures are checked with `provider`'s algorithms.
    pub fn new(pinned: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            pinned,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    // Empty hints: a Go client then offers its only certificate.
    fn root_hint_subjects(&self) -> &[RustlsDn] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rustls::ClientConfig;
    use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    /// A client identity like the one go-plugin generates: P-521, self-signed, CA.
    pub(crate) struct ClientIdentity {
        pub(crate) cert_der: CertificateDer<'static>,
        pub(crate) key_der: PrivatePkcs8KeyDer<'static>,
        pub(crate) cert_pem: String,
    }

    pub(crate) fn p521_client_identity() -> ClientIdentity {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::OrganizationName, "HashiCorp");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).unwrap();
        ClientIdentity {
            cert_der: cert.der().clone(),
            key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
            cert_pem: to_pem(cert.der()),
        }
    }

    fn to_pem(der: &[u8]) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// Trusts exactly one server certificate, like go-plugin's client does.
    #[derive(Debug)]
    struct ExactServerCert {
        expected: CertificateDer<'static>,
        algorithms: WebPkiSupportedAlgorithms,
    }

    impl ServerCertVerifier for ExactServerCert {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            assert_eq!(server_name.to_str(), "localhost");
            if end_entity.as_ref() == self.expected.as_ref() {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer,
                ))
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.algorithms.supported_schemes()
        }
    }

    /// A client configuration trusting `server` and presenting `identity` (if any).
    pub(crate) fn client_config(
        server: &CertificateDer<'static>,
        identity: Option<&ClientIdentity>,
        version: &'static rustls::SupportedProtocolVersion,
    ) -> Arc<ClientConfig> {
        let provider = crypto_provider();
        let verifier = ExactServerCert {
            expected: server.clone(),
            algorithms: provider.signature_verification_algorithms,
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[version])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let mut config = match identity {
            Some(id) => builder
                .with_client_auth_cert(
                    vec![id.cert_der.clone()],
                    PrivateKeyDer::Pkcs8(id.key_der.clone_key()),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    }

    /// Runs one handshake over an in-memory pipe, then a byte of application data each way
    /// (with TLS 1.3 the server sees a bad client certificate only after the client
    /// finished, so the exchange is what proves acceptance). Returns the server's verdict.
    async fn handshake(
        server: Arc<ServerConfig>,
        client: Arc<ClientConfig>,
    ) -> Result<Option<Vec<u8>>, String> {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let server_task = tokio::spawn(async move {
            let mut tls = TlsAcceptor::from(server)
                .accept(server_io)
                .await
                .map_err(|e| e.to_string())?;
            let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            let mut byte = [0u8; 1];
            tls.read_exact(&mut byte).await.map_err(|e| e.to_string())?;
            tls.write_all(&byte).await.map_err(|e| e.to_string())?;
            tls.flush().await.map_err(|e| e.to_string())?;
            Ok::<_, String>(alpn)
        });
        let client_result = async {
            let mut tls = TlsConnector::from(client)
                .connect(ServerName::try_from("localhost").unwrap(), client_io)
                .await?;
            tls.write_all(b"x").await?;
            tls.flush().await?;
            let mut byte = [0u8; 1];
            tls.read_exact(&mut byte).await?;
            Ok::<_, std::io::Error>(byte)
        }
        .await;
        let server_result = server_task.await.unwrap();
        match (server_result, client_result) {
            (Ok(alpn), Ok(byte)) if &byte == b"x" => Ok(alpn),
            (Ok(_), Ok(_)) => Err("echo mismatch".into()),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(format!("client: {e}")),
        }
    }

    fn server_for(pinned: &ClientIdentity) -> (ServerIdentity, Arc<ServerConfig>) {
        let identity = ServerIdentity::generate().unwrap();
        let pinned = parse_client_cert_pem(&pinned.cert_pem).unwrap();
        let config = server_config(&identity, pinned).unwrap();
        (identity, config)
    }

    #[tokio::test]
    async fn pinned_p521_client_is_accepted_with_h2_over_tls13_and_tls12() {
        let client_id = p521_client_identity();
        let (server_id, server) = server_for(&client_id);
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            let client = client_config(&server_id.cert_der, Some(&client_id), version);
            let alpn = handshake(server.clone(), client).await;
            assert_eq!(alpn, Ok(Some(b"h2".to_vec())), "{:?}", version.version);
        }
    }

    #[tokio::test]
    async fn other_p521_client_is_refused() {
        let pinned = p521_client_identity();
        let stranger = p521_client_identity();
        let (server_id, server) = server_for(&pinned);
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            let client = client_config(&server_id.cert_der, Some(&stranger), version);
            let err = handshake(server.clone(), client).await.unwrap_err();
            assert!(err.contains("ApplicationVerificationFailure"), "{err}");
        }
    }

    #[tokio::test]
    async fn client_without_certificate_is_refused() {
        let pinned = p521_client_identity();
        let (server_id, server) = server_for(&pinned);
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            let client = client_config(&server_id.cert_der, None, version);
            let err = handshake(server.clone(), client).await.unwrap_err();
            assert!(err.contains("no certificates"), "{err}");
        }
    }

    #[tokio::test]
    async fn client_without_h2_alpn_is_refused() {
        let client_id = p521_client_identity();
        let (server_id, server) = server_for(&client_id);
        let mut client = (*client_config(
            &server_id.cert_der,
            Some(&client_id),
            &rustls::version::TLS13,
        ))
        .clone();
        client.alpn_protocols = vec![b"http/1.1".to_vec()];
        let err = handshake(server, Arc::new(client)).await.unwrap_err();
        assert!(err.contains("known protocol"), "{err}");
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn server_certificate_mirrors_go_plugin() {
        let identity = ServerIdentity::generate().unwrap();
        let der = identity.cert_der.as_ref();
        // No X.509 parser in the dependency tree: look for the DER encodings instead.
        assert!(contains(der, b"localhost"));
        assert!(contains(der, b"HashiCorp"));
        // basicConstraints cA=TRUE
        assert!(contains(der, &[0x30, 0x03, 0x01, 0x01, 0xff]));
        // EKU serverAuth and clientAuth (1.3.6.1.5.5.7.3.1 / .2)
        let kp = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03];
        assert!(contains(der, &[&kp[..], &[0x01]].concat()));
        assert!(contains(der, &[&kp[..], &[0x02]].concat()));
        // SAN dNSName "localhost": context tag [2], length 9
        assert!(contains(der, b"\x82\x09localhost"));
        // Fresh per launch.
        let other = ServerIdentity::generate().unwrap();
        assert_ne!(identity.cert_der, other.cert_der);
    }

    #[test]
    fn provider_verifies_p521() {
        let provider = crypto_provider();
        let schemes = provider
            .signature_verification_algorithms
            .supported_schemes();
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn bad_pem_is_an_error() {
        assert!(parse_client_cert_pem("not a certificate").is_err());
        assert!(parse_client_cert_pem("").is_err());
    }
}
