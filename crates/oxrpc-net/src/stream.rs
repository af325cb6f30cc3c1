//! One stream type for every transport a connection can run over.

use crate::split::SplitStream;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::{client, server};

/// Anything a connection can run over: the bound for [`Stream::other`].
pub trait AsyncStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> AsyncStream for T {}

/// A connected byte stream: TCP, a Unix socket, TLS over either, or any
/// other duplex stream (pipes, stdio, in-memory).
pub enum Stream {
    /// A TCP connection.
    Tcp(TcpStream),
    /// A Unix-socket connection.
    Unix(UnixStream),
    /// The server side of TLS.
    TlsServer(Box<server::TlsStream<Stream>>),
    /// The client side of TLS.
    TlsClient(Box<client::TlsStream<Stream>>),
    /// One of this crate's wrappers (prompt ACKs, write deadlines, byte
    /// counts) around another stream, which splits as that stream does.
    Layered(Box<dyn SplitStream>),
    /// Anything else.
    Other(Box<dyn AsyncStream>),
}

impl Stream {
    /// Wraps any duplex stream.
    pub fn other(io: impl AsyncStream) -> Stream {
        Stream::Other(Box::new(io))
    }

    /// Wraps one of this crate's layers, keeping it splittable.
    pub(crate) fn layered(io: impl SplitStream) -> Stream {
        Stream::Layered(Box::new(io))
    }

    /// How to ask this stream's reading half to acknowledge at once, when
    /// it can (TCP accepted by this crate's servers, TLS over it).
    pub fn ack_request(&self) -> Option<crate::AckRequest> {
        match self {
            Stream::Layered(layer) => layer.ack_request(),
            Stream::TlsServer(tls) => tls.get_ref().0.ack_request(),
            Stream::TlsClient(tls) => tls.get_ref().0.ack_request(),
            _ => None,
        }
    }

    /// The certificates the TLS peer presented (leaf first); empty otherwise.
    pub fn peer_certificates(&self) -> Vec<Vec<u8>> {
        let certificates = match self {
            Stream::TlsServer(tls) => tls.get_ref().1.peer_certificates(),
            Stream::TlsClient(tls) => tls.get_ref().1.peer_certificates(),
            _ => None,
        };
        certificates
            .map(|certs| certs.iter().map(|c| c.to_vec()).collect())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Tcp(_) => "Stream::Tcp",
            Stream::Unix(_) => "Stream::Unix",
            Stream::TlsServer(_) => "Stream::TlsServer",
            Stream::TlsClient(_) => "Stream::TlsClient",
            Stream::Layered(_) => "Stream::Layered",
            Stream::Other(_) => "Stream::Other",
        })
    }
}

macro_rules! delegate {
    ($self:ident, $io:ident => $call:expr) => {
        match $self.get_mut() {
            Stream::Tcp($io) => $call,
            Stream::Unix($io) => $call,
            Stream::TlsServer($io) => $call,
            Stream::TlsClient($io) => $call,
            Stream::Layered($io) => $call,
            Stream::Other($io) => $call,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, io => Pin::new(io).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, io => Pin::new(io).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Tcp(io) => io.is_write_vectored(),
            Stream::Unix(io) => io.is_write_vectored(),
            Stream::TlsServer(io) => io.is_write_vectored(),
            Stream::TlsClient(io) => io.is_write_vectored(),
            Stream::Layered(io) => io.is_write_vectored(),
            Stream::Other(io) => io.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, io => Pin::new(io).poll_shutdown(cx))
    }
}
