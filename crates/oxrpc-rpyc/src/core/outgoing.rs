//! Sending frames: at once when the socket takes them, queued otherwise.
//!
//! Most replies are small and the socket's send buffer is empty, so the
//! task that produced a frame writes it itself, right away: no hand-off to
//! another task, no extra wake-up on the round trip. Only when frames are
//! already queued, another sender holds the writer, or the socket would
//! block does a frame go to the queue, which a writer task drains (several
//! frames per write) — so order is kept and nobody waits on a slow peer.
//!
//! # Limits
//!
//! What waits in the queue is counted, per connection and against the
//! server-wide budget ([`crate::config::SharedLimits`]). Over either, the
//! connection's reader stops taking new requests ([`Outgoing::wait_for_room`])
//! until the peer reads what it was sent; a peer that never reads is cut off
//! by the write deadline of the stream underneath (`oxrpc-net`'s
//! `Deadline`), and whatever was queued for it is released. The first
//! [`RESERVE`] bytes of each connection's queue are its own: peers that
//! do not read can spend the server-wide budget, but a connection whose
//! peer reads what it is sent keeps being served meanwhile.

use crate::config::SharedLimits;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{watch, Notify};

type Writer = Pin<Box<dyn AsyncWrite + Send>>;

struct State {
    queue: VecDeque<Vec<u8>>,
    /// Bytes in `queue`.
    queued: usize,
    /// `None` while someone is writing.
    writer: Option<Writer>,
    /// Data may sit in a buffer of the writer (TLS) until flushed.
    needs_flush: bool,
    failed: bool,
}

pub(crate) struct Outgoing {
    state: Mutex<State>,
    wake: Notify,
    /// Signalled whenever the queue shrinks.
    drained: Notify,
    /// Most bytes this connection may have queued.
    limit: usize,
    shared: Arc<SharedLimits>,
}

impl Drop for Outgoing {
    /// Whatever never left is released from the server-wide budget.
    fn drop(&mut self) {
        let queued = self.lock().queued;
        self.shared
            .queued_output
            .fetch_sub(queued, Ordering::AcqRel);
    }
}

/// Most bytes the writer task puts in one write.
const BATCH: usize = 1 << 20;

/// Queued bytes each connection may have whatever the server-wide budget
/// says (see the module docs).
const RESERVE: usize = 64 << 10;

