//! Servers: accept connections and serve a service on each.
//!
//! [`Server`] is rpyc's `ThreadedServer` in async form: every connection
//! gets its own service instance (from a factory, so services may keep
//! per-connection state) and its own tasks; a limit caps how many are served
//! at once. [`Server::serve_one`] is rpyc's `OneShotServer`.

use crate::config::Config;
use crate::connection::Connection;
use crate::service::Service;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tracing::{info, warn};

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Settings for each connection.
    pub connection: Config,
    /// How long shutdown waits for open connections to finish.
    pub shutdown_grace: Duration,
    /// Log connects and disconnects at INFO (rpyc logs them too).
    pub log_connections: bool,
    /// The name in log lines, like rpyc's `SLAVE` or `MYSERVICE`.
    pub service_name: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: 1024,
            connection: Config::default(),
            shutdown_grace: Duration::from_secs(5),
            log_connections: true,
            service_name: "SERVICE".into(),
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
        let open = Arc::new(tokio::sync::Mutex::new(Vec::<Connection>::new()));
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
            let connection = self.start_connection(stream, peer, id);
            let mut list = open.lock().await;
            list.retain(|c| !c.is_closed());
            list.push(connection.clone());
            drop(list);
            let log = self.config.log_connections;
            let name = self.config.service_name.clone();
            tokio::spawn(async move {
                connection.closed().await;
                if log {
                    info!(target: "oxrpc::rpyc::server", "{name}: goodbye [{peer}]");
                }
                drop(permit);
            });
        }
        let connections = std::mem::take(&mut *open.lock().await);
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
        let connection = self.start_connection(stream, peer, 1);
        connection.closed().await;
        Ok(())
    }

    fn start_connection(&self, stream: TcpStream, peer: SocketAddr, id: u64) -> Connection {
        let _ = stream.set_nodelay(true);
        if self.config.log_connections {
            info!(target: "oxrpc::rpyc::server", "{}: accepted {peer} with fd {id}", self.config.service_name);
        }
        let mut config = self.config.connection.clone();
        config.connid = Some(format!("{}/{id}", self.config.service_name));
        let service: Arc<dyn Service> = (self.factory)();
        Connection::start(stream, service, config)
    }
}
