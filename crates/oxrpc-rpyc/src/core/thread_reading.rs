//! A connection read by a thread of its service's own.
//!
//! A service that runs every request on one thread per connection (classic
//! mode: a Python interpreter's thread) would otherwise take each request
//! from a reader task on the runtime: one thread woken by the kernel to
//! read, a second woken by the first to answer. rpyc's servers have the
//! connection's own thread wait on the socket, and that thread alone
//! wakes. [`ThreadReading`] lets a service do the same: it holds the
//! socket's reading half ([`oxrpc_net::ThreadReadHalf`]) and the frame
//! decoder, and its owner alternates [`ThreadReading::wait`] (the socket or
//! the thread's own wake-up descriptor) with [`ThreadReading::serve`],
//! which decodes what arrived and dispatches it exactly as the reader task
//! does, with the same limits: frame and idle deadlines, the input budget
//! for large frames, the heavy lane for compressed ones, and no new
//! requests while the peer leaves its replies unread.
//!
//! Dispatching only *routes* a request (a service queues the work for its
//! thread, which runs it after `serve` returns), so a thread that waits on
//! the peer in the middle of a request keeps serving: it calls `wait` and
//! `serve` again, and the peer's nested requests and the reply it waits for
//! come through.

use super::connection::{Connection, InputReservation, SMALL_FRAME};
use crate::wire::channel::{FrameDecoder, RawFrame};
use oxrpc_net::ThreadReadHalf;
use std::io;
use std::os::fd::AsFd;
use tokio::time::Instant;
use tracing::debug;

/// Bytes read at a time when no large frame is under way.
const READ_CHUNK: usize = 8 * 1024;

/// Most bytes read at a time into a large frame.
const MAX_READ_CHUNK: usize = 1 << 20;

/// A connection's reading, done by a thread of its service's own (see the
/// module docs). Dropping it stops the reading; the connection itself
/// ends when the peer closes, a deadline passes, or it is closed.
///
/// ```no_run
/// # fn run(mut reading: oxrpc_rpyc::ThreadReading) -> std::io::Result<()> {
/// let (_wake_tx, wake_rx) = std::os::unix::net::UnixStream::pair()?;
/// // On the service's thread: serve until the connection ends.
/// loop {
///     if reading.wait(&wake_rx) && !reading.serve() {
///         break;
///     }
///     // ... run the work the requests queued for this thread ...
/// }
/// # Ok(()) }
/// ```
pub struct ThreadReading {
    connection: Connection,
    reader: ThreadReadHalf,
    decoder: FrameDecoder,
    /// When the first byte of the frame under way came.
    frame_started: Option<Instant>,
    /// When the peer last sent anything.
    last_read: Instant,
    /// Budget held for the large frame under way.
    reserved: Option<InputReservation>,
    runtime: tokio::runtime::Handle,
}

