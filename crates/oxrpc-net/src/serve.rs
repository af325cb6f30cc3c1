//! The accept loop every server runs.
//!
//! One task accepts; each admitted connection gets a task of its own that
//! does the TLS handshake (under [`ListenConfig::handshake_timeout`]) and
//! authentication before the server's per-connection body sees a byte, so
//! a slow or hostile client holds only its own slot. A semaphore caps the
//! connections held at once: past the cap the loop holds the one client it
//! accepted until a slot frees (evicting an idle connection for it, see
//! [`crate::slots`]), and the next clients wait in the kernel's backlog,
//! which costs us nothing. Accept
//! errors (out of file descriptors, a reset in the backlog) back off and
//! retry; they never end the server.
//!
//! On shutdown the loop stops accepting, every connection's [`Shutdown`]
//! fires, and [`serve`] waits for the bodies to return, at most
//! [`ListenConfig::shutdown_grace`].

use crate::auth::Credentials;
use crate::config::ListenConfig;
use crate::deadline::Deadline;
use crate::listener::Listener;
use crate::metered::Metered;
use crate::peer::Peer;
use crate::quickack::QuickAck;
use crate::shutdown::Shutdown;
use crate::slots::{Slot, Slots};
use crate::stream::Stream;
use oxrpc_telemetry::ConnectionTelemetry;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

/// A connection that passed the handshake and the authenticator.
#[derive(Debug)]
pub struct Accepted {
    /// The byte stream (TLS already negotiated when configured).
    pub stream: Stream,
    /// Whether the stream is TLS (the stream itself may be wrapped in
    /// layers that hide it).
    pub tls: bool,
    /// Who connected.
    pub peer: Peer,
    /// The address they connected to (the socket's own name).
    pub local: Peer,
    /// What the authenticator established; `None` without one.
    pub credentials: Option<Credentials>,
    /// A number unique within this server, for log lines.
    pub id: u64,
    /// The connection's slot: mark it busy while serving a request, and
    /// close when it is evicted.
    pub slot: Slot,
    /// Where the protocol records this connection's calls (bytes are
    /// already counted); `None` without telemetry.
    pub telemetry: Option<Arc<ConnectionTelemetry>>,
}

/// How often a full server looks for an idle connection to evict.
const EVICTION_CHECK: Duration = Duration::from_millis(100);

/// Evictions at one check double with each check in a row that evicted,
/// up to 2^6 = 64.
const MAX_EVICTION_DOUBLINGS: u32 = 6;

/// Evictions further apart than this start again at one.
const EVICTION_STREAK_GAP: Duration = Duration::from_secs(1);

