//! Certificate trust as OpenSSL grants it, for the certificates people make
//! with `openssl`.
//!
//! rpyc and CPython verify peers with OpenSSL; oxrpc verifies them with
//! webpki. The two agree on the usual case (a v3 certificate with
//! subjectAltNames, signed by a CA in the trust file) and part on three shapes
//! the everyday `openssl` commands make, which a deployment moving from Python
//! brings along:
//!
//! - `openssl req -x509` makes a self-signed certificate marked `CA:TRUE`,
//!   used as the server's (or client's) certificate and, on the other side,
//!   as the whole trust file. OpenSSL trusts a certificate found in its trust
//!   file; webpki refuses a CA as an end entity.
//! - `openssl x509 -req` without an extension file signs an X.509 **v1**
//!   certificate, which webpki does not read at all.
//! - Both name their host only in the subject's CN, which OpenSSL matches when
//!   there is no DNS subjectAltName (see [`super::host_names`]).
//!
//! So each verifier here asks webpki first and, only when webpki refuses,
//! grants what OpenSSL would grant and nothing more: a self-issued
//! certificate that is byte for byte in the trust file, or a v1 certificate
//! signed directly by a certificate authority in it; in both cases inside its
//! validity period and fit for the purpose (key usages), and for a server,
//! naming the host. Chains through intermediates stay webpki's alone.

use super::host_names::certificate_names;
use super::ServerCheck;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, RootCertStore,
    SignatureScheme,
};
use std::sync::Arc;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::{FromDer, X509Version};
use x509_parser::time::ASN1Time;

/// The certificates of a trust file (`--ssl-cafile`, `ca_certs=`), as anchors
/// for webpki and as read, for the checks webpki does not make.
#[derive(Debug, Clone)]
pub(crate) struct TrustFile {
    pub(crate) anchors: RootCertStore,
    pub(crate) certificates: Vec<CertificateDer<'static>>,
}

/// What a certificate is for: OpenSSL's `sslserver` and `sslclient` purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Server,
    Client,
}

/// The handshake-signature methods both verifiers share: webpki's check,
/// then, for a certificate webpki cannot read, [`signed_by`].
macro_rules! handshake_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            self.webpki
                .verify_tls12_signature(message, cert, dss)
                .or_else(|refusal| signed_by(message, cert, dss, &self.algorithms, false, refusal))
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            self.webpki
                .verify_tls13_signature(message, cert, dss)
                .or_else(|refusal| signed_by(message, cert, dss, &self.algorithms, true, refusal))
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.webpki.supported_verify_schemes()
        }
    };
}

/// Verifies servers for a client: webpki, then OpenSSL's wider trust.
#[derive(Debug)]
pub(crate) struct ServerTrust {
    webpki: Arc<WebPkiServerVerifier>,
    trusted: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
    check: ServerCheck,
}

impl ServerTrust {
    pub(crate) fn new(
        trust: TrustFile,
        provider: Arc<CryptoProvider>,
        check: ServerCheck,
    ) -> Result<Self, String> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(trust.anchors), provider)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(ServerTrust {
            webpki,
            trusted: trust.certificates,
            algorithms,
            check,
        })
    }
}

impl ServerCertVerifier for ServerTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.check == ServerCheck::Nothing {
            return Ok(ServerCertVerified::assertion());
        }
        let names_host = |cert: &X509Certificate<'_>| {
            self.check == ServerCheck::Certificate || certificate_names(cert, server_name)
        };
        let refusal = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(refusal) => refusal,
        };
        let verdict = match &refusal {
            // webpki checks the name last: the chain is good, and only the
            // subjectAltNames failed to name the host.
            Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => parse(end_entity).ok_or(CertificateError::BadEncoding),
            _ => openssl_trusts(end_entity, &self.trusted, Purpose::Server, now),
        }
        .and_then(|cert| match names_host(&cert) {
            true => Ok(()),
            false => Err(CertificateError::NotValidForName),
        });
        match verdict {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(ours) => Err(clearer(refusal, ours)),
        }
    }

    handshake_signatures!();
}

/// Verifies client certificates for a server: webpki, then OpenSSL's wider
/// trust.
#[derive(Debug)]
pub(crate) struct ClientTrust {
    webpki: Arc<dyn ClientCertVerifier>,
    trusted: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientTrust {
    pub(crate) fn new(trust: TrustFile, provider: Arc<CryptoProvider>) -> Result<Self, String> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki = WebPkiClientVerifier::builder_with_provider(Arc::new(trust.anchors), provider)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(ClientTrust {
            webpki,
            trusted: trust.certificates,
            algorithms,
        })
    }
}

impl ClientCertVerifier for ClientTrust {
    fn offer_client_auth(&self) -> bool {
        self.webpki.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.webpki.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.webpki.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        self.webpki
            .verify_client_cert(end_entity, intermediates, now)
            .or_else(|refusal| {
                match openssl_trusts(end_entity, &self.trusted, Purpose::Client, now) {
                    Ok(_) => Ok(ClientCertVerified::assertion()),
                    Err(ours) => Err(clearer(refusal, ours)),
                }
            })
    }

    handshake_signatures!();
}

/// A whole DER certificate, nothing after it.
fn parse<'a>(der: &'a [u8]) -> Option<X509Certificate<'a>> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Some(cert),
        _ => None,
    }
}

/// webpki's refusal, unless it is one only webpki has (a v1 certificate, a
/// CA as an end entity), which tells a peer less than OpenSSL's reason: then
/// ours, so the peer's alert says what OpenSSL's would (unknown CA, expired).
fn clearer(webpki: Error, ours: CertificateError) -> Error {
    match webpki {
        Error::InvalidCertificate(CertificateError::Other(_)) => Error::InvalidCertificate(ours),
        webpki => webpki,
    }
}

