//! The `HANDLE_DEL`s a connection sent that the peer has not answered yet.
//!
//! They pace what goes out next (see `Connection::wait_for_releases`), so
//! whether any is outstanding is asked on every request and twice per
//! frame read; the count beside the set answers that without its lock.

// Our own seqs: a fast hash is safe.
use foldhash::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;

/// Most unanswered releases tracked at once, so a peer that never answers
/// them cannot grow the set without bound; the tracking only paces requests.
const MAX_TRACKED: usize = 1024;

/// Releases sent and not answered (see the module docs).
#[derive(Default)]
pub(super) struct Releases {
    seqs: Mutex<HashSet<u64>>,
    /// `seqs.len()`, written under its lock.
    count: AtomicUsize,
    /// Signalled when one is answered or all are forgotten.
    answered: Notify,
}

impl Releases {
    fn seqs(&self) -> MutexGuard<'_, HashSet<u64>> {
        self.seqs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tracks the release sent as request `seq` (unless [`MAX_TRACKED`]
    /// already are).
    pub(super) fn sent(&self, seq: u64) {
        let mut seqs = self.seqs();
        if seqs.len() < MAX_TRACKED {
            seqs.insert(seq);
            self.count.store(seqs.len(), Ordering::Release);
        }
    }

    /// Records the answer to request `seq`; false if it was no release.
    pub(super) fn answered(&self, seq: u64) -> bool {
        let found = {
            let mut seqs = self.seqs();
            let found = seqs.remove(&seq);
            self.count.store(seqs.len(), Ordering::Release);
            found
        };
        if found {
            self.answered.notify_waiters();
        }
        found
    }

    /// Stops waiting for any (the peer does not answer them, or the
    /// connection ended).
    pub(super) fn forget(&self) {
        {
            let mut seqs = self.seqs();
            seqs.clear();
            self.count.store(0, Ordering::Release);
        }
        self.answered.notify_waiters();
    }

    /// Whether one is still unanswered.
    pub(super) fn outstanding(&self) -> bool {
        self.count.load(Ordering::Acquire) > 0
    }

    /// Resolves at the next answer or [`Releases::forget`]; register it
    /// (`enable`) before checking [`Releases::outstanding`].
    pub(super) fn next_answer(&self) -> tokio::sync::futures::Notified<'_> {
        self.answered.notified()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_follows_the_set() {
        let releases = Releases::default();
        assert!(!releases.outstanding());
        releases.sent(3);
        releases.sent(4);
        assert!(releases.outstanding());
        assert!(releases.answered(3));
        assert!(!releases.answered(3), "answered twice");
        assert!(releases.outstanding());
        assert!(releases.answered(4));
        assert!(!releases.outstanding());
        for seq in 0..(MAX_TRACKED as u64 + 10) {
            releases.sent(seq);
        }
        assert_eq!(releases.count.load(Ordering::Acquire), MAX_TRACKED);
        releases.forget();
        assert!(!releases.outstanding());
    }
}
