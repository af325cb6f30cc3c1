//! The timer that bounds a synchronous request, kept from one request to
//! the next.
//!
//! [`Connection::request`](super::Connection::request) waits at most
//! `sync_request_timeout` for a reply. A fresh tokio timer per request
//! costs more than the timer: when the runtime's driver parked with no
//! timer pending (on a connection making one call after another, that is
//! after nearly every reply), registering one wakes the driver's thread so
//! it can re-arm its wait — one more thread woken and one more `epoll_wait`
//! on every round trip. A timer that stays registered between requests and
//! is only ever moved later than the driver was told never needs that
//! wake-up. When a connection falls idle, the kept timer elapses once and
//! is re-armed by the next request.

use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;
use tokio::runtime::{Handle, Id};
use tokio::time::{Instant, Sleep};

/// One idle request timer of a connection (concurrent requests beyond the
/// first use fresh ones).
#[derive(Default)]
pub(super) struct RequestTimer {
    idle: Mutex<Option<(Id, Pin<Box<Sleep>>)>>,
}

impl RequestTimer {
    /// A timer that elapses `limit` from now: the kept one, moved, when it
    /// belongs to the runtime this runs on.
    pub(super) fn start(&self, limit: Duration) -> Pin<Box<Sleep>> {
        let Some(deadline) = Instant::now().checked_add(limit) else {
            // Beyond what an instant can hold: tokio caps the sleep itself.
            return Box::pin(tokio::time::sleep(limit));
        };
        let here = Handle::try_current().ok().map(|handle| handle.id());
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.take());
        match kept {
            Some((runtime, mut timer)) if Some(runtime) == here => {
                timer.as_mut().reset(deadline);
                timer
            }
            _ => Box::pin(tokio::time::sleep_until(deadline)),
        }
    }

    /// Keeps `timer`, still registered, for the next request.
    pub(super) fn keep(&self, timer: Pin<Box<Sleep>>) {
        let Ok(handle) = Handle::try_current() else {
            return;
        };
        if let Ok(mut idle) = self.idle.lock() {
            if idle.is_none() {
                *idle = Some((handle.id(), timer));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(timer: &Pin<Box<Sleep>>) -> *const Sleep {
        &**timer
    }

    #[tokio::test]
    async fn the_kept_timer_is_moved_later_and_still_elapses() {
        let timers = RequestTimer::default();
        let first = timers.start(Duration::from_secs(30));
        let (first_at, first_address) = (first.deadline(), address(&first));
        timers.keep(first);
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = timers.start(Duration::from_millis(20));
        // The same timer, moved: nothing new registered.
        assert_eq!(address(&second), first_address);
        assert!(second.deadline() < first_at);
        // Nothing is kept while it is out: a concurrent request gets its own.
        let third = timers.start(Duration::from_secs(30));
        assert_ne!(address(&third), first_address);
        // It elapses at its new deadline.
        let started = Instant::now();
        second.await;
        assert!(started.elapsed() <= Duration::from_secs(10));
    }

    #[tokio::test]
    async fn an_unbounded_limit_is_still_a_timer() {
        let timer = RequestTimer::default().start(Duration::MAX);
        assert!(timer.deadline() > Instant::now() + Duration::from_secs(86_400 * 365));
    }

    #[test]
    fn a_timer_of_another_runtime_is_not_reused() {
        let timers = RequestTimer::default();
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap()
        };
        let (one, two) = (runtime(), runtime());
        let kept = one.block_on(async {
            let timer = timers.start(Duration::from_secs(30));
            let kept = address(&timer);
            timers.keep(timer);
            kept
        });
        two.block_on(async {
            let timer = timers.start(Duration::from_secs(30));
            assert_ne!(address(&timer), kept);
        });
    }
}
