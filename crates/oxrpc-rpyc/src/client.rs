//! Connecting to RPyC servers (Python's or ours).

use crate::config::Config;
use crate::connection::Connection;
use crate::service::{Service, VoidService};
use std::sync::Arc;
use tokio::net::TcpStream;

/// Connects to `host:port` with no service of our own (rpyc's
/// `rpyc.connect(host, port)`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
/// let answer: i64 = conn.root().await?.call("get_answer", ()).await?.extract()?;
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
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;
    Ok(Connection::start(stream, service, config))
}

/// Connects over TLS (rpyc's `ssl_connect(host, port, keyfile=, certfile=,
/// ca_certs=)`), verifying the server against `tls.ca_certs` (or the webpki
/// roots) under the name `host`.
pub async fn connect_tls(
    host: &str,
    port: u16,
    tls: &oxrpc_tls::ClientTlsFiles,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    let connector = tls.connector().map_err(std::io::Error::other)?;
    let name = oxrpc_tls::server_name(host).map_err(std::io::Error::other)?;
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;
    let stream = connector.connect(name, stream).await?;
    Ok(Connection::start(stream, service, config))
}
