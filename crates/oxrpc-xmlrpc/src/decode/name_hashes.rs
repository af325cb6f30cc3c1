//! The hashes of struct member names, remembered while a document is read.
//!
//! `Struct` is an `IndexMap` with std's keyed SipHash, kept for its
//! resistance to collision floods from peers, and hashing a name costs
//! several times what comparing it does. An array of structs mostly repeats
//! the same names in the same order, so the layout reader builds every
//! struct of a document with the same keys and asks here for each name's
//! hash: the last name seen at that position, if it is the same name, gives
//! it without hashing.

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};

/// How many member positions [`NameHashes`] remembers a name for.
const NAME_POSITIONS: usize = 16;

/// The hash keys of one document's structs, and the last name seen at
/// each member position with its hash.
pub(super) struct NameHashes<'d> {
    state: RandomState,
    by_position: [Option<(&'d str, u64)>; NAME_POSITIONS],
}

impl<'d> NameHashes<'d> {
    pub(super) fn new() -> NameHashes<'d> {
        NameHashes {
            state: RandomState::new(),
            by_position: [None; NAME_POSITIONS],
        }
    }

    /// The hash keys every struct of the document is built with.
    #[inline]
    pub(super) fn state(&self) -> RandomState {
        self.state.clone()
    }

    /// `name`, the member at `position` in its struct, owned, with its hash.
    #[inline]
    pub(super) fn hashed(&mut self, position: usize, name: Cow<'d, str>) -> (String, u64) {
        let name = match name {
            Cow::Borrowed(name) => name,
            // Names with references resolved are not remembered: rare, and
            // not in the document as they read.
            Cow::Owned(name) => {
                let hash = self.state.hash_one(name.as_str());
                return (name, hash);
            }
        };
        let slot = &mut self.by_position[position % NAME_POSITIONS];
        let hash = match slot {
            Some((known, hash)) if *known == name => *hash,
            _ => {
                let hash = self.state.hash_one(name);
                *slot = Some((name, hash));
                hash
            }
        };
        (name.to_owned(), hash)
    }
}
