//! Per-connection settings: the layer between the wire and the object
//! model. Everything a connection needs to know about limits and policy is
//! here, so `core` reads one value and the endpoints fill it in.

use crate::wire::brine::BrineLimits;
use crate::wire::channel::FrameLimits;
use oxrpc_net::{Credentials, Peer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Settings of one connection. The defaults follow rpyc where it has one
/// (a 30 s synchronous request timeout) and are bounded everywhere else.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a synchronous request waits for its reply (rpyc's
    /// `sync_request_timeout`).
    pub sync_request_timeout: Duration,
    /// Frame and decompressed-size limits for incoming frames.
    pub frame_limits: FrameLimits,
    /// Nesting and element limits for incoming brine.
    pub brine_limits: BrineLimits,
    /// Most local objects the peer may hold references to at once (each
    /// costs about 0.5 KiB; see [`SharedLimits::max_objects`] for the sum
    /// over a server's connections).
    pub max_local_objects: usize,
    /// Most bytes queued for the peer before the connection stops reading
    /// new requests until the peer catches up.
    pub max_queued_output: usize,
    /// How long a frame may take to arrive in full once its first byte
    /// has: a peer trickling a frame byte by byte cannot hold the
    /// connection for ever.
    pub frame_timeout: Duration,
    /// What this connection shares with the others of its server.
    pub shared: Arc<SharedLimits>,
    /// Most requests the peer may have in progress at once on handlers that
    /// wait (async methods, interpreter jobs); further ones are refused with
    /// an exception reply.
    pub max_pending_requests: usize,
    /// Close the connection after this long without receiving anything.
    pub idle_timeout: Option<Duration>,
    /// rpyc's `allow_public_attrs`: let the peer reach the `pub` methods of a
    /// `#[service]` that are not marked `#[exposed]`. Off by default.
    pub allow_public_attrs: bool,
    /// A name for logs (rpyc's `connid`).
    pub connid: Option<String>,
    /// What the server's authenticator established about the peer (rpyc's
    /// `credentials`); `None` without an authenticator.
    pub credentials: Option<Credentials>,
    /// Who the peer is, for logs and trace spans.
    pub peer: Option<String>,
    /// This end's address and the peer's, for a connection a server
    /// accepted (rpyc's `endpoints`); `None` otherwise.
    pub endpoints: Option<(Peer, Peer)>,
    /// Where calls, objects held and limits hit are recorded (`--metrics`).
    pub telemetry: Option<Arc<oxrpc_net::telemetry::ConnectionTelemetry>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sync_request_timeout: Duration::from_secs(30),
            frame_limits: FrameLimits::default(),
            brine_limits: BrineLimits::default(),
            max_local_objects: 100_000,
            max_queued_output: 8 << 20,
            frame_timeout: Duration::from_secs(30),
            shared: Arc::new(SharedLimits::default()),
            max_pending_requests: 1024,
            idle_timeout: None,
            allow_public_attrs: false,
            connid: None,
            credentials: None,
            peer: None,
            endpoints: None,
            telemetry: None,
        }
    }
}

/// Budgets the connections of one server draw on together, so that the
/// per-connection limits, multiplied by the connection cap, cannot add up
/// to more memory or CPU than the host has. A server hands the same
/// `SharedLimits` to all its connections; a connection on its own (a
/// client) has one to itself. The defaults are sized for a small host
/// (two cores, a few GiB): about 256 MiB of local objects, 256 MiB of
/// queued output and 256 MiB of frames being received, across all
/// connections.
#[derive(Debug)]
pub struct SharedLimits {
    /// Most local objects held for peers, all connections together,
    /// beyond the first 64 of each connection (its own reserve, so a new
    /// client is served even when this budget is spent).
    pub max_objects: usize,
    /// Most bytes queued for sending, all connections together.
    pub max_queued_output: usize,
    pub(crate) objects: AtomicUsize,
    pub(crate) queued_output: AtomicUsize,
    /// Bytes of frames being received (large frames reserve their size
    /// here before they are buffered) and of requests whose handlers wait
    /// (beyond each connection's first 256 KiB).
    pub(crate) input: Semaphore,
    max_input: usize,
    /// Decoding work too heavy for a reader task (compressed or large
    /// frames) runs on the blocking pool, at most this many at once, so
    /// it cannot take every core from the connections with small calls.
    pub(crate) heavy: Semaphore,
}