impl ThreadReading {
    /// Reading of `connection` through `reader`, on the current runtime.
    pub(crate) fn new(connection: Connection, reader: ThreadReadHalf) -> ThreadReading {
        let limits = connection.inner.config.frame_limits;
        ThreadReading {
            connection,
            reader,
            decoder: FrameDecoder::with_limits(limits),
            frame_started: None,
            last_read: Instant::now(),
            reserved: None,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// The connection being read.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Blocks until the peer sends something, `wake` becomes readable, or
    /// a read deadline passes. True when [`ThreadReading::serve`] has work:
    /// data, a deadline, or a connection that has ended.
    pub fn wait(&self, wake: &impl AsFd) -> bool {
        if self.connection.is_closed() {
            return true;
        }
        let timeout = self
            .deadline()
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        match self.reader.wait(wake, timeout) {
            Ok(woken) => woken.socket || !woken.other,
            // `serve` meets the same error reading, and ends the connection.
            Err(_) => true,
        }
    }

    /// Like [`ThreadReading::wait`], for at most `limit`: true when
    /// [`ThreadReading::serve`] has work, false when `limit` passed first
    /// (or `wake` woke it). For a thread that borrows the reading while it
    /// waits for something else as well.
    pub fn wait_at_most(&self, wake: &impl AsFd, limit: std::time::Duration) -> bool {
        if self.connection.is_closed() {
            return true;
        }
        let now = Instant::now();
        let deadline = self.deadline();
        let timeout = match deadline {
            Some(deadline) => limit.min(deadline.saturating_duration_since(now)),
            None => limit,
        };
        match self.reader.wait(wake, Some(timeout)) {
            Ok(woken) => woken.socket || deadline.is_some_and(|d| Instant::now() >= d),
            Err(_) => true,
        }
    }

    /// Reads what the peer sent and dispatches every whole frame; false
    /// once the connection has ended (the reading is then of no more use).
    pub fn serve(&mut self) -> bool {
        match self.serve_once() {
            Ok(()) => !self.connection.is_closed(),
            Err(why) => {
                self.connection.shutdown(why);
                false
            }
        }
    }

    /// Hands the reading back to a task on the runtime, as for a service
    /// that reads nothing itself. Must be called within the runtime's
    /// context.
    pub fn read_on_task(self) {
        match self.reader.into_async() {
            Ok(reader) => self.connection.spawn_reader(reader),
            Err(e) => {
                debug!(error = %e, "cannot give a connection's socket back to the runtime");
                self.connection.shutdown("read error");
            }
        }
    }

    /// When the reading gives up: the frame under way's deadline, or the
    /// idle limit.
    fn deadline(&self) -> Option<Instant> {
        let config = &self.connection.inner.config;
        match self.frame_started {
            Some(started) => Some(started + config.frame_timeout),
            None => config.idle_timeout.map(|limit| self.last_read + limit),
        }
    }

    fn serve_once(&mut self) -> Result<(), &'static str> {
        let connection = &self.connection;
        if connection.is_closed() {
            return Ok(());
        }
        let deadline = self.deadline();
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(connection.read_timed_out(self.frame_started.is_some()));
        }
        // Backpressure: no new requests while the peer is not reading the
        // answers to the last ones.
        let outgoing = &connection.inner.outgoing;
        if !outgoing.has_room() {
            self.runtime.block_on(async {
                tokio::select! {
                    _ = outgoing.wait_for_room() => {}
                    _ = connection.closed() => {}
                }
            });
            if connection.is_closed() {
                return Ok(());
            }
        }
        if let (Some(len), None) = (self.decoder.pending_len(), &self.reserved) {
            if len > SMALL_FRAME {
                let reserve = connection.reserve_input(len, deadline);
                match self.runtime.block_on(reserve) {
                    Some(permit) => self.reserved = Some(permit),
                    None => return Err("no budget for a large frame"),
                }
            }
        }
        let want = self
            .decoder
            .bytes_wanted()
            .clamp(READ_CHUNK, MAX_READ_CHUNK);
        let buffer = self.decoder.buffer_mut();
        let start = buffer.len();
        buffer.resize(start + want, 0);
        let read = self.reader.read(&mut buffer[start..]);
        buffer.truncate(start + *read.as_ref().unwrap_or(&0));
        match read {
            Ok(0) => return Err("peer closed the connection"),
            Ok(_) => {
                self.last_read = Instant::now();
                connection.inner.slot.touch();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                return Ok(())
            }
            Err(e) => {
                debug!(conn = %connection.inner.label, error = %e, "read failed");
                return Err("read error");
            }
        }
        let releasing = connection.releases_outstanding();
        loop {
            if connection.serve_small_frame(&mut self.decoder) {
                if connection.is_closed() {
                    return Ok(());
                }
                continue;
            }
            match self.decoder.next_raw_frame() {
                Ok(Some(frame)) => {
                    let lent = connection.lend_reservation(self.reserved.take());
                    self.handle_frame(frame);
                    if lent {
                        connection.take_back_reservation();
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    connection.frame_limit_hit(&e);
                    connection.give_up("a bad frame", &e);
                    return Ok(());
                }
            }
            if connection.is_closed() {
                return Ok(());
            }
        }
        // While a release of ours is unanswered, this end sends nothing
        // until its answer comes (see `Connection::wait_for_releases`), and
        // once it has come, nothing may follow at once either. A stock
        // client, Nagle on, holds its next small message until what it
        // sent is acknowledged: acknowledge now, or both ends wait for the
        // delayed ACK (~40 ms a call, when server code is handed a client
        // object and lets it go).
        if releasing || connection.releases_outstanding() {
            self.reader.acknowledge_now();
        }
        self.frame_started = match (self.decoder.is_mid_frame(), self.frame_started) {
            (false, _) => None,
            (true, None) => Some(Instant::now()),
            (true, started) => started,
        };
        Ok(())
    }

    /// Decodes and dispatches one frame. Compressed and large frames are
    /// decoded right here, on the service's thread, once one of the
    /// server's heavy lanes is free (as the reader task does them on the
    /// blocking pool).
    fn handle_frame(&self, frame: RawFrame) {
        let connection = &self.connection;
        if !frame.compressed && frame.payload.len() <= SMALL_FRAME {
            connection.dispatch(&frame.payload);
            return;
        }
        let shared = connection.inner.config.shared.clone();
        let Ok(_lane) = self.runtime.block_on(shared.heavy.acquire()) else {
            return;
        };
        match frame.into_payload() {
            Ok(payload) => connection.dispatch(&payload),
            Err(e) => {
                connection.frame_limit_hit(&e);
                connection.give_up("a bad frame", &e);
            }
        }
    }
}
