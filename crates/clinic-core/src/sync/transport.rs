//! Where the sync server is and how it is reached (DESIGN.md §5c): HTTPS pinned to the
//! certificate fingerprint the admin gave with the enrolment code, or plain HTTP to this very
//! computer. The pin is checked inside the TLS handshake, so nothing — not the enrolment code, not
//! the device token — is sent to a server whose certificate is not the pinned one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clinic_sync::transport::{is_loopback, Fingerprint};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::error::{Code, Error, Result};

/// A server address a workstation may use: `https://` with the certificate's fingerprint, or
/// `http://` to loopback (tests, a one-computer clinic) without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// Without a trailing `/`: paths are appended.
    pub base: String,
    pub pin: Option<Fingerprint>,
}

impl Address {
    pub fn parse(url: &str, fingerprint: &str) -> Result<Address> {
        let base = url.trim().trim_end_matches('/').to_string();
        let fingerprint = fingerprint.trim();
        let url = reqwest::Url::parse(&base).ok();
        let (scheme, host) = match &url {
            Some(url) if url.host_str().is_some() => (url.scheme(), url.host_str().unwrap_or_default()),
            _ => return Err(Error::invalid("server_url", "Give the server's address as the admin has it, e.g. https://192.168.1.10:8787.")),
        };
        match scheme {
            "https" if fingerprint.is_empty() => Err(Error::invalid("fingerprint", "Type the server's certificate fingerprint: the admin has it with the enrolment code.")),
            "https" => match Fingerprint::parse(fingerprint) {
                Some(pin) => Ok(Address { base, pin: Some(pin) }),
                None => Err(Error::invalid("fingerprint", "A fingerprint is 64 hexadecimal digits (in pairs, AB:CD:…), as the server printed it.")),
            },
            "http" if !is_loopback(host) => Err(Error::invalid("server_url", format!(
                "Plain http:// is allowed only to this computer, and {host} is another one: anyone on the network could read the clinic's data. \
                 Use the server's https:// address."))),
            "http" if !fingerprint.is_empty() => Err(Error::invalid("fingerprint", "An http:// address has no certificate to pin: leave the fingerprint empty, or use the server's https:// address.")),
            "http" => Ok(Address { base, pin: None }),
            _ => Err(Error::invalid("server_url", "Give the server's address, starting with https://.")),
        }
    }
}

/// Accepts the server's certificate only when its fingerprint is the pinned one — names, dates
/// and issuers do not matter: the self-made certificate is not signed by anyone the system trusts,
/// nor named as workstations dial it (an IP address on the clinic's network). The pin is the
/// server's identity; the handshake's signature still proves the server holds its private key.
#[derive(Debug)]
pub(crate) struct Pin {
    expected: Option<Fingerprint>,
    /// The certificate last refused, to say so: reqwest's error only says the handshake failed.
    refused: Mutex<Option<Fingerprint>>,
    provider: Arc<CryptoProvider>,
}

impl Pin {
    pub fn new(expected: Option<Fingerprint>) -> Arc<Pin> {
        Arc::new(Pin { expected, refused: Mutex::new(None), provider: Arc::new(rustls::crypto::ring::default_provider()) })
    }

    /// A client that trusts this pin alone. `timeout` bounds a whole request (none for a stream).
    pub fn client(self: &Arc<Pin>, timeout: Option<Duration>) -> Result<reqwest::Client> {
        let mut builder = pinned(reqwest::Client::builder(), self.tls()?);
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder.build().map_err(|e| Error::new(Code::Internal, format!("HTTP client: {e}")))
    }

    /// TLS that trusts this pin alone.
    pub fn tls(self: &Arc<Pin>) -> Result<rustls::ClientConfig> {
        Ok(rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::new(Code::Internal, format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(self.clone())
            .with_no_client_auth())
    }

    /// The certificate refused since last asked, if any.
    pub fn take_refused(&self) -> Option<Fingerprint> {
        self.refused.lock().expect("pin").take()
    }
}

/// `builder`, made to trust one pin alone (`tls`, from `Pin::tls`).
pub(crate) fn pinned(builder: reqwest::ClientBuilder, tls: rustls::ClientConfig) -> reqwest::ClientBuilder {
    builder.connect_timeout(Duration::from_secs(5)).tls_backend_preconfigured(tls)
}

impl ServerCertVerifier for Pin {
    fn verify_server_cert(&self, end_entity: &CertificateDer<'_>, _intermediates: &[CertificateDer<'_>], _name: &ServerName<'_>,
        _ocsp: &[u8], _now: UnixTime) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let seen = Fingerprint::of(end_entity);
        if self.expected == Some(seen) {
            return Ok(ServerCertVerified::assertion());
        }
        *self.refused.lock().expect("pin") = Some(seen);
        Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct)
        -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct)
        -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
