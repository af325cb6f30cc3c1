//! A client that comes back after its server went away.
//!
//! An RPyC connection is its server's: the objects it reaches live there,
//! and when the connection drops (the server restarts, the network blips)
//! they are gone. [`Reconnecting`] holds a [`Connector`] and makes a new
//! connection when the last one has closed, so long-running clients survive
//! a server restart without code of their own. Found by name
//! ([`Connector::by_name`]), the server is looked up in the registry again
//! on every attempt, so a replacement at another address is found.
//!
//! # While the server is down
//!
//! Calls never wait for the server to come back. When the connection is
//! found closed, the next call tries to connect at once; if that fails,
//! further attempts are spaced by a backoff that doubles from
//! [`Backoff::initial`] up to [`Backoff::max`], and every call in between
//! fails straight away with [`ReconnectError::Down`], which names the
//! server, the last connect error, how many attempts failed and when the
//! next one is due. A call that finds the wait over makes the attempt
//! itself (at most the connector's connect timeout; calls arriving
//! meanwhile wait for its outcome). [`Reconnecting::connect_now`] tries at
//! once regardless of the backoff.
//!
//! # What does not survive a reconnect
//!
//! A new connection is a new session with the server. Nothing of the old
//! one carries over:
//!
//! * **Proxies** ([`Proxy`]: the root, and every remote object obtained
//!   through the old connection) belong to the old connection for good.
//!   Once it has closed, every call on them fails at once with
//!   [`Error::Closed`] ("connection closed"); none hangs. Fetch objects
//!   again from [`Reconnecting::root`] after a reconnect
//!   ([`Reconnecting::generation`] tells when one happened).
//! * **Server-side state** of the session: a classic server's namespace,
//!   a service instance's fields, objects the server held for us.
//! * **Our objects the server held** (callbacks we passed it): the server
//!   lost its references to them; pass them again.
//! * **Calls in flight** when the connection dropped fail with
//!   [`ReconnectError::Dropped`] and are not replayed: the server may or
//!   may not have run them, and only the caller knows whether running one
//!   twice is safe.
//!
//! The service this side exposes is made anew for each connection by the
//! connector's factory.

use crate::connector::Connector;
use crate::core::{Connection, Error, FromValue, IntoArgs, Proxy};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long to wait between connect attempts while the server is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt; it doubles after each
    /// further failure.
    pub initial: Duration,
    /// The longest wait between attempts.
    pub max: Duration,
}

impl Default for Backoff {
    /// 100 ms, doubling up to 30 s.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait after `failures` consecutive failed attempts (at least 1).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial.saturating_mul(1u32 << doublings).min(self.max)
    }
}

/// Why a call through a [`Reconnecting`] client failed.
#[derive(Debug, Error)]
pub enum ReconnectError {
    /// The server cannot be reached now; the call was not sent.
    #[error(
        "{target} is down: {cause} ({attempts} failed connect attempt(s); next in {retry_in:?})"
    )]
    Down {
        /// Where the server is expected ([`Connector::describe`]).
        target: String,
        /// The last connect attempt's error.
        #[source]
        cause: Arc<io::Error>,
        /// Connect attempts that failed since the connection was lost.
        attempts: u32,
        /// How long until the next attempt is allowed.
        retry_in: Duration,
    },
    /// The connection closed while the call was in progress. The call was
    /// not repeated: the server may or may not have run it.
    #[error("the connection to {target} closed during the call (not retried: it may or may not have run)")]
    Dropped {
        /// Where the server was.
        target: String,
    },
    /// [`Reconnecting::close`] was called.
    #[error("the reconnecting client was closed")]
    Closed,
    /// The call reached the server and failed there, or its result did not
    /// convert.
    #[error(transparent)]
    Call(Error),
}

impl ReconnectError {
    /// Whether the server could not be reached (the call never left).
    pub fn is_down(&self) -> bool {
        matches!(self, ReconnectError::Down { .. })
    }
}

/// A client that reconnects when its connection has closed (see the
/// module docs for what a reconnect keeps and loses). Cheap to clone;
/// clones share the connection.
///
/// ```no_run
/// use oxrpc_rpyc::{Backoff, Connector, Reconnecting};
/// use std::time::Duration;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let backoff = Backoff { initial: Duration::from_millis(200), max: Duration::from_secs(10) };
/// let client = Reconnecting::with_backoff(Connector::tcp("localhost", 18861), backoff);
/// loop {
///     match client.call::<i64>("get_answer", ()).await {
///         Ok(answer) => println!("{answer}"),
///         // Fails at once while the server is down; the error says until when.
///         Err(e) => eprintln!("{e}"),
///     }
///     tokio::time::sleep(Duration::from_secs(1)).await;
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Reconnecting {
    inner: Arc<Inner>,
}

