//! XML-RPC over a Unix socket: the client's side.
//!
//! HTTP does not care what carries it, and a server on a Unix socket
//! (`Server::serve` with an `oxrpc_net::Listener::bind_unix`, or `oxrpc
//! xmlrpc serve --socket PATH`) is reachable only by local users the
//! socket file's permissions admit, with no port open. CPython's
//! `xmlrpc.client` has no Unix transport (a ten-line `Transport` subclass
//! gives it one); this client takes the socket two ways:
//!
//! * [`ClientBuilder::unix_socket`](crate::ClientBuilder::unix_socket): the
//!   URL names the HTTP host and path as usual, and every connection goes
//!   to the socket instead (curl's `--unix-socket`);
//! * a `http+unix://` URL, with the socket's path percent-encoded as the
//!   host (`http+unix://%2Frun%2Fapp.sock/RPC2`), the form
//!   `requests-unixsocket` and Docker clients use and `oxrpc xmlrpc serve
//!   --socket` prints. Requests then say `Host: localhost`.
//!
//! No proxy is used for a Unix socket.

use crate::proxy::{ProxyConnector, ProxyStream};
use crate::url::percent_decode;
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::UnixStream;
use tower_service::Service;

/// The scheme of URLs that name a Unix socket.
const UNIX_SCHEME: &str = "http+unix://";

/// Splits a `http+unix://ENCODED-PATH/rpc-path` URL into the HTTP URL the
/// requests name (`http://localhost/rpc-path`) and the socket's path;
/// other URLs come back as they are.
pub(crate) fn split_url(url: &str) -> (String, Option<PathBuf>) {
    let Some(rest) = url
        .get(..UNIX_SCHEME.len())
        .filter(|scheme| scheme.eq_ignore_ascii_case(UNIX_SCHEME))
        .and_then(|_| url.get(UNIX_SCHEME.len()..))
    else {
        return (url.to_owned(), None);
    };
    let (host, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let socket = String::from_utf8_lossy(&percent_decode(host)).into_owned();
    (
        format!("http://localhost{path}"),
        Some(PathBuf::from(socket)),
    )
}

/// Connects to the server over TCP (or its proxy), or to a Unix socket.
#[derive(Clone)]
pub(crate) struct SocketConnector {
    tcp: ProxyConnector,
    unix: Option<Arc<PathBuf>>,
    connect_timeout: Option<Duration>,
}

impl SocketConnector {
    pub(crate) fn new(
        tcp: ProxyConnector,
        unix: Option<PathBuf>,
        connect_timeout: Option<Duration>,
    ) -> SocketConnector {
        SocketConnector {
            tcp,
            unix: unix.map(Arc::new),
            connect_timeout,
        }
    }
}

/// A connection made by [`SocketConnector`].
pub(crate) enum SocketStream {
    Tcp(ProxyStream),
    Unix(TokioIo<UnixStream>),
}

impl Service<Uri> for SocketConnector {
    type Response = SocketStream;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<SocketStream, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match &self.unix {
            Some(_) => Poll::Ready(Ok(())),
            None => self.tcp.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        match self.unix.clone() {
            Some(path) => {
                let limit = self.connect_timeout;
                Box::pin(async move {
                    let connect = UnixStream::connect(path.as_path());
                    let stream = match limit {
                        Some(limit) => {
                            tokio::time::timeout(limit, connect).await.map_err(|_| {
                                io::Error::new(
                                    io::ErrorKind::TimedOut,
                                    format!("{}: connect timed out", path.display()),
                                )
                            })?
                        }
                        None => connect.await,
                    }
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
                    Ok(SocketStream::Unix(TokioIo::new(stream)))
                })
            }
            None => {
                let connecting = self.tcp.call(destination);
                Box::pin(async move { Ok(SocketStream::Tcp(connecting.await?)) })
            }
        }
    }
}

impl Connection for SocketStream {
    fn connected(&self) -> Connected {
        match self {
            SocketStream::Tcp(stream) => stream.connected(),
            SocketStream::Unix(_) => Connected::new(),
        }
    }
}

macro_rules! delegate {
    ($self:ident, $io:ident => $call:expr) => {
        match $self.get_mut() {
            SocketStream::Tcp($io) => $call,
            SocketStream::Unix($io) => $call,
        }
    };
}

impl hyper::rt::Read for SocketStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_read(cx, buf))
    }
}

impl hyper::rt::Write for SocketStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, io => Pin::new(io).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_shutdown(cx))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            SocketStream::Tcp(io) => io.is_write_vectored(),
            SocketStream::Unix(io) => io.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, io => Pin::new(io).poll_write_vectored(cx, bufs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_urls() {
        assert_eq!(
            split_url("http+unix://%2Frun%2Fapp.sock/RPC2"),
            (
                "http://localhost/RPC2".to_owned(),
                Some(PathBuf::from("/run/app.sock"))
            )
        );
        assert_eq!(
            split_url("HTTP+UNIX://%2Ftmp%2Fa%20b.sock"),
            (
                "http://localhost".to_owned(),
                Some(PathBuf::from("/tmp/a b.sock"))
            )
        );
        assert_eq!(
            split_url("http://localhost:9000"),
            ("http://localhost:9000".to_owned(), None)
        );
    }
}
