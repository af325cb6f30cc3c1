//! The registry's table: which servers expose which names, and since when.
//!
//! rpyc keeps `{NAME: {(host, port): last_seen}}` and this is the same
//! table with the same behaviour, plus bounds:
//!
//! * names are upper-cased; a re-registration refreshes the keepalive of
//!   an existing `(host, port)` and moves it to the end (rpyc's QUERY sorts
//!   by keepalive, oldest first; an entry kept in that order needs no sort);
//! * a QUERY drops the entries of that name older than the pruning timeout
//!   (lazily, as rpyc does); LIST does not prune, so a name whose servers
//!   are all stale is listed until someone queries it;
//! * UNREGISTER removes `(host, port)` under every name; a name left
//!   without servers disappears;
//! * ports are compared as Python's `==` compares them (rpyc's keys are
//!   tuples in a dict): `3`, `3.0` and `(3+0j)` are one port, `True` is
//!   `1`, a NaN is no port but itself. The port an entry was first
//!   registered with is the one QUERY reports.
//!
//! # Limits
//!
//! rpyc's table grows with whatever is sent to it. Here every dimension
//! has a bound ([`RegistryLimits`]): names per registration, name length,
//! port size, servers per name, entries per source host, entries in all.
//! A registration that would cross one is refused whole, without a reply
//! (the sender's registrar logs that no registry acknowledged and retries),
//! after the table first drops every stale entry to make room. Keepalives
//! of entries already present never need room, so a full table never
//! evicts or starves the servers it holds.

use crate::wire::brine::BrineValue;
use num_bigint::BigInt;
use num_traits::FromPrimitive;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Bounds on what registrations can make a registry hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryLimits {
    /// Entries (a name served at a `(host, port)`) in the whole table. The
    /// default, 10,000, is about 1 MiB with names of a few dozen bytes and
    /// at most ~17 MiB with the longest a request can carry.
    pub max_entries: usize,
    /// Servers under one name (256 by default). A QUERY reply carries
    /// those that fit in 1500 bytes, oldest keepalive first: about 70
    /// IPv4 servers (see the server's docs).
    pub max_entries_per_name: usize,
    /// Entries registered from one source address (1,024 by default), so
    /// one host cannot fill the table for everyone.
    pub max_entries_per_host: usize,
    /// Names in one registration. By default as many as a request can
    /// carry (rpyc's registry takes them all; each is an entry, which the
    /// bounds above count).
    pub max_names_per_registration: usize,
    /// Bytes of a name, upper-cased, as UTF-8. By default as long as a
    /// request can carry, as rpyc's registry takes it.
    pub max_name_len: usize,
    /// Bytes of a port value as brine (128 by default: an int, or a Unix
    /// socket path, which Linux caps at 108 bytes).
    pub max_port_len: usize,
}

impl Default for RegistryLimits {
    fn default() -> Self {
        RegistryLimits {
            max_entries: 10_000,
            max_entries_per_name: 256,
            max_entries_per_host: 1024,
            max_names_per_registration: super::protocol::MAX_PACKET,
            max_name_len: super::protocol::MAX_PACKET,
            max_port_len: 128,
        }
    }
}

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    TooManyNames(usize),
    NameTooLong(usize),
    PortTooLarge(usize),
    NameFull(String),
    HostFull,
    TableFull,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooManyNames(n) => write!(f, "{n} names in one registration"),
            Refusal::NameTooLong(n) => write!(f, "a name of {n} bytes"),
            Refusal::PortTooLarge(n) => write!(f, "a port of {n} bytes"),
            Refusal::NameFull(name) => write!(f, "{name} has its most servers"),
            Refusal::HostFull => f.write_str("the host has its most entries"),
            Refusal::TableFull => f.write_str("the table is full"),
        }
    }
}

/// One server of a name.
#[derive(Debug, Clone)]
struct Entry {
    host: String,
    port: BrineValue,
    seen: Instant,
}

/// A name's servers, oldest keepalive first, and the name's place in the
/// table's insertion order.
#[derive(Debug)]
struct Name {
    order: u64,
    servers: Vec<Entry>,
}

/// The table (see the module docs).
#[derive(Debug)]
pub(crate) struct Table {
    names: HashMap<String, Name>,
    next_order: u64,
    per_host: HashMap<String, usize>,
    entries: usize,
    limits: RegistryLimits,
    pruning_timeout: Duration,
}

/// What a QUERY found: the live servers, and those it dropped as stale.
pub(crate) struct Found {
    pub(crate) live: Vec<(String, BrineValue)>,
    pub(crate) stale: Vec<(String, BrineValue)>,
}

impl Table {
    pub(crate) fn new(limits: RegistryLimits, pruning_timeout: Duration) -> Table {
        Table {
            names: HashMap::new(),
            next_order: 0,
            per_host: HashMap::new(),
            entries: 0,
            limits,
            pruning_timeout,
        }
    }

