//! Certificates for the TLS tests, made for each run (rcgen).
#![allow(clippy::unwrap_used)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::path::{Path, PathBuf};

struct Ca {
    params: CertificateParams,
    key: KeyPair,
}

fn ca(name: &str) -> (Ca, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.clone().self_signed(&key).unwrap();
    (Ca { params, key }, cert.pem())
}

fn issue(ca: &Ca, names: &[&str], dir: &Path, stem: &str) {
    let issuer = ca.params.clone().self_signed(&ca.key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, stem);
    let cert = params.signed_by(&key, &issuer, &ca.key).unwrap();
    std::fs::write(dir.join(format!("{stem}.pem")), cert.pem()).unwrap();
    std::fs::write(dir.join(format!("{stem}.key")), key.serialize_pem()).unwrap();
}

/// A directory of certificates made for this run: `ca.pem` (the trusted
/// CA), `server.pem`/`.key` (for `localhost` and `127.0.0.1`),
/// `client.pem`/`.key`, and `other-ca.pem` with `other-client.pem`/`.key`
/// (a CA nobody trusts, and a client it issued).
pub fn pki(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oxrpc-tls-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trusted, trusted_pem) = ca("oxrpc test CA");
    let (other, other_pem) = ca("some other CA");
    std::fs::write(dir.join("ca.pem"), trusted_pem).unwrap();
    std::fs::write(dir.join("other-ca.pem"), other_pem).unwrap();
    issue(&trusted, &["localhost", "127.0.0.1"], &dir, "server");
    issue(&trusted, &["client"], &dir, "client");
    issue(&other, &["intruder"], &dir, "other-client");
    dir
}
