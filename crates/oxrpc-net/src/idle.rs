//! Closing a connection that sits idle between requests, with one timer per
//! connection instead of one per request.
//!
//! A server must not let a client hold a connection without sending a
//! request: one that opens a connection and trickles its headers a byte at
//! a time (slowloris) would keep the slot for ever. An HTTP library's
//! header timeout does this by arming a timer each time it starts reading
//! a request head — an allocation, a clock read and a timer-wheel insertion
//! and removal for every request, a few percent of a small call's cost.
//!
//! [`IdleWatch`] asks the connection's [`Slot`] instead, which the protocol
//! already marks busy while a request is in progress (stamping when it
//! ended), and watches the stream's writes: the connection is idle while
//! no request is in progress and no answer is still going out. An answer
//! is written straight after its request ends unless the peer reads slowly
//! enough to stall the writes, so only a stall and its end are recorded —
//! no clock is read while writes go through. The watch's one timer wakes
//! when the idle clock would run out. Bytes *read* never count as activity:
//! a request head that arrives a byte at a time is still no request.

use crate::slots::{epoch, now, Slot};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// Watches one connection's idleness: see the module docs.
///
/// ```
/// use oxrpc_net::{IdleWatch, Slot};
/// use std::time::Duration;
/// use tokio::io::AsyncWriteExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let (stream, _peer) = tokio::io::duplex(64);
/// let (mut stream, watch) = IdleWatch::new(stream);
/// let slot = Slot::detached();
/// stream.write_all(b"hello").await.unwrap();
/// // Nothing more is written and no request starts: the watch ends.
/// watch.idle_for(&slot, Duration::from_secs(10)).await;
/// # }
/// ```
#[derive(Debug)]
pub struct IdleWatch {
    writes: Arc<Writes>,
}

/// What a [`WatchedWrites`] stream tells its watch.
#[derive(Debug, Default)]
struct Writes {
    /// A write is waiting for the peer to read.
    stalled: AtomicBool,
    /// When the last stall ended, in nanoseconds since the slots' epoch.
    resumed: AtomicU64,
}

impl IdleWatch {
    /// Wraps `stream` so that the watch sees its writes, and returns it
    /// with the watch.
    pub fn new<S>(stream: S) -> (WatchedWrites<S>, IdleWatch) {
        let writes = Arc::new(Writes::default());
        (
            WatchedWrites {
                inner: stream,
                writes: writes.clone(),
                stalled: false,
            },
            IdleWatch { writes },
        )
    }

    /// Resolves once the connection has been idle for `limit`: no request
    /// in progress on `slot` and no answer going out, since the last
    /// request ended, the last stalled write went through, or the
    /// connection's start, whichever is latest.
    pub async fn idle_for(&self, slot: &Slot, limit: Duration) {
        let timer = tokio::time::sleep_until(self.idle_since(slot) + limit);
        tokio::pin!(timer);
        loop {
            timer.as_mut().await;
            let now = Instant::now();
            // A request in progress ends on its own terms (body timeout),
            // a stalled write on the stream's write deadline.
            if slot.is_busy() || self.writes.stalled.load(Ordering::Acquire) {
                timer.as_mut().reset(now + limit);
                continue;
            }
            let deadline = self.idle_since(slot) + limit;
            if now >= deadline {
                return;
            }
            timer.as_mut().reset(deadline);
        }
    }

    /// Whether an answer is going out slowly: its last write waits for
    /// the peer to read.
    pub fn answer_stalled(&self) -> bool {
        self.writes.stalled.load(Ordering::Acquire)
    }

    fn idle_since(&self, slot: &Slot) -> Instant {
        let resumed = epoch() + Duration::from_nanos(self.writes.resumed.load(Ordering::Relaxed));
        slot.idle_since().max(resumed)
    }
}

/// A stream whose writes an [`IdleWatch`] sees.
#[derive(Debug)]
pub struct WatchedWrites<S> {
    inner: S,
    writes: Arc<Writes>,
    /// The last write (or flush) was pending.
    stalled: bool,
}