    /// Entries in the table.
    pub(crate) fn len(&self) -> usize {
        self.entries
    }

    fn is_stale(&self, entry: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(entry.seen) > self.pruning_timeout
    }

    /// Registers `(host, port)` under every name (upper-cased), or refuses
    /// the whole registration; returns how many entries are new (the rest
    /// were keepalives).
    pub(crate) fn register(
        &mut self,
        host: &str,
        names: &[String],
        port: &BrineValue,
        now: Instant,
    ) -> Result<usize, Refusal> {
        if names.len() > self.limits.max_names_per_registration {
            return Err(Refusal::TooManyNames(names.len()));
        }
        let upper: Vec<String> = names.iter().map(|n| n.to_uppercase()).collect();
        if let Some(long) = upper.iter().find(|n| n.len() > self.limits.max_name_len) {
            return Err(Refusal::NameTooLong(long.len()));
        }
        let port_len = crate::wire::brine::dump(port).len();
        if port_len > self.limits.max_port_len {
            return Err(Refusal::PortTooLarge(port_len));
        }
        if self.room_for(host, &upper, port).is_err() {
            self.prune_all(now);
        }
        self.room_for(host, &upper, port)?;
        let before = self.entries;
        for name in upper {
            self.add(name, host, port, now);
        }
        Ok(self.entries - before)
    }

    /// Whether the new entries of a registration fit.
    fn room_for(&self, host: &str, names: &[String], port: &BrineValue) -> Result<(), Refusal> {
        let mut unique: Vec<&String> = names.iter().collect();
        unique.sort_unstable();
        unique.dedup();
        let mut new = 0;
        for name in unique {
            let servers = self.names.get(name).map_or(&[][..], |n| &n.servers[..]);
            if servers
                .iter()
                .any(|e| e.host == host && same_port(&e.port, port))
            {
                continue;
            }
            if servers.len() >= self.limits.max_entries_per_name {
                return Err(Refusal::NameFull(name.clone()));
            }
            new += 1;
        }
        let held = self.per_host.get(host).copied().unwrap_or(0);
        if held + new > self.limits.max_entries_per_host {
            return Err(Refusal::HostFull);
        }
        if self.entries + new > self.limits.max_entries {
            return Err(Refusal::TableFull);
        }
        Ok(())
    }

    fn add(&mut self, name: String, host: &str, port: &BrineValue, now: Instant) {
        let order = self.next_order;
        let entry = self.names.entry(name).or_insert_with(|| Name {
            order,
            servers: Vec::new(),
        });
        if entry.order == order {
            self.next_order += 1;
        }
        match entry
            .servers
            .iter()
            .position(|e| e.host == host && same_port(&e.port, port))
        {
            Some(at) => {
                let mut refreshed = entry.servers.remove(at);
                refreshed.seen = now;
                entry.servers.push(refreshed);
            }
            None => {
                entry.servers.push(Entry {
                    host: host.to_owned(),
                    port: port.clone(),
                    seen: now,
                });
                self.entries += 1;
                *self.per_host.entry(host.to_owned()).or_insert(0) += 1;
            }
        }
    }

    /// Accounts for entries removed from the table.
    fn forget(&mut self, removed: &[Entry]) {
        self.entries -= removed.len();
        for entry in removed {
            if let Some(count) = self.per_host.get_mut(&entry.host) {
                *count -= 1;
                if *count == 0 {
                    self.per_host.remove(&entry.host);
                }
            }
        }
    }

    /// Removes `(host, port)` under every name; returns how many entries went.
    pub(crate) fn unregister(&mut self, host: &str, port: &BrineValue) -> usize {
        if !self.per_host.contains_key(host) {
            return 0; // nothing from there: no need to look at every name
        }
        let mut removed = Vec::new();
        self.names.retain(|_, name| {
            if let Some(at) = name
                .servers
                .iter()
                .position(|e| e.host == host && same_port(&e.port, port))
            {
                removed.push(name.servers.remove(at));
            }
            !name.servers.is_empty()
        });
        self.forget(&removed);
        removed.len()
    }

    /// The live servers of `name` (any case), oldest keepalive first;
    /// stale ones are dropped on the way, as rpyc's QUERY does.
    pub(crate) fn query(&mut self, name: &str, now: Instant) -> Found {
        let name = name.to_uppercase();
        let timeout = self.pruning_timeout;
        let Some(entry) = self.names.get_mut(&name) else {
            return Found {
                live: Vec::new(),
                stale: Vec::new(),
            };
        };
        // Kept in keepalive order already, unless a caller's clock went
        // backwards; the sort is stable, as Python's.
        entry.servers.sort_by_key(|e| e.seen);
        let (stale, live): (Vec<Entry>, Vec<Entry>) = entry
            .servers
            .drain(..)
            .partition(|e| now.saturating_duration_since(e.seen) > timeout);
        entry.servers = live;
        let found = Found {
            live: entry
                .servers
                .iter()
                .map(|e| (e.host.clone(), e.port.clone()))
                .collect(),
            stale: stale
                .iter()
                .map(|e| (e.host.clone(), e.port.clone()))
                .collect(),
        };
        if entry.servers.is_empty() {
            self.names.remove(&name);
        }
        self.forget(&stale);
        found
    }

