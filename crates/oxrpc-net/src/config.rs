//! The settings of a listening server that do not depend on its protocol.

use crate::auth::Authenticator;
use crate::tls::TlsAcceptor;
use std::sync::Arc;
use std::time::Duration;

/// How a server accepts connections. Each protocol's server config embeds
/// one, so every server takes the same limits, TLS and authentication.
#[derive(Clone)]
pub struct ListenConfig {
    /// A name for log lines (rpyc's `SLAVE/18812`).
    pub name: String,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Serve TLS (see [`crate::tls::ServerTlsFiles`]).
    pub tls: Option<TlsAcceptor>,
    /// How long a client has to complete the TLS handshake.
    pub handshake_timeout: Duration,
    /// Decides which connections are admitted.
    pub authenticator: Option<Arc<dyn Authenticator>>,
    /// How long shutdown waits for open connections to finish.
    pub shutdown_grace: Duration,
    /// Log accepted and refused connections at INFO/WARN.
    pub log_connections: bool,
    /// A write that makes no progress for this long fails and the
    /// connection closes: a peer that stops reading cannot hold its slot
    /// (or what we queued for it) for ever. `None` waits for ever.
    pub write_timeout: Option<Duration>,
    /// When every slot is taken and more than this share of them are held
    /// by idle connections, the connection idle the longest is closed to
    /// serve the next client (`0.0`: any idle connection may go; `1.0`:
    /// never evict).
    pub idle_share: f64,
    /// How long a connection must have been idle before it can be evicted.
    pub min_idle: Duration,
    /// Where connections, bytes and limits hit are recorded (`--metrics`);
    /// `None` records nothing.
    pub telemetry: Option<oxrpc_telemetry::ServerTelemetry>,
}

impl ListenConfig {
    /// Default settings with a name for the logs.
    pub fn named(name: impl Into<String>) -> ListenConfig {
        ListenConfig {
            name: name.into(),
            ..ListenConfig::default()
        }
    }
}

impl Default for ListenConfig {
    fn default() -> Self {
        ListenConfig {
            name: "server".into(),
            max_connections: 1024,
            tls: None,
            handshake_timeout: Duration::from_secs(10),
            authenticator: None,
            shutdown_grace: Duration::from_secs(5),
            log_connections: true,
            write_timeout: Some(Duration::from_secs(30)),
            idle_share: 0.5,
            min_idle: Duration::from_secs(1),
            telemetry: None,
        }
    }
}

impl std::fmt::Debug for ListenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenConfig")
            .field("name", &self.name)
            .field("max_connections", &self.max_connections)
            .field("tls", &self.tls.is_some())
            .field("handshake_timeout", &self.handshake_timeout)
            .field("authenticator", &self.authenticator.is_some())
            .field("shutdown_grace", &self.shutdown_grace)
            .field("log_connections", &self.log_connections)
            .field("write_timeout", &self.write_timeout)
            .field("idle_share", &self.idle_share)
            .field("min_idle", &self.min_idle)
            .field("telemetry", &self.telemetry.is_some())
            .finish()
    }
}
