//! What a handler may know about the request beyond its parameters.
//!
//! CPython's dispatcher hands a function its parameters and nothing else;
//! a server that authenticates callers or logs who asked for what needs
//! more. The HTTP layer fills a [`RequestContext`] for every call (the
//! connection's peer, the user it authenticated, the request headers, the
//! path) and handlers take the parts they want as extra typed arguments
//! ([`crate::Extract`]), the way axum handlers take extractors. The
//! XML-RPC parameters a method declares stay exactly as they were.
//!
//! # Who the user is
//!
//! A user is only ever one the server verified: the `--basic-auth`
//! credentials it checked, or the subject of a client certificate TLS
//! verified against the server's CA. An `Authorization` header the server
//! did not check names nobody. When both are present, the basic-auth user
//! (sent with this very request) wins over the certificate (sent once for
//! the connection).

use hyper::HeaderMap;
use oxrpc_net::Peer;
use std::net::SocketAddr;
use std::sync::Arc;

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// HTTP basic authentication, checked against the server's credentials.
    Basic,
    /// A TLS client certificate, verified against the server's CA.
    ClientCertificate,
}

/// A caller the server authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    /// The user name (basic auth), or the certificate subject's common
    /// name (its whole subject, hex-encoded, when it has none).
    pub name: String,
    /// How the name was established.
    pub method: AuthMethod,
}

/// Everything about one request a handler may ask for, besides its
/// parameters.
///
/// ```
/// use oxrpc_xmlrpc::{AuthMethod, AuthUser, RequestContext};
///
/// let context = RequestContext::new()
///     .with_peer("127.0.0.1:5000".parse::<std::net::SocketAddr>().unwrap())
///     .with_user(AuthUser { name: "ana".into(), method: AuthMethod::Basic });
/// assert_eq!(context.client_addr().map(|a| a.port()), Some(5000));
/// assert_eq!(context.user().map(|u| u.name.as_str()), Some("ana"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    peer: Option<Peer>,
    user: Option<AuthUser>,
    certificates: Arc<[Vec<u8>]>,
    headers: HeaderMap,
    path: String,
}

impl RequestContext {
    /// A context that knows nothing (what [`crate::Registry::dispatch`]
    /// uses when driven directly).
    pub fn new() -> Self {
        RequestContext::default()
    }

    /// Sets the peer the request came from.
    pub fn with_peer(mut self, peer: impl Into<Peer>) -> Self {
        self.peer = Some(peer.into());
        self
    }

    /// Sets the authenticated user.
    pub fn with_user(mut self, user: AuthUser) -> Self {
        self.user = Some(user);
        self
    }

    /// Sets the TLS client certificate chain (leaf first).
    pub fn with_certificates(mut self, chain: impl Into<Arc<[Vec<u8>]>>) -> Self {
        self.certificates = chain.into();
        self
    }

    /// Sets the request headers.
    pub fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the request path (the RPC path the call was posted to).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The peer, when the transport has one.
    pub fn peer(&self) -> Option<&Peer> {
        self.peer.as_ref()
    }

    /// The caller's socket address (TCP peers only).
    pub fn client_addr(&self) -> Option<SocketAddr> {
        self.peer.as_ref().and_then(Peer::socket_addr)
    }

    /// The authenticated caller, if any.
    pub fn user(&self) -> Option<&AuthUser> {
        self.user.as_ref()
    }

    /// The TLS client certificate chain, leaf first (empty without one).
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The path the call was posted to.
    pub fn path(&self) -> &str {
        &self.path
    }
}
