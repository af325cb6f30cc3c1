//! Servers: serve a service on every connection.
//!
//! [`Server`] is rpyc's `ThreadedServer` in async form: every connection
//! gets its own service instance (from a factory, so services may keep
//! per-connection state) and its own tasks. Accepting, the connection cap,
//! TLS, authentication and graceful drain are `oxrpc-net`'s; this file is
//! only what an RPyC connection does once it is admitted.
//! [`Server::serve_one`] is rpyc's `OneShotServer`.

use crate::config::Config;
use crate::core::{Connection, Service};
use oxrpc_net::{Accepted, ListenConfig, Listener, Shutdown};
use std::future::Future;
use std::sync::Arc;
use tracing::info;

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// How connections are accepted: the cap, TLS, authentication, drain,
    /// and the name in log lines (rpyc's `SLAVE/18812`).
    pub listen: ListenConfig,
    /// Settings for each connection.
    pub connection: Config,
}

/// Connections a service server holds at once by default. rpyc's
/// `ThreadedServer` has no cap at all; here an idle connection costs about
/// 10 KiB and every memory budget is server-wide whatever the count, so
/// ten thousand idle clients hold about 100 MiB, and the cap sits well
/// above the 1024 every listener defaults to.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: ListenConfig {
                max_connections: DEFAULT_MAX_CONNECTIONS,
                ..ListenConfig::named("SERVICE")
            },
            connection: Config::default(),
        }
    }
}

/// Serves a service to every client that connects.
///
/// ```no_run
/// use oxrpc_rpyc::{Server, VoidService};
/// use std::sync::Arc;
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:18861").await?;
/// Server::new(|| Arc::new(VoidService)).serve(listener).await
/// # }
/// ```
pub struct Server<F> {
    factory: Arc<F>,
    config: ServerConfig,
}

impl<F, S> Server<F>
where
    F: Fn() -> Arc<S> + Send + Sync + 'static,
    S: Service,
{
    /// A server creating each connection's service with `factory`.
    pub fn new(factory: F) -> Self {
        Server::with_config(factory, ServerConfig::default())
    }

    /// A server with explicit settings.
    pub fn with_config(factory: F, config: ServerConfig) -> Self {
        Server {
            factory: Arc::new(factory),
            config,
        }
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn serve(self, listener: impl Into<Listener>) -> std::io::Result<()> {
        self.serve_with_shutdown(listener, oxrpc_net::shutdown_signal())
            .await
    }

    /// Serves until `shutdown` completes, then closes open connections
    /// (waiting up to the listen config's `shutdown_grace`).
    pub async fn serve_with_shutdown(
        self,
        listener: impl Into<Listener>,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let (factory, connection) = (self.factory, Arc::new(self.config.connection));
        let listen = self.config.listen;
        let log = listen.log_connections.then(|| listen.name.clone());
        oxrpc_net::serve(listener.into(), listen, shutdown, move |accepted, shutdown| {
            let (factory, connection, log) = (factory.clone(), connection.clone(), log.clone());
            async move { serve_connection(&*factory, &connection, accepted, shutdown, log).await }
        })
        .await
    }

    /// Serves exactly one connection, then returns (rpyc's `OneShotServer`).
    pub async fn serve_one(self, listener: impl Into<Listener>) -> std::io::Result<()> {
        let log = self
            .config
            .listen
            .log_connections
            .then(|| self.config.listen.name.clone());
        if let Some(accepted) = oxrpc_net::accept_one(listener.into(), &self.config.listen).await? {
            serve_connection(
                &*self.factory,
                &self.config.connection,
                accepted,
                Shutdown::never(),
                log,
            )
            .await;
        }
        Ok(())
    }
}

/// Runs one admitted connection until it closes or the server shuts down.
async fn serve_connection<F, S>(
    factory: &F,
    config: &Config,
    accepted: Accepted,
    mut shutdown: Shutdown,
    log: Option<String>,
) where
    F: Fn() -> Arc<S>,
    S: Service,
{
    let mut config = config.clone();
    let name = log.as_deref().unwrap_or("SERVICE");
    config.connid = Some(format!("{name}/{}", accepted.id));
    config.credentials = accepted.credentials;
    config.telemetry = accepted.telemetry;
    config.peer = Some(accepted.peer.to_string());
    config.endpoints = Some((accepted.local.clone(), accepted.peer.clone()));
    let slot = Arc::new(accepted.slot);
    let connection = Connection::start_stream_in(accepted.stream, factory(), config, slot.clone());
    tokio::select! {
        _ = connection.closed() => {}
        _ = shutdown.requested() => {
            // As rpyc's `ThreadedServer.close()`: the socket is shut down,
            // no HANDLE_CLOSE first, so a waiting client reads "connection
            // closed by peer" as it would from rpyc.
            connection.shutdown("the server is shutting down");
            connection.closed().await;
        }
        _ = slot.evicted() => {
            info!(target: "oxrpc::rpyc::server", "{name}: closing idle [{}] to make room", accepted.peer);
            connection.close().await;
        }
    }
    if let Some(name) = log {
        info!(target: "oxrpc::rpyc::server", "{name}: goodbye [{}]", accepted.peer);
    }
}
