//! Authenticators: who may use a server.
//!
//! As with rpyc's authenticators, a server may hand every accepted
//! connection (after its TLS handshake) to an [`Authenticator`], which
//! either rejects it — the connection is closed before a single RPyC
//! message is read — or returns [`Credentials`] the service can read from
//! [`Connection::credentials`](crate::Connection::credentials).

use crate::config::Credentials;
use std::net::SocketAddr;

/// Decides whether an accepted connection may proceed.
pub trait Authenticator: Send + Sync + 'static {
    /// `peer_certificates` is the TLS client chain (empty without TLS or
    /// client certificates). `Err` rejects the connection with a reason
    /// that is logged.
    fn authenticate(
        &self,
        peer: SocketAddr,
        peer_certificates: &[Vec<u8>],
    ) -> Result<Credentials, String>;
}

/// Admits only peers that presented a client certificate (which TLS has
/// verified against the server's CA): rpyc's `SSLAuthenticator` with a CA.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientCertificateAuthenticator;

impl Authenticator for ClientCertificateAuthenticator {
    fn authenticate(
        &self,
        peer: SocketAddr,
        peer_certificates: &[Vec<u8>],
    ) -> Result<Credentials, String> {
        if peer_certificates.is_empty() {
            return Err(format!("{peer} presented no client certificate"));
        }
        Ok(Credentials {
            peer_certificates: peer_certificates.to_vec(),
            info: format!("client certificate from {peer}"),
        })
    }
}

impl<F> Authenticator for F
where
    F: Fn(SocketAddr, &[Vec<u8>]) -> Result<Credentials, String> + Send + Sync + 'static,
{
    fn authenticate(
        &self,
        peer: SocketAddr,
        peer_certificates: &[Vec<u8>],
    ) -> Result<Credentials, String> {
        self(peer, peer_certificates)
    }
}
