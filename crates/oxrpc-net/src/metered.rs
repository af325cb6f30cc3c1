//! Byte counts of a connection, for its telemetry.
//!
//! Every server's streams pass through here when telemetry is on, so bytes
//! in and out are counted once, at the transport, for every protocol; a
//! write that fails on its deadline is counted as the `write_timeout`
//! limit.

use crate::split::{ReadHalf, SplitStream, WriteHalf};
use crate::stream::Stream;
use crate::thread_read::ThreadReadHalf;
use oxrpc_telemetry::ConnectionTelemetry;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A stream that reports its traffic to a connection's telemetry.
pub struct Metered<S> {
    inner: S,
    telemetry: Arc<ConnectionTelemetry>,
}

impl<S> Metered<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, telemetry: Arc<ConnectionTelemetry>) -> Metered<S> {
        Metered { inner, telemetry }
    }

    fn wrote(&self, result: &Poll<io::Result<usize>>) {
        match result {
            Poll::Ready(Ok(n)) => self.telemetry.sent(*n),
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::TimedOut => {
                self.telemetry.server().limit_hit("write_timeout");
            }
            _ => {}
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.telemetry.received(buf.filled().len() - before);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.wrote(&result);
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(&result);
        result
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

impl SplitStream for Metered<Stream> {
    /// Both halves count into the same telemetry.
    fn split_halves(self: Box<Self>) -> (ReadHalf, WriteHalf) {
        let (reader, writer) = self.inner.into_split();
        (
            Box::new(Metered::new(reader, self.telemetry.clone())),
            Box::new(Metered::new(writer, self.telemetry)),
        )
    }

    fn splits_for_thread(&self) -> bool {
        self.inner.splits_for_thread()
    }

    fn ack_request(&self) -> Option<crate::AckRequest> {
        self.inner.ack_request()
    }

    fn split_for_thread(self: Box<Self>) -> io::Result<(ThreadReadHalf, WriteHalf)> {
        let (reader, writer) = crate::thread_read::split_inner(self.inner)?;
        Ok((
            reader.metered(self.telemetry.clone()),
            Box::new(Metered::new(writer, self.telemetry)),
        ))
    }
}
