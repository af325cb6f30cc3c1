//! The first interpreter of the process is set up alone.
//!
//! RustPython's builtin types are shared by every interpreter of the
//! process, and the hooks (`as_cpython`'s replacements above all) change
//! their slots and methods once per process, keeping RustPython's own in
//! process-wide cells. A replacement goes into a type before the cell
//! that keeps the original it calls is filled, so an interpreter built at
//! that moment on another thread (clients connecting together to a server
//! that has served no one, while its spare interpreter is being built)
//! called a replaced slot that found nothing to call ("sequence errors not
//! set up"): its importlib was left half started, or RustPython's
//! initialization panicked and the connection failed. So until one
//! interpreter has been built and has installed its hooks, every other
//! waits for it; after that, nothing is waited for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The process's gate: every interpreter of [`crate::space`] passes it.
static GATE: SetupGate = SetupGate::new();

/// Waits, if no interpreter has been set up yet, until this one may be
/// set up alone.
pub(crate) fn wait_for_turn() -> SetupTurn<'static> {
    GATE.wait_for_turn()
}

/// Lets interpreters through one at a time until the first has finished
/// its setup, then all at once.
struct SetupGate {
    set_up: AtomicBool,
    first: Mutex<()>,
}

/// The right to build an interpreter and install its hooks: alone while
/// no interpreter has done so yet, at once afterwards.
pub(crate) struct SetupTurn<'gate> {
    gate: &'gate SetupGate,
    alone: Option<MutexGuard<'gate, ()>>,
}

impl SetupGate {
    const fn new() -> SetupGate {
        SetupGate {
            set_up: AtomicBool::new(false),
            first: Mutex::new(()),
        }
    }

    fn wait_for_turn(&self) -> SetupTurn<'_> {
        let open = |gate| SetupTurn { gate, alone: None };
        if self.set_up.load(Ordering::Acquire) {
            return open(self);
        }
        // A setup that panicked left the lock poisoned and `set_up` false:
        // the next interpreter sets up alone in its place.
        let alone = self.first.lock().unwrap_or_else(PoisonError::into_inner);
        if self.set_up.load(Ordering::Acquire) {
            return open(self);
        }
        SetupTurn {
            gate: self,
            alone: Some(alone),
        }
    }
}

impl SetupTurn<'_> {
    /// The interpreter is built and its hooks are installed: the others
    /// may go on, now and from now on.
    pub(crate) fn finish(self) {
        if self.alone.is_some() {
            self.gate.set_up.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn others_wait_for_the_first_setup_then_nobody_waits() {
        let gate: &'static SetupGate = Box::leak(Box::new(SetupGate::new()));
        let first = gate.wait_for_turn();
        assert!(first.alone.is_some());
        let (told, turned) = mpsc::channel();
        let second = std::thread::spawn(move || {
            let turn = gate.wait_for_turn();
            let alone = turn.alone.is_some();
            turn.finish();
            let _ = told.send(alone);
        });
        // The second interpreter is held while the first sets up...
        assert!(turned.recv_timeout(Duration::from_millis(200)).is_err());
        first.finish();
        // ...and let through, not alone, once it has.
        assert_eq!(turned.recv_timeout(Duration::from_secs(30)), Ok(false));
        second.join().unwrap();
        assert!(gate.wait_for_turn().alone.is_none());
    }

    #[test]
    fn a_setup_that_never_finished_hands_the_turn_on() {
        let gate = SetupGate::new();
        let abandoned = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let _turn = gate.wait_for_turn();
                    panic!("the first setup fails");
                })
                .join()
        });
        assert!(abandoned.is_err());
        let next = gate.wait_for_turn();
        assert!(next.alone.is_some(), "the next setup is the first again");
        next.finish();
        assert!(gate.wait_for_turn().alone.is_none());
    }
}