/// The certificate, when OpenSSL would trust it for `purpose` at `now` where
/// webpki did not: it is self-issued and in the trust file as it is, or it is
/// a v1 certificate signed by a certificate authority in the trust file.
/// Otherwise why not, as OpenSSL would say it.
fn openssl_trusts<'a>(
    der: &'a [u8],
    trusted: &[CertificateDer<'_>],
    purpose: Purpose,
    now: UnixTime,
) -> Result<X509Certificate<'a>, CertificateError> {
    let leaf = parse(der).ok_or(CertificateError::BadEncoding)?;
    let at = i64::try_from(now.as_secs())
        .ok()
        .and_then(|secs| ASN1Time::from_timestamp(secs).ok())
        .ok_or(CertificateError::BadEncoding)?;
    if at < leaf.validity().not_before {
        return Err(CertificateError::NotValidYet);
    }
    if at > leaf.validity().not_after {
        return Err(CertificateError::Expired);
    }
    if !fit_for(&leaf, purpose) {
        return Err(CertificateError::InvalidPurpose);
    }
    let self_issued = leaf.subject().as_raw() == leaf.issuer().as_raw();
    let trusted_itself = self_issued && trusted.iter().any(|cert| cert.as_ref() == der);
    let signed_by_trusted_authority = || {
        leaf.version() == X509Version::V1 && trusted.iter().any(|issuer| issued(&leaf, issuer, at))
    };
    if trusted_itself || signed_by_trusted_authority() {
        Ok(leaf)
    } else {
        Err(CertificateError::UnknownIssuer)
    }
}

/// Whether `issuer` (DER) is a certificate authority, valid at `at`, that
/// signed `leaf`.
fn issued(leaf: &X509Certificate<'_>, issuer: &[u8], at: ASN1Time) -> bool {
    let Some(issuer) = parse(issuer) else {
        return false;
    };
    issuer.subject().as_raw() == leaf.issuer().as_raw()
        && is_certificate_authority(&issuer)
        && issuer.validity().is_valid_at(at)
        && leaf.verify_signature(Some(issuer.public_key())).is_ok()
}

/// OpenSSL's `X509_check_ca`, as far as a trust file needs it: `CA:TRUE`
/// (with `keyCertSign` if key usages are listed), or a self-issued v1
/// certificate.
fn is_certificate_authority(cert: &X509Certificate<'_>) -> bool {
    let authority = match cert.basic_constraints() {
        Ok(Some(constraints)) => constraints.value.ca,
        Ok(None) => {
            cert.version() == X509Version::V1 && cert.subject().as_raw() == cert.issuer().as_raw()
        }
        Err(_) => false,
    };
    let may_sign = match cert.key_usage() {
        Ok(Some(usage)) => usage.value.key_cert_sign(),
        Ok(None) => true,
        Err(_) => false,
    };
    authority && may_sign
}

/// OpenSSL's purpose check for a leaf: extended key usages, when listed, name
/// the purpose (or any); key usages, when listed, allow a TLS handshake.
fn fit_for(cert: &X509Certificate<'_>, purpose: Purpose) -> bool {
    let extended = match cert.extended_key_usage() {
        Ok(None) => true,
        Ok(Some(usage)) => {
            let usage = usage.value;
            usage.any
                || match purpose {
                    Purpose::Server => usage.server_auth,
                    Purpose::Client => usage.client_auth,
                }
        }
        Err(_) => false,
    };
    let basic = match cert.key_usage() {
        Ok(None) => true,
        Ok(Some(usage)) => {
            let usage = usage.value;
            usage.digital_signature()
                || usage.key_agreement()
                || (purpose == Purpose::Server && usage.key_encipherment())
        }
        Err(_) => false,
    };
    extended && basic
}

/// A handshake signature checked with the key of a certificate webpki cannot
/// read (a v1 certificate), with the algorithms rustls maps the scheme to
/// (TLS 1.3: the first only, as rustls does). `refusal` is webpki's answer,
/// returned when this check fails too.
fn signed_by(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
    tls13: bool,
    refusal: Error,
) -> Result<HandshakeSignatureValid, Error> {
    // Only a certificate webpki could not use; a refused scheme stays
    // refused.
    if !matches!(refusal, Error::InvalidCertificate(_)) || (tls13 && !in_tls13(dss.scheme)) {
        return Err(refusal);
    }
    let Some(cert) = parse(cert) else {
        return Err(refusal);
    };
    let Some((_, candidates)) = algorithms
        .mapping
        .iter()
        .find(|(scheme, _)| *scheme == dss.scheme)
    else {
        return Err(refusal);
    };
    let candidates = if tls13 {
        &candidates[..candidates.len().min(1)]
    } else {
        candidates
    };
    let key = cert.public_key().subject_public_key.data.as_ref();
    if candidates.iter().any(|algorithm| {
        algorithm
            .verify_signature(key, message, dss.signature())
            .is_ok()
    }) {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(refusal)
    }
}

/// The schemes TLS 1.3 allows for handshake signatures (RFC 8446 4.2.3).
fn in_tls13(scheme: SignatureScheme) -> bool {
    matches!(
        scheme,
        SignatureScheme::ECDSA_NISTP256_SHA256
            | SignatureScheme::ECDSA_NISTP384_SHA384
            | SignatureScheme::ECDSA_NISTP521_SHA512
            | SignatureScheme::RSA_PSS_SHA256
            | SignatureScheme::RSA_PSS_SHA384
            | SignatureScheme::RSA_PSS_SHA512
            | SignatureScheme::ED25519
            | SignatureScheme::ED448
    )
}
