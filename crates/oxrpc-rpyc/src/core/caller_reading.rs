//! Async calls that read their own replies.
//!
//! When the connection's reader task reads every frame, a reply reaches its
//! caller through the pending-call table and a one-shot channel: per call
//! the kernel wakes the reader task, and the reader task wakes the caller.
//! rpyc's `sync_request` has the caller read the socket itself, the
//! blocking client does the same on its thread (`blocking::caller_reads`),
//! and so does an async call here:
//!
//! - Between reads, at a frame boundary, the reader task *parks* the
//!   reading (the socket's reading half and the frame decoder) in the
//!   connection's [`ReadingSlot`], its own waker registered with the socket.
//! - A call whose request is out takes the parked reading, then reads and
//!   serves what arrives exactly as the task would (its own reply, others',
//!   the peer's requests) until its reply is in. Its waker is the one the
//!   socket wakes meanwhile, so only the caller wakes.
//! - Leaving, it parks the reading again with the task's waker registered
//!   on the socket: what arrives between calls (a callback, the peer's
//!   close) wakes the task, as before.
//!
//! What needs the task's bookkeeping stays the task's: a frame that
//! arrives in parts (its deadline, the input budget for a large one) and a
//! full output queue (no reading until the peer reads). The caller hands
//! the reading back, waking the task, and waits for its reply through the
//! table, as does a caller that finds the reading taken: the task or
//! another caller is reading, and routes the reply to it.
//!
//! Connections a server accepted keep the reading in their task: servers
//! seldom call their peers, and parking costs a lock per read.

use super::connection::{AsyncReply, Connection};
use super::error::Error;
use super::value::Value;
use crate::wire::channel::FrameDecoder;
use oxrpc_net::ReadHalf;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::{pin, Pin};
use std::sync::MutexGuard;
use std::task::{Context, Poll, Waker};
use tokio::io::AsyncReadExt;

/// Room made in the receive buffer before each read.
const READ_ROOM: usize = 64 * 1024;

/// A connection's reading: the socket's reading half and the frames
/// arriving on it.
pub(super) struct Reading {
    reader: ReadHalf,
    pub(super) decoder: FrameDecoder,
}

impl Reading {
    pub(super) fn new(reader: ReadHalf, decoder: FrameDecoder) -> Reading {
        Reading { reader, decoder }
    }

    /// Reads what the socket has into the decoder's buffer; when nothing
    /// has come, `cx`'s waker is the one the socket will wake.
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let buffer = self.decoder.buffer_mut();
        buffer.reserve(READ_ROOM);
        pin!(self.reader.read_buf(buffer)).poll(cx)
    }
}

/// Where the reading waits between reads (see the module docs).
#[derive(Default)]
pub(crate) struct ReadingSlot {
    parked: Option<Reading>,
    /// The reader task's waker, for a leaving caller to register.
    task: Option<Waker>,
    /// Callers that read, so the task's idle clock knows the connection
    /// was not idle while it slept.
    caller_reads: u64,
}

impl ReadingSlot {
    fn remember_task(&mut self, waker: &Waker) {
        match &self.task {
            Some(task) if task.will_wake(waker) => {}
            _ => self.task = Some(waker.clone()),
        }
    }
}

/// What the reader task's wait on the socket found.
pub(super) enum TaskRead {
    /// A read's result.
    Read(io::Result<usize>),
    /// The reading came back from a caller with bytes to serve.
    Buffered,
}

impl Connection {
    fn reading_slot(&self) -> MutexGuard<'_, ReadingSlot> {
        self.inner
            .reading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many callers have read so far.
    pub(super) fn caller_reads(&self) -> u64 {
        self.reading_slot().caller_reads
    }

    /// The reader task's wait on the socket, with the reading in `held`
    /// or parked: takes a parked one back first, and parks it when nothing
    /// has come and no frame is under way.
    pub(super) fn poll_task_read(
        &self,
        held: &mut Option<Reading>,
        cx: &mut Context<'_>,
    ) -> Poll<TaskRead> {
        if held.is_none() {
            let mut slot = self.reading_slot();
            match slot.parked.take() {
                Some(reading) => {
                    let buffered = reading.decoder.is_mid_frame();
                    *held = Some(reading);
                    if buffered {
                        return Poll::Ready(TaskRead::Buffered);
                    }
                }
                None => {
                    // A caller reads; leaving, it wakes us or registers us.
                    slot.remember_task(cx.waker());
                    return Poll::Pending;
                }
            }
        }
        let Some(reading) = held.as_mut() else {
            return Poll::Pending;
        };
        let read = reading.poll_read(cx);
        if read.is_pending() && self.inner.callers_read && !reading.decoder.is_mid_frame() {
            let mut slot = self.reading_slot();
            slot.remember_task(cx.waker());
            slot.parked = held.take();
        }
        read.map(TaskRead::Read)
    }