/// The first and the longest pause after a failed `accept`.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// Accepts connections on `listener` until `shutdown` resolves, running
/// `handler` on each admitted one; then drains (see the module docs).
pub async fn serve<H, F>(
    listener: Listener,
    config: ListenConfig,
    shutdown: impl Future<Output = ()>,
    handler: H,
) -> std::io::Result<()>
where
    H: Fn(Accepted, Shutdown) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let config = Arc::new(config);
    let handler = Arc::new(handler);
    let permits = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let tracker = TaskTracker::new();
    let slots = Arc::new(Slots::default());
    let ids = AtomicU64::new(1);
    let mut backoff = ACCEPT_BACKOFF.0;
    // Evictions in a row (less than EVICTION_STREAK_GAP apart): a queue of
    // clients waiting for a full server (a flood of silent connections
    // ahead of a real client) is worked through by evicting twice as many
    // each time, where one at a time would keep the last one waiting for
    // seconds. A single waiting client still costs one eviction.
    let (mut eviction_streak, mut last_eviction): (u32, Option<Instant>) = (0, None);
    tokio::pin!(shutdown);
    'accepting: loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    warn!(target: "oxrpc::net", "{}: accept failed: {e}; retrying in {backoff:?}", config.name);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                    continue;
                }
            },
        };
        // Counted once for each client that finds the server full.
        if permits.available_permits() == 0 {
            if let Some(telemetry) = &config.telemetry {
                telemetry.limit_hit("connection_cap");
            }
        }
        // A client is waiting (this one, then the kernel's backlog): when
        // full, idle connections beyond their share make way for it. Only
        // then: a full server with no one waiting keeps everyone.
        let permit = loop {
            tokio::select! {
                _ = &mut shutdown => break 'accepting,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => break permit,
                    Err(_) => break 'accepting,
                },
                _ = tokio::time::sleep(EVICTION_CHECK), if permits.available_permits() == 0 => {
                    if last_eviction.is_some_and(|at: Instant| at.elapsed() > EVICTION_STREAK_GAP) {
                        eviction_streak = 0;
                    }
                    let batch = 1 << eviction_streak.min(MAX_EVICTION_DOUBLINGS);
                    let evicted = slots.evict_idle(config.max_connections, config.idle_share, config.min_idle, batch);
                    if evicted > 0 {
                        eviction_streak += 1;
                        last_eviction = Some(Instant::now());
                        info!(target: "oxrpc::net", "{}: full; closing the {evicted} connection(s) idle the longest", config.name);
                        if let Some(telemetry) = &config.telemetry {
                            for _ in 0..evicted {
                                telemetry.limit_hit("idle_eviction");
                            }
                        }
                    }
                }
            }
        };
        backoff = ACCEPT_BACKOFF.0;
        let id = ids.fetch_add(1, Ordering::Relaxed);
        let (config, handler) = (config.clone(), handler.clone());
        let shutdown = Shutdown::new(stop_rx.clone());
        let slot = slots.join(id);
        tracker.spawn(async move {
            if let Some(accepted) = admit(&config, stream, peer, id, slot).await {
                handler(accepted, shutdown).await;
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    tracker.close();
    if tokio::time::timeout(config.shutdown_grace, tracker.wait())
        .await
        .is_err()
    {
        warn!(target: "oxrpc::net", "{}: {} connection(s) still open after the {:?} grace period", config.name, tracker.len(), config.shutdown_grace);
    }
    Ok(())
}

/// Accepts and admits exactly one connection (rpyc's `OneShotServer`):
/// `Ok(None)` when that client was refused.
pub async fn accept_one(
    listener: Listener,
    config: &ListenConfig,
) -> std::io::Result<Option<Accepted>> {
    let (stream, peer) = listener.accept().await?;
    drop(listener);
    Ok(admit(config, stream, peer, 1, Slot::detached()).await)
}

/// The name of an accepted socket: the address the client reached (on a
/// wildcard bind, the interface it came in on) or the listening path.
fn local_name(stream: &Stream) -> Peer {
    match stream {
        Stream::Tcp(tcp) => tcp.local_addr().map_or(Peer::Pipe, Peer::Tcp),
        Stream::Unix(unix) => unix.local_addr().map_or(Peer::Pipe, |address| {
            Peer::Unix(address.as_pathname().map(ToOwned::to_owned))
        }),
        _ => Peer::Pipe,
    }
}

/// Handshakes (with TLS) and authenticates one connection; `None` when it
/// was refused (logged).
async fn admit(
    config: &ListenConfig,
    stream: Stream,
    peer: Peer,
    id: u64,
    slot: Slot,
) -> Option<Accepted> {
    let refuse = |why: &dyn std::fmt::Display| {
        warn!(target: "oxrpc::net", "{}: refused {peer}: {why}", config.name);
        if let Some(telemetry) = &config.telemetry {
            telemetry.error(format_args!("refused {peer}: {why}"));
        }
    };
    let limit_hit = |limit: &'static str| {
        if let Some(telemetry) = &config.telemetry {
            telemetry.limit_hit(limit);
        }
    };
    let local = local_name(&stream);
    // Bulk transfers from Nagle-bound clients are acknowledged promptly
    // (see QuickAck); TLS records ride on the same socket.
    let stream = match stream {
        Stream::Tcp(tcp) => Stream::layered(QuickAck::new(tcp)),
        other => other,
    };
    let stream = match &config.tls {
        None => stream,
        Some(acceptor) => {
            match tokio::time::timeout(config.handshake_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => Stream::TlsServer(Box::new(tls)),
                Ok(Err(e)) => {
                    refuse(&format_args!("TLS handshake failed: {e}"));
                    return None;
                }
                Err(_) => {
                    limit_hit("handshake_timeout");
                    refuse(&"TLS handshake timed out");
                    return None;
                }
            }
        }
    };
    let credentials = match &config.authenticator {
        None => None,
        Some(authenticator) => match authenticator.authenticate(&peer, &stream.peer_certificates())
        {
            Ok(credentials) => Some(credentials),
            Err(why) => {
                refuse(&why);
                return None;
            }
        },
    };
    if config.log_connections {
        info!(target: "oxrpc::net", "{}: accepted {peer} with fd {id}", config.name);
    }
    let stream = match config.write_timeout {
        Some(timeout) => Stream::layered(Deadline::new(stream, timeout)),
        None => stream,
    };
    let telemetry = config
        .telemetry
        .as_ref()
        .map(|t| Arc::new(t.connection(&peer)));
    let stream = match &telemetry {
        Some(telemetry) => Stream::layered(Metered::new(stream, telemetry.clone())),
        None => stream,
    };
    Some(Accepted {
        stream,
        tls: config.tls.is_some(),
        peer,
        local,
        credentials,
        id,
        slot,
        telemetry,
    })
}
