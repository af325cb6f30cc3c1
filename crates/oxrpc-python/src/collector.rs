//! Cyclic garbage collection that is safe with interpreters on many threads.
//!
//! RustPython 0.5 has one cycle collector for the whole process: its lists
//! of tracked objects are global, and a collection runs on whichever thread
//! allocates past the threshold, walking every interpreter's objects while
//! their threads go on running — frames half built included, which aborted
//! the server (a null pointer in a frame's locals, on a thread building a
//! spare interpreter while connections ran Python). So the automatic
//! collector is off, and collections run only while no thread is inside
//! Python: each thread holds the *world* lock for reading while it runs
//! Python ([`enter`], [`leave`] around every wait), and a collection holds
//! it for writing. A collection never waits for that lock (a thread may be
//! inside a long call): it is attempted when a thread leaves Python with
//! the threshold passed, and again at later departures until it finds the
//! world quiet. Python's own `gc.collect()` does the same, and
//! `gc.enable()` cannot turn the unsafe collector back on.
//!
//! Threads leave Python while they wait for the peer and while they sleep
//! (`time.sleep`); a thread that waits on a lock or computes without end
//! still keeps every collection away.
//!
//! Collections of every generation come when enough has survived young
//! ones ([`collect_if_quiet`]): what an ended interpreter leaves in cycles
//! sits in the old generations, where young collections never look.

use rustpython_vm::builtins::{PyFloat, PyInt};
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn, PyMethodDef, PyMethodFlags};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// Held for reading by every thread inside Python, for writing by a
/// collection.
static WORLD: RwLock<()> = RwLock::new(());

/// How long `gc.collect()` keeps trying to find the world quiet.
const EXPLICIT_PATIENCE: Duration = Duration::from_millis(200);

/// Objects that survived young collections since the last full one
/// (CPython's `long_lived_pending`).
static PROMOTED_SINCE_FULL: AtomicUsize = AtomicUsize::new(0);

/// Objects that survived the last full collection (CPython's
/// `long_lived_total`).
static SURVIVED_LAST_FULL: AtomicUsize = AtomicUsize::new(0);

/// A full collection is due; every departure from Python tries it until
/// one finds the world quiet.
static FULL_DUE: AtomicBool = AtomicBool::new(false);

thread_local! {
    static INSIDE: RefCell<Option<RwLockReadGuard<'static, ()>>> = const { RefCell::new(None) };
}

/// Turns RustPython's own (unsafe) automatic collection off, once.
pub(crate) fn take_over() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| rustpython_vm::gc_state::gc_state().disable());
}

/// The current thread is about to run Python.
pub(crate) fn enter() {
    let guard = WORLD.read().unwrap_or_else(|p| p.into_inner());
    INSIDE.with(|inside| *inside.borrow_mut() = Some(guard));
}

/// The current thread stops running Python (it is about to wait); runs a
/// collection first if one is due and the world is quiet.
///
/// A young collection that makes a full one due is followed by the full
/// one at the same departure: deferred to the next, it would land on the
/// thread's next wait — for a spare interpreter, on its connection's first
/// request instead of on the idle time before it.
pub(crate) fn leave() {
    release();
    if !FULL_DUE.load(Ordering::Relaxed) {
        let state = rustpython_vm::gc_state::gc_state();
        let (young, _, _) = state.get_count();
        let (threshold, _, _) = state.get_threshold();
        if threshold == 0 || young < threshold as usize {
            return;
        }
        let _ = collect_if_quiet(0);
    }
    if FULL_DUE.load(Ordering::Relaxed) {
        let _ = collect_if_quiet(2);
    }
}

/// Lets go of the world (the current thread stops running Python).
fn release() {
    INSIDE.with(|inside| drop(inside.borrow_mut().take()));
}

/// Collects `generation` if no thread is inside Python; the number of
/// unreachable objects found.
///
/// A full collection becomes due the way CPython decides it: once the
/// objects that survived young collections since the last full one are a
/// quarter of those that survived it. Its cost grows with everything
/// alive, so it comes more rarely as more is alive, and what ended
/// interpreters leave in cycles (see [`crate::teardown`]) is freed in
/// proportion to how much there is.
fn collect_if_quiet(generation: usize) -> Option<usize> {
    let _world = WORLD.try_write().ok()?;
    let result = rustpython_vm::gc_state::gc_state().collect_force(generation);
    let survived = result.candidates.saturating_sub(result.collected);
    if generation >= 2 {
        SURVIVED_LAST_FULL.store(survived, Ordering::Relaxed);
        PROMOTED_SINCE_FULL.store(0, Ordering::Relaxed);
        FULL_DUE.store(false, Ordering::Relaxed);
    } else {
        let promoted = PROMOTED_SINCE_FULL.fetch_add(survived, Ordering::Relaxed) + survived;
        if promoted.saturating_mul(4) > SURVIVED_LAST_FULL.load(Ordering::Relaxed) {
            FULL_DUE.store(true, Ordering::Relaxed);
        }
    }
    Some(result.collected)
}

