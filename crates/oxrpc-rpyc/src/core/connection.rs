//! A symmetric RPyC connection.
//!
//! Both ends serve requests and both send them, over one socket. Two tasks
//! run per connection: a reader that decodes frames, routes replies to the
//! requests waiting for them and serves incoming requests, and a writer that
//! sends queued frames (several per write when they pile up). A request whose
//! handler must wait (an `async` service method calling back into the peer)
//! runs on its own task, so the reader keeps going: the peer's reply to the
//! callback, and any request the peer nests inside it, are served meanwhile.
//! That is what keeps nested callbacks in both directions from deadlocking.
//! Such a task is dropped if the connection closes before it finishes.
//! On a client, a call whose reply is due may do the reader's work itself
//! while the reader has nothing to read (`caller_reading`).

use super::call_record::{method_label, CallRecord};
use super::caller_reading::{Reading, ReadingSlot, TaskRead};
use super::dispatch;
use super::error::Error;
use super::in_progress::{InProgress, Refused};
use super::local_objects::LocalObjects;
use super::object::{Context, ObjectRef, Reply, RpcResult};
use super::outgoing::Outgoing;
use super::proxy::{ForwardedProxy, Proxy, ProxyShared};
use super::releases::Releases;
use super::request_timer::RequestTimer;
use super::service::Service;
use super::thread_reading::ThreadReading;
use super::value::{tuple, Value};
use crate::config::Config;
use crate::wire::boxing::{Boxed, IdPack};
use crate::wire::brine::BrineValue;
use crate::wire::channel::{
    encode_frame, FrameDecoder, RawFrame, COMPRESSION_THRESHOLD, FLUSHER, FRAME_HEADER_LEN,
};
use crate::wire::common_shape::{self, Decoded};
use crate::wire::error::MessageError;
use crate::wire::message::{Encode, HandlerId, Message, MessageKind, Outbound, Request};
use crate::wire::vinegar::{RemoteException, PROTOCOL_VERSION, REMOTE_VERSION_ATTR};
use crate::wire::Builtin;
use oxrpc_net::{ReadHalf, Slot, Stream, WriteHalf};
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;
use tracing::{debug, warn};

/// Local objects every connection may hold without drawing on the shared
/// budget (a root and the proxies of a few calls): a server whose shared
/// budget is spent still serves a new client. Costs at most 64 × 0.5 KiB
/// per connection slot.
pub(crate) const RESERVED_OBJECTS: usize = 64;

/// How many of `held` objects were drawn from the shared budget.
fn drawn_from_shared(held: usize) -> usize {
    held.saturating_sub(RESERVED_OBJECTS)
}

/// A handle to a connection. Cheap to clone; all clones are the same connection.
#[derive(Clone)]
pub struct Connection {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(super) outgoing: Arc<Outgoing>,
    /// Keyed by our own seqs: a fast hash is safe.
    pending: Mutex<foldhash::HashMap<u64, oneshot::Sender<Result<Value, Error>>>>,
    /// Bounds [`Connection::request`]'s wait, kept between requests.
    request_timer: RequestTimer,
    /// How long that is, in nanoseconds: `Config::sync_request_timeout`
    /// until [`Connection::set_sync_request_timeout`] changes it.
    request_limit: AtomicU64,
    next_seq: AtomicU64,
    local: Mutex<LocalObjects>,
    proxies: Mutex<HashMap<IdPack, Weak<ProxyShared>>>,
    root: Arc<dyn Service>,
    remote_root: tokio::sync::OnceCell<Proxy>,
    pub(super) config: Config,
    closed: AtomicBool,
    /// What calls on the closed connection fail with, when its end had a
    /// reason worth more than "closed" (a limit, a TLS alert): calls made
    /// after the end learn it too, not only those that were waiting.
    closed_by: OnceLock<Error>,
    closed_tx: watch::Sender<bool>,
    pub(super) label: String,
    /// `HANDLE_DEL`s sent and not answered yet (see `wait_for_releases`).
    releases: Releases,
    /// Asks the socket's reading half to acknowledge at once, where the
    /// transport can (see `read_loop`).
    ack_request: std::sync::OnceLock<oxrpc_net::AckRequest>,
    /// Requests being served by handlers that had to wait, and the bytes
    /// of their frames (see `in_progress`).
    pub(super) pending_handlers: std::sync::atomic::AtomicUsize,
    pub(super) pending_bytes: std::sync::atomic::AtomicUsize,
    /// The input reservation of the frame being dispatched: its request
    /// keeps it if its handler waits (see `in_progress`), so a large
    /// request is counted once, not once arriving and again waiting.
    frame_reservation: Mutex<Option<InputReservation>>,
    /// The connection's slot in its server (busy while requests run).
    pub(super) slot: Arc<Slot>,
    /// Where the reader task parks the reading between reads, for a
    /// caller to read its own reply (see `caller_reading`).
    pub(super) reading: Mutex<ReadingSlot>,
    /// Whether the reader task parks it: not in a server, which seldom
    /// calls its peers.
    pub(super) callers_read: bool,
}

impl Inner {
    /// Where a lent frame reservation waits for its request (see
    /// `in_progress`).
    pub(super) fn frame_slot(&self) -> std::sync::MutexGuard<'_, Option<InputReservation>> {
        self.frame_reservation
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

/// `limit` in nanoseconds, the longest a `u64` holds (584 years) for more.
fn nanos(limit: Duration) -> u64 {
    u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX)
}

/// Frames up to this size (uncompressed) are decoded by the reader itself
/// and buffered without drawing on the server's input budget.
pub(super) const SMALL_FRAME: usize = 256 * 1024;

/// Bytes of the server's input budget held while a large frame arrives,
/// given back when it is dropped.
pub(super) struct InputReservation {
    shared: Arc<crate::config::SharedLimits>,
    bytes: u32,
}

impl InputReservation {
    /// How many bytes of the budget it holds.
    pub(super) fn bytes(&self) -> usize {
        self.bytes as usize
    }
}

impl Drop for InputReservation {
    fn drop(&mut self) {
        self.shared.input.add_permits(self.bytes as usize);
    }
}

/// Who reads a connection's socket.
enum ReadSide {
    /// A task on the runtime.
    Task(ReadHalf),
    /// A thread of the service's own (see [`ThreadReading`]).
    Thread(oxrpc_net::ThreadReadHalf),
}

/// The longest a request waits for the peer to answer earlier releases.
const RELEASE_WAIT: Duration = Duration::from_millis(50);

/// How long after a failed write the reader has to end the connection
/// with the reason it read (calls waiting until then get that reason).
const WRITE_ERROR_GRACE: Duration = Duration::from_millis(200);

