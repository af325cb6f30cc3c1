//! Allocations a client sizes, refused past what the process can be
//! given, as CPython's failed `malloc` refuses them.
//!
//! Every classic connection's interpreter lives in one server process,
//! and Rust ends a process whose allocation fails: `bytes(10**12)`,
//! `'x'.ljust(10**12)` or `1 << 10**13` sent by one client ended the
//! server with every other client's interpreter in it, where rpyc_classic
//! on CPython raises MemoryError and goes on. Where a builtin is given a
//! size, the bytes it will ask for are checked here first; past the
//! budget, the client gets CPython's MemoryError without arguments.
//!
//! The budget is what Linux's default overcommit heuristic lets one
//! allocation have (the machine's memory and swap), and no more than the
//! address space left under the process's `RLIMIT_AS` when one is set:
//! the same allocations CPython's `malloc` is refused on such a machine.
//! Sizes under [`ALWAYS_GRANTED`] are not looked at, so the usual call
//! reads nothing.

use super::error_text::no_memory;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::OnceLock;

/// Sizes up to this are granted without reading the limits: far below
/// any machine's memory, and asked for often.
const ALWAYS_GRANTED: u128 = 1 << 28;

/// A MemoryError when `bytes` is more than one allocation can be given.
pub(super) fn refuse_past_memory(bytes: u128, vm: &VirtualMachine) -> PyResult<()> {
    if bytes <= ALWAYS_GRANTED || bytes <= u128::from(budget()) {
        Ok(())
    } else {
        Err(no_memory(vm))
    }
}

/// Whether `text` writes a number that may be refused: one past
/// [`ALWAYS_GRANTED`] has nine digits or more in a row. Cheap enough to
/// ask of every format spec.
pub(super) fn names_a_large_number(text: &[u8]) -> bool {
    text.len() >= 9
        && text
            .split(|byte| !byte.is_ascii_digit())
            .any(|digits| digits.len() >= 9)
}

/// The bytes one allocation may take now.
fn budget() -> u64 {
    match address_space_left() {
        Some(left) => left.min(machine_memory()),
        None => machine_memory(),
    }
}

/// The bytes this machine can give a process: its memory and swap
/// (`/proc/meminfo`), read once; unbounded where that cannot be read.
fn machine_memory() -> u64 {
    static MEMORY: OnceLock<u64> = OnceLock::new();
    *MEMORY.get_or_init(|| {
        let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
            return u64::MAX;
        };
        let kib = |field: &str| kib_field(&info, field);
        match (kib("MemTotal:"), kib("SwapTotal:")) {
            (Some(memory), swap) => memory
                .saturating_add(swap.unwrap_or(0))
                .saturating_mul(1024),
            (None, _) => u64::MAX,
        }
    })
}

/// The address space the process may still map under its soft
/// `RLIMIT_AS`; `None` when it has none (or it cannot be read). Read each
/// time, since the process's own size moves.
fn address_space_left() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft = limits
        .lines()
        .find_map(|line| line.strip_prefix("Max address space"))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let mapped = kib_field(&status, "VmSize:")?.saturating_mul(1024);
    Some(soft.saturating_sub(mapped))
}

/// A `Field:   1234 kB` line's number.
fn kib_field(text: &str, field: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_kib() {
        let status = "Name:\toxrpc\nVmSize:\t  123456 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(kib_field(status, "VmSize:"), Some(123_456));
        assert_eq!(kib_field(status, "VmSwap:"), None);
    }

    #[test]
    fn the_budget_is_some_memory_and_less_than_everything() {
        let budget = budget();
        assert!(budget > 0);
        assert!(budget <= machine_memory());
    }
}
