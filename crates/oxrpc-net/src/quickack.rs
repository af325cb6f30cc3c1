//! Prompt acknowledgements for bulk transfers over TCP.
//!
//! A client that leaves Nagle's algorithm on (every stock rpyc client does)
//! sends a large message in chunks and holds each chunk back until the
//! previous one is acknowledged; Linux delays acknowledgements by up to
//! 40 ms, waiting for a reply to carry them. The two wait for each other:
//! a 100 KB argument took ~48 ms instead of ~5. After a read that shows a
//! large message is arriving, this wrapper re-arms `TCP_QUICKACK` so the
//! kernel acknowledges at once. Small requests keep delayed acknowledgements,
//! which ride on the reply for free.

use crate::split::{ReadHalf, SplitStream, WriteHalf};
use crate::thread_read::ThreadReadHalf;
use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

/// A read of at least this many bytes means a bulk transfer is under way.
const BULK_READ: usize = 8 * 1024;

/// A TCP stream that acknowledges promptly during bulk transfers, and
/// when its user asks ([`AckRequest`]).
pub struct QuickAck {
    inner: TcpStream,
    ack: AckRequest,
}

/// A request that a [`QuickAck`] stream's reading half acknowledge what it
/// has read at once, before its next read, rather than after the kernel's
/// delayed-ACK wait: for a protocol that knows it will send nothing before
/// the peer's next message, when the peer (Nagle's algorithm on) holds that
/// message until its last one is acknowledged.
///
/// ```
/// let request = oxrpc_net::AckRequest::default();
/// request.request(); // acted on by the reading half's next read
/// ```
#[derive(Clone, Default)]
pub struct AckRequest(Arc<AtomicBool>);

impl AckRequest {
    /// Asks for an immediate acknowledgement before the next read.
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether one was asked for since the last look.
    fn take(&self) -> bool {
        self.0.load(Ordering::Relaxed) && self.0.swap(false, Ordering::Relaxed)
    }
}

impl QuickAck {
    /// Wraps `inner`.
    pub fn new(inner: TcpStream) -> QuickAck {
        QuickAck {
            inner,
            ack: AckRequest::default(),
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &TcpStream {
        &self.inner
    }
}

/// Reads from `reader`, then re-arms quick ACKs on its socket (`socket`)
/// if the read shows a bulk transfer under way.
fn read_acking<R: AsyncRead + Unpin>(
    reader: &mut R,
    socket: fn(&R) -> &TcpStream,
    ack: &AckRequest,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    if ack.take() {
        acknowledge_now(socket(reader));
    }
    let before = buf.filled().len();
    let result = Pin::new(&mut *reader).poll_read(cx, buf);
    if let Poll::Ready(Ok(())) = result {
        rearm_after_read(socket(reader), buf.filled().len() - before);
    }
    result
}

/// After a read of `read` bytes from the TCP `socket`: re-arms quick ACKs
/// if the read shows a bulk transfer under way.
pub(crate) fn rearm_after_read(socket: &impl AsFd, read: usize) {
    if read >= BULK_READ {
        acknowledge_now(socket);
    }
}

/// Sets `TCP_QUICKACK` on `socket`: what was read is acknowledged at once,
/// and later segments promptly until the kernel returns to delaying.
pub(crate) fn acknowledge_now(socket: &impl AsFd) {
    // Best effort: the option is only a hint to the kernel.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = socket2::SockRef::from(socket).set_tcp_quickack(true);
}

impl AsyncRead for QuickAck {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        read_acking(&mut this.inner, |tcp| tcp, &this.ack, cx, buf)
    }
}

/// The reading half of a split [`QuickAck`] stream.
struct QuickAckReader {
    inner: OwnedReadHalf,
    ack: AckRequest,
}

impl AsyncRead for QuickAckReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        read_acking(&mut this.inner, |half| half.as_ref(), &this.ack, cx, buf)
    }
}

impl SplitStream for QuickAck {
    /// Prompt ACKs go with the reading half.
    fn split_halves(self: Box<Self>) -> (ReadHalf, WriteHalf) {
        let (reader, writer) = self.inner.into_split();
        let reader = QuickAckReader {
            inner: reader,
            ack: self.ack,
        };
        (Box::new(reader), Box::new(writer))
    }

    fn ack_request(&self) -> Option<AckRequest> {
        Some(self.ack.clone())
    }

    fn splits_for_thread(&self) -> bool {
        true
    }

    fn split_for_thread(self: Box<Self>) -> io::Result<(ThreadReadHalf, WriteHalf)> {
        crate::thread_read::quick_ack_split(self.inner)
    }
}

impl AsyncWrite for QuickAck {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
