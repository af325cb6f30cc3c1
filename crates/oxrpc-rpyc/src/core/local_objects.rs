//! The table of our objects the peer holds references to.
//!
//! Each time an object is sent by reference its count goes up; the peer's
//! proxy, when released, sends `HANDLE_DEL(obj, count)` with how many
//! references it received, and the entry goes when the count is used up.
//! The arithmetic is rpyc's own (`RefCountingColl`): an entry starts at 0,
//! each further send adds 1, and a release of `count` removes the entry
//! when the entry's number is below `count`, else subtracts it. So a count
//! of 0 keeps the entry, a negative one adds to it, and any Python number
//! will do.
//! Without this the peer could pin objects forever, and without the counts
//! an object sent twice could be freed while a proxy still uses it.

use super::object::{id_pack_of, ObjectRef};
use crate::wire::boxing::IdPack;
// Keys are ids we chose; a peer only looks them up, so a fast hash is safe.
use foldhash::HashMap;

struct Entry {
    id_pack: IdPack,
    object: ObjectRef,
    /// rpyc's slot count: sends beyond the first, less releases.
    refcount: f64,
}

/// Refcounted local objects, keyed by (class id, instance id): classes all
/// have instance id 0, as in rpyc.
#[derive(Default)]
pub(crate) struct LocalObjects {
    entries: HashMap<(i128, i128), Entry>,
}

fn key(id_pack: &IdPack) -> (i128, i128) {
    (id_pack.type_id, id_pack.instance_id)
}

impl LocalObjects {
    /// Whether `object` already has an entry.
    pub(crate) fn contains(&self, object: &ObjectRef) -> bool {
        self.entries.contains_key(&key(&id_pack_of(object)))
    }

    /// Records one more reference sent to the peer and returns the id pack
    /// (the caller has checked the limits for a new entry).
    pub(crate) fn add(&mut self, object: &ObjectRef) -> Option<IdPack> {
        let id_pack = id_pack_of(object);
        if let Some(entry) = self.entries.get_mut(&key(&id_pack)) {
            entry.refcount += 1.0;
            return Some(entry.id_pack.clone());
        }
        self.entries.insert(
            key(&id_pack),
            Entry {
                id_pack: id_pack.clone(),
                object: object.clone(),
                refcount: 0.0,
            },
        );
        Some(id_pack)
    }

    /// The object the peer refers to by `id_pack`.
    pub(crate) fn get(&self, id_pack: &IdPack) -> Option<ObjectRef> {
        self.entries
            .get(&key(id_pack))
            .filter(|e| e.id_pack == *id_pack)
            .map(|e| e.object.clone())
    }

    /// Drops `count` references: whether such an object is held, and the
    /// object when its last reference went (for the caller to drop outside
    /// any lock).
    pub(crate) fn decref(&mut self, id_pack: &IdPack, count: f64) -> (bool, Option<ObjectRef>) {
        let Some(entry) = self.entries.get_mut(&key(id_pack)) else {
            return (false, None);
        };
        if entry.id_pack != *id_pack {
            return (false, None);
        }
        if entry.refcount < count {
            return (true, self.entries.remove(&key(id_pack)).map(|e| e.object));
        }
        entry.refcount -= count;
        (true, None)
    }

    /// How many objects are held for the peer.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Releases everything (the connection closed).
    pub(crate) fn clear(&mut self) -> Vec<ObjectRef> {
        self.entries.drain().map(|(_, e)| e.object).collect()
    }
}
