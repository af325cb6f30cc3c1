//! What a request whose handler waits (an async method, a job queued for an
//! interpreter) holds while it waits, and the bounds on it.
//!
//! Such a request keeps its decoded arguments in memory until it is
//! answered, and its peer can send the next one meanwhile: without a
//! bound, one client that queues requests behind a slow one (rpyc's
//! `async_` makes that one line) grows the server's memory for as long as
//! it keeps sending. Two bounds hold it:
//!
//! * per connection, [`Config::max_pending_requests`](crate::Config)
//!   requests at once;
//! * server-wide, the bytes of those requests (their frames, uncompressed)
//!   draw on the server's input budget, the one large frames reserve while
//!   they arrive (a large frame's reservation passes to its request, so it
//!   is counted once). Each connection's first [`RESERVED_BYTES`] are its
//!   own, so a server whose budget others have spent still serves a
//!   newcomer's calls.
//!
//! A request over either bound is answered at once with an exception,
//! as rpyc's clients expect of a refused call; nothing waits, so a handler
//! that calls back into its peer can never wait on a refused reply.

use super::connection::{Inner, InputReservation};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Bytes of requests in progress each connection holds without drawing on
/// the server's input budget: one of the largest frames decoded without
/// the budget, so any connection's first waiting request is served.
pub(crate) const RESERVED_BYTES: usize = super::connection::SMALL_FRAME;

/// Why a request could not wait for its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The connection already has this many requests in progress.
    TooMany(usize),
    /// The server's budget for what requests in progress hold is spent.
    BudgetSpent,
}

impl Refused {
    /// The limit's name in the server's metrics.
    pub(crate) fn limit(self) -> &'static str {
        match self {
            Refused::TooMany(_) => "pending_requests",
            Refused::BudgetSpent => "pending_bytes",
        }
    }

    /// What the refused request is answered with.
    pub(crate) fn message(self) -> String {
        match self {
            Refused::TooMany(limit) => {
                format!("more than {limit} requests in progress on this connection")
            }
            Refused::BudgetSpent => "the server holds as much as it may for requests in \
                 progress; this one was refused (try again when earlier ones have been answered)"
                .to_owned(),
        }
    }
}

/// A request in progress: counted against its connection's limits for as
/// long as it lives, so the counts come back down however the handler ends
/// (answered, dropped with the connection, or unwound by a panic).
pub(crate) struct InProgress {
    inner: Arc<Inner>,
    /// Bytes counted against the connection.
    bytes: usize,
    /// Of those, the permits taken from the server's input budget...
    drawn: u32,
    /// ...and the reservation its frame made while it arrived.
    _frame: Option<InputReservation>,
}

impl InProgress {
    /// Counts a request of `bytes` as in progress on the connection, or
    /// says which bound it would cross.
    pub(crate) fn enter(inner: &Arc<Inner>, bytes: usize) -> Result<InProgress, Refused> {
        let limit = inner.config.max_pending_requests;
        if inner.pending_handlers.fetch_add(1, Ordering::AcqRel) >= limit {
            inner.pending_handlers.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::TooMany(limit));
        }
        let held_before = inner.pending_bytes.fetch_add(bytes, Ordering::AcqRel);
        let from_reserve = RESERVED_BYTES.saturating_sub(held_before).min(bytes);
        let wanted = bytes - from_reserve;
        // A large frame reserved its size while it arrived: that covers
        // as much of what its request holds.
        let frame = match wanted {
            0 => None,
            _ => inner.frame_slot().take(),
        };
        let covered = frame.as_ref().map_or(0, |f| f.bytes()).min(wanted);
        let shared = &inner.config.shared.input;
        let drawn = match u32::try_from(wanted - covered) {
            Ok(0) => Some(0),
            Ok(more) => shared.try_acquire_many(more).ok().map(|permit| {
                permit.forget();
                more
            }),
            Err(_) => None,
        };
        let in_progress = InProgress {
            inner: inner.clone(),
            bytes,
            drawn: drawn.unwrap_or(0),
            _frame: frame,
        };
        if drawn.is_none() {
            // Dropping it gives back the counts just taken.
            return Err(Refused::BudgetSpent);
        }
        Ok(in_progress)
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.inner
            .config
            .shared
            .input
            .add_permits(self.drawn as usize);
        self.inner
            .pending_bytes
            .fetch_sub(self.bytes, Ordering::AcqRel);
        self.inner.pending_handlers.fetch_sub(1, Ordering::AcqRel);
    }
}
