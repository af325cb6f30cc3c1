//! Which connections hold the server's slots, and which of them are idle.
//!
//! The connection cap keeps a flood in the kernel's backlog, but it also
//! lets a peer that opens connections and then does nothing lock everyone
//! else out. Every admitted connection therefore has a [`Slot`] that its
//! protocol marks busy while a request is in progress; when the server is
//! full and idle connections hold more than [`crate::ListenConfig::idle_share`]
//! of the slots, the one idle the longest is asked to close
//! ([`Slot::evicted`]) so the next client can be served.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// What a connection and the table share about it: one allocation, and
/// nothing a connection's reads have to lock.
struct State {
    /// Requests in progress.
    busy: AtomicUsize,
    /// When bytes last arrived or a request last ended, in nanoseconds
    /// since [`epoch`].
    last_active: AtomicU64,
    evict: Notify,
}

impl State {
    fn new() -> Arc<State> {
        Arc::new(State {
            busy: AtomicUsize::new(0),
            last_active: AtomicU64::new(now()),
            evict: Notify::new(),
        })
    }

    fn touch(&self) {
        self.last_active.store(now(), Ordering::Relaxed);
    }
}

/// The instant activity times count from.
pub(crate) fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds since [`epoch`] (five centuries fit in a u64).
pub(crate) fn now() -> u64 {
    u64::try_from(Instant::now().duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// The table of a server's connections.
#[derive(Default)]
pub(crate) struct Slots {
    entries: Mutex<HashMap<u64, Arc<State>>>,
}

impl Slots {
    /// Registers connection `id`.
    pub(crate) fn join(self: &Arc<Self>, id: u64) -> Slot {
        let slot = Slot {
            id,
            state: State::new(),
            table: Some(self.clone()),
        };
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(id, slot.state.clone());
        }
        slot
    }

    fn leave(&self, id: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }

    /// When more than `share` of `capacity` slots are idle (for at least
    /// `min_idle`), asks the ones idle the longest to close: at most
    /// `at_most` of them, and never so many that the idle ones fall below
    /// their share. Returns how many it asked.
    pub(crate) fn evict_idle(
        &self,
        capacity: usize,
        share: f64,
        min_idle: Duration,
        at_most: usize,
    ) -> usize {
        let Ok(entries) = self.entries.lock() else {
            return 0;
        };
        let min_idle = u64::try_from(min_idle.as_nanos()).unwrap_or(u64::MAX);
        let now = now();
        let mut idle: Vec<(u64, &State)> = entries
            .values()
            .filter(|state| state.busy.load(Ordering::Acquire) == 0)
            .map(|state| (state.last_active.load(Ordering::Relaxed), &**state))
            .filter(|(since, _)| now.saturating_sub(*since) >= min_idle)
            .collect();
        // The idle connections allowed to stay: their share of the slots.
        let kept = (share * capacity as f64).floor().max(0.0) as usize;
        let evicted = idle.len().saturating_sub(kept).min(at_most);
        if evicted == 0 {
            return 0;
        }
        if evicted < idle.len() {
            idle.select_nth_unstable_by_key(evicted - 1, |(since, _)| *since);
        }
        for (_, state) in &idle[..evicted] {
            state.evict.notify_one();
        }
        evicted
    }
}

/// A connection's place in the server: marks it busy or idle, and tells it
/// when the server needs the slot back.
pub struct Slot {
    id: u64,
    state: Arc<State>,
    table: Option<Arc<Slots>>,
}

impl Slot {
    /// A slot outside any server (never evicted).
    pub fn detached() -> Slot {
        Slot {
            id: 0,
            state: State::new(),
            table: None,
        }
    }

    /// Whether the slot is a server's (not [`Slot::detached`]).
    pub fn in_server(&self) -> bool {
        self.table.is_some()
    }

    /// Marks the connection busy until the guard drops (a request in
    /// progress); busy connections are never evicted.
    pub fn busy(&self) -> Busy {
        self.state.busy.fetch_add(1, Ordering::AcqRel);
        self.state.touch();
        Busy {
            state: self.state.clone(),
        }
    }

    /// Records activity (bytes arrived): the idle clock starts again. Only
    /// a server's slot keeps that clock (it picks whom to evict by it): a
    /// detached slot reads no clock.
    pub fn touch(&self) {
        if self.in_server() {
            self.state.touch();
        }
    }

    /// Whether a request is in progress.
    pub fn is_busy(&self) -> bool {
        self.state.busy.load(Ordering::Acquire) > 0
    }

    /// When the connection last started or ended a request (or was
    /// admitted, or last had bytes arrive).
    pub(crate) fn idle_since(&self) -> Instant {
        epoch() + Duration::from_nanos(self.state.last_active.load(Ordering::Relaxed))
    }

    /// Resolves when the server asks this idle connection to close.
    pub async fn evicted(&self) {
        self.state.evict.notified().await
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(table) = &self.table {
            table.leave(self.id);
        }
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("id", &self.id)
            .field("busy", &self.state.busy.load(Ordering::Relaxed))
            .finish()
    }
}

/// A request in progress (see [`Slot::busy`]).
pub struct Busy {
    state: Arc<State>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.state.touch();
        self.state.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `slot` was asked to close.
    async fn asked_to_close(slot: &Slot) -> bool {
        tokio::time::timeout(Duration::from_millis(20), slot.evicted())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn the_longest_idle_give_way_down_to_their_share() {
        let slots = Arc::new(Slots::default());
        let mut joined = Vec::new();
        for id in 0..6 {
            joined.push(slots.join(id));
            std::thread::sleep(Duration::from_millis(2));
        }
        // One busy (the oldest): five idle, of which the share of
        // 6 × 0.5 = 3 stay, so at most two are asked, the two idle the
        // longest, however large the batch.
        let _busy = joined[0].busy();
        assert_eq!(slots.evict_idle(6, 0.5, Duration::ZERO, 1), 1);
        assert_eq!(
            asked_of(&joined).await,
            [false, true, false, false, false, false]
        );
        assert_eq!(slots.evict_idle(6, 0.5, Duration::ZERO, 64), 2);
        assert_eq!(
            asked_of(&joined).await,
            [false, true, true, false, false, false]
        );
        // Too recently active for min_idle: none.
        assert_eq!(slots.evict_idle(6, 0.0, Duration::from_secs(60), 64), 0);
    }

    async fn asked_of(slots: &[Slot]) -> Vec<bool> {
        let mut asked = Vec::new();
        for slot in slots {
            asked.push(asked_to_close(slot).await);
        }
        asked
    }
}