    /// The names, in registration order; only those with a server at
    /// `host` when given. Nothing is pruned.
    pub(crate) fn list(&self, host: Option<&str>) -> Vec<String> {
        let mut names: Vec<(&String, &Name)> = self
            .names
            .iter()
            .filter(|(_, name)| host.is_none_or(|h| name.servers.iter().any(|e| e.host == h)))
            .collect();
        names.sort_unstable_by_key(|(_, name)| name.order);
        names.into_iter().map(|(n, _)| n.clone()).collect()
    }

    /// Drops every stale entry (only when a registration needs room).
    fn prune_all(&mut self, now: Instant) {
        let mut removed = Vec::new();
        let names = std::mem::take(&mut self.names);
        for (key, mut name) in names {
            let (stale, live): (Vec<Entry>, Vec<Entry>) =
                name.servers.drain(..).partition(|e| self.is_stale(e, now));
            removed.extend(stale);
            if !live.is_empty() {
                name.servers = live;
                self.names.insert(key, name);
            }
        }
        self.forget(&removed);
    }
}

/// Whether two ports are equal as Python's `==` says (see the module docs):
/// numbers by value across bool, int, float and complex, everything else
/// by type and value. Allocates nothing unless an int beyond 64 bits meets
/// a float.
fn same_port(a: &BrineValue, b: &BrineValue) -> bool {
    if a == b {
        return true; // the usual case: the same int port again
    }
    match (Number::of(a), Number::of(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A brine number as Python compares it: an int exactly, a float as a
/// complex with no imaginary part.
enum Number<'a> {
    Int(i64),
    Big(&'a BigInt),
    Complex(f64, f64),
}

impl Number<'_> {
    fn of(value: &BrineValue) -> Option<Number<'_>> {
        match value {
            BrineValue::Bool(b) => Some(Number::Int(i64::from(*b))),
            BrineValue::Int(i) => Some(Number::Int(*i)),
            BrineValue::BigInt(i) => Some(Number::Big(i)),
            BrineValue::Float(f) => Some(Number::Complex(*f, 0.0)),
            BrineValue::Complex(re, im) => Some(Number::Complex(*re, *im)),
            _ => None,
        }
    }
}

impl PartialEq for Number<'_> {
    fn eq(&self, other: &Number<'_>) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Big(a), Number::Big(b)) => a == b,
            // A big int is outside i64 (brine's own rule).
            (Number::Int(_), Number::Big(_)) | (Number::Big(_), Number::Int(_)) => false,
            (Number::Complex(a, b), Number::Complex(c, d)) => a == c && b == d,
            // Exact, as Python compares an int with a float: only an
            // integral finite float can equal an int, and it converts
            // to one without loss.
            (Number::Int(i), Number::Complex(re, im))
            | (Number::Complex(re, im), Number::Int(i)) => {
                *im == 0.0 && re.fract() == 0.0 && i64::from_f64(*re) == Some(*i)
            }
            (Number::Big(i), Number::Complex(re, im))
            | (Number::Complex(re, im), Number::Big(i)) => {
                *im == 0.0 && re.fract() == 0.0 && BigInt::from_f64(*re).as_ref() == Some(*i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_compare_as_python_compares_them() {
        let big = BrineValue::BigInt(BigInt::from(1u8) << 70);
        let equal = [
            (BrineValue::Int(3), BrineValue::Float(3.0)),
            (BrineValue::Int(3), BrineValue::Complex(3.0, 0.0)),
            (BrineValue::Bool(true), BrineValue::Int(1)),
            (BrineValue::Bool(false), BrineValue::Float(-0.0)),
            (big.clone(), BrineValue::Float(2f64.powi(70))),
            (
                BrineValue::Str("/tmp/s".into()),
                BrineValue::Str("/tmp/s".into()),
            ),
        ];
        for (a, b) in &equal {
            assert!(same_port(a, b) && same_port(b, a), "{a:?} == {b:?}");
        }
        let different = [
            (BrineValue::Int(3), BrineValue::Float(3.5)),
            (BrineValue::Bool(true), BrineValue::Int(3)),
            (BrineValue::Float(f64::NAN), BrineValue::Float(f64::NAN)),
            (BrineValue::Float(f64::INFINITY), big.clone()),
            (BrineValue::Int(3), BrineValue::Complex(3.0, 1.0)),
            (BrineValue::Int(3), BrineValue::Str("3".into())),
            (
                BrineValue::Str("a".into()),
                BrineValue::Bytes(b"a".to_vec()),
            ),
        ];
        for (a, b) in &different {
            assert!(!same_port(a, b) && !same_port(b, a), "{a:?} != {b:?}");
        }
    }
}
