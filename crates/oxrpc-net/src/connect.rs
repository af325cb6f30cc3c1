//! Client-side connections: TCP (with a connect timeout and keepalive),
//! Unix sockets, and TLS over TCP.

use crate::stream::Stream;
use crate::tls::{server_name, ClientTlsFiles};
use std::io;
use std::path::Path;
use std::time::Duration;
use tokio::net::{TcpStream, UnixStream};

/// How a client connects.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Give up connecting after this long (`None`: the OS's timeout).
    pub connect_timeout: Option<Duration>,
    /// Send TCP keepalive probes after this long idle (`None`: off), so a
    /// peer that vanished without a FIN is noticed.
    pub keepalive: Option<Duration>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            connect_timeout: Some(Duration::from_secs(30)),
            keepalive: None,
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{what}: connect timed out"),
    )
}

/// Connects over TCP with `TCP_NODELAY` set.
pub async fn connect_tcp(host: &str, port: u16, options: &ConnectOptions) -> io::Result<Stream> {
    let connect = TcpStream::connect((host, port));
    let stream = match options.connect_timeout {
        Some(limit) => tokio::time::timeout(limit, connect)
            .await
            .map_err(|_| timed_out(&format!("{host}:{port}")))??,
        None => connect.await?,
    };
    stream.set_nodelay(true)?;
    if let Some(idle) = options.keepalive {
        // As rpyc's keepalive: probes every `idle`, five unanswered ones
        // end the connection.
        let keepalive = socket2::TcpKeepalive::new()
            .with_time(idle)
            .with_interval(idle);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let keepalive = keepalive.with_retries(5);
        socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
    }
    Ok(Stream::Tcp(stream))
}

/// Connects to a Unix socket.
pub async fn connect_unix(path: impl AsRef<Path>, options: &ConnectOptions) -> io::Result<Stream> {
    let path = path.as_ref();
    let connect = UnixStream::connect(path);
    let stream = match options.connect_timeout {
        Some(limit) => tokio::time::timeout(limit, connect)
            .await
            .map_err(|_| timed_out(&path.display().to_string()))??,
        None => connect.await?,
    };
    Ok(Stream::Unix(stream))
}

/// Connects over TLS on TCP, verifying the server against `tls.ca_certs`
/// (or the webpki roots) under the name `host`.
pub async fn connect_tls(
    host: &str,
    port: u16,
    tls: &ClientTlsFiles,
    options: &ConnectOptions,
) -> io::Result<Stream> {
    let connector = tls.connector().map_err(io::Error::other)?;
    let name = server_name(host).map_err(io::Error::other)?;
    let stream = connect_tcp(host, port, options).await?;
    let handshake = connector.connect(name, stream);
    let tls = match options.connect_timeout {
        Some(limit) => tokio::time::timeout(limit, handshake)
            .await
            .map_err(|_| timed_out(&format!("{host}:{port}")))??,
        None => handshake.await?,
    };
    Ok(Stream::TlsClient(Box::new(tls)))
}
