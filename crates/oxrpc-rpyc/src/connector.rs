//! How to reach an RPyC server, kept as a value so it can be reached again.
//!
//! rpyc has a factory function per transport: `rpyc.connect(host, port,
//! keepalive=)`, `unix_connect(path)`, `ssl_connect(...)` and
//! `connect_by_service(name)`. A [`Connector`] is any of them as a value:
//! where the server is (a TCP address, a Unix socket, TLS over TCP, or a
//! service name to look up in a registry), how to connect (a connect
//! timeout, TCP keepalive), and what this side exposes to the server (a
//! service made fresh for each connection, and the connection's
//! [`Config`]). Calling [`Connector::connect`] twice makes two independent
//! connections, which is what [`crate::Reconnecting`] needs to come back
//! after the server went away: a connector found by name asks the registry
//! again each time, so a restarted server at a new address is found too.
//!
//! # Timeouts and keepalive
//!
//! | | rpyc 6.0.2 | a default `Connector` |
//! |---|---|---|
//! | connect timeout | 3 s per attempt, 6 attempts on timeouts only; the socket keeps the 3 s timeout (reads just loop on it) | 30 s, one attempt |
//! | TCP keepalive | off; `keepalive=True` is 60 s idle, 60 s between probes, 5 probes | off; [`Connector::keepalive`] sets the idle time and probe interval |
//!
//! A refused connection fails at once in both. Keepalive matters for long
//! idle connections through firewalls and NAT, and to notice a server host
//! that vanished without closing the connection (otherwise only the next
//! call's `sync_request_timeout` would). It does not apply to Unix sockets,
//! which cannot lose their peer silently.

use crate::config::Config;
use crate::core::{Connection, Service};
use crate::objects::VoidService;
use crate::registry::{RegistryClient, RegistryError};
use oxrpc_net::tls::ClientTlsFiles;
use oxrpc_net::{ConnectOptions, Stream};
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Makes a fresh service for each connection.
type ServiceFactory = Arc<dyn Fn() -> Arc<dyn Service> + Send + Sync>;

/// Where the server is.
#[derive(Clone, Debug)]
enum Target {
    Tcp {
        host: String,
        port: u16,
    },
    Unix(PathBuf),
    Tls {
        host: String,
        port: u16,
        tls: ClientTlsFiles,
    },
    ByName {
        registry: RegistryClient,
        name: String,
    },
}

/// How to connect to an RPyC server: address, socket options, and the
/// service and settings this side brings.
///
/// ```no_run
/// use oxrpc_rpyc::Connector;
/// use std::time::Duration;
///
/// # async fn run() -> std::io::Result<()> {
/// // rpyc.connect("db-host", 18861, keepalive=True), failing after 5 s.
/// let conn = Connector::tcp("db-host", 18861)
///     .connect_timeout(Some(Duration::from_secs(5)))
///     .keepalive(Some(Duration::from_secs(60)))
///     .connect()
///     .await?;
///
/// // rpyc.utils.factory.unix_connect("/run/app/rpyc.sock")
/// let local = Connector::unix("/run/app/rpyc.sock").connect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connector {
    target: Target,
    options: ConnectOptions,
    service: ServiceFactory,
    config: Config,
}

impl Connector {
    fn new(target: Target) -> Connector {
        Connector {
            target,
            options: ConnectOptions::default(),
            service: Arc::new(|| Arc::new(VoidService) as Arc<dyn Service>),
            config: Config::default(),
        }
    }

    /// A server at `host:port` over TCP (rpyc's `connect`).
    pub fn tcp(host: impl Into<String>, port: u16) -> Connector {
        Connector::new(Target::Tcp {
            host: host.into(),
            port,
        })
    }

    /// A server on the Unix socket at `path` (rpyc's `unix_connect`, a
    /// `ThreadedServer(socket_path=...)` or `--socket PATH`).
    pub fn unix(path: impl Into<PathBuf>) -> Connector {
        Connector::new(Target::Unix(path.into()))
    }

    /// A server at `host:port` over TLS, verified against `tls.ca_certs`
    /// (or the webpki roots) under the name `host` (rpyc's `ssl_connect`).
    pub fn tls(host: impl Into<String>, port: u16, tls: ClientTlsFiles) -> Connector {
        Connector::new(Target::Tls {
            host: host.into(),
            port,
            tls,
        })
    }

