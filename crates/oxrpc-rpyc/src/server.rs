//! Servers: accept connections and serve a service on each.
//!
//! [`Server`] is rpyc's `ThreadedServer` in async form: every connection
//! gets its own service instance (from a factory, so services may keep
//! per-connection state) and its own tasks; a limit caps how many are served
//! at once. With TLS configured, each connection's handshake runs in its own
//! task under a deadline, so a client that stalls mid-handshake delays no
//! one; an [`Authenticator`] may then admit or refuse it.
//! [`Server::serve_one`] is rpyc's `OneShotServer`.

use crate::auth::Authenticator;
use crate::config::{Config, Credentials};
use crate::connection::Connection;
use crate::service::Service;
use oxrpc_tls::TlsAcceptor;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::{info, warn};

/// Server settings.
#[derive(Clone)]
pub struct ServerConfig {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Settings for each connection.
    pub connection: Config,
    /// How long shutdown waits for open connections to finish.
    pub shutdown_grace: Duration,
    /// Log connects and disconnects at INFO (rpyc logs them too).
    pub log_connections: bool,
    /// The name in log lines, like rpyc's `SLAVE/18812`.
    pub service_name: String,
    /// Serve over TLS (see `oxrpc_tls::ServerTlsFiles`).
    pub tls: Option<TlsAcceptor>,
    /// How long a client has to complete the TLS handshake.
    pub handshake_timeout: Duration,
    /// Decides which connections are admitted.
    pub authenticator: Option<Arc<dyn Authenticator>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: 1024,
            connection: Config::default(),
            shutdown_grace: Duration::from_secs(5),
            log_connections: true,
            service_name: "SERVICE".into(),
            tls: None,
            handshake_timeout: Duration::from_secs(10),
            authenticator: None,
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
    config: Arc<ServerConfig>,
}

type OpenConnections = Arc<Mutex<Vec<Connection>>>;

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
            config: Arc::new(config),
        }
    }

    /// Serves until Ctrl-C.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        self.serve_with_shutdown(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }

    /// Serves until `shutdown` completes, then closes open connections
    /// (waiting up to [`ServerConfig::shutdown_grace`]).
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let permits = Arc::new(Semaphore::new(self.config.max_connections.max(1)));
        let open: OpenConnections = Arc::new(Mutex::new(Vec::new()));
        let ids = AtomicU64::new(1);
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                _ = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let id = ids.fetch_add(1, Ordering::Relaxed);
            let (factory, config, open) = (self.factory.clone(), self.config.clone(), open.clone());
            tokio::spawn(async move {
                if let Some(connection) = admit(&*factory, &config, stream, peer, id).await {
                    if let Ok(mut list) = open.lock() {
                        list.retain(|c| !c.is_closed());
                        list.push(connection.clone());
                    }
                    connection.closed().await;
                    if config.log_connections {
                        info!(target: "oxrpc::rpyc::server", "{}: goodbye [{peer}]", config.service_name);
                    }
                }
                drop::<OwnedSemaphorePermit>(permit);
            });
        }
        let connections = open
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let close_all = async {
            for connection in &connections {
                connection.close().await;
            }
            for connection in &connections {
                connection.closed().await;
            }
        };
        let _ = tokio::time::timeout(self.config.shutdown_grace, close_all).await;
        Ok(())
    }

    /// Serves exactly one connection, then returns (rpyc's `OneShotServer`).
    pub async fn serve_one(self, listener: TcpListener) -> std::io::Result<()> {
        let (stream, peer) = listener.accept().await?;
        drop(listener);
        if let Some(connection) = admit(&*self.factory, &self.config, stream, peer, 1).await {
            connection.closed().await;
        }
        Ok(())
    }
}

/// Handshakes (with TLS), authenticates and starts one connection; `None`
/// when the client was refused (logged).
async fn admit<F, S>(
    factory: &F,
    config: &ServerConfig,
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
) -> Option<Connection>
where
    F: Fn() -> Arc<S>,
    S: Service,
{
    let _ = stream.set_nodelay(true);
    let name = &config.service_name;
    let mut connection_config = config.connection.clone();
    connection_config.connid = Some(format!("{name}/{id}"));
    let refuse = |why: String| {
        warn!(target: "oxrpc::rpyc::server", "{name}: refused {peer}: {why}");
    };
    let authenticate = |certificates: Vec<Vec<u8>>| -> Option<Option<Credentials>> {
        match &config.authenticator {
            None => Some(None),
            Some(authenticator) => match authenticator.authenticate(peer, &certificates) {
                Ok(credentials) => Some(Some(credentials)),
                Err(why) => {
                    refuse(why);
                    None
                }
            },
        }
    };
    let service: Arc<dyn Service>;
    let connection = match &config.tls {
        Some(acceptor) => {
            let tls = match tokio::time::timeout(config.handshake_timeout, acceptor.accept(stream))
                .await
            {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    refuse(format!("TLS handshake failed: {e}"));
                    return None;
                }
                Err(_) => {
                    refuse("TLS handshake timed out".into());
                    return None;
                }
            };
            let certificates = tls
                .get_ref()
                .1
                .peer_certificates()
                .map(|certs| certs.iter().map(|c| c.to_vec()).collect())
                .unwrap_or_default();
            connection_config.credentials = authenticate(certificates)?;
            service = factory();
            log_accept(config, peer, id);
            Connection::start(tls, service, connection_config)
        }
        None => {
            connection_config.credentials = authenticate(Vec::new())?;
            service = factory();
            log_accept(config, peer, id);
            Connection::start(stream, service, connection_config)
        }
    };
    Some(connection)
}

fn log_accept(config: &ServerConfig, peer: SocketAddr, id: u64) {
    if config.log_connections {
        info!(target: "oxrpc::rpyc::server", "{}: accepted {peer} with fd {id}", config.service_name);
    }
}
