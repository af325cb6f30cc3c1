//! A connection's work raced against what would stop it, each polled only
//! when its own wake-up came.
//!
//! A connection task waits on its protocol (woken by every request) and on
//! a few things that end it: the idle watch, the server's shutdown, an
//! eviction. `tokio::select!` polls every branch on every wake-up, so each
//! request would also poll a timer and two notifications, each of which
//! takes a lock to re-register the same waker. [`work_or_stop`] gives the
//! stopping side a waker of its own, which marks it as woken and wakes the
//! task: a request's wake-up polls the work, and the stopping side only
//! when one of its own events fired.

use atomic_waker::AtomicWaker;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Which side of [`work_or_stop`] finished first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished<W, S> {
    /// The work, with its output.
    Work(W),
    /// The stopping side, with its output; the work is left where it was.
    Stopped(S),
}

/// Polls `work` and `stop` until one finishes, `work` first.
///
/// `work` is polled on every wake-up of the task; `stop` the first time
/// and then only after it woke the task itself.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use oxrpc_net::{work_or_stop, Finished};
/// use std::time::Duration;
///
/// let work = async { 1 + 1 };
/// let stop = tokio::time::sleep(Duration::from_secs(1));
/// assert_eq!(work_or_stop(work, stop).await, Finished::Work(2));
///
/// let work = std::future::pending::<()>();
/// let stop = tokio::time::sleep(Duration::from_millis(10));
/// assert_eq!(work_or_stop(work, stop).await, Finished::Stopped(()));
/// # }
/// ```
pub async fn work_or_stop<W: Future, S: Future>(
    work: W,
    stop: S,
) -> Finished<W::Output, S::Output> {
    let mut work = pin!(work);
    let mut stop = pin!(stop);
    let flag = Arc::new(StopFlag {
        woken: AtomicBool::new(true),
        task: AtomicWaker::new(),
    });
    let stop_waker = Waker::from(flag.clone());
    // The task's waker as last handed to `flag`: registering again only
    // when it changed, or after the stopping side's wake-up took it.
    let mut registered: Option<Waker> = None;
    poll_fn(|cx| {
        let stop_woken = flag.woken.swap(false, Ordering::AcqRel);
        // Before either side is polled, so that a wake-up of the stopping
        // side during this poll reaches the task.
        if stop_woken || !registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            flag.task.register(cx.waker());
            registered = Some(cx.waker().clone());
        }
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Finished::Work(output));
        }
        if stop_woken {
            if let Poll::Ready(output) = stop.as_mut().poll(&mut Context::from_waker(&stop_waker)) {
                return Poll::Ready(Finished::Stopped(output));
            }
        }
        Poll::Pending
    })
    .await
}

/// The stopping side's waker: marks it as due for a poll, wakes the task.
struct StopFlag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for StopFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;
    use tokio::sync::Notify;

    /// Counts how often it is polled; never finishes.
    struct Polls<'a>(&'a AtomicUsize);

    impl Future for Polls<'_> {
        type Output = ();
        fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_stopping_side_is_polled_only_when_it_woke() {
        let stop_polls = AtomicUsize::new(0);
        let work = async {
            // Ten wake-ups of the work alone.
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            "done"
        };
        let result = work_or_stop(work, Polls(&stop_polls)).await;
        assert_eq!(result, Finished::Work("done"));
        assert_eq!(stop_polls.load(Ordering::Relaxed), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wake_up_of_the_stopping_side_stops_pending_work() {
        let notify = Arc::new(Notify::new());
        let notifier = notify.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            notifier.notify_one();
        });
        let work = std::future::pending::<()>();
        let result = work_or_stop(work, async {
            notify.notified().await;
            5
        })
        .await;
        assert_eq!(result, Finished::Stopped(5));
    }

    #[tokio::test(start_paused = true)]
    async fn the_work_wins_a_tie() {
        let result = work_or_stop(async { 1 }, async { 2 }).await;
        assert_eq!(result, Finished::Work(1));
    }
}