impl Outgoing {
    pub(crate) fn new(
        writer: impl AsyncWrite + Send + 'static,
        limit: usize,
        shared: Arc<SharedLimits>,
    ) -> Outgoing {
        Outgoing {
            limit,
            shared,
            drained: Notify::new(),
            state: Mutex::new(State {
                queued: 0,
                queue: VecDeque::new(),
                writer: Some(Box::pin(writer)),
                needs_flush: false,
                failed: false,
            }),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `bytes` at the back (or the front, for the rest of a frame
    /// written in part), counting them.
    fn enqueue(&self, state: &mut State, bytes: Vec<u8>, front: bool) {
        state.queued += bytes.len();
        self.shared
            .queued_output
            .fetch_add(bytes.len(), Ordering::AcqRel);
        if front {
            state.queue.push_front(bytes);
        } else {
            state.queue.push_back(bytes);
        }
    }

    /// Uncounts `bytes` that left the queue.
    fn dequeued(&self, state: &mut State, bytes: usize) {
        state.queued -= bytes;
        self.shared.queued_output.fetch_sub(bytes, Ordering::AcqRel);
        self.drained.notify_waiters();
    }

    /// Whether more may be queued: within this connection's reserve, or
    /// under its limit and the server-wide budget.
    pub(crate) fn has_room(&self) -> bool {
        let state = self.lock();
        state.failed
            || state.queued <= RESERVE.min(self.limit)
            || (state.queued <= self.limit
                && self.shared.queued_output.load(Ordering::Acquire)
                    <= self.shared.max_queued_output)
    }

    /// Waits until there is room to queue more (see the module docs).
    pub(crate) async fn wait_for_room(&self) {
        // Nearly always there is room: answer without registering a waiter.
        if self.has_room() {
            return;
        }
        loop {
            let drained = self.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if self.has_room() {
                return;
            }
            drained.await;
        }
    }

    /// Sends `frame`, writing it now if nothing is ahead of it and the
    /// socket accepts it without blocking.
    pub(crate) fn send(&self, frame: Vec<u8>) {
        let mut writer = {
            let mut state = self.lock();
            if state.failed {
                return;
            }
            // Off a runtime thread some writers (stdio) cannot be polled.
            let direct = state.queue.is_empty() && tokio::runtime::Handle::try_current().is_ok();
            match (direct, state.writer.take()) {
                (true, Some(writer)) => writer,
                (_, writer) => {
                    state.writer = writer;
                    self.enqueue(&mut state, frame, false);
                    drop(state);
                    self.wake.notify_one();
                    return;
                }
            }
        };
        // One non-blocking attempt: a no-op waker, since on `Pending` the
        // writer task takes over and waits properly.
        let mut cx = Context::from_waker(Waker::noop());
        let mut written = 0;
        let mut failed = false;
        while written < frame.len() {
            match writer.as_mut().poll_write(&mut cx, &frame[written..]) {
                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                    failed = true;
                    break;
                }
                Poll::Ready(Ok(n)) => written += n,
                Poll::Pending => break,
            }
        }
        let flushed = written == frame.len()
            && matches!(writer.as_mut().poll_flush(&mut cx), Poll::Ready(Ok(())));
        let mut state = self.lock();
        if failed {
            state.failed = true;
        } else if written < frame.len() {
            self.enqueue(&mut state, frame[written..].to_vec(), true);
        }
        state.needs_flush |= !flushed;
        state.writer = Some(writer);
        let work = failed || !state.queue.is_empty() || state.needs_flush;
        drop(state);
        if work {
            self.wake.notify_one();
        }
    }

    /// The writer task: writes what `send` had to queue, until the
    /// connection closes and the queue is empty; then shuts the stream.
    /// Returns false on a write error.
    pub(crate) async fn run(&self, mut closed: watch::Receiver<bool>) -> bool {
        loop {
            let taken = {
                let mut state = self.lock();
                if state.failed {
                    return false;
                }
                let work = !state.queue.is_empty() || state.needs_flush;
                match (work, state.writer.take()) {
                    (true, Some(writer)) => {
                        let mut batch = Vec::new();
                        while let Some(frame) = state.queue.pop_front() {
                            batch.extend_from_slice(&frame);
                            if batch.len() >= BATCH {
                                break;
                            }
                        }
                        state.needs_flush = false;
                        Some((writer, batch))
                    }
                    (_, writer) => {
                        state.writer = writer;
                        None
                    }
                }
            };
            match taken {
                Some((mut writer, batch)) => {
                    let result = async {
                        writer.write_all(&batch).await?;
                        writer.flush().await
                    }
                    .await;
                    let mut state = self.lock();
                    state.writer = Some(writer);
                    self.dequeued(&mut state, batch.len());
                    if result.is_err() {
                        state.failed = true;
                        return false;
                    }
                }
                None => {
                    if *closed.borrow() && self.lock().queue.is_empty() {
                        break;
                    }
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = closed.changed() => {}
                    }
                }
            }
        }
        let writer = self.lock().writer.take();
        if let Some(mut writer) = writer {
            let _ = writer.shutdown().await;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reading_peer_is_served_while_others_spend_the_shared_budget() {
        let shared = Arc::new(SharedLimits::new(1000, 1 << 20, 1 << 20, 1));
        // A peer that never reads: its socket takes 1 KiB, the rest queues.
        let (stalled_end, _never_read) = tokio::io::duplex(1024);
        let stalled = Outgoing::new(stalled_end, 8 << 20, shared.clone());
        stalled.send(vec![0; 2 << 20]);
        assert!(shared.queued_output() > shared.max_queued_output);
        assert!(!stalled.has_room());
        // Another connection, nothing queued: its reserve lets it go on.
        let (reading_end, _reader) = tokio::io::duplex(1 << 20);
        let reading = Outgoing::new(reading_end, 8 << 20, shared.clone());
        assert!(reading.has_room());
        tokio::time::timeout(std::time::Duration::from_secs(10), reading.wait_for_room())
            .await
            .unwrap_or_else(|_| panic!("a connection with nothing queued waited"));
    }
}
