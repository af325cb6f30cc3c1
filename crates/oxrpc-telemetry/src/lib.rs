//! What oxrpc servers do, made visible.
//!
//! Every server (XML-RPC, RPyC services, classic mode) can record into a
//! [`Telemetry`] hub: connections open and accepted, bytes each way, calls
//! per method with their outcome and latency, requests in progress,
//! objects held for peers, and every limit hit by name. [`serve`] puts the
//! hub on an address: Prometheus scrapes `/metrics`, people open `/` for a
//! page that refreshes itself. Off unless a server is given a hub (the
//! command line's `--metrics ADDR`).
//!
//! Anything a peer can name is bounded (see [`MAX_METHODS`]), so the
//! tables and the scrape cannot be grown from the wire.

mod exposition;
mod handles;
mod histogram;
mod http;
mod page;
mod stats;

pub use handles::{
    CallTimer, ConnectionTelemetry, ErrorEvent, ServerTelemetry, Telemetry, RECENT_ERRORS,
};
pub use histogram::{Histogram, BUCKETS};
pub use http::serve;
pub use stats::{
    ConnectionStats, MethodStats, ServerStats, MAX_METHODS, MAX_NAME_LEN, MAX_OUTCOMES, OTHER,
};
