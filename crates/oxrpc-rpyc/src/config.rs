//! Per-connection settings: the layer between the wire and the object
//! model. Everything a connection needs to know about limits and policy is
//! here, so `core` reads one value and the endpoints fill it in.

use crate::wire::brine::BrineLimits;
use crate::wire::channel::FrameLimits;
use oxrpc_net::Credentials;
use std::time::Duration;

/// Settings of one connection. The defaults follow rpyc where it has one
/// (a 30 s synchronous request timeout) and are bounded everywhere else.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a synchronous request waits for its reply (rpyc's
    /// `sync_request_timeout`).
    pub sync_request_timeout: Duration,
    /// Frame and decompressed-size limits for incoming frames.
    pub frame_limits: FrameLimits,
    /// Nesting and element limits for incoming brine.
    pub brine_limits: BrineLimits,
    /// Most local objects the peer may hold references to at once.
    pub max_local_objects: usize,
    /// Most requests the peer may have in progress at once on handlers that
    /// wait (async methods, interpreter jobs); further ones are refused with
    /// an exception reply.
    pub max_pending_requests: usize,
    /// Close the connection after this long without receiving anything.
    pub idle_timeout: Option<Duration>,
    /// rpyc's `allow_public_attrs`: let the peer reach the `pub` methods of a
    /// `#[service]` that are not marked `#[exposed]`. Off by default.
    pub allow_public_attrs: bool,
    /// A name for logs (rpyc's `connid`).
    pub connid: Option<String>,
    /// What the server's authenticator established about the peer (rpyc's
    /// `credentials`); `None` without an authenticator.
    pub credentials: Option<Credentials>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sync_request_timeout: Duration::from_secs(30),
            frame_limits: FrameLimits::default(),
            brine_limits: BrineLimits::default(),
            max_local_objects: 1_000_000,
            max_pending_requests: 1024,
            idle_timeout: None,
            allow_public_attrs: false,
            connid: None,
            credentials: None,
        }
    }
}