struct Inner {
    connector: Connector,
    backoff: Backoff,
    state: Mutex<State>,
    generation: AtomicU64,
}

#[derive(Default)]
struct State {
    connection: Option<Connection>,
    /// Failed attempts since the last success.
    failures: u32,
    /// No attempt before this (set after a failure).
    next_attempt: Option<Instant>,
    last_error: Option<Arc<io::Error>>,
    closed: bool,
}

impl Reconnecting {
    /// A client for the server `connector` reaches, with the default
    /// [`Backoff`]. Nothing connects until the first call (or
    /// [`Reconnecting::connection`]).
    pub fn new(connector: Connector) -> Reconnecting {
        Reconnecting::with_backoff(connector, Backoff::default())
    }

    /// A client whose connect attempts are spaced by `backoff` while the
    /// server is down.
    pub fn with_backoff(connector: Connector, backoff: Backoff) -> Reconnecting {
        Reconnecting {
            inner: Arc::new(Inner {
                connector,
                backoff,
                state: Mutex::new(State::default()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// The connector used for every attempt.
    pub fn connector(&self) -> &Connector {
        &self.inner.connector
    }

    /// How many connections have been made: it grows by one with each
    /// reconnect, so a caller can tell its proxies are from an old one.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// The open connection, connecting first if there is none and the
    /// backoff allows an attempt; [`ReconnectError::Down`] otherwise.
    pub async fn connection(&self) -> Result<Connection, ReconnectError> {
        self.get(false).await
    }

    /// [`Reconnecting::connection`], attempting at once when down, without
    /// waiting for the backoff.
    pub async fn connect_now(&self) -> Result<Connection, ReconnectError> {
        self.get(true).await
    }

    /// The server's root object on the current connection.
    pub async fn root(&self) -> Result<Proxy, ReconnectError> {
        let connection = self.connection().await?;
        connection.root().await.map_err(|e| self.call_error(e))
    }

    /// Calls `name` on the server's root: `conn.root.name(*args)`.
    pub async fn call<R: FromValue>(
        &self,
        name: &str,
        args: impl IntoArgs,
    ) -> Result<R, ReconnectError> {
        let root = self.root().await?;
        root.call(name, args).await.map_err(|e| self.call_error(e))
    }

    /// Closes the current connection and stops reconnecting: every later
    /// call fails with [`ReconnectError::Closed`].
    pub async fn close(&self) {
        let connection = {
            let mut state = self.inner.state.lock().await;
            state.closed = true;
            state.connection.take()
        };
        if let Some(connection) = connection {
            connection.close().await;
        }
    }

    /// An error from a call: a closed connection means the call was cut
    /// short by the drop.
    fn call_error(&self, e: Error) -> ReconnectError {
        match e {
            Error::Closed => ReconnectError::Dropped {
                target: self.inner.connector.describe(),
            },
            other => ReconnectError::Call(other),
        }
    }

    async fn get(&self, now: bool) -> Result<Connection, ReconnectError> {
        // Held across the attempt: callers arriving meanwhile wait for its
        // outcome (bounded by the connect timeout) instead of attempting too.
        let mut state = self.inner.state.lock().await;
        if state.closed {
            return Err(ReconnectError::Closed);
        }
        if let Some(connection) = &state.connection {
            if !connection.is_closed() {
                return Ok(connection.clone());
            }
            // Lost: the first attempt is due at once.
            state.connection = None;
            state.failures = 0;
            state.next_attempt = None;
        }
        if let (false, Some(at)) = (now, state.next_attempt) {
            let wait = at.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                return Err(self.down(&state, wait));
            }
        }
        match self.inner.connector.open().await {
            Ok(connection) => {
                state.connection = Some(connection.clone());
                state.failures = 0;
                state.next_attempt = None;
                state.last_error = None;
                self.inner.generation.fetch_add(1, Ordering::AcqRel);
                Ok(connection)
            }
            Err(e) => {
                state.failures = state.failures.saturating_add(1);
                let wait = self.inner.backoff.delay(state.failures);
                state.next_attempt = Some(Instant::now() + wait);
                state.last_error = Some(Arc::new(e));
                Err(self.down(&state, wait))
            }
        }
    }

    fn down(&self, state: &State, retry_in: Duration) -> ReconnectError {
        ReconnectError::Down {
            target: self.inner.connector.describe(),
            cause: state
                .last_error
                .clone()
                .unwrap_or_else(|| Arc::new(io::Error::other("not connected"))),
            attempts: state.failures,
            retry_in,
        }
    }
}

impl std::fmt::Debug for Reconnecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconnecting")
            .field("connector", &self.inner.connector)
            .field("backoff", &self.inner.backoff)
            .field("generation", &self.generation())
            .finish()
    }
}