impl Connection {
    /// Starts serving `stream` with `root` as our service (what the peer's
    /// `conn.root` returns). Spawns the reader and writer tasks on the
    /// current tokio runtime and calls the service's `on_connect`. Any
    /// duplex stream works; for sockets prefer [`Connection::start_stream`],
    /// whose reading and writing never wait for each other.
    pub fn start<S>(stream: S, root: Arc<dyn Service>, config: Config) -> Connection
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        Connection::start_in(stream, root, config, Arc::new(Slot::detached()))
    }

    /// Like [`Connection::start`], in a server's `slot`: the connection is
    /// marked busy while requests run, so the server evicts only idle ones.
    pub fn start_in<S>(
        stream: S,
        root: Arc<dyn Service>,
        config: Config,
        slot: Arc<Slot>,
    ) -> Connection
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (reader, writer) = tokio::io::split(stream);
        Connection::start_halves(Box::new(reader), Box::new(writer), root, config, slot)
    }

    /// Like [`Connection::start`], for one of oxrpc's own streams: sockets
    /// split without a lock between reading and writing, so a reply being
    /// written never holds up the reading of the next request.
    pub fn start_stream(stream: Stream, root: Arc<dyn Service>, config: Config) -> Connection {
        Connection::start_stream_in(stream, root, config, Arc::new(Slot::detached()))
    }

    /// [`Connection::start_stream`] in a server's `slot` (see
    /// [`Connection::start_in`]).
    ///
    /// A service that reads its connection on a thread of its own
    /// ([`Service::reads_on_own_thread`]) gets the socket's reading half
    /// after `on_connect` ([`Service::adopt_reading`]) when the stream is
    /// a plain socket; otherwise a task reads it, as for every service.
    pub fn start_stream_in(
        stream: Stream,
        root: Arc<dyn Service>,
        config: Config,
        slot: Arc<Slot>,
    ) -> Connection {
        let read_by_thread = root.reads_on_own_thread();
        let (connection, reading) =
            Connection::start_stream_split(stream, root, config, slot, read_by_thread);
        if let Some(reading) = reading {
            if let Err(reading) = connection.inner.root.adopt_reading(reading) {
                reading.read_on_task();
            }
        }
        connection
    }

    /// Starts serving over separate reading and writing halves.
    pub(crate) fn start_halves(
        reader: ReadHalf,
        writer: WriteHalf,
        root: Arc<dyn Service>,
        config: Config,
        slot: Arc<Slot>,
    ) -> Connection {
        Connection::start_with(ReadSide::Task(reader), writer, root, config, slot).0
    }

    /// Starts serving `stream` with no task reading it when it is a plain
    /// socket: the reading is returned for the caller's own threads to do
    /// (a blocking client reads its replies on the thread that waits for
    /// them). Other streams get a reader task, and `None`.
    pub(crate) fn start_stream_read_by_caller(
        stream: Stream,
        root: Arc<dyn Service>,
        config: Config,
    ) -> (Connection, Option<Box<ThreadReading>>) {
        let slot = Arc::new(Slot::detached());
        Connection::start_stream_split(stream, root, config, slot, true)
    }

    /// Starts serving `stream`: with its reading returned for a thread to
    /// do when `read_by_thread` and the stream is a plain socket, else read
    /// by a task.
    fn start_stream_split(
        stream: Stream,
        root: Arc<dyn Service>,
        config: Config,
        slot: Arc<Slot>,
        read_by_thread: bool,
    ) -> (Connection, Option<Box<ThreadReading>>) {
        let stream = if read_by_thread {
            match stream.into_thread_split() {
                Ok(Ok((reader, writer))) => {
                    return Connection::start_with(
                        ReadSide::Thread(reader),
                        writer,
                        root,
                        config,
                        slot,
                    )
                }
                Ok(Err(e)) => {
                    // The socket is gone: a connection that ends at once.
                    warn!(error = %e, "cannot hand a connection's socket to a thread");
                    let (reader, writer): (ReadHalf, WriteHalf) =
                        (Box::new(tokio::io::empty()), Box::new(tokio::io::sink()));
                    return (
                        Connection::start_halves(reader, writer, root, config, slot),
                        None,
                    );
                }
                Err(stream) => stream,
            }
        } else {
            stream
        };
        let ack_request = stream.ack_request();
        let (reader, writer) = stream.into_split();
        let connection = Connection::start_halves(reader, writer, root, config, slot);
        if let Some(ack_request) = ack_request {
            let _ = connection.inner.ack_request.set(ack_request);
        }
        (connection, None)
    }

    /// Starts the connection; a reading to be done by some thread is
    /// returned for the caller to place.
    fn start_with(
        reader: ReadSide,
        writer: WriteHalf,
        root: Arc<dyn Service>,
        config: Config,
        slot: Arc<Slot>,
    ) -> (Connection, Option<Box<ThreadReading>>) {
        let outgoing = Arc::new(Outgoing::new(
            writer,
            config.max_queued_output,
            config.shared.clone(),
        ));
        let (closed_tx, _) = watch::channel(false);
        let label = config.connid.clone().unwrap_or_else(|| "conn".into());
        let connection = Connection {
            inner: Arc::new(Inner {
                outgoing: outgoing.clone(),
                pending: Mutex::default(),
                request_timer: RequestTimer::default(),
                request_limit: AtomicU64::new(nanos(config.sync_request_timeout)),
                next_seq: AtomicU64::new(0),
                local: Mutex::new(LocalObjects::default()),
                proxies: Mutex::new(HashMap::new()),
                root,
                remote_root: tokio::sync::OnceCell::new(),
                config,
                closed: AtomicBool::new(false),
                closed_by: OnceLock::new(),
                closed_tx,
                label,
                releases: Releases::default(),
                ack_request: std::sync::OnceLock::new(),
                pending_handlers: std::sync::atomic::AtomicUsize::new(0),
                pending_bytes: std::sync::atomic::AtomicUsize::new(0),
                frame_reservation: Mutex::new(None),
                callers_read: !slot.in_server(),
                slot,
                reading: Mutex::new(ReadingSlot::default()),
            }),
        };
        let closed = connection.inner.closed_tx.subscribe();
        let weak = connection.downgrade();
        tokio::spawn(async move {
            if !outgoing.run(closed).await {
                // A write fails when the peer has gone, and the reader
                // usually learns why a moment later (a TLS alert before the
                // reset): it ends the connection with that reason if it
                // can, so the calls waiting are told more than "closed".
                let Some(mut ended) = weak.upgrade().map(|inner| inner.closed_tx.subscribe())
                else {
                    return;
                };
                let _ =
                    tokio::time::timeout(WRITE_ERROR_GRACE, ended.wait_for(|closed| *closed)).await;
                if let Some(inner) = weak.upgrade() {
                    Connection::from_inner(inner).shutdown("write error");
                }
            }
        });
        // The service is set up before the first request can reach it.
        connection.inner.root.on_connect(&connection);
        match reader {
            ReadSide::Task(reader) => connection.spawn_reader(reader),
            ReadSide::Thread(reader) => {
                let reading = Box::new(ThreadReading::new(connection.clone(), reader));
                return (connection, Some(reading));
            }
        }
        (connection, None)
    }

    /// Has a task read the connection from now on.
    pub(crate) fn spawn_reader(&self, reader: ReadHalf) {
        let reader_conn = self.clone();
        tokio::spawn(async move { reader_conn.read_loop(reader).await });
    }

    pub(crate) fn downgrade(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Connection {
        Connection { inner }
    }

    /// The settings this connection runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// What the server's authenticator established about the peer.
    pub fn credentials(&self) -> Option<&oxrpc_net::Credentials> {
        self.inner.config.credentials.as_ref()
    }

    /// Our service (the object the peer's `conn.root` is).
    pub fn local_root(&self) -> &Arc<dyn Service> {
        &self.inner.root
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Waits until the connection closes (either side, or an I/O error).
    pub async fn closed(&self) {
        let mut rx = self.inner.closed_tx.subscribe();
        while !*rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// How many of our objects the peer currently holds references to.
    pub fn local_object_count(&self) -> usize {
        self.inner.local.lock().map(|l| l.len()).unwrap_or(0)
    }

    /// Waits until the frames queued for the peer are under the
    /// connection's output limit (at once, nearly always): a sender that
    /// does not wait for replies ([`Connection::request_async`]) waits
    /// here for a peer that does not read, as rpyc's blocking write would.
    /// Returns at once too when the connection has failed.
    ///
    /// ```no_run
    /// # async fn f(connection: oxrpc_rpyc::Connection) {
    /// connection.room_to_send().await;
    /// let reply = connection.request_async(oxrpc_rpyc::HandlerId::Ping, vec!["hi".into()]);
    /// # drop(reply); }
    /// ```
    pub async fn room_to_send(&self) {
        self.inner.outgoing.wait_for_room().await;
    }

    /// Whether frames may be queued for the peer now (see
    /// [`Connection::room_to_send`]).
    pub fn has_room_to_send(&self) -> bool {
        self.inner.outgoing.has_room()
    }

    /// How many of our requests are waiting for the peer's reply. A request
    /// that times out or whose caller stops waiting leaves this count.
    pub fn requests_awaiting_reply(&self) -> usize {
        self.inner.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Whether `other` is a handle to this same connection.
    pub fn same_as(&self, other: &Connection) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The peer's root object (its service), fetched once.
    pub async fn root(&self) -> Result<Proxy, Error> {
        self.inner
            .remote_root
            .get_or_try_init(|| async {
                match self.request(HandlerId::GetRoot, Vec::new()).await? {
                    Value::Proxy(proxy) => Ok(proxy),
                    other => Err(Error::Protocol(format!(
                        "the peer's root is not an object: {other:?}"
                    ))),
                }
            })
            .await
            .cloned()
    }

    /// Sends a request and waits for its reply (at most
    /// [`Config::sync_request_timeout`]).
    pub async fn request(&self, handler: HandlerId, args: Vec<Value>) -> Result<Value, Error> {
        // A call into the peer: inside the span of the request being
        // served, when it is made while serving one (a callback).
        let span = self.outgoing_span(handler);
        let work = async {
            self.wait_for_releases().await;
            let reply = self.request_async(handler, args);
            let limit = self.sync_request_timeout();
            let mut timer = self.inner.request_timer.start(limit);
            let result = tokio::select! {
                biased;
                result = self.read_for_reply(reply) => result,
                () = timer.as_mut() => Err(Error::Timeout(limit)),
            };
            self.inner.request_timer.keep(timer);
            result
        };
        tracing::Instrument::instrument(work, span).await
    }

    /// The span of a call into the peer (`rpc.out`), for a caller that
    /// sends with [`Connection::request_async`] and waits itself, as
    /// [`Connection::request`] has.
    pub fn outgoing_span(&self, handler: HandlerId) -> tracing::Span {
        tracing::info_span!(
            "rpc.out",
            protocol = "rpyc",
            conn = %self.inner.label,
            handler = handler.const_name(),
        )
    }

    /// Whether a release (`HANDLE_DEL`) we sent is unanswered: a caller
    /// that sends with [`Connection::request_async`] waits for it first,
    /// as [`Connection::request`] does (so that a peer with Nagle's
    /// algorithm on answers at once).
    pub fn releases_unanswered(&self) -> bool {
        self.releases_outstanding()
    }

    /// How long [`Connection::request`] waits for a reply now.
    pub fn sync_request_timeout(&self) -> Duration {
        Duration::from_nanos(self.inner.request_limit.load(Ordering::Relaxed))
    }

    /// Changes how long [`Connection::request`] waits for a reply, from the
    /// next request on (rpyc reads its `sync_request_timeout` from the
    /// connection's `_config` at each request, so a peer may change it).
    ///
    /// ```no_run
    /// # async fn f(connection: oxrpc_rpyc::Connection) {
    /// connection.set_sync_request_timeout(std::time::Duration::from_secs(120));
    /// assert_eq!(connection.sync_request_timeout().as_secs(), 120);
    /// # }
    /// ```
    pub fn set_sync_request_timeout(&self, limit: Duration) {
        self.inner
            .request_limit
            .store(nanos(limit), Ordering::Relaxed);
    }

    /// Sends a request and returns at once with a handle to its reply.
    pub fn request_async(&self, handler: HandlerId, args: Vec<Value>) -> AsyncReply {
        let (tx, rx) = oneshot::channel();
        let seq = self.inner.next_seq.fetch_add(1, Ordering::Relaxed);
        let reply = AsyncReply {
            rx,
            seq,
            connection: self.downgrade(),
            settled: false,
        };
        if self.is_closed() {
            let _ = tx.send(Err(self.closed_error()));
            return reply;
        }
        if let Ok(mut pending) = self.inner.pending.lock() {
            pending.insert(seq, tx);
        }
        let mut sent_proxies = Vec::new();
        match self.box_value(tuple(args), &mut sent_proxies) {
            Ok(boxed) => self.send(Outbound::Request {
                seq,
                handler,
                args: &boxed,
            }),
            Err(exc) => {
                if let Some(tx) = self.take_pending(seq) {
                    let _ = tx.send(Err(Error::Protocol(format!(
                        "cannot send the arguments: {exc}"
                    ))));
                }
            }
        }
        // Only now may a proxy sent home release its object (see `box_value`).
        drop(sent_proxies);
        reply
    }

    /// Sends a request nobody waits for (proxy releases).
    pub(crate) fn request_nowait(&self, handler: HandlerId, args: Boxed) {
        if self.is_closed() {
            return;
        }
        let seq = self.inner.next_seq.fetch_add(1, Ordering::Relaxed);
        if handler == HandlerId::Del {
            self.inner.releases.sent(seq);
        }
        self.send(Outbound::Request {
            seq,
            handler,
            args: &args,
        });
    }

    /// Waits, at most [`RELEASE_WAIT`], until the peer has answered every
    /// `HANDLE_DEL` we sent.
    ///
    /// A stock rpyc peer leaves Nagle's algorithm on. When our request
    /// follows a release, the peer writes the release's reply, then the
    /// request's, and the kernel holds the second small segment until we
    /// ACK the first: a delayed ACK, ~40 ms, per call. Python clients never
    /// see this because their own Nagle holds the request until the release
    /// is answered; we wait for the same thing explicitly.
    async fn wait_for_releases(&self) {
        // Nearly always none is outstanding: known without a clock read or
        // a waiter registered and removed.
        if !self.releases_outstanding() {
            return;
        }
        let deadline = tokio::time::Instant::now() + RELEASE_WAIT;
        loop {
            let answered = self.inner.releases.next_answer();
            tokio::pin!(answered);
            answered.as_mut().enable();
            if !self.releases_outstanding() || self.is_closed() {
                return;
            }
            if tokio::time::timeout_at(deadline, answered).await.is_err() {
                // A peer that does not answer releases: stop waiting for them.
                self.inner.releases.forget();
                return;
            }
        }
    }

    /// Whether a `HANDLE_DEL` we sent is still unanswered.
    pub(crate) fn releases_outstanding(&self) -> bool {
        self.inner.releases.outstanding()
    }

    /// Records the answer to a release; false if `seq` was not one.
    fn release_answered(&self, seq: u64) -> bool {
        self.inner.releases.answered(seq)
    }

    /// Checks the peer is alive: sends data and expects it echoed.
    pub async fn ping(&self) -> Result<(), Error> {
        let data = "abcdefghijklmnopqrstuvwxyz".repeat(20);
        let echoed = self
            .request(
                HandlerId::Ping,
                vec![Value::Brine(BrineValue::Str(data.clone()))],
            )
            .await?;
        match echoed {
            Value::Brine(BrineValue::Str(s)) if s == data => Ok(()),
            _ => Err(Error::Protocol(
                "the ping's echo does not match what was sent".into(),
            )),
        }
    }

    /// Closes the connection: tells the peer (`HANDLE_CLOSE`), then tears down.
    pub async fn close(&self) {
        if !self.is_closed() {
            self.request_nowait(
                HandlerId::Close,
                Boxed::Value(BrineValue::Tuple(Vec::new())),
            );
            // Give the writer a moment to flush the CLOSE before shutting down.
            tokio::task::yield_now().await;
        }
        self.shutdown("closed locally");
    }

    /// A handler takes a [`crate::Responder`] for a request of `bytes`:
    /// counted as in progress, and the connection busy, until it answers;
    /// refused over the connection's or the server's bounds.
    pub(crate) fn begin_deferred(
        &self,
        bytes: usize,
    ) -> Result<(InProgress, oxrpc_net::Busy), Refused> {
        let in_progress = InProgress::enter(&self.inner, bytes)?;
        Ok((in_progress, self.inner.slot.busy()))
    }

    /// A [`crate::Responder`] answers.
    pub(crate) fn finish_deferred(&self, seq: BrineValue, result: RpcResult) {
        if !self.is_closed() {
            self.send_result(seq, result);
        }
    }

    fn take_pending(&self, seq: u64) -> Option<oneshot::Sender<Result<Value, Error>>> {
        self.inner.pending.lock().ok()?.remove(&seq)
    }

    /// What a call on this closed connection fails with.
    fn closed_error(&self) -> Error {
        self.inner.closed_by.get().cloned().unwrap_or(Error::Closed)
    }

    pub(crate) fn shutdown(&self, why: &str) {
        self.shutdown_failing_calls_with(why, Error::Closed)
    }

    /// Closes the connection; calls waiting for a reply fail with `error`.
    fn shutdown_failing_calls_with(&self, why: &str, error: Error) {
        if error != Error::Closed {
            // Set before the connection reads as closed, so that no call
            // made after the end sees a bare "closed" (also when another
            // path, a failed write say, closed it a moment before).
            let _ = self.inner.closed_by.set(error.clone());
        }
        if self.inner.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        debug!(conn = %self.inner.label, why, "connection closing");
        let pending: Vec<_> = match self.inner.pending.lock() {
            Ok(mut pending) => pending.drain().map(|(_, tx)| tx).collect(),
            Err(_) => Vec::new(),
        };
        for tx in pending {
            let _ = tx.send(Err(error.clone()));
        }
        self.inner.releases.forget();
        let released = match self.inner.local.lock() {
            Ok(mut local) => local.clear(),
            Err(_) => Vec::new(),
        };
        self.inner
            .config
            .shared
            .objects
            .fetch_sub(drawn_from_shared(released.len()), Ordering::AcqRel);
        if let Some(telemetry) = &self.inner.config.telemetry {
            telemetry.objects_changed(-(released.len() as i64));
        }
        drop(released);
        self.inner.root.on_disconnect(self);
        let _ = self.inner.closed_tx.send(true);
    }

    /// Frames and sends a message: an [`Outbound`] one, or a built
    /// [`Message`] (exceptions).
    fn send(&self, message: impl Encode) {
        // Encode straight after room for the header: most messages are
        // small and go out uncompressed, without a second buffer and copy.
        let mut frame = Vec::with_capacity(128);
        frame.extend_from_slice(&[0; FRAME_HEADER_LEN]);
        message.encode_into(&mut frame);
        let payload_len = frame.len() - FRAME_HEADER_LEN;
        match u32::try_from(payload_len) {
            Ok(len) if payload_len <= COMPRESSION_THRESHOLD => {
                frame[..4].copy_from_slice(&len.to_be_bytes());
                frame.push(FLUSHER);
            }
            _ => {
                let mut compressed = Vec::with_capacity(payload_len / 2 + 16);
                if let Err(e) = encode_frame(&frame[FRAME_HEADER_LEN..], &mut compressed) {
                    warn!(conn = %self.inner.label, error = %e, "cannot frame an outgoing message");
                    return;
                }
                frame = compressed;
            }
        }
        self.inner.outgoing.send(frame);
    }

    fn send_result(&self, seq: BrineValue, result: RpcResult) {
        if let Err(exc) = &result {
            if exc.is(Builtin::KeyboardInterrupt) {
                // rpyc re-raises KeyboardInterrupt on the serving side
                // (propagate_KeyboardInterrupt_locally): the connection ends
                // instead of answering, and the peer sees EOF.
                warn!(conn = %self.inner.label, "a request raised KeyboardInterrupt; closing");
                self.request_nowait(
                    HandlerId::Close,
                    Boxed::Value(BrineValue::Tuple(Vec::new())),
                );
                self.shutdown("KeyboardInterrupt");
                return;
            }
        }
        let mut sent_proxies = Vec::new();
        match result.and_then(|value| self.box_value(value, &mut sent_proxies)) {
            Ok(boxed) => self.send(Outbound::Reply {
                seq: &seq,
                result: &boxed,
            }),
            Err(mut exc) => {
                // rpyc's vinegar ends every exception's attributes with the
                // protocol version it speaks; Python clients compare majors.
                if !exc.is_stop_iteration() && exc.remote_version().is_none() {
                    exc = exc.with_standard_attributes();
                    exc.attrs
                        .push((REMOTE_VERSION_ATTR.to_owned(), PROTOCOL_VERSION.into()));
                }
                if exc.traceback.is_empty() && !exc.is_stop_iteration() {
                    // Python peers print this under "Remote Traceback".
                    exc.traceback = format!(
                        "Traceback (most recent call last):\n  File \"<oxrpc {}>\", in request\n{}: {}\n",
                        self.inner.label,
                        exc.name,
                        exc.message()
                    );
                }
                self.send(&Message::exception(seq, &exc))
            }
        }
        drop(sent_proxies);
    }

    /// Turns a value into its wire form, registering our objects.
    ///
    /// Proxies sent home (`LOCAL_REF`) are moved into `sent_proxies`, which
    /// the caller drops only after queueing the message: dropping the last
    /// clone here would queue its `HANDLE_DEL` *before* the message, and the
    /// peer would release the object before reading the reference to it.
    pub(crate) fn box_value(
        &self,
        value: Value,
        sent_proxies: &mut Vec<Proxy>,
    ) -> Result<Boxed, RemoteException> {
        Ok(match value {
            Value::Brine(v) => Boxed::Value(v),
            Value::Tuple(items) => {
                let mut boxed = Vec::with_capacity(items.len());
                for item in items {
                    boxed.push(self.box_value(item, sent_proxies)?);
                }
                Boxed::tuple(boxed)
            }
            Value::Object(object) => Boxed::RemoteRef(self.register(&object)?),
            Value::Proxy(proxy) if proxy.belongs_to(self) => {
                let id_pack = proxy.id_pack().clone();
                sent_proxies.push(proxy);
                Boxed::LocalRef(id_pack)
            }
            Value::Proxy(proxy) => {
                // A proxy from another connection: serve it through a
                // forwarding object so the peer can use it like any other.
                let object: ObjectRef = Arc::new(ForwardedProxy::new(proxy));
                Boxed::RemoteRef(self.register(&object)?)
            }
        })
    }

    /// Registers `object` for the peer. The first [`RESERVED_OBJECTS`] of
    /// each connection are its own; the rest draw on the server-wide
    /// budget, so peers that exhaust it still leave every newcomer enough
    /// to work.
    fn register(&self, object: &ObjectRef) -> Result<IdPack, RemoteException> {
        let max = self.inner.config.max_local_objects;
        let shared = &self.inner.config.shared;
        let full = || {
            RemoteException::memory_error(format!(
                "the peer holds more than {max} objects of this connection"
            ))
        };
        let mut local = self.inner.local.lock().map_err(|_| full())?;
        if !local.contains(object) {
            if local.len() >= max {
                self.limit_hit("local_objects");
                return Err(full());
            }
            let draws = local.len() >= RESERVED_OBJECTS;
            if draws && shared.objects.fetch_add(1, Ordering::AcqRel) >= shared.max_objects {
                shared.objects.fetch_sub(1, Ordering::AcqRel);
                self.limit_hit("objects");
                return Err(RemoteException::memory_error(format!(
                    "the server holds {} objects for its peers, its limit",
                    shared.max_objects
                )));
            }
            if let Some(telemetry) = &self.inner.config.telemetry {
                telemetry.objects_changed(1);
            }
        }
        local.add(object).ok_or_else(full)
    }

    /// Turns a wire form into a value, resolving references.
    pub(crate) fn unbox(&self, boxed: Boxed) -> Result<Value, RemoteException> {
        Ok(match boxed {
            Boxed::Value(v) => Value::Brine(v),
            Boxed::Tuple(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.unbox(item)?);
                }
                Value::Tuple(values)
            }
            Boxed::LocalRef(id_pack) => Value::Object(self.local_object(&id_pack)?),
            Boxed::RemoteRef(id_pack) => Value::Proxy(self.proxy_for(id_pack)),
        })
    }

    /// The object of ours the peer knows by `id_pack`, if it holds one.
    pub fn local_object(&self, id_pack: &IdPack) -> Result<ObjectRef, RemoteException> {
        self.inner
            .local
            .lock()
            .ok()
            .and_then(|local| local.get(id_pack))
            .ok_or_else(|| RemoteException::key_error(id_pack.to_brine()))
    }

    /// Drops `count` of the peer's references to one of our objects;
    /// false when we hold no such object.
    pub(crate) fn release_local(&self, id_pack: &IdPack, count: f64) -> bool {
        let (found, removed, drew) = match self.inner.local.lock() {
            Ok(mut local) => {
                let (found, removed) = local.decref(id_pack, count);
                // The entry that went was one drawn from the shared budget
                // unless the table is now within the reserve.
                let drew = local.len() >= RESERVED_OBJECTS;
                (found, removed, drew)
            }
            Err(_) => (false, None, false),
        };
        if removed.is_some() && drew {
            self.inner
                .config
                .shared
                .objects
                .fetch_sub(1, Ordering::AcqRel);
        }
        if removed.is_some() {
            if let Some(telemetry) = &self.inner.config.telemetry {
                telemetry.objects_changed(-1);
            }
        }
        // The object itself is dropped here, outside the lock.
        drop(removed);
        found
    }

    fn proxy_for(&self, id_pack: IdPack) -> Proxy {
        let mut proxies = match self.inner.proxies.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(shared) = proxies.get(&id_pack).and_then(Weak::upgrade) {
            shared.add_reference();
            return Proxy::from_shared(shared);
        }
        let shared = Arc::new(ProxyShared::new(id_pack.clone(), self.clone()));
        proxies.insert(id_pack, Arc::downgrade(&shared));
        Proxy::from_shared(shared)
    }

    pub(crate) fn forget_proxy(&self, id_pack: &IdPack, shared: *const ProxyShared) {
        if let Ok(mut proxies) = self.inner.proxies.lock() {
            if proxies
                .get(id_pack)
                .is_some_and(|w| std::ptr::eq(w.as_ptr(), shared))
            {
                proxies.remove(id_pack);
            }
        }
    }

    /// The reader task: reads frames and serves them until the connection
    /// ends. Between reads it may park the reading for a caller to do
    /// (see `caller_reading`), and takes it back when the socket wakes it.
    async fn read_loop(self, reader: ReadHalf) {
        let config = &self.inner.config;
        let decoder = FrameDecoder::with_limits(config.frame_limits);
        // The reading while this task holds it; `None` while parked.
        let mut held = Some(Reading::new(reader, decoder));
        let mut closed_rx = self.inner.closed_tx.subscribe();
        // One wait for the close, registered once and polled by every
        // `select!` below: a fresh `changed()` per select would register
        // and unregister a waiter on every frame.
        let closed = closed_rx.changed();
        tokio::pin!(closed);
        // Budget held for the large frame being received, and when its
        // first byte came.
        let mut reserved: Option<InputReservation> = None;
        let mut frame_started: Option<Instant> = None;
        let why = loop {
            let releasing = self.releases_outstanding();
            while let Some(reading) = held.as_mut() {
                if self.serve_small_frame(&mut reading.decoder) {
                    if self.is_closed() {
                        return;
                    }
                    continue;
                }
                match reading.decoder.next_raw_frame() {
                    Ok(Some(frame)) => {
                        let lent = self.lend_reservation(reserved.take());
                        self.handle_frame(frame).await;
                        if lent {
                            self.take_back_reservation();
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        self.frame_limit_hit(&e);
                        self.give_up("a bad frame", &e);
                        return;
                    }
                }
                if self.is_closed() {
                    return;
                }
            }
            // While a release of ours is unanswered, nothing goes out until
            // its answer comes (`wait_for_releases`), nor at once after it:
            // a stock peer, Nagle on, holds its next small message until
            // what it sent is acknowledged, so acknowledge now rather than
            // after the kernel's delayed-ACK wait (as `ThreadReading` does).
            if releasing || self.releases_outstanding() {
                if let Some(ack_request) = self.inner.ack_request.get() {
                    ack_request.request();
                }
            }
            // Backpressure: no new requests while the peer is not reading
            // the answers to the last ones.
            tokio::select! {
                biased;
                _ = self.inner.outgoing.wait_for_room() => {}
                _ = &mut closed => break "closed",
            }
            // A parked reading's frame clock starts once this task takes it.
            let mid_frame = held.as_ref().is_some_and(|r| r.decoder.is_mid_frame());
            frame_started = match (mid_frame, frame_started) {
                (false, _) => None,
                (true, None) => Some(Instant::now()),
                (true, started) => started,
            };
            let deadline = frame_started.map(|t| t + config.frame_timeout);
            let pending_len = held.as_ref().and_then(|r| r.decoder.pending_len());
            if let (Some(len), None) = (pending_len, &reserved) {
                if len > SMALL_FRAME {
                    match self.reserve_input(len, deadline).await {
                        Some(permit) => reserved = Some(permit),
                        None => break "no budget for a large frame",
                    }
                }
            }
            // Only an idle limit needs to know whether callers read.
            let caller_reads = config.idle_timeout.map(|_| self.caller_reads());
            let idle = async {
                match (deadline, config.idle_timeout) {
                    (Some(deadline), _) => tokio::time::sleep_until(deadline).await,
                    (None, Some(limit)) => tokio::time::sleep(limit).await,
                    (None, None) => std::future::pending().await,
                }
            };
            let read = std::future::poll_fn(|cx| self.poll_task_read(&mut held, cx));
            tokio::select! {
                read = read => match read {
                    TaskRead::Read(read) => {
                        if let Err(why) = self.read_outcome(read) {
                            break why;
                        }
                    }
                    TaskRead::Buffered => {}
                },
                _ = &mut closed => break "closed",
                _ = idle => {
                    // Callers read meanwhile: the connection was not idle.
                    if frame_started.is_none()
                        && caller_reads.is_some_and(|seen| seen != self.caller_reads())
                    {
                        continue;
                    }
                    break self.read_timed_out(frame_started.is_some());
                }
            }
        };
        self.shutdown(why);
    }

    /// What a read's result means for the connection: `Err` with why it
    /// ends when the peer closed it or it failed.
    pub(super) fn read_outcome(&self, read: std::io::Result<usize>) -> Result<(), &'static str> {
        match read {
            Ok(0) => Err("peer closed the connection"),
            Ok(_) => {
                self.inner.slot.touch();
                Ok(())
            }
            // A TLS alert (the peer refused our certificate after the
            // handshake, say) is the only word on why the connection
            // ends: said where a user sees it.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                warn!(conn = %self.inner.label, error = %e, "the connection failed");
                // The calls waiting here are told too, not only "closed".
                self.shutdown_failing_calls_with(
                    "read error",
                    Error::Protocol(format!("the connection failed: {e}")),
                );
                Err("read error")
            }
            Err(e) => {
                debug!(conn = %self.inner.label, error = %e, "read failed");
                Err("read error")
            }
        }
    }

    /// A read deadline passed: the frame under way did not arrive whole
    /// in time (`mid_frame`), or the peer sent nothing for too long. Says
    /// so and counts it; returns why the connection closes.
    pub(super) fn read_timed_out(&self, mid_frame: bool) -> &'static str {
        let config = &self.inner.config;
        if mid_frame {
            warn!(conn = %self.inner.label, "a frame did not arrive whole within {:?}; closing", config.frame_timeout);
            self.limit_hit("frame_timeout");
            return "frame timeout";
        }
        warn!(conn = %self.inner.label, "idle for longer than {:?}; closing", config.idle_timeout);
        self.limit_hit("idle_timeout");
        "idle timeout"
    }

    /// Lends the input reservation of the frame about to be dispatched (if
    /// it made one: only large frames do) to its request; whether it did.
    pub(super) fn lend_reservation(&self, reservation: Option<InputReservation>) -> bool {
        let Some(reservation) = reservation else {
            return false;
        };
        *self.inner.frame_slot() = Some(reservation);
        true
    }

    /// After a dispatch that was lent a reservation: what the request did
    /// not keep goes back to the budget.
    pub(super) fn take_back_reservation(&self) {
        let returned = self.inner.frame_slot().take();
        drop(returned);
    }

    /// Reserves `len` bytes of the server's input budget for a large frame,
    /// waiting (until the frame's deadline) while other connections hold
    /// it; `None` when it cannot be had.
    pub(super) async fn reserve_input(
        &self,
        len: usize,
        deadline: Option<Instant>,
    ) -> Option<InputReservation> {
        let shared = self.inner.config.shared.clone();
        let bytes = u32::try_from(len).ok()?;
        let acquire = async {
            shared.input.acquire_many(bytes).await.ok()?.forget();
            Some(InputReservation {
                shared: shared.clone(),
                bytes,
            })
        };
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, acquire).await.ok()?,
            None => acquire.await,
        }
    }

    /// Serves the next frame where it lies in `decoder`'s buffer if it is
    /// a small uncompressed one (nearly every frame): whether it was.
    pub(super) fn serve_small_frame(&self, decoder: &mut FrameDecoder) -> bool {
        decoder
            .serve_small_frame(SMALL_FRAME, |frame| self.dispatch(frame))
            .is_some()
    }

    /// Decodes and serves one frame: small ones right here, compressed or
    /// large ones on the blocking pool, a few at a time across the server,
    /// so inflating and decoding them never takes every core from the
    /// connections with small calls.
    pub(super) async fn handle_frame(&self, frame: RawFrame) {
        if !frame.compressed && frame.payload.len() <= SMALL_FRAME {
            self.dispatch(&frame.payload);
            return;
        }
        let shared = self.inner.config.shared.clone();
        let Ok(_lane) = shared.heavy.acquire().await else {
            return;
        };
        let connection = self.clone();
        let work = tokio::task::spawn_blocking(move || match frame.into_payload() {
            Ok(payload) => connection.dispatch(&payload),
            Err(e) => {
                connection.frame_limit_hit(&e);
                connection.give_up("a bad frame", &e)
            }
        });
        if work.await.is_err() {
            self.shutdown("a frame's decoding failed");
        }
    }

    pub(super) fn dispatch(&self, frame: &[u8]) {
        let limits = &self.inner.config.brine_limits;
        match common_shape::decode(frame, limits) {
            Some(Decoded::Request { seq, request }) => {
                return self.serve_request(seq, Ok(request), frame.len())
            }
            Some(Decoded::Reply { seq, result }) => {
                let seq = Message::seq_number_of(&seq);
                return self.take_reply(seq, Ok(result));
            }
            None => {}
        }
        let message = match Message::decode_with(frame, limits) {
            Ok(message) => message,
            Err(MessageError::Empty) => return,
            // rpyc, too, gives up on a connection whose messages it
            // cannot read.
            Err(e) => {
                if let MessageError::Brine(
                    crate::wire::error::BrineError::TooDeep { .. }
                    | crate::wire::error::BrineError::TooManyValues { .. },
                ) = &e
                {
                    self.limit_hit("brine_limits");
                }
                return self.give_up("an undecodable message", &e);
            }
        };
        match message.kind {
            MessageKind::Request => {
                let seq = message.seq.clone();
                self.serve_request(seq, message.into_request(), frame.len())
            }
            MessageKind::Reply => {
                let seq = message.seq_number();
                self.take_reply(seq, message.into_reply())
            }
            MessageKind::Exception => {
                let seq = message.seq_number();
                match message.into_exception() {
                    // rpyc answers a release of an unknown object with
                    // KeyError: that answers the release.
                    Ok(exc) => self.answer(seq, Err(Error::Remote(exc))),
                    Err(e) => self.give_up("an exception reply that cannot be read", &e),
                }
            }
        }
    }

    /// Hands a reply to the call waiting for it: `seq` is the number of
    /// one of ours, if it is one.
    fn take_reply(&self, seq: Option<u64>, reply: Result<Boxed, MessageError>) {
        // rpyc unboxes a reply before it looks for its request, and a reply
        // it cannot unbox ends the connection.
        let result = match reply {
            Ok(boxed) => self.unbox(boxed),
            Err(e) => Err(e.to_python()),
        };
        match result {
            Ok(value) => self.answer(seq, Ok(value)),
            Err(e) => self.give_up("a reply that cannot be unboxed", &e),
        }
    }

    /// Gives the answer to request `seq` (if it is a number of ours) to
    /// the call waiting for it, or counts it as a release's.
    fn answer(&self, seq: Option<u64>, result: Result<Value, Error>) {
        let Some(seq) = seq else {
            debug!(conn = %self.inner.label, "an answer to no request of ours");
            return;
        };
        match self.take_pending(seq) {
            Some(tx) => {
                let _ = tx.send(result);
            }
            None if self.release_answered(seq) => {}
            None => debug!(conn = %self.inner.label, seq, "an answer for no pending request"),
        }
    }

    /// Ends the connection as rpyc does when the peer's message cannot be
    /// used: it says so with a HANDLE_CLOSE, then closes. Calls waiting
    /// for a reply fail with [`Error::Protocol`] naming the reason.
    pub(super) fn give_up(&self, what: &str, error: &dyn std::fmt::Display) {
        warn!(conn = %self.inner.label, %error, "{what}; closing");
        if let Some(telemetry) = &self.inner.config.telemetry {
            telemetry
                .server()
                .error(format_args!("{}: {what}: {error}", self.inner.label));
        }
        self.request_nowait(
            HandlerId::Close,
            Boxed::Value(BrineValue::Tuple(Vec::new())),
        );
        // The calls waiting here learn why, not only that it closed (a
        // reply past the limits is the usual reason).
        self.shutdown_failing_calls_with(what, Error::Protocol(format!("{what}: {error}")));
    }

    /// Serves a request that came in a frame of `request_bytes`
    /// (uncompressed): what it holds if its handler waits.
    fn serve_request(
        &self,
        seq: BrineValue,
        request: Result<Request, MessageError>,
        request_bytes: usize,
    ) {
        let request = match request {
            Ok(request) => request,
            // What rpyc's own server raises for the same malformation.
            Err(e) => {
                self.send_result(seq, Err(e.to_python()));
                return;
            }
        };
        if request.handler == HandlerId::Close {
            // `_handle_close(self, *args)`: args that spread to nothing.
            if request.args.is_empty_tuple()
                || matches!(&request.args, Boxed::Value(BrineValue::Str(s)) if s.is_empty())
                || matches!(&request.args, Boxed::Value(BrineValue::Bytes(b)) if b.is_empty())
            {
                // As rpyc does: no reply, the connection just ends.
                self.shutdown("peer sent HANDLE_CLOSE");
            } else {
                // rpyc's `_handle_close(self)` takes no arguments.
                self.send_result(
                    seq,
                    Err(RemoteException::type_error(
                        "Connection._handle_close() takes 1 positional argument but more were given",
                    )),
                );
            }
            return;
        }
        let telemetry = self.inner.config.telemetry.clone();
        let mut record: Option<Arc<CallRecord>> = None;
        let span = tracing::info_span!(
            "rpc",
            protocol = "rpyc",
            conn = %self.inner.label,
            peer = self.inner.config.peer.as_deref().unwrap_or(""),
            seq = %seq,
            handler = request.handler.const_name(),
            method = tracing::field::Empty,
        );
        let entered = span.enter();
        // A handler that panics answers with an exception; the connection
        // and everyone else's requests go on.
        let reply = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if request.handler == HandlerId::Del {
                record = telemetry
                    .as_ref()
                    .map(|t| Arc::new(CallRecord::start(t, HandlerId::Del, &[])));
                // Released before unboxing: unboxing would look the object up.
                return Reply::Ready(dispatch::release(self, request.args));
            }
            match self.unbox_arguments(request.args) {
                Ok(args) => {
                    if !span.is_disabled() {
                        span.record("method", method_label(request.handler, &args).as_str());
                    }
                    record = telemetry
                        .as_ref()
                        .map(|t| Arc::new(CallRecord::start(t, request.handler, &args)));
                    let cx = Context {
                        connection: self.clone(),
                        seq: Some(seq.clone()),
                        request_bytes,
                        call: record.clone(),
                    };
                    dispatch::dispatch(&cx, request.handler, args)
                }
                Err(exc) => Reply::error(exc),
            }
        }))
        .unwrap_or_else(|panic| Reply::error(panicked(&*panic)));
        drop(entered);
        let finish = |result: &RpcResult| {
            if let Some(record) = &record {
                record.finish(result);
            }
        };
        match reply {
            Reply::Ready(result) => {
                finish(&result);
                self.send_result(seq, result)
            }
            Reply::Deferred => {}
            Reply::Pending(future) => {
                let in_progress = match InProgress::enter(&self.inner, request_bytes) {
                    Ok(in_progress) => in_progress,
                    Err(refused) => {
                        let result = Err(self.refuse(refused));
                        finish(&result);
                        self.send_result(seq, result);
                        return;
                    }
                };
                let connection = self.clone();
                let busy = self.inner.slot.busy();
                let work = async move {
                    let _in_progress = (in_progress, busy);
                    tokio::select! {
                        result = CatchUnwind(future) => {
                            if let Some(record) = &record {
                                record.finish(&result);
                            }
                            connection.send_result(seq, result)
                        }
                        // Nobody is left to answer: drop the work rather
                        // than keep it (and this connection) alive forever.
                        _ = connection.closed() => {}
                    }
                };
                tokio::spawn(tracing::Instrument::instrument(work, span));
            }
        }
    }

    /// Says why a request could not wait for its handler (logged and
    /// counted), as the exception it is answered with.
    pub(crate) fn refuse(&self, refused: Refused) -> RemoteException {
        let message = refused.message();
        warn!(conn = %self.inner.label, "refusing a request: {message}");
        self.limit_hit(refused.limit());
        RemoteException::runtime_error(message)
    }

    /// Counts a frame refused for its size.
    pub(super) fn frame_limit_hit(&self, error: &crate::wire::error::FrameError) {
        use crate::wire::error::FrameError;
        match error {
            FrameError::TooLarge { .. } => self.limit_hit("frame_size"),
            FrameError::DecompressedTooLarge { .. } => self.limit_hit("decompressed_size"),
            _ => {}
        }
    }

    /// Counts a limit hit in the server's telemetry, if it keeps any.
    pub(crate) fn limit_hit(&self, limit: &'static str) {
        if let Some(telemetry) = &self.inner.config.telemetry {
            telemetry.server().limit_hit(limit);
        }
    }

    /// A request's boxed arguments as the handler's argument list: rpyc
    /// calls `handler(self, *args)`, so a str or bytes spreads into its
    /// items and anything else that is not a tuple is a `TypeError`.
    fn unbox_arguments(&self, args: Boxed) -> Result<Vec<Value>, RemoteException> {
        let value = self.unbox(args)?;
        value.into_iterable_items().map_err(|value| {
            RemoteException::type_error(format!(
                "Value after * must be an iterable, not {}",
                value.python_type()
            ))
        })
    }
}

