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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

struct Entry {
    busy: Arc<AtomicUsize>,
    last_active: Arc<Mutex<Instant>>,
    evict: Arc<Notify>,
}

/// The table of a server's connections.
#[derive(Default)]
pub(crate) struct Slots {
    entries: Mutex<HashMap<u64, Entry>>,
}

impl Slots {
    /// Registers connection `id`.
    pub(crate) fn join(self: &Arc<Self>, id: u64) -> Slot {
        let slot = Slot {
            id,
            busy: Arc::new(AtomicUsize::new(0)),
            last_active: Arc::new(Mutex::new(Instant::now())),
            evict: Arc::new(Notify::new()),
            table: Some(self.clone()),
        };
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(
                id,
                Entry {
                    busy: slot.busy.clone(),
                    last_active: slot.last_active.clone(),
                    evict: slot.evict.clone(),
                },
            );
        }
        slot
    }

    fn leave(&self, id: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }

    /// When more than `share` of `capacity` slots are idle (for at least
    /// `min_idle`), asks the one idle the longest to close; true if it did.
    pub(crate) fn evict_idle(&self, capacity: usize, share: f64, min_idle: Duration) -> bool {
        let Ok(entries) = self.entries.lock() else {
            return false;
        };
        let now = Instant::now();
        let idle: Vec<(Instant, &Entry)> = entries
            .values()
            .filter(|e| e.busy.load(Ordering::Acquire) == 0)
            .filter_map(|e| {
                let since = *e.last_active.lock().ok()?;
                (now.duration_since(since) >= min_idle).then_some((since, e))
            })
            .collect();
        if (idle.len() as f64) <= share * capacity as f64 {
            return false;
        }
        match idle.iter().min_by_key(|(since, _)| *since) {
            Some((_, oldest)) => {
                oldest.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's place in the server: marks it busy or idle, and tells it
/// when the server needs the slot back.
pub struct Slot {
    id: u64,
    busy: Arc<AtomicUsize>,
    last_active: Arc<Mutex<Instant>>,
    evict: Arc<Notify>,
    table: Option<Arc<Slots>>,
}

impl Slot {
    /// A slot outside any server (never evicted).
    pub fn detached() -> Slot {
        Slot {
            id: 0,
            busy: Arc::new(AtomicUsize::new(0)),
            last_active: Arc::new(Mutex::new(Instant::now())),
            evict: Arc::new(Notify::new()),
            table: None,
        }
    }

    /// Marks the connection busy until the guard drops (a request in
    /// progress); busy connections are never evicted.
    pub fn busy(&self) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.touch();
        Busy {
            busy: self.busy.clone(),
            last_active: self.last_active.clone(),
        }
    }

    /// Records activity (bytes arrived): the idle clock starts again.
    pub fn touch(&self) {
        if let Ok(mut last) = self.last_active.lock() {
            *last = Instant::now();
        }
    }

    /// Resolves when the server asks this idle connection to close.
    pub async fn evicted(&self) {
        self.evict.notified().await
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
            .field("busy", &self.busy.load(Ordering::Relaxed))
            .finish()
    }
}

/// A request in progress (see [`Slot::busy`]).
pub struct Busy {
    busy: Arc<AtomicUsize>,
    last_active: Arc<Mutex<Instant>>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Ok(mut last) = self.last_active.lock() {
            *last = Instant::now();
        }
        self.busy.fetch_sub(1, Ordering::AcqRel);
    }
}