impl SharedLimits {
    /// Budgets of the given sizes; `heavy_workers` decode large frames at
    /// once (at least one).
    pub fn new(
        max_objects: usize,
        max_queued_output: usize,
        max_input: usize,
        heavy_workers: usize,
    ) -> Self {
        SharedLimits {
            max_objects,
            max_queued_output,
            objects: AtomicUsize::new(0),
            queued_output: AtomicUsize::new(0),
            input: Semaphore::new(max_input.min(Semaphore::MAX_PERMITS)),
            max_input,
            heavy: Semaphore::new(heavy_workers.max(1)),
        }
    }

    /// The same budgets with another object limit.
    pub fn with_max_objects(mut self, max_objects: usize) -> Self {
        self.max_objects = max_objects;
        self
    }

    /// The same budgets with another input budget: the bytes of large
    /// frames being received and of requests waiting for their handlers,
    /// all connections together.
    ///
    /// ```
    /// let limits = oxrpc_rpyc::SharedLimits::default().with_max_input(64 << 20);
    /// assert_eq!(limits.max_input(), 64 << 20);
    /// ```
    pub fn with_max_input(mut self, max_input: usize) -> Self {
        self.input = Semaphore::new(max_input.min(Semaphore::MAX_PERMITS));
        self.max_input = max_input;
        self
    }

    /// The input budget, in bytes (see [`SharedLimits::with_max_input`]).
    pub fn max_input(&self) -> usize {
        self.max_input
    }

    /// Local objects held across the server right now.
    pub fn objects(&self) -> usize {
        self.objects.load(Ordering::Acquire)
    }

    /// Bytes queued for sending across the server right now.
    pub fn queued_output(&self) -> usize {
        self.queued_output.load(Ordering::Acquire)
    }
}

impl Default for SharedLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        SharedLimits::new(500_000, 256 << 20, 256 << 20, cores.saturating_sub(1))
    }
}

/// rpyc's `safe_attrs`: the dunder names its default policy lets a peer
/// reach on any object.
pub const SAFE_ATTRS: &[&str] = &[
    "__abs__",
    "__add__",
    "__and__",
    "__bool__",
    "__cmp__",
    "__contains__",
    "__delitem__",
    "__delslice__",
    "__div__",
    "__divmod__",
    "__doc__",
    "__enter__",
    "__eq__",
    "__exit__",
    "__float__",
    "__floordiv__",
    "__format__",
    "__ge__",
    "__getitem__",
    "__getslice__",
    "__gt__",
    "__hash__",
    "__hex__",
    "__iadd__",
    "__iand__",
    "__idiv__",
    "__ifloordiv__",
    "__ilshift__",
    "__imod__",
    "__imul__",
    "__index__",
    "__int__",
    "__invert__",
    "__ior__",
    "__ipow__",
    "__irshift__",
    "__isub__",
    "__iter__",
    "__itruediv__",
    "__ixor__",
    "__le__",
    "__len__",
    "__length_hint__",
    "__long__",
    "__lshift__",
    "__lt__",
    "__mod__",
    "__mul__",
    "__ne__",
    "__neg__",
    "__new__",
    "__next__",
    "__nonzero__",
    "__oct__",
    "__or__",
    "__pos__",
    "__pow__",
    "__radd__",
    "__rand__",
    "__rdiv__",
    "__rdivmod__",
    "__repr__",
    "__rfloordiv__",
    "__rlshift__",
    "__rmod__",
    "__rmul__",
    "__ror__",
    "__rpow__",
    "__rrshift__",
    "__rshift__",
    "__rsub__",
    "__rtruediv__",
    "__rxor__",
    "__setitem__",
    "__setslice__",
    "__str__",
    "__sub__",
    "__truediv__",
    "__xor__",
    "next",
];
