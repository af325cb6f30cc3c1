//! The handles servers record through.
//!
//! A [`Telemetry`] is the process's hub (what `--metrics ADDR` serves); a
//! server registers itself with [`Telemetry::server`] and gets a
//! [`ServerTelemetry`]; each accepted connection gets a
//! [`ConnectionTelemetry`], which leaves the tables when dropped; each call
//! gets a [`CallTimer`], which records its outcome and latency when
//! finished (and counts as in progress until then). All of it is cheap
//! enough to leave on: atomics, and a read lock to find a method's entry.

use crate::stats::{ConnectionStats, ServerStats};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// How many recent errors the status page keeps.
pub const RECENT_ERRORS: usize = 50;
/// Longest error text kept (longer ones are cut).
const ERROR_TEXT: usize = 300;

/// An error the status page lists.
#[derive(Debug, Clone)]
pub struct ErrorEvent {
    /// When it happened.
    pub at: SystemTime,
    /// Which server.
    pub server: String,
    /// What happened (cut to a few hundred characters).
    pub text: String,
}

#[derive(Debug, Default)]
pub(crate) struct Hub {
    pub(crate) servers: Mutex<Vec<Arc<ServerStats>>>,
    pub(crate) errors: Mutex<VecDeque<ErrorEvent>>,
    next_connection: AtomicU64,
    pub(crate) started: Option<Instant>,
}

/// The statistics of every server of the process.
///
/// ```
/// use oxrpc_telemetry::Telemetry;
///
/// let telemetry = Telemetry::new();
/// let server = telemetry.server("xmlrpc");
/// let connection = server.connection("127.0.0.1:50000");
/// connection.call("list_contents").finish("ok");
/// connection.received(180);
/// let text = telemetry.prometheus_text();
/// assert!(text.contains(r#"oxrpc_calls_total{server="xmlrpc",method="list_contents",outcome="ok"} 1"#));
/// assert!(text.contains(r#"oxrpc_connections_open{server="xmlrpc"} 1"#));
/// ```
#[derive(Debug, Clone)]
pub struct Telemetry {
    pub(crate) hub: Arc<Hub>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry::new()
    }
}

impl Telemetry {
    /// An empty hub.
    pub fn new() -> Telemetry {
        Telemetry {
            hub: Arc::new(Hub {
                started: Some(Instant::now()),
                ..Hub::default()
            }),
        }
    }

    /// Registers a server named `name` (a label on its metrics). Two
    /// servers of one process need different names.
    pub fn server(&self, name: &str) -> ServerTelemetry {
        let stats = Arc::new(ServerStats::new(name));
        if let Ok(mut servers) = self.hub.servers.lock() {
            servers.retain(|s| s.name != name);
            servers.push(stats.clone());
        }
        ServerTelemetry {
            hub: self.hub.clone(),
            stats,
        }
    }