/// `gc.collect(generation=2)` from Python: leaves Python, waits (a while)
/// for a quiet world, collects, and comes back. 0 if it never was quiet.
fn explicit_collect(args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
    let generation = match args.args.first() {
        Some(arg) => arg.try_to_value::<usize>(vm)?.min(2),
        None => 2,
    };
    release();
    let deadline = Instant::now() + EXPLICIT_PATIENCE;
    let found = loop {
        if let Some(found) = collect_if_quiet(generation) {
            break found;
        }
        if Instant::now() >= deadline {
            break 0;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    enter();
    Ok(found)
}

/// Threads Python code starts run inside Python from their first line to
/// their last: they hold the world for reading all along (and let go only
/// while they wait on the peer), so no collection walks their frames.
const THREAD_WRAPPERS: &str = r#"
import _thread

def _wrap(function, args=(), kwargs=None):
    def run():
        _oxrpc_world_enter()
        try:
            return function(*args, **(kwargs or {}))
        finally:
            _oxrpc_world_leave()
    return run

_start_new = _thread.start_new_thread
_start_joinable = getattr(_thread, 'start_joinable_thread', None)

def start_new_thread(function, args, kwargs=None):
    return _start_new(_wrap(function, args, kwargs), ())

_thread.start_new_thread = start_new_thread
if _start_joinable is not None:
    def start_joinable_thread(function, handle=None, daemon=True):
        return _start_joinable(_wrap(function), handle=handle, daemon=daemon)
    _thread.start_joinable_thread = start_joinable_thread
    import sys
    if 'threading' in sys.modules:
        sys.modules['threading']._start_joinable_thread = start_joinable_thread
"#;

/// Replaces `gc.collect` and `gc.enable` in `vm`'s interpreter, and has
/// the threads its Python code starts count as inside Python.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let gc = vm.import("gc", 0)?;
    let collect = vm.new_function("collect", explicit_collect);
    gc.set_attr("collect", collect, vm)?;
    // The automatic collector stays off: collections are this module's.
    let enable = vm.new_function("enable", |_args: FuncArgs| {});
    gc.set_attr("enable", enable, vm)?;
    let scope = vm.new_scope_with_builtins();
    let world_enter = vm.new_function("_oxrpc_world_enter", |_args: FuncArgs| enter());
    let world_leave = vm.new_function("_oxrpc_world_leave", |_args: FuncArgs| release());
    scope
        .globals
        .set_item("_oxrpc_world_enter", world_enter.into(), vm)?;
    scope
        .globals
        .set_item("_oxrpc_world_leave", world_leave.into(), vm)?;
    crate::compiled::run(vm, scope, THREAD_WRAPPERS, "<oxrpc threads>")?;
    sleep_outside(vm)
}

/// `time.sleep` leaves Python while it sleeps: a thread a client left
/// running that idles in a sleep loop would otherwise hold the world for
/// good, and no collection would ever run again in the process. Only a
/// plain `int` or `float` is slept on outside (turning one into a duration
/// runs no Python code); anything else, and every error, is the original
/// function's, inside.
///
/// The replacement is defined once per process, as RustPython defines its
/// own, and is a function of the `time` module (which gives it the
/// original's name, doc and signature); RustPython's `time.sleep` holds
/// nothing of the interpreter that made it, so the first one serves all.
fn sleep_outside(vm: &VirtualMachine) -> PyResult<()> {
    static ORIGINAL: OnceLock<Option<PyObjectRef>> = OnceLock::new();
    static DEFINITION: OnceLock<&'static PyMethodDef> = OnceLock::new();
    let time = vm.import("time", 0)?;
    let original = ORIGINAL.get_or_init(|| time.get_attr("sleep", vm).ok());
    let Some(original) = original else {
        return Err(vm.new_runtime_error("time.sleep could not be replaced".to_owned()));
    };
    let definition = DEFINITION.get_or_init(|| {
        let original = original.clone();
        let sleep = move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            let plain = match (args.args.as_slice(), args.kwargs.is_empty()) {
                ([seconds], true)
                    if seconds.downcast_ref::<PyFloat>().is_some()
                        || seconds.downcast_ref::<PyInt>().is_some() =>
                {
                    seconds.clone().try_into_value::<Duration>(vm).ok()
                }
                _ => None,
            };
            match plain {
                Some(duration) => {
                    leave();
                    std::thread::sleep(duration);
                    enter();
                    Ok(vm.ctx.none())
                }
                None => original.call(args, vm),
            }
        };
        Box::leak(Box::new(PyMethodDef {
            name: "sleep",
            func: Box::leak(Box::new(sleep.into_func())),
            flags: PyMethodFlags::empty(),
            doc: None,
        }))
    });
    let sleeping = definition
        .to_function()
        .with_module(vm.ctx.intern_str("time"))
        .into_ref(&vm.ctx);
    time.set_attr("sleep", sleeping, vm)
}
