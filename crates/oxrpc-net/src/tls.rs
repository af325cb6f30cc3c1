//! TLS for oxrpc servers and clients, from the PEM files users already have.
//!
//! rpyc and CPython configure TLS with three files: a key, a certificate and
//! optionally a CA bundle, which on a server means "require client
//! certificates signed by this CA" (rpyc's `SSLAuthenticator`) and on a
//! client "verify the server against this CA". These helpers turn the same
//! three files into rustls configurations, so every oxrpc server and client
//! takes the same `--ssl-keyfile/--ssl-certfile/--ssl-cafile` options.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
pub fn load_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| file_error(path, e))
}

fn root_store(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in load_certificates(path)? {
        roots.add(cert).map_err(|e| file_error(path, e))?;
    }
    Ok(roots)
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
        let certs = load_certificates(&self.certfile)?;
        let key = load_private_key(&self.keyfile)?;
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?;
        let builder = match &self.cafile {
            Some(cafile) => {
                let verifier = WebPkiClientVerifier::builder_with_provider(
                    Arc::new(root_store(cafile)?),
                    provider(),
                )
                .build()
                .map_err(|e| TlsError::Config(e.to_string()))?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let config = builder
            .with_single_cert(certs, key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        Ok(Arc::new(config))
    }

    /// A ready acceptor.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        Ok(TlsAcceptor::from(self.server_config()?))
    }
}

/// A client's TLS files, as `rpyc.ssl_connect(keyfile=, certfile=, ca_certs=)`
/// takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTlsFiles {
    /// Our private key, for servers that require client certificates.
    pub keyfile: Option<PathBuf>,
    /// Our certificate chain.
    pub certfile: Option<PathBuf>,
    /// Verify the server against this CA; without it, the webpki roots.
    pub ca_certs: Option<PathBuf>,
}

impl ClientTlsFiles {
    /// Builds the client configuration.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let roots = match &self.ca_certs {
            Some(path) => root_store(path)?,
            None => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_root_certificates(roots);
        let config = match (&self.certfile, &self.keyfile) {
            (Some(cert), Some(key)) => builder
                .with_client_auth_cert(load_certificates(cert)?, load_private_key(key)?)
                .map_err(|e| TlsError::Config(e.to_string()))?,
            (None, None) => builder.with_no_client_auth(),
            _ => {
                return Err(TlsError::Config(
                    "a client certificate needs both certfile and keyfile".into(),
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