    /// Every registered server's statistics.
    pub fn servers(&self) -> Vec<Arc<ServerStats>> {
        self.hub
            .servers
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The most recent errors, newest last.
    pub fn recent_errors(&self) -> Vec<ErrorEvent> {
        self.hub
            .errors
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Seconds since the hub was created.
    pub fn uptime_seconds(&self) -> f64 {
        self.hub.started.map_or(0.0, |s| s.elapsed().as_secs_f64())
    }
}

/// One server's handle: connections, limits hit, errors.
#[derive(Debug, Clone)]
pub struct ServerTelemetry {
    hub: Arc<Hub>,
    stats: Arc<ServerStats>,
}

impl ServerTelemetry {
    /// A connection from `peer` opened; it counts as open until the
    /// returned handle is dropped.
    pub fn connection(&self, peer: impl std::fmt::Display) -> ConnectionTelemetry {
        let id = self.hub.next_connection.fetch_add(1, Ordering::Relaxed) + 1;
        let stats = Arc::new(ConnectionStats {
            id,
            peer: peer.to_string(),
            opened: Instant::now(),
            calls: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            objects: AtomicI64::new(0),
        });
        self.stats.connections_total.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut connections) = self.stats.connections.lock() {
            connections.insert(id, stats.clone());
        }
        ConnectionTelemetry {
            server: self.clone(),
            stats,
        }
    }

    /// A limit named `limit` was hit (`body_size`, `frame_timeout`,
    /// `connection_cap` ...).
    pub fn limit_hit(&self, limit: &'static str) {
        if let Ok(mut limits) = self.stats.limits.lock() {
            *limits.entry(limit).or_insert(0) += 1;
        }
    }

    /// Records an error for the status page.
    pub fn error(&self, text: impl std::fmt::Display) {
        let mut text = text.to_string();
        if text.len() > ERROR_TEXT {
            let mut cut = ERROR_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        if let Ok(mut errors) = self.hub.errors.lock() {
            if errors.len() == RECENT_ERRORS {
                errors.pop_front();
            }
            errors.push_back(ErrorEvent {
                at: SystemTime::now(),
                server: self.stats.name.clone(),
                text,
            });
        }
    }

    /// A call that no connection is known for (e.g. a stateless request).
    pub fn call(&self, method: &str) -> CallTimer {
        CallTimer::start(self.clone(), method)
    }

    /// The statistics this handle records into.
    pub fn stats(&self) -> &Arc<ServerStats> {
        &self.stats
    }
}

/// One connection's handle; the connection leaves the tables when the last
/// clone is dropped.
#[derive(Debug)]
pub struct ConnectionTelemetry {
    server: ServerTelemetry,
    stats: Arc<ConnectionStats>,
}

impl ConnectionTelemetry {
    /// `bytes` arrived from the peer.
    pub fn received(&self, bytes: usize) {
        let bytes = bytes as u64;
        self.stats.bytes_in.fetch_add(bytes, Ordering::Relaxed);
        self.server
            .stats
            .bytes_in
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// `bytes` went to the peer.
    pub fn sent(&self, bytes: usize) {
        let bytes = bytes as u64;
        self.stats.bytes_out.fetch_add(bytes, Ordering::Relaxed);
        self.server
            .stats
            .bytes_out
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// The peer now holds `delta` more (or fewer) of our objects.
    pub fn objects_changed(&self, delta: i64) {
        self.stats.objects.fetch_add(delta, Ordering::Relaxed);
        self.server
            .stats
            .objects
            .fetch_add(delta, Ordering::Relaxed);
    }

    /// A call of `method` starts; finish the timer with its outcome.
    pub fn call(&self, method: &str) -> CallTimer {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        CallTimer::start(self.server.clone(), method)
    }

    /// A request whose method is not known yet (an HTTP request before its
    /// body is parsed): name it with [`CallTimer::set_method`].
    pub fn request(&self) -> CallTimer {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        self.server
            .stats
            .in_progress
            .fetch_add(1, Ordering::Relaxed);
        CallTimer {
            server: self.server.clone(),
            method: None,
            started: Instant::now(),
            done: false,
        }
    }

    /// The server this connection belongs to.
    pub fn server(&self) -> &ServerTelemetry {
        &self.server
    }

    /// This connection's statistics.
    pub fn stats(&self) -> &Arc<ConnectionStats> {
        &self.stats
    }
}

impl Drop for ConnectionTelemetry {
    fn drop(&mut self) {
        let held = self.stats.objects.swap(0, Ordering::Relaxed);
        self.server.stats.objects.fetch_sub(held, Ordering::Relaxed);
        if let Ok(mut connections) = self.server.stats.connections.lock() {
            connections.remove(&self.stats.id);
        }
    }
}

/// A call in progress; [`CallTimer::finish`] records its outcome and
/// latency. Dropped unfinished, it counts as `cancelled`.
#[derive(Debug)]
pub struct CallTimer {
    server: ServerTelemetry,
    method: Option<Arc<crate::stats::MethodStats>>,
    started: Instant,
    done: bool,
}

impl CallTimer {
    fn start(server: ServerTelemetry, method: &str) -> CallTimer {
        server.stats.in_progress.fetch_add(1, Ordering::Relaxed);
        let method = server.stats.method(method);
        CallTimer {
            server,
            method,
            started: Instant::now(),
            done: false,
        }
    }

    /// Names (or renames) the method the call is counted under.
    pub fn set_method(&mut self, method: &str) {
        self.method = self.server.stats.method(method);
    }

    /// Records the call's outcome: `ok`, a fault code, an exception class.
    pub fn finish(mut self, outcome: &str) {
        self.record(outcome);
    }

    fn record(&mut self, outcome: &str) {
        if self.done {
            return;
        }
        self.done = true;
        self.server
            .stats
            .in_progress
            .fetch_sub(1, Ordering::Relaxed);
        if let Some(method) = &self.method {
            method.record(outcome, self.started.elapsed().as_secs_f64());
        }
    }
}

impl Drop for CallTimer {
    fn drop(&mut self) {
        self.record("cancelled");
    }
}