/// The exception a panicking handler answers with.
/// How a request whose handler panicked is answered, before what the panic
/// said.
pub(super) const HANDLER_FAILED: &str = "the server failed while handling the request";

fn panicked(panic: &(dyn std::any::Any + Send)) -> RemoteException {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    tracing::error!("a request handler panicked: {what}");
    RemoteException::runtime_error(format!("{HANDLER_FAILED}: {what}"))
}

/// A handler's future whose panic becomes a `RuntimeError` answer instead
/// of unwinding the task (and leaving the peer waiting for ever).
struct CatchUnwind(crate::core::BoxFuture);

impl Future for CatchUnwind {
    type Output = RpcResult;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<RpcResult> {
        let future = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(Err(panicked(&*panic))),
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<oxrpc connection {}>", self.inner.label)
    }
}

/// A reply not yet arrived: await [`AsyncReply::wait`], or poll it.
/// Dropped before the reply came (a timeout, a caller that gave up), it
/// forgets the request, so the connection holds nothing for it.
pub struct AsyncReply {
    rx: oneshot::Receiver<Result<Value, Error>>,
    seq: u64,
    connection: Weak<Inner>,
    /// The reply (or the news that none will come) was taken: the request
    /// is already gone from the connection's table.
    settled: bool,
}

impl Drop for AsyncReply {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        if let Some(inner) = self.connection.upgrade() {
            if let Ok(mut pending) = inner.pending.lock() {
                pending.remove(&self.seq);
            }
        }
    }
}

impl AsyncReply {
    /// Waits for the reply, however long it takes.
    pub async fn wait(mut self) -> Result<Value, Error> {
        let dropped = self.dropped();
        let result = (&mut self.rx).await;
        self.settled = true;
        result.unwrap_or_else(|_| Err(dropped))
    }

    /// What the call failed with when its reply will never come: why the
    /// connection ended, if that is known.
    fn dropped(&self) -> Error {
        self.connection
            .upgrade()
            .and_then(|inner| inner.closed_by.get().cloned())
            .unwrap_or(Error::Closed)
    }

    /// The reply, if it has arrived.
    pub fn try_take(&mut self) -> Option<Result<Value, Error>> {
        let result = match self.rx.try_recv() {
            Ok(result) => result,
            Err(oneshot::error::TryRecvError::Empty) => return None,
            Err(oneshot::error::TryRecvError::Closed) => Err(self.dropped()),
        };
        self.settled = true;
        Some(result)
    }
}

impl Future for AsyncReply {
    type Output = Result<Value, Error>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let result = std::task::ready!(Pin::new(&mut self.rx).poll(cx));
        self.settled = true;
        Poll::Ready(result.unwrap_or_else(|_| Err(self.dropped())))
    }
}
