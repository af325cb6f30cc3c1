//! Our own certificate chain and private key, as rustls presents them.
//!
//! rustls's `with_single_cert` and `with_client_auth_cert` check that the key
//! belongs to the certificate by reading the certificate with webpki, which
//! refuses X.509 v1 certificates: the ones `openssl x509 -req` makes, which
//! Python's `load_cert_chain` takes. The same check is made here with a
//! parser that reads every version, so a server or client can present the
//! certificate it has.

use super::{file_error, load_certificates, load_private_key, provider, TlsError};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use std::path::Path;
use std::sync::Arc;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// The chain in `certfile` with the key in `keyfile`, refused when the key
/// is not the first certificate's (OpenSSL's "key values mismatch").
pub(crate) fn certified_key(
    certfile: &Path,
    keyfile: &Path,
) -> Result<Arc<SingleCertAndKey>, TlsError> {
    let chain = load_certificates(certfile)?;
    let key = provider()
        .key_provider
        .load_private_key(load_private_key(keyfile)?)
        .map_err(|e| file_error(keyfile, e))?;
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
    Ok(Arc::new(SingleCertAndKey::from(CertifiedKey::new(
        chain, key,
    ))))
}
