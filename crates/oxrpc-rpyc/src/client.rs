//! Connecting to RPyC servers (Python's or ours).

use crate::config::Config;
use crate::connector::Connector;
use crate::core::{Connection, Service};
use crate::objects::VoidService;
use oxrpc_net::{ConnectOptions, Stream};
use std::path::Path;
use std::sync::Arc;

/// Connects to `host:port` with no service of our own (rpyc's
/// `rpyc.connect(host, port)`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
/// let answer: i64 = conn.root().await?.call("get_answer", ()).await?;
/// assert_eq!(answer, 42);
/// # Ok(()) }
/// ```
pub async fn connect(host: &str, port: u16) -> std::io::Result<Connection> {
    connect_with(host, port, Arc::new(VoidService), Config::default()).await
}

/// Connects, exposing `service` to the server (for callbacks through
/// `conn.root` on its side) with the given settings.
pub async fn connect_with(
    host: &str,
    port: u16,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    let stream = oxrpc_net::connect_tcp(host, port, &ConnectOptions::default()).await?;
    Ok(Connection::start_stream(stream, service, config))
}

/// Connects over TLS (rpyc's `ssl_connect(host, port, keyfile=, certfile=,
/// ca_certs=)`), verifying the server against `tls.ca_certs` (or the webpki
/// roots) under the name `host`.
pub async fn connect_tls(
    host: &str,
    port: u16,
    tls: &oxrpc_net::tls::ClientTlsFiles,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    let stream: Stream =
        oxrpc_net::connect_tls(host, port, tls, &ConnectOptions::default()).await?;
    Ok(Connection::start_stream(stream, service, config))
}

/// Connects to the server on the Unix socket at `path` with no service of
/// our own (rpyc's `rpyc.utils.factory.unix_connect(path)`; the server is a
/// `ThreadedServer(socket_path=path)` or an oxrpc server started with
/// `--socket PATH`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::unix_connect("/run/myservice.sock").await?;
/// let answer: i64 = conn.root().await?.call("get_answer", ()).await?;
/// # Ok(()) }
/// ```
pub async fn unix_connect(path: impl AsRef<Path>) -> std::io::Result<Connection> {
    unix_connect_with(path, Arc::new(VoidService), Config::default()).await
}

/// [`unix_connect`], exposing `service` to the server, with `config`.
pub async fn unix_connect_with(
    path: impl AsRef<Path>,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    Connector::unix(path.as_ref())
        .shared_service(service)
        .config(config)
        .connect()
        .await
}
