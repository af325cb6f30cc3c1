//! The memory every connection of a server draws on together.
//!
//! Each request is bounded on its own (body, inflated body, values,
//! response), but a thousand connections each at their bound would still
//! take the host down. So the bytes of large bodies, their inflated and
//! parsed forms, and large responses waiting to be written are reserved
//! from one server-wide budget first; a request that cannot get its share
//! within a deadline is refused (503), and the rest of the server goes on.
//!
//! Small documents (under [`SMALL`]) do not draw on the budget: their sum
//! is already bounded by the connection cap, and a server whose budget is
//! spent by a few heavy peers must still answer everyone else at once.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Documents up to this size neither reserve memory nor leave the
/// connection's task (decoding and encoding them is cheap).
pub(crate) const SMALL: usize = 256 * 1024;

/// Bytes the server's connections may hold at once in large documents.
pub(crate) struct MemoryBudget {
    permits: Arc<Semaphore>,
    total: usize,
}

/// Memory reserved from a [`MemoryBudget`], given back when dropped.
#[derive(Default)]
pub(crate) struct Reservation {
    permits: Vec<OwnedSemaphorePermit>,
}

impl MemoryBudget {
    /// A budget of `total` bytes.
    pub(crate) fn new(total: usize) -> Self {
        let total = total.min(Semaphore::MAX_PERMITS);
        MemoryBudget {
            permits: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// Reserves `bytes`, waiting at most `wait` for others to give some
    /// back; `None` if they did not. Small amounts are granted at once.
    pub(crate) async fn reserve(&self, bytes: usize, wait: Duration) -> Option<Reservation> {
        if bytes <= SMALL {
            return Some(Reservation::default());
        }
        // Boxed: the wait is kept out of the future of every small request.
        Box::pin(self.reserve_large(bytes, wait)).await
    }

    async fn reserve_large(&self, bytes: usize, wait: Duration) -> Option<Reservation> {
        // More than the whole budget could never be granted.
        let bytes = u32::try_from(bytes.min(self.total)).ok()?;
        let acquire = self.permits.clone().acquire_many_owned(bytes);
        match tokio::time::timeout(wait, acquire).await {
            Ok(Ok(permit)) => Some(Reservation {
                permits: vec![permit],
            }),
            _ => None,
        }
    }
}

impl Reservation {
    /// Adds `other` to this reservation (both go back together).
    pub(crate) fn join(&mut self, other: Reservation) {
        self.permits.extend(other.permits);
    }
}

/// The body of every response the server sends: the bytes, holding their
/// share of the server's memory budget until hyper has written them (or
/// dropped them for a client that left).
pub struct ResponseBody {
    inner: Full<Bytes>,
    _reservation: Reservation,
}

impl ResponseBody {
    /// A body that reserves nothing.
    pub(crate) fn new(bytes: impl Into<Bytes>) -> Self {
        ResponseBody::reserved(bytes, Reservation::default())
    }

    /// A body that gives `reservation` back once written.
    pub(crate) fn reserved(bytes: impl Into<Bytes>, reservation: Reservation) -> Self {
        ResponseBody {
            inner: Full::new(bytes.into()),
            _reservation: reservation,
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reservations_wait_for_memory_given_back() {
        let budget = MemoryBudget::new(1 << 20);
        let wait = Duration::from_millis(50);
        let first = budget.reserve(700 << 10, wait).await;
        assert!(first.is_some());
        assert!(budget.reserve(700 << 10, wait).await.is_none());
        // Small documents are never held back.
        assert!(budget.reserve(SMALL, wait).await.is_some());
        drop(first);
        assert!(budget.reserve(700 << 10, wait).await.is_some());
        // More than the budget is capped to all of it, not refused forever.
        assert!(budget.reserve(8 << 20, wait).await.is_some());
    }
}
