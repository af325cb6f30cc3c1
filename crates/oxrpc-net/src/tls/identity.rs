//! Our own certificate chain and private key, as rustls presents them.
//!
//! rustls's `with_single_cert` and `with_client_auth_cert` check that the key
//! belongs to the certificate by reading the certificate with webpki, which
//! refuses X.509 v1 certificates: the ones `openssl x509 -req` makes, which
//! Python's `load_cert_chain` takes. The same check is made here with a
//! parser that reads every version, so a server or client can present the
//! certificate it has.

use super::{file_error, load_certificates, load_private_key, TlsError};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use std::path::Path;
use std::sync::Arc;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// The chain in `certfile` with the key in `keyfile`, refused when the key
/// is not the first certificate's (OpenSSL's "key values mismatch"). A
/// file with our certificate alone gets its issuers from `issuers` (the
/// CA file's certificates; see [`super::auto_chain`]).
pub(crate) fn certified_key(
    certfile: &Path,
    keyfile: &Path,
    issuers: &[CertificateDer<'static>],
    provider: &CryptoProvider,
) -> Result<Arc<SingleCertAndKey>, TlsError> {
    let mut chain = load_certificates(certfile)?;
    let key = load_private_key(keyfile)?;
    // Read before the key moves into the provider; used only if it refuses.
    let kind = unusable_kind(key.secret_der());
    let key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| match kind {
            Some(kind) => file_error(keyfile, cannot_sign_with(kind)),
            None => file_error(keyfile, e),
        })?;
    let end_entity = chain
        .first()
        .ok_or_else(|| file_error(certfile, "no certificate found"))?;
    let (_, cert) = X509Certificate::from_der(end_entity)
        .map_err(|e| file_error(certfile, format!("not a certificate: {e}")))?;
    if let Some(public) = key.public_key() {
        if public.as_ref() != cert.public_key().raw {
            return Err(file_error(
                keyfile,
                format!(
                    "key values mismatch: this private key is not the key of {}",
                    certfile.display()
                ),
            ));
        }
    }
    super::auto_chain::complete_chain(&mut chain, issuers);
    Ok(Arc::new(SingleCertAndKey::from(CertifiedKey::new(
        chain, key,
    ))))
}

fn cannot_sign_with(kind: &str) -> String {
    format!(
        "{kind} key, which oxrpc's TLS cannot sign with (it takes RSA keys of 2048 to 8192 \
         bits, ECDSA P-256 and P-384, and Ed25519)"
    )
}

/// What kind of key `der` is, when it is one the crypto provider cannot
/// sign with: Python's OpenSSL takes these, so a user needs more than
/// "failed to parse". Told by the algorithm's object identifier in the key.
fn unusable_kind(der: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&[u8], &str)] = &[
        // 1.2.840.113549.1.1.10, id-RSASSA-PSS
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
            ],
            "an RSA-PSS",
        ),
        // 1.3.101.113, id-Ed448
        (&[0x06, 0x03, 0x2b, 0x65, 0x71], "an Ed448"),
        // 1.3.132.0.35, secp521r1
        (
            &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
            "a P-521 (secp521r1)",
        ),
        // 1.3.132.0.10, secp256k1
        (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a], "a secp256k1"),
        // 1.2.840.113549.1.1.1, rsaEncryption: loads unless its size is out
        // of range
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
            ],
            "an RSA key of a size it cannot use, or another unusable RSA",
        ),
    ];
    KINDS
        .iter()
        .find(|(oid, _)| der.windows(oid.len()).any(|window| window == *oid))
        .map(|(_, kind)| *kind)
}
