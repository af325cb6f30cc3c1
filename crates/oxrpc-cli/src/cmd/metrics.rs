//! `--metrics ADDR`: one telemetry hub for the whole process.
//!
//! The flag is global, so `oxrpc serve --metrics :9100` puts the three
//! notebook servers on one page, and `oxrpc service serve --metrics ...`
//! its one server. Each server registers itself by name when it starts
//! ([`server`]); the endpoint runs inside the command's runtime
//! ([`spawn_endpoint`], called by [`super::block_on`]).

use oxrpc::telemetry::{ServerTelemetry, Telemetry};
use std::sync::OnceLock;

static METRICS: OnceLock<(String, Telemetry)> = OnceLock::new();

/// Turns telemetry on, to be served on `addr` (HOST:PORT, or :PORT for
/// localhost).
pub fn enable(addr: &str) {
    let addr = if let Some(port) = addr.strip_prefix(':') {
        format!("127.0.0.1:{port}")
    } else {
        addr.to_owned()
    };
    let _ = METRICS.set((addr, Telemetry::new()));
}

/// The telemetry a server named `name` records into, if `--metrics` is on.
pub fn server(name: &str) -> Option<ServerTelemetry> {
    METRICS.get().map(|(_, hub)| hub.server(name))
}

/// Serves the metrics and status page on the runtime running now, if
/// `--metrics` is on; fails when the address cannot be bound.
pub async fn spawn_endpoint() -> anyhow::Result<()> {
    let Some((addr, hub)) = METRICS.get() else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr}: {e}"))?;
    tracing::info!(
        "metrics on http://{}/metrics, status on http://{}/",
        listener.local_addr()?,
        listener.local_addr()?
    );
    tokio::spawn(oxrpc::telemetry::serve(
        listener,
        hub.clone(),
        std::future::pending(),
    ));
    Ok(())
}
