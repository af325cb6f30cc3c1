//! A write deadline on any stream.
//!
//! A peer that stops reading leaves our writes pending for ever, and with
//! them whatever we meant to send and the connection slot. [`Deadline`]
//! wraps a stream so that a write (or flush) still unable to make progress
//! after the deadline fails with `TimedOut`; the protocol above sees an
//! ordinary write error, logs it and closes. Progress of any size resets
//! the clock, so a slow but live reader is never cut off; reads are left
//! alone (each protocol bounds them in its own terms).

use crate::split::{ReadHalf, SplitStream, WriteHalf};
use crate::stream::Stream;
use crate::thread_read::ThreadReadHalf;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// A stream whose writes fail after `timeout` without progress.
pub struct Deadline<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write is pending.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<S> Deadline<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, timeout: Duration) -> Deadline<S> {
        Deadline {
            inner,
            timeout,
            timer: None,
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Called when the inner stream answered `Pending`: starts the clock,
    /// or says the deadline has passed.
    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(Instant::now() + timeout)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the peer read nothing for {timeout:?}"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

use std::future::Future;

impl<S: AsyncRead + Unpin> AsyncRead for Deadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => this.pending(cx),
            ready => {
                this.timer = None;
                ready
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.pending(cx),
            ready => {
                this.timer = None;
                ready
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.pending(cx),
            ready => {
                this.timer = None;
                ready
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl SplitStream for Deadline<Stream> {
    /// The deadline goes with the writing half.
    fn split_halves(self: Box<Self>) -> (ReadHalf, WriteHalf) {
        let (reader, writer) = self.inner.into_split();
        (reader, Box::new(Deadline::new(writer, self.timeout)))
    }

    fn splits_for_thread(&self) -> bool {
        self.inner.splits_for_thread()
    }

    fn ack_request(&self) -> Option<crate::AckRequest> {
        self.inner.ack_request()
    }

    fn split_for_thread(self: Box<Self>) -> io::Result<(ThreadReadHalf, WriteHalf)> {
        let (reader, writer) = crate::thread_read::split_inner(self.inner)?;
        Ok((reader, Box::new(Deadline::new(writer, self.timeout))))
    }
}
