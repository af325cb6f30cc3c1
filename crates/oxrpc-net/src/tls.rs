//! TLS for oxrpc servers and clients, from the PEM files users already have.
//!
//! rpyc and CPython configure TLS with three files: a key, a certificate and
//! optionally a CA bundle, which on a server means "require client
//! certificates signed by this CA" (rpyc's `SSLAuthenticator`) and on a
//! client "verify the server against this CA". These helpers turn the same
//! three files into rustls configurations, so every oxrpc server and client
//! takes the same `--ssl-keyfile/--ssl-certfile/--ssl-cafile` options.
//!
//! Peers are trusted as OpenSSL trusts them (see `trust`): the self-signed
//! and v1 certificates the `openssl` command makes work with oxrpc as they
//! do with Python.

mod auto_chain;
mod described;
mod host_names;
mod identity;
mod refusal;
mod trust;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trust::{ClientTrust, ServerTrust, TrustFile};

pub use described::{
    describe_certificate, AltNameDescription, CertificateDescription, NameDescription,
};
pub use refusal::{certificate_refusal, CertificateRefusal};
pub use tokio_rustls::{
    client::TlsStream as ClientTlsStream, server::TlsStream as ServerTlsStream,
};
pub use tokio_rustls::{TlsAcceptor, TlsConnector};

/// Why TLS settings could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the combination.
    #[error("TLS configuration: {0}")]
    Config(String),
}

fn file_error(path: &Path, reason: impl ToString) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads every certificate in a PEM file.
pub fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(path, e))?;
    if certs.is_empty() {
        return Err(file_error(path, "no certificate found"));
    }
    Ok(certs)
}

/// Reads the private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
///
/// An encrypted key is refused with what to do about it: Python asks for
/// its pass phrase on the terminal, which a server cannot do.
pub fn load_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        let text = std::fs::read(path).unwrap_or_default();
        let encrypted = [&b"ENCRYPTED PRIVATE KEY"[..], b"Proc-Type: 4,ENCRYPTED"]
            .iter()
            .any(|marker| text.windows(marker.len()).any(|w| w == *marker));
        if encrypted {
            file_error(
                path,
                "the private key is encrypted; oxrpc reads only unencrypted keys \
                 (decrypt it with `openssl pkey -in KEY -out PLAIN`, kept readable by \
                 the server's user only)",
            )
        } else {
            file_error(path, e)
        }
    })
}

fn trust_file(path: &Path) -> Result<TrustFile, TlsError> {
    let certificates = load_certificates(path)?;
    let mut anchors = RootCertStore::empty();
    for cert in &certificates {
        anchors.add(cert.clone()).map_err(|e| file_error(path, e))?;
    }
    Ok(TrustFile {
        anchors,
        certificates,
    })
}

/// A server's TLS files: rpyc_classic's `--ssl-keyfile`, `--ssl-certfile`
/// and `--ssl-cafile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTlsFiles {
    /// The server's private key.
    pub keyfile: PathBuf,
    /// The server's certificate chain.
    pub certfile: PathBuf,
    /// When set, clients must present a certificate signed by this CA.
    pub cafile: Option<PathBuf>,
}

impl ServerTlsFiles {
    /// Builds the server configuration.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = provider();
        let trust = self.cafile.as_deref().map(trust_file).transpose()?;
        let issuers = trust.as_ref().map_or(&[][..], |t| &t.certificates[..]);
        let ours = identity::certified_key(&self.certfile, &self.keyfile, issuers, &provider)?;
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?;
        let builder = match trust {
            Some(trust) => {
                let verifier = ClientTrust::new(trust, provider).map_err(TlsError::Config)?;
                builder.with_client_cert_verifier(Arc::new(verifier))
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(builder.with_cert_resolver(ours)))
    }

    /// A ready acceptor.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        Ok(TlsAcceptor::from(self.server_config()?))
    }
}

/// How much of the server's certificate a client checks.
///
/// Python's clients differ here: `ssl.create_default_context()` (what
/// `ServerProxy` uses) checks the certificate and the host name;
/// `rpyc.ssl_connect(ca_certs=...)` turns the host-name check off; and
/// `rpyc.ssl_connect` without `ca_certs` checks nothing (`CERT_NONE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ServerCheck {
    /// The certificate is trusted (by `ca_certs`, or the webpki roots) and
    /// names the host the client asked for.
    #[default]
    CertificateAndName,
    /// The certificate is trusted, whatever host it names.
    Certificate,
    /// Nothing: the connection is encrypted, and the server is whoever
    /// answers.
    Nothing,
}

/// A client's TLS files, as `rpyc.ssl_connect(keyfile=, certfile=, ca_certs=)`
/// takes them.
///
/// ```
/// use oxrpc_net::tls::{ClientTlsFiles, ServerCheck};
///
/// // What `rpyc.ssl_connect(host, port, ca_certs="ca.pem")` checks.
/// let like_rpyc = ClientTlsFiles {
///     ca_certs: Some("ca.pem".into()),
///     server_check: ServerCheck::Certificate,
///     ..ClientTlsFiles::default()
/// };
/// assert!(like_rpyc.keyfile.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTlsFiles {
    /// Our private key, for servers that require client certificates;
    /// without it, the key is read from `certfile` (one PEM file holding
    /// both, as `ssl`'s `load_cert_chain` takes it).
    pub keyfile: Option<PathBuf>,
    /// Our certificate chain.
    pub certfile: Option<PathBuf>,
    /// Verify the server against this CA; without it, the webpki roots.
    pub ca_certs: Option<PathBuf>,
    /// How much of the server's certificate to check.
    pub server_check: ServerCheck,
}

impl ClientTlsFiles {
    /// Builds the client configuration.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let trust = match &self.ca_certs {
            Some(path) => trust_file(path)?,
            None => TrustFile {
                anchors: RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                },
                certificates: Vec::new(),
            },
        };
        // Our certificate's issuers come from `ca_certs` only, as OpenSSL
        // takes them from the store it verifies with (not the web's roots).
        let issuers = if self.ca_certs.is_some() {
            trust.certificates.clone()
        } else {
            Vec::new()
        };
        let provider = provider();
        let verifier = ServerTrust::new(trust, provider.clone(), self.server_check)
            .map_err(TlsError::Config)?;
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let config = match (&self.certfile, &self.keyfile) {
            // As ssl's load_cert_chain(certfile, keyfile=None), which
            // rpyc.ssl_connect calls: without a keyfile the key is in the
            // certificate's file.
            (Some(cert), key) => builder.with_client_cert_resolver(identity::certified_key(
                cert,
                key.as_deref().unwrap_or(cert),
                &issuers,
                &provider,
            )?),
            (None, None) => builder.with_no_client_auth(),
            (None, Some(_)) => {
                return Err(TlsError::Config(
                    "a client key needs its certificate (certfile)".into(),
                ))
            }
        };
        Ok(Arc::new(config))
    }

    /// A ready connector.
    pub fn connector(&self) -> Result<TlsConnector, TlsError> {
        Ok(TlsConnector::from(self.client_config()?))
    }
}

/// The name a client checks the server certificate against.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(host.to_owned()).map_err(|e| TlsError::Config(format!("{host}: {e}")))
}
