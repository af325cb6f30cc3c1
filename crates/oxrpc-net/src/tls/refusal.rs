//! Why a handshake refused the server's certificate, in OpenSSL's terms.
//!
//! Python clients read a refusal through `ssl.SSLCertVerificationError`'s
//! `verify_code` and `verify_message`, which OpenSSL fills in (20, "unable
//! to get local issuer certificate"). rustls says the same thing as a
//! [`CertificateError`]; this maps one onto the other, so an oxrpc client
//! embedded where Python code expects CPython's exception can raise it.

use rustls::CertificateError;
use std::io;

/// OpenSSL's verdict on a certificate rustls refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateRefusal {
    /// OpenSSL's `X509_V_ERR_*` number.
    pub verify_code: i32,
    /// OpenSSL's words for it (for a name mismatch, without the name).
    pub verify_message: &'static str,
}

/// The refusal behind `error`, if it is a handshake's refusal of the
/// server's certificate.
///
/// ```
/// use oxrpc_net::tls::certificate_refusal;
///
/// let refused = std::io::Error::new(
///     std::io::ErrorKind::InvalidData,
///     rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
/// );
/// let refusal = certificate_refusal(&refused).unwrap();
/// assert_eq!(refusal.verify_code, 20);
/// assert!(certificate_refusal(&std::io::Error::other("refused")).is_none());
/// ```
pub fn certificate_refusal(error: &io::Error) -> Option<CertificateRefusal> {
    let rustls::Error::InvalidCertificate(cause) = error.get_ref()?.downcast_ref()? else {
        return None;
    };
    let (verify_code, verify_message) = match cause {
        CertificateError::UnknownIssuer => (20, "unable to get local issuer certificate"),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            (10, "certificate has expired")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            (9, "certificate is not yet valid")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            (62, "Hostname mismatch, certificate is not valid for")
        }
        CertificateError::Revoked => (23, "certificate revoked"),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            (26, "unsupported certificate purpose")
        }
        CertificateError::BadSignature => (7, "certificate signature failure"),
        CertificateError::UnknownRevocationStatus => (3, "unable to get certificate CRL"),
        _ => (1, "unspecified certificate verification error"),
    };
    Some(CertificateRefusal {
        verify_code,
        verify_message,
    })
}