    /// Any server exposing `name` that `registry` knows, tried in the
    /// registry client's order until one accepts (rpyc's
    /// `connect_by_service`). The registry is asked again on every
    /// connect.
    pub fn by_name(registry: RegistryClient, name: impl Into<String>) -> Connector {
        Connector::new(Target::ByName {
            registry,
            name: name.into(),
        })
    }

    /// Gives up on a connect (and a TLS handshake) after `timeout`; `None`
    /// waits as long as the OS does. 30 s by default.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Connector {
        self.options.connect_timeout = timeout;
        self
    }

    /// Sends TCP keepalive probes after `idle` without traffic, then every
    /// `idle`, so a peer that vanished is noticed; `None` (the default, as
    /// in rpyc) sends none. rpyc's `keepalive=True` is 60 s.
    pub fn keepalive(mut self, idle: Option<Duration>) -> Connector {
        self.options.keepalive = idle;
        self
    }

    /// Exposes a service to the server, made by `factory` for each
    /// connection (a service's `on_connect` and fields are per connection).
    /// [`VoidService`] by default.
    pub fn service<S: Service>(
        mut self,
        factory: impl Fn() -> Arc<S> + Send + Sync + 'static,
    ) -> Connector {
        self.service = Arc::new(move || factory() as Arc<dyn Service>);
        self
    }

    /// Exposes the same service instance on every connection.
    pub(crate) fn shared_service(mut self, service: Arc<dyn Service>) -> Connector {
        self.service = Arc::new(move || service.clone());
        self
    }

    /// The settings of each connection made.
    pub fn config(mut self, config: Config) -> Connector {
        self.config = config;
        self
    }

    /// The socket options used.
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    /// Where the server is, for messages: `host:port`, `unix:PATH`,
    /// `tls:host:port` or `service NAME`.
    pub fn describe(&self) -> String {
        match &self.target {
            Target::Tcp { host, port } => host_port(host, *port),
            Target::Unix(path) => format!("unix:{}", path.display()),
            Target::Tls { host, port, .. } => format!("tls:{}", host_port(host, *port)),
            Target::ByName { name, .. } => format!("service {name}"),
        }
    }

    /// Connects, and starts serving our service on the new connection.
    /// An error names the target (`127.0.0.1:18861: Connection refused`,
    /// `unix:/run/app.sock: No such file or directory`), and keeps its kind.
    pub async fn connect(&self) -> io::Result<Connection> {
        self.open().await.map_err(|e| self.described(e))
    }

    /// [`Connector::connect`], with the error as the OS or registry gave it.
    pub(crate) async fn open(&self) -> io::Result<Connection> {
        let stream = self.open_stream().await?;
        Ok(Connection::start_stream(
            stream,
            (self.service)(),
            self.config.clone(),
        ))
    }

    /// The stream [`Connector::connect`] starts a connection on, with the
    /// errors described as it describes them.
    pub(crate) async fn connect_stream(&self) -> io::Result<Stream> {
        self.open_stream().await.map_err(|e| self.described(e))
    }

    /// `e`, saying what it was connecting to.
    fn described(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.describe()))
    }

    /// A new instance of our service, and the connection settings.
    pub(crate) fn service_and_config(&self) -> (Arc<dyn Service>, Config) {
        ((self.service)(), self.config.clone())
    }

    async fn open_stream(&self) -> io::Result<Stream> {
        let options = &self.options;
        let stream = match &self.target {
            Target::Tcp { host, port } => oxrpc_net::connect_tcp(host, *port, options).await?,
            Target::Unix(path) => oxrpc_net::connect_unix(path, options).await?,
            Target::Tls { host, port, tls } => {
                oxrpc_net::connect_tls(host, *port, tls, options).await?
            }
            Target::ByName { registry, name } => registry
                .connect_by_service_with(name, |host, port| async move {
                    oxrpc_net::connect_tcp(&host, port, options).await
                })
                .await
                .map_err(registry_error)?,
        };
        Ok(stream)
    }
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("target", &self.target)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A registry's answer as an I/O error of the matching kind.
fn registry_error(e: RegistryError) -> io::Error {
    match e {
        RegistryError::Io(e) => e,
        RegistryError::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e.to_string()),
        RegistryError::AllDown(_) => {
            io::Error::new(io::ErrorKind::ConnectionRefused, e.to_string())
        }
        other => io::Error::other(other.to_string()),
    }
}
