//! OpenSSL's automatic chain: a certificate file holding only our own
//! certificate is sent with the certificates that issued it, found among
//! the CA file's.
//!
//! Python's `ssl` (and so rpyc's `SSLAuthenticator` and `ssl_connect`)
//! loads `certfile` as the chain it presents and `ca_certs` as the store
//! it verifies the peer with; when `certfile` has one certificate, OpenSSL
//! builds the rest of the chain from that store and sends it: the
//! intermediates and the root. A deployment whose CA file holds
//! intermediate and root, and whose certificate file holds the leaf alone,
//! works with rpyc; rustls sends exactly the chain it is given, so the
//! chain is completed here, the same way.

use rustls::pki_types::CertificateDer;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// Extends a one-certificate `chain` with its issuers from `pool`, each
/// found by name and checked by signature, up to a self-signed one or the
/// first issuer the pool lacks. A chain the file already spells out (two
/// certificates or more) is left as it is, as OpenSSL leaves it.
pub(crate) fn complete_chain(
    chain: &mut Vec<CertificateDer<'static>>,
    pool: &[CertificateDer<'static>],
) {
    if chain.len() != 1 {
        return;
    }
    let pool: Vec<(&CertificateDer<'static>, X509Certificate<'_>)> = pool
        .iter()
        .filter_map(|der| Some((der, X509Certificate::from_der(der).ok()?.1)))
        .collect();
    let leaf_der = chain[0].clone();
    let Ok((_, leaf)) = X509Certificate::from_der(&leaf_der) else {
        return;
    };
    let mut current = &leaf;
    // Each round adds a certificate of the pool at most once.
    for _ in 0..pool.len() {
        if current.issuer().as_raw() == current.subject().as_raw() {
            return;
        }
        let issuer = pool.iter().find(|(der, candidate)| {
            candidate.subject().as_raw() == current.issuer().as_raw()
                && !chain.contains(der)
                && current
                    .verify_signature(Some(candidate.public_key()))
                    .is_ok()
        });
        let Some((der, issuer)) = issuer else {
            return;
        };
        chain.push((*der).clone());
        current = issuer;
    }
}