    /// Waits for `reply`, reading the connection meanwhile when its reading
    /// is parked (see the module docs).
    pub(super) async fn read_for_reply(&self, mut reply: AsyncReply) -> Result<Value, Error> {
        let Some(reading) = self.take_parked_reading() else {
            return reply.wait().await;
        };
        let mut caller = CallerReading {
            connection: self,
            reading: Some(reading),
        };
        while let Some(reading) = caller.reading.as_mut() {
            if self.serve_small_frame(&mut reading.decoder) {
                continue;
            }
            match reading.decoder.next_raw_frame() {
                Ok(Some(frame)) => {
                    self.handle_frame(frame).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    self.frame_limit_hit(&e);
                    self.give_up("a bad frame", &e);
                    break;
                }
            }
            if let Some(result) = reply.try_take() {
                return result;
            }
            if self.is_closed() || caller.mid_frame() || !self.inner.outgoing.has_room() {
                break;
            }
            // The reply may also come another way: `Closed` when the
            // connection ends.
            let woke = poll_fn(|cx| {
                if let Poll::Ready(result) = Pin::new(&mut reply).poll(cx) {
                    return Poll::Ready(Err(result));
                }
                let read = match caller.reading.as_mut() {
                    Some(reading) => std::task::ready!(reading.poll_read(cx)),
                    None => Ok(0),
                };
                // What was read is most likely the reply, which this task
                // is about to hand itself through the channel: with its
                // waker still there, that would schedule the task again
                // for nothing. Nothing is waited on while serving it.
                match Pin::new(&mut reply).poll(&mut Context::from_waker(Waker::noop())) {
                    Poll::Ready(result) => Poll::Ready(Err(result)),
                    Poll::Pending => Poll::Ready(Ok(read)),
                }
            })
            .await;
            match woke {
                Err(result) => return result,
                Ok(read) => {
                    if let Err(why) = self.read_outcome(read) {
                        self.shutdown(why);
                        break;
                    }
                }
            }
        }
        // The task takes over; the reply comes through the table.
        drop(caller);
        reply.wait().await
    }

    /// The parked reading, when there is one and this is a runtime thread
    /// (serving what arrives may spawn tasks).
    fn take_parked_reading(&self) -> Option<Reading> {
        if !self.inner.callers_read || tokio::runtime::Handle::try_current().is_err() {
            return None;
        }
        self.reading_slot().parked.take()
    }
}

/// A caller holding the reading; parks it again when dropped, however the
/// call ends (a reply, a timeout, a caller that stopped waiting).
struct CallerReading<'a> {
    connection: &'a Connection,
    reading: Option<Reading>,
}

impl CallerReading<'_> {
    fn mid_frame(&self) -> bool {
        self.reading
            .as_ref()
            .is_some_and(|reading| reading.decoder.is_mid_frame())
    }
}

impl Drop for CallerReading<'_> {
    fn drop(&mut self) {
        let Some(mut reading) = self.reading.take() else {
            return;
        };
        let mut slot = self.connection.reading_slot();
        slot.caller_reads = slot.caller_reads.wrapping_add(1);
        let Some(task) = slot.task.clone() else {
            slot.parked = Some(reading);
            return;
        };
        // With nothing left to serve, the task's waker goes on the socket:
        // only what arrives from now on wakes it.
        let mut ended = None;
        let wake = reading.decoder.is_mid_frame()
            || match reading.poll_read(&mut Context::from_waker(&task)) {
                Poll::Pending => false,
                Poll::Ready(Ok(n)) if n > 0 => true,
                Poll::Ready(read) => {
                    ended = self.connection.read_outcome(read).err();
                    false
                }
            };
        slot.parked = Some(reading);
        drop(slot);
        if let Some(why) = ended {
            self.connection.shutdown(why);
        }
        if wake {
            task.wake();
        }
    }
}
