//! A time limit armed only once the work has to wait.
//!
//! `tokio::time::timeout` reads the clock and builds a timer entry before
//! it polls anything. A server that puts a limit on every request's body
//! pays that even when the body is already in its buffer, as the bodies of
//! small calls nearly always are. [`within`] polls the work first and
//! starts the clock only if the work returns `Pending`: the limit then
//! counts from that first wait, which is when the peer starts to cost time.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

/// The limit passed before the work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl std::fmt::Display for Elapsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("time limit passed")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `work` for at most `limit`, counted from the first time it waits.
///
/// Work that finishes on its first poll never touches the clock or the
/// timer wheel.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use oxrpc_net::{within, Elapsed};
/// use std::time::Duration;
///
/// assert_eq!(within(Duration::from_secs(1), async { 7 }).await, Ok(7));
/// let never = std::future::pending::<()>();
/// assert_eq!(within(Duration::from_millis(10), never).await, Err(Elapsed));
/// # }
/// ```
pub async fn within<F: Future>(limit: Duration, work: F) -> Result<F::Output, Elapsed> {
    let mut work = pin!(work);
    let mut timer = pin!(None::<tokio::time::Sleep>);
    poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if timer.is_none() {
            timer.set(Some(tokio::time::sleep(limit)));
        }
        match timer.as_mut().as_pin_mut() {
            Some(sleep) => sleep.poll(cx).map(|()| Err(Elapsed)),
            None => Poll::Pending,
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[test]
    fn ready_work_never_arms_the_timer() {
        // Outside a runtime, building a timer panics (no timer driver):
        // `tokio::time::timeout` would, here.
        let mut ready = pin!(within(Duration::from_secs(5), async { "done" }));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert_eq!(ready.as_mut().poll(&mut cx), Poll::Ready(Ok("done")));
    }

    #[test]
    #[should_panic]
    fn a_timeout_outside_a_runtime_panics() {
        // What the test above relies on.
        drop(tokio::time::timeout(Duration::from_secs(5), async {
            "done"
        }));
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_counts_from_the_first_wait() {
        let start = Instant::now();
        let slow = tokio::time::sleep(Duration::from_secs(3));
        assert_eq!(within(Duration::from_secs(2), slow).await, Err(Elapsed));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn work_that_waits_less_than_the_limit_finishes() {
        let work = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            42
        };
        assert_eq!(within(Duration::from_secs(2), work).await, Ok(42));
    }
}
