//! Listening sockets: TCP, or a Unix socket file.
//!
//! A Unix socket's file outlives a crashed server. Binding over it is safe
//! when nobody answers on it any more (the connect is refused), so a stale
//! file is replaced; a live one, or one we cannot connect to for another
//! reason (another user's, say), is left alone and the bind fails with
//! `AddrInUse`, and a path that is not a socket is never removed. The file
//! is created with the permissions the process's umask allows, narrowed to
//! `mode` when one is given before the socket listens, and removed again
//! when the listener drops.

use crate::peer::Peer;
use crate::stream::Stream;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokio::net::{TcpListener, ToSocketAddrs, UnixListener};

/// A listening socket.
#[derive(Debug)]
pub enum Listener {
    /// A TCP listener.
    Tcp(TcpListener),
    /// A Unix-socket listener and the path it owns.
    Unix(UnixListener, PathBuf),
}

impl Listener {
    /// Binds a TCP listener.
    pub async fn bind_tcp(addr: impl ToSocketAddrs) -> io::Result<Listener> {
        Ok(Listener::Tcp(TcpListener::bind(addr).await?))
    }

    /// Binds a Unix socket at `path`, replacing a stale socket file, and
    /// sets the file's permission bits to `mode` when given (e.g. `0o600`
    /// for the owner only).
    pub fn bind_unix(path: impl AsRef<Path>, mode: Option<u32>) -> io::Result<Listener> {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let path = path.as_ref();
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                ));
            }
            match std::os::unix::net::UnixStream::connect(path) {
                Ok(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("a server is already listening on {}", path.display()),
                    ))
                }
                // Nobody listens: a stale file, safe to replace.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    std::fs::remove_file(path)?
                }
                // Not ours to judge (another user's socket, say): left alone.
                Err(e) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("{} exists and cannot be told stale ({e})", path.display()),
                    ))
                }
            }
        }
        // Bound, narrowed to `mode`, and only then listening: no client can
        // connect while the file has the umask's wider permissions.
        let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        socket.bind(&socket2::SockAddr::unix(path)?)?;
        if let Some(mode) = mode {
            if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
        socket.listen(1024)?;
        socket.set_nonblocking(true)?;
        let listener = UnixListener::from_std(std::os::unix::net::UnixListener::from(
            std::os::fd::OwnedFd::from(socket),
        ))?;
        Ok(Listener::Unix(listener, path.to_owned()))
    }

    /// The TCP address bound, for a TCP listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Listener::Tcp(listener) => listener.local_addr().ok(),
            Listener::Unix(..) => None,
        }
    }

    /// What the listener is bound to, for log lines: `127.0.0.1:18812` or
    /// `unix:/run/app.sock`.
    pub fn describe(&self) -> String {
        match self {
            Listener::Tcp(listener) => listener
                .local_addr()
                .map_or_else(|_| "tcp".to_owned(), |a| a.to_string()),
            Listener::Unix(_, path) => format!("unix:{}", path.display()),
        }
    }

    /// Accepts one connection. TCP streams get `TCP_NODELAY`: both
    /// protocols are request/response, where Nagle's algorithm only adds
    /// latency.
    pub async fn accept(&self) -> io::Result<(Stream, Peer)> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok((Stream::Tcp(stream), Peer::Tcp(peer)))
            }
            Listener::Unix(listener, _) => {
                let (stream, peer) = listener.accept().await?;
                let path = peer.as_pathname().map(Path::to_owned);
                Ok((Stream::Unix(stream), Peer::Unix(path)))
            }
        }
    }
}

impl From<TcpListener> for Listener {
    fn from(listener: TcpListener) -> Self {
        Listener::Tcp(listener)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}
