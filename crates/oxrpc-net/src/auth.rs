//! Authenticators: who may use a server.
//!
//! As with rpyc's authenticators, every accepted connection (after its TLS
//! handshake) may go through an [`Authenticator`], which either refuses it
//! — the connection is closed before a single protocol byte is read — or
//! returns [`Credentials`] the server hands to its per-connection code.

use crate::peer::Peer;

/// What an authenticator learned about a peer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The peer's certificate chain, as verified by TLS (leaf first).
    pub peer_certificates: Vec<Vec<u8>>,
    /// Anything else the authenticator wants the service to know.
    pub info: String,
}

/// Decides whether an accepted connection may proceed.
///
/// Any `Fn(&Peer, &[Vec<u8>]) -> Result<Credentials, String>` is one:
///
/// ```
/// use oxrpc_net::{Authenticator, Credentials, Peer};
///
/// let loopback_only = |peer: &Peer, _certs: &[Vec<u8>]| match peer.ip() {
///     Some(ip) if ip.is_loopback() => Ok(Credentials::default()),
///     _ => Err(format!("{peer} is not local")),
/// };
/// assert!(loopback_only.authenticate(&Peer::Tcp("127.0.0.1:1".parse().unwrap()), &[]).is_ok());
/// ```
pub trait Authenticator: Send + Sync + 'static {
    /// `peer_certificates` is the TLS client chain (empty without TLS or
    /// client certificates). `Err` refuses the connection with a reason
    /// that is logged.
    fn authenticate(
        &self,
        peer: &Peer,
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
        peer: &Peer,
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
    F: Fn(&Peer, &[Vec<u8>]) -> Result<Credentials, String> + Send + Sync + 'static,
{
    fn authenticate(
        &self,
        peer: &Peer,
        peer_certificates: &[Vec<u8>],
    ) -> Result<Credentials, String> {
        self(peer, peer_certificates)
    }
}