impl<S> WatchedWrites<S> {
    /// Records a stall's start and end; nothing while writes go through.
    fn watched<T>(&mut self, result: Poll<T>) -> Poll<T> {
        match (&result, self.stalled) {
            (Poll::Pending, false) => {
                self.stalled = true;
                self.writes.stalled.store(true, Ordering::Release);
            }
            (Poll::Ready(_), true) => {
                self.stalled = false;
                self.writes.resumed.store(now(), Ordering::Relaxed);
                self.writes.stalled.store(false, Ordering::Release);
            }
            _ => {}
        }
        result
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedWrites<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedWrites<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watched(written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watched(written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.inner).poll_flush(cx);
        this.watched(flushed)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const LIMIT: Duration = Duration::from_secs(10);

    /// `waited` is `expected`, up to the timer's millisecond ticks.
    fn assert_near(waited: Duration, expected: Duration) {
        assert!(
            waited >= expected && waited <= expected + Duration::from_millis(5),
            "waited {waited:?}, expected {expected:?}"
        );
    }

    /// How long after the test's start the watch resolves.
    async fn resolves_after(watch: &IdleWatch, slot: &Slot) -> Duration {
        let start = Instant::now();
        watch.idle_for(slot, LIMIT).await;
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn an_untouched_connection_is_idle_after_the_limit() {
        let slot = Slot::detached();
        let (_stream, watch) = IdleWatch::new(tokio::io::duplex(64).0);
        assert_near(resolves_after(&watch, &slot).await, LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_progress_is_never_idle() {
        let slot = Slot::detached();
        let (_stream, watch) = IdleWatch::new(tokio::io::duplex(64).0);
        let busy = slot.busy();
        let watching = watch.idle_for(&slot, LIMIT);
        tokio::pin!(watching);
        assert!(
            tokio::time::timeout(LIMIT * 5, watching.as_mut())
                .await
                .is_err(),
            "idle while busy"
        );
        // The request ends: the idle clock starts from its end.
        drop(busy);
        let ended = Instant::now();
        watching.await;
        assert_near(ended.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_to_a_slow_reader_is_no_idleness() {
        use tokio::io::AsyncReadExt;
        let slot = Slot::detached();
        // Room for 1 KiB in flight; the answer is 64 KiB, read 1 KiB
        // every 2 s: 128 s of writing, far past the limit.
        let (stream, mut peer) = tokio::io::duplex(1024);
        let (mut stream, watch) = IdleWatch::new(stream);
        let answer = async {
            stream.write_all(&[b'x'; 64 * 1024]).await.unwrap();
            Instant::now()
        };
        let reader = async {
            let mut chunk = [0u8; 1024];
            for _ in 0..64 {
                tokio::time::sleep(Duration::from_secs(2)).await;
                peer.read_exact(&mut chunk).await.unwrap();
            }
            std::future::pending::<()>().await;
        };
        let start = Instant::now();
        let (written_at, watched) = tokio::join!(answer, async {
            tokio::select! {
                () = reader => unreachable!(),
                () = watch.idle_for(&slot, LIMIT) => start.elapsed(),
            }
        });
        // Idle from the end of the answer on, not before.
        assert_near(watched, written_at - start + LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_read_are_no_activity() {
        use tokio::io::AsyncReadExt;
        let slot = Slot::detached();
        let (stream, mut peer) = tokio::io::duplex(64);
        let (mut stream, watch) = IdleWatch::new(stream);
        let trickle = async {
            // A request head, a byte every second, never finished.
            for _ in 0..30 {
                peer.write_all(b"G").await.unwrap();
                let mut byte = [0u8; 1];
                stream.read_exact(&mut byte).await.unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        };
        tokio::select! {
            () = trickle => panic!("the trickle outlasted the limit"),
            waited = resolves_after(&watch, &slot) => assert_near(waited, LIMIT),
        }
    }
}
