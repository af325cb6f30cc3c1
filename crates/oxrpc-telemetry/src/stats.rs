//! The counters a server keeps about itself, all atomics.
//!
//! One [`ServerStats`] per server, one [`ConnectionStats`] per open
//! connection, one [`MethodStats`] per method name. Both the Prometheus
//! exposition and the status page read these same numbers, so they never
//! disagree. Everything a peer can name (methods, outcomes) is bounded: past
//! [`MAX_METHODS`] names, or [`MAX_OUTCOMES`] outcomes per method, further
//! ones are counted under [`OTHER`], so a peer cannot grow the tables (or
//! the scrape) by inventing names.

use crate::histogram::Histogram;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Most distinct method names a server keeps statistics for.
pub const MAX_METHODS: usize = 256;
/// Most distinct outcomes kept per method.
pub const MAX_OUTCOMES: usize = 32;
/// Longest method or outcome name kept as it is, in bytes.
pub const MAX_NAME_LEN: usize = 128;
/// The name counted in place of names past the bounds.
pub const OTHER: &str = "(other)";

/// Statistics of one method: calls by outcome and their latency.
#[derive(Debug, Default)]
pub struct MethodStats {
    outcomes: Mutex<HashMap<String, u64>>,
    latency: Histogram,
}

impl MethodStats {
    pub(crate) fn record(&self, outcome: &str, seconds: f64) {
        self.latency.observe(seconds);
        let Ok(mut outcomes) = self.outcomes.lock() else {
            return;
        };
        if let Some(count) = outcomes.get_mut(outcome) {
            *count += 1;
        } else if outcomes.len() < MAX_OUTCOMES && outcome.len() <= MAX_NAME_LEN {
            outcomes.insert(outcome.to_owned(), 1);
        } else {
            *outcomes.entry(OTHER.to_owned()).or_insert(0) += 1;
        }
    }

    /// Calls by outcome (`ok`, a fault code, an exception class ...).
    pub fn outcomes(&self) -> Vec<(String, u64)> {
        let mut outcomes: Vec<(String, u64)> = self
            .outcomes
            .lock()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        outcomes.sort();
        outcomes
    }

    /// The latency histogram.
    pub fn latency(&self) -> &Histogram {
        &self.latency
    }
}

/// Statistics of one open connection.
#[derive(Debug)]
pub struct ConnectionStats {
    /// A number unique within the process.
    pub id: u64,
    /// Who is connected.
    pub peer: String,
    /// When the connection opened.
    pub opened: Instant,
    pub(crate) calls: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) objects: AtomicI64,
}

impl ConnectionStats {
    /// Calls served on this connection.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
    /// Bytes received.
    pub fn bytes_in(&self) -> u64 {
        self.bytes_in.load(Ordering::Relaxed)
    }
    /// Bytes sent.
    pub fn bytes_out(&self) -> u64 {
        self.bytes_out.load(Ordering::Relaxed)
    }
    /// Objects of the server the peer holds references to (RPyC).
    pub fn objects(&self) -> i64 {
        self.objects.load(Ordering::Relaxed)
    }
}

/// Statistics of one server.
#[derive(Debug)]
pub struct ServerStats {
    /// The server's name (a label on every metric).
    pub name: String,
    pub(crate) connections_total: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) in_progress: AtomicI64,
    pub(crate) objects: AtomicI64,
    pub(crate) methods: RwLock<HashMap<String, Arc<MethodStats>>>,
    pub(crate) limits: Mutex<HashMap<&'static str, u64>>,
    pub(crate) connections: Mutex<HashMap<u64, Arc<ConnectionStats>>>,
}

impl ServerStats {
    pub(crate) fn new(name: &str) -> ServerStats {
        ServerStats {
            name: name.to_owned(),
            connections_total: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            in_progress: AtomicI64::new(0),
            objects: AtomicI64::new(0),
            methods: RwLock::new(HashMap::new()),
            limits: Mutex::new(HashMap::new()),
            connections: Mutex::new(HashMap::new()),
        }
    }

    /// The statistics of `method`, created on first use (within the bound).
    pub(crate) fn method(&self, method: &str) -> Option<Arc<MethodStats>> {
        let method = if method.len() > MAX_NAME_LEN {
            OTHER
        } else {
            method
        };
        if let Some(stats) = self.methods.read().ok()?.get(method) {
            return Some(stats.clone());
        }
        let mut methods = self.methods.write().ok()?;
        let name = if methods.len() < MAX_METHODS || methods.contains_key(method) {
            method
        } else {
            OTHER
        };
        Some(
            methods
                .entry(name.to_owned())
                .or_insert_with(|| Arc::new(MethodStats::default()))
                .clone(),
        )
    }

    /// Connections accepted since the server started.
    pub fn connections_total(&self) -> u64 {
        self.connections_total.load(Ordering::Relaxed)
    }
    /// Connections open now.
    pub fn connections_open(&self) -> usize {
        self.connections.lock().map(|c| c.len()).unwrap_or(0)
    }
    /// Bytes received, all connections.
    pub fn bytes_in(&self) -> u64 {
        self.bytes_in.load(Ordering::Relaxed)
    }
    /// Bytes sent, all connections.
    pub fn bytes_out(&self) -> u64 {
        self.bytes_out.load(Ordering::Relaxed)
    }
    /// Requests being served now.
    pub fn in_progress(&self) -> i64 {
        self.in_progress.load(Ordering::Relaxed)
    }
    /// Objects held for peers, all connections (RPyC).
    pub fn objects(&self) -> i64 {
        self.objects.load(Ordering::Relaxed)
    }
    /// Times each limit was hit, by name.
    pub fn limits(&self) -> Vec<(&'static str, u64)> {
        let mut limits: Vec<_> = self
            .limits
            .lock()
            .map(|l| l.iter().map(|(k, v)| (*k, *v)).collect())
            .unwrap_or_default();
        limits.sort();
        limits
    }
    /// Statistics of every method, by name.
    pub fn methods(&self) -> Vec<(String, Arc<MethodStats>)> {
        let mut methods: Vec<_> = self
            .methods
            .read()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        methods.sort_by(|a, b| a.0.cmp(&b.0));
        methods
    }
    /// The open connections, oldest first.
    pub fn connections(&self) -> Vec<Arc<ConnectionStats>> {
        let mut connections: Vec<_> = self
            .connections
            .lock()
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default();
        connections.sort_by_key(|c| c.id);
        connections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_counted_under_other() {
        let stats = ServerStats::new("test");
        let long = "n".repeat(MAX_NAME_LEN + 1);
        let kept = "m".repeat(MAX_NAME_LEN);
        for name in [long.as_str(), kept.as_str(), long.as_str()] {
            if let Some(method) = stats.method(name) {
                method.record(&long, 0.001);
                method.record("ok", 0.001);
            }
        }
        let names: Vec<String> = stats.methods().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&OTHER.to_owned()) && names.contains(&kept));
        for (_, method) in stats.methods() {
            let outcomes = method.outcomes();
            assert!(
                outcomes.iter().all(|(o, _)| o.len() <= MAX_NAME_LEN),
                "{outcomes:?}"
            );
            assert!(outcomes.iter().any(|(o, _)| o == OTHER));
        }
    }
}
