//! The object space of the embedded RustPython: how classic mode touches a
//! RustPython object.
//!
//! A RustPython interpreter is not shareable across threads, so it lives on
//! one worker thread and everything about its objects runs there. Each
//! worker thread builds its own interpreter: with [`Isolation::Connection`]
//! every connection has its own worker, with [`Isolation::Shared`] every
//! connection's jobs go to one worker (one interpreter, a namespace per
//! connection, as rpyc_classic serves them).

use crate::as_cpython;
use crate::cjk_codecs;
use crate::collector;
use crate::compiled;
use crate::first_setup;
use crate::process_locale;
use crate::source_guard;
use crate::startup_environment;
use crate::stdlib_fixes;
use crate::teardown;
use oxrpc_classic::{Body, ErrorKind, Kind, Native, ObjectSpace, Runtime, Worker};
use oxrpc_rpyc::{BigInt, BrineValue};
use rustpython_vm::builtins::{
    PyBaseException, PyBaseExceptionRef, PyBytes, PyComplex, PyFloat, PyInt, PyStr, PyTuple,
};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How connections share interpreters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Isolation {
    /// An interpreter per connection: nothing a client does is seen by
    /// another (modules, `sys` settings), at about 3 MiB a connection.
    #[default]
    Connection,
    /// One interpreter for all connections, a namespace each (what
    /// rpyc_classic does). Their requests run one at a time, and a request
    /// that waits on its client (a callback, `interact`) holds up the others
    /// until it is answered.
    Shared,
}

/// RustPython as an object space.
pub struct RustPython {
    isolation: Isolation,
    shared: Mutex<Option<Worker<RustPython>>>,
    /// Interpreters built ahead of their connections.
    spares: Spares,
}

impl Default for RustPython {
    fn default() -> Self {
        RustPython::new(Isolation::default())
    }
}

impl RustPython {
    /// An object space whose connections share interpreters as `isolation`
    /// says; each interpreter is built when its connection arrives (see
    /// [`RustPython::with_spares`]).
    pub fn new(isolation: Isolation) -> RustPython {
        RustPython {
            isolation,
            shared: Mutex::new(None),
            spares: Spares::new(0),
        }
    }

    /// Keeps `count` interpreters built ahead of the connections that will
    /// use them (with [`Isolation::Connection`]). Building one takes
    /// RustPython ~15 ms of CPU; a connection that finds one ready starts in
    /// the time rpyc_classic takes, and the spare is replaced in the
    /// background. Each costs the memory of an interpreter (~3.4 MiB), and
    /// a space with spares lives, with them, until the process ends (their
    /// threads hold it): make one per server, not one per connection.
    ///
    /// ```
    /// use oxrpc_python::{Isolation, RustPython};
    ///
    /// let space = RustPython::new(Isolation::Connection).with_spares(4);
    /// # drop(space);
    /// ```
    pub fn with_spares(mut self, count: usize) -> RustPython {
        self.spares = Spares::new(count);
        self
    }

    /// Starts building the spares now, before the first connection (from
    /// within the tokio runtime the server runs on).
    pub fn build_spares(self: &Arc<Self>) {
        if self.isolation == Isolation::Connection {
            self.spares.top_up(self);
        }
    }
}

/// How long after a spare is taken its replacement starts building.
const REFILL_DELAY: std::time::Duration = std::time::Duration::from_millis(20);

/// Workers whose interpreters were built before a connection asked.
struct Spares {
    target: usize,
    ready: Mutex<Vec<Worker<RustPython>>>,
}

impl Spares {
    fn new(target: usize) -> Spares {
        Spares {
            target,
            ready: Mutex::new(Vec::new()),
        }
    }

    /// A worker for a new connection: a spare if one is ready, else one
    /// started now. The spares are topped up a little later, once the
    /// connection's first requests (rpyc.classic.connect's dozen round
    /// trips) are served: building an interpreter is CPU-bound and would
    /// otherwise compete with them. The spares are topped up only once the
    /// connection asks for something: connections that never speak (bare
    /// connects, however spaced) hold at most the spares there were, not
    /// an interpreter each.
    fn take(&self, space: &Arc<RustPython>, name: String) -> std::io::Result<Worker<RustPython>> {
        let spare = self.ready.lock().ok().and_then(|mut ready| ready.pop());
        let worker = match spare {
            Some(worker) => worker,
            None => Worker::spawn(space.clone(), name)?,
        };
        if self.target > 0 {
            // Workers are started on a runtime (`Worker::spawn` needs one).
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let space = space.clone();
                let refill = move || {
                    runtime.spawn(async move {
                        tokio::time::sleep(REFILL_DELAY).await;
                        space.spares.top_up(&space);
                    });
                };
                worker.on_first_job(refill);
            }
        }
        Ok(worker)
    }

    fn top_up(&self, space: &Arc<RustPython>) {
        let Ok(mut ready) = self.ready.lock() else {
            return;
        };
        while ready.len() < self.target {
            match Worker::spawn(space.clone(), "oxrpc-classic-spare".into()) {
                Ok(worker) => {
                    worker.prepare();
                    ready.push(worker);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot start a spare interpreter");
                    break;
                }
            }
        }
    }
}

/// The protocol's state of every running interpreter, by interpreter
/// ([`interpreter_key`]): a thread that Python code started (a
/// `threading.Thread` calling a client's callback) runs on its own OS
/// thread with a VM of its own, and must find the same netrefs as the
/// interpreter's worker. An entry goes before its interpreter does (see
/// `enter`), so a later interpreter at the same address never finds it.
static RUNTIMES: Mutex<Option<HashMap<usize, Arc<Runtime<RustPython>>>>> = Mutex::new(None);

/// What identifies `vm`'s interpreter: the address of the global state
/// that every thread's VM of one interpreter shares.
fn interpreter_key(vm: &VirtualMachine) -> usize {
    std::ptr::from_ref(&*vm.state) as usize
}

fn runtimes() -> std::sync::MutexGuard<'static, Option<HashMap<usize, Arc<Runtime<RustPython>>>>> {
    RUNTIMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

thread_local! {
    /// The worker thread's own runtime, found without a lock.
    static RUNTIME: RefCell<Option<Arc<Runtime<RustPython>>>> = const { RefCell::new(None) };
    /// What this thread's interpreter holds outside `sys.modules`, for
    /// [`teardown::release`].
    static TEARDOWN_ROOTS: RefCell<Vec<PyObjectRef>> = const { RefCell::new(Vec::new()) };
}

/// The native stack of every thread that runs Python: RustPython recurses
/// on it, deeply. Its own guard raises `RecursionError` when a call lands
/// in the last 32 KiB of the stack, so the stack must hold at least the
/// recursion limit's worth of calls (1,000) of the largest kind before
/// that. Optimised, a Python call takes ~1.3 KiB here (64 MiB: over 30,000
/// calls deep after `sys.setrecursionlimit`, then the guard's error); an
/// unoptimised build's take ~75 KiB, more than the guard's window, and 64
/// MiB overflowed at 900 calls: such builds get 256 MiB. Only what a
/// thread touches is committed.
const PYTHON_STACK: usize = if cfg!(unoptimized) {
    256 << 20
} else {
    64 << 20
};

/// How every interpreter of classic mode is set up.
pub(crate) fn interpreter_settings() -> rustpython_vm::Settings {
    let mut settings = rustpython_vm::Settings::default();
    // Signal dispositions belong to the server process. An interpreter
    // that installs its handlers briefly sets every signal to SIG_IGN to
    // read the old one; two starting at once can leave the process
    // ignoring SIGTERM for good.
    settings.install_signal_handlers = false;
    // What remote code prints goes to the server's output, as it does from
    // rpyc_classic; in UTF-8, as CPython 3.11 writes it there under a UTF-8
    // locale and under the C locale it coerces to one (and without
    // importing `locale` to ask).
    settings.stdio_encoding = Some("utf-8".to_owned());
    // Files opened without an encoding take the locale's, as CPython 3.11
    // opens them, or are UTF-8 in the UTF-8 mode the C locale turns on
    // (RustPython's "auto" would ask the C locale it leaves the process in).
    settings.utf8_mode = i8::from(process_locale::utf8_mode());
    // A program's name, as the CPython backend gives its interpreter:
    // pdb, code and argparse read `sys.argv[0]`.
    settings.argv = vec!["oxrpc".to_owned()];
    // Modules of the server's own, found as rpyc_classic's CPython finds
    // them: the directories of PYTHONPATH (RustPython's RUSTPYTHONPATH
    // first) come before the standard library on `sys.path`.
    settings.path_list = module_path_from_environment();
    // PYTHONOPTIMIZE, PYTHONWARNINGS and the rest, as CPython reads them.
    let lenient_stdio = process_locale::stdio_lets_undecodable_bytes_through();
    startup_environment::apply(&mut settings, lenient_stdio, |name| {
        std::env::var(name).ok()
    });
    settings
}

/// The directories `RUSTPYTHONPATH` and `PYTHONPATH` name, in that order,
/// made absolute as CPython makes them (an empty entry is the working
/// directory); an entry that is not UTF-8 is left out (`sys.path` holds
/// strings).
fn module_path_from_environment() -> Vec<String> {
    ["RUSTPYTHONPATH", "PYTHONPATH"]
        .into_iter()
        .filter_map(std::env::var_os)
        .filter(|paths| !paths.is_empty())
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .filter_map(|path| {
            let path = if path.as_os_str().is_empty() {
                std::env::current_dir().ok()?
            } else {
                std::path::absolute(&path).ok()?
            };
            path.into_os_string().into_string().ok()
        })
        .collect()
}

/// An interpreter of classic mode, with the modules this crate gives it
/// in place of RustPython's.
fn build_interpreter() -> rustpython_vm::Interpreter {
    use rustpython::InterpreterBuilderExt;
    let mut builder = rustpython_vm::Interpreter::builder(interpreter_settings()).init_stdlib();
    if let Some(math) = as_cpython::math_domain::module_def(&builder.ctx) {
        builder = builder.add_native_module(math);
    }
    if let Some(blake2) = as_cpython::hashlib::blake2_module_def(&builder.ctx) {
        builder = builder.add_native_module(blake2);
    }
    if let Some(hashlib) = as_cpython::hashlib::hashlib_module_def(&builder.ctx) {
        builder = builder.add_native_module(hashlib);
    }
    if let Some(io) = as_cpython::string_io::io_module_def(&builder.ctx) {
        builder = builder.add_native_module(io);
    }
    if let Some(ssl) = as_cpython::ssl_errors::module_def(&builder.ctx) {
        builder = builder.add_native_module(ssl);
    }
    if let Some(unicodedata) = as_cpython::unicodedata::module_def(&builder.ctx) {
        builder = builder.add_native_module(unicodedata);
    }
    let fronted = as_cpython::module_defs(&builder.ctx);
    builder = builder.add_native_modules(&fronted);
    let cjk_codecs = cjk_codecs::module_defs(&builder.ctx);
    builder = builder.add_native_modules(&cjk_codecs);
    builder.build()
}

impl ObjectSpace for RustPython {
    type Object = PyObjectRef;
    type Error = PyBaseExceptionRef;
    type Vm<'a> = &'a VirtualMachine;

    fn enter(&self, body: Body<'_, Self>) {
        // Building, running and dropping the interpreter are all "inside
        // Python" for the cycle collector (see `collector`).
        collector::take_over();
        // The first interpreter is built and hooked alone: its hooks change
        // the types every interpreter shares (see `first_setup`).
        let turn = first_setup::wait_for_turn();
        collector::enter();
        let mut interpreter = build_interpreter();
        // The first settles the process's locale; built in another UTF-8
        // mode than the one it settles on, it is built again.
        if !interpreter.enter(process_locale::settle) {
            drop(interpreter);
            interpreter = build_interpreter();
        }
        interpreter.enter(|vm| {
            // Threads Python starts get the stack the interpreter's own
            // thread has: a stack overflow aborts the whole server.
            vm.state.stacksize.store(PYTHON_STACK);
            let hooks = collector::install(vm)
                .and_then(|()| teardown::log_classes(vm))
                .and_then(|()| source_guard::install(vm))
                .and_then(|()| as_cpython::install(vm))
                .and_then(|()| stdlib_fixes::install(vm))
                .and_then(|()| startup_environment::reconfigure_stdio(vm));
            turn.finish();
            if let Err(e) = hooks {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &e);
                tracing::error!("cannot install the interpreter's hooks: {text}");
            }
            body(vm);
            // Threads Python started may outlive the worker's loop: the
            // interpreter's entry goes now, before its address can be reused.
            drop(Self::remove_runtime(vm));
            let roots = TEARDOWN_ROOTS.with(|roots| roots.take());
            teardown::release(vm, roots);
        });
        drop(interpreter);
        collector::leave();
    }

    fn unlocked<R: Send>(_vm: &VirtualMachine, f: impl FnOnce() -> R + Send) -> R {
        // Waiting: out of Python, so a collection may run meanwhile.
        collector::leave();
        let result = f();
        collector::enter();
        result
    }

    fn worker(self: &Arc<Self>, name: String) -> std::io::Result<Worker<Self>> {
        match self.isolation {
            Isolation::Connection => self.spares.take(self, name),
            Isolation::Shared => {
                let mut shared = self
                    .shared
                    .lock()
                    .map_err(|_| std::io::Error::other("the shared interpreter is unusable"))?;
                if let Some(worker) = shared.as_ref() {
                    return Ok(worker.clone());
                }
                let worker = Worker::spawn(self.clone(), "oxrpc-classic-shared".into())?;
                *shared = Some(worker.clone());
                Ok(worker)
            }
        }
    }

    fn worker_per_connection(&self) -> bool {
        self.isolation == Isolation::Connection
    }

    fn stack_size(&self) -> usize {
        PYTHON_STACK
    }

    fn runtime(vm: &VirtualMachine) -> Option<Arc<Runtime<Self>>> {
        if let Some(runtime) = RUNTIME.with(|r| r.borrow().clone()) {
            return Some(runtime);
        }
        let runtime = runtimes().as_ref()?.get(&interpreter_key(vm)).cloned()?;
        RUNTIME.with(|r| *r.borrow_mut() = Some(runtime.clone()));
        Some(runtime)
    }

    fn install_runtime(vm: &VirtualMachine, runtime: Arc<Runtime<Self>>) -> Arc<Runtime<Self>> {
        let runtime = runtimes()
            .get_or_insert_with(HashMap::new)
            .entry(interpreter_key(vm))
            .or_insert(runtime)
            .clone();
        RUNTIME.with(|r| *r.borrow_mut() = Some(runtime.clone()));
        runtime
    }

    fn remove_runtime(vm: &VirtualMachine) -> Option<Arc<Runtime<Self>>> {
        let here = RUNTIME.with(|r| r.borrow_mut().take());
        let shared = runtimes()
            .as_mut()
            .and_then(|all| all.remove(&interpreter_key(vm)));
        shared.or(here)
    }

    fn retire_namespace(_vm: &VirtualMachine, namespace: PyObjectRef) {
        // The interpreter ends with the connection: its teardown empties
        // the namespace after taking apart the classes it holds.
        TEARDOWN_ROOTS.with(|roots| roots.borrow_mut().push(namespace));
    }

    fn discard(object: PyObjectRef) {
        // Its interpreter has gone: a Python object must not be finalised
        // without it.
        std::mem::forget(object);
    }

    fn clone_ref(_vm: &VirtualMachine, object: &PyObjectRef) -> PyObjectRef {
        object.clone()
    }

    fn none(vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx.none()
    }

    fn is(_vm: &VirtualMachine, a: &PyObjectRef, b: &PyObjectRef) -> bool {
        a.is(b)
    }

    fn kind(vm: &VirtualMachine, obj: &PyObjectRef) -> Kind<PyObjectRef> {
        let ctx = &vm.ctx;
        if vm.is_none(obj) {
            return Kind::Plain(BrineValue::None);
        }
        let class = obj.class();
        let plain = if class.is(ctx.types.bool_type) {
            Some(BrineValue::Bool(obj.is(&ctx.true_value)))
        } else if class.is(ctx.types.int_type) {
            obj.downcast_ref::<PyInt>().and_then(|int| {
                Some(match int.try_to_primitive::<i64>(vm) {
                    Ok(i) => BrineValue::Int(i),
                    Err(_) => {
                        BrineValue::BigInt(obj.str(vm).ok()?.to_string().parse::<BigInt>().ok()?)
                    }
                })
            })
        } else if class.is(ctx.types.float_type) {
            obj.downcast_ref::<PyFloat>()
                .map(|f| BrineValue::Float(f.to_f64()))
        } else if class.is(ctx.types.complex_type) {
            obj.downcast_ref::<PyComplex>().map(|c| {
                let c = c.to_complex();
                BrineValue::Complex(c.re, c.im)
            })
        } else if class.is(ctx.types.str_type) {
            // A str with lone surrogates (a file name os.listdir decoded
            // with surrogateescape) has no UTF-8 form: it goes as a
            // netref, unchanged, rather than as another name.
            obj.downcast_ref::<PyStr>()
                .and_then(|s| s.to_str().map(|s| BrineValue::Str(s.to_owned())))
        } else if class.is(ctx.types.bytes_type) {
            obj.downcast_ref::<PyBytes>()
                .map(|b| BrineValue::Bytes(b.as_bytes().to_vec()))
        } else if obj.is(&ctx.ellipsis) {
            Some(BrineValue::Ellipsis)
        } else if obj.is(&ctx.not_implemented) {
            Some(BrineValue::NotImplemented)
        } else {
            None
        };
        if let Some(plain) = plain {
            return Kind::Plain(plain);
        }
        if class.is(ctx.types.tuple_type) {
            if let Some(items) = obj.downcast_ref::<PyTuple>() {
                return Kind::Tuple(items.as_slice().to_vec());
            }
        }
        if class.is(ctx.types.frozenset_type) {
            return Kind::FrozenSet;
        }
        if class.is(ctx.types.slice_type) {
            return Kind::Slice;
        }
        Kind::Other
    }

    fn from_plain(
        vm: &VirtualMachine,
        value: BrineValue,
    ) -> Result<PyObjectRef, PyBaseExceptionRef> {
        let ctx = &vm.ctx;
        Ok(match value {
            BrineValue::None => ctx.none(),
            BrineValue::Bool(v) => ctx.new_bool(v).into(),
            BrineValue::Int(i) => ctx.new_int(i).into(),
            BrineValue::Float(f) => ctx.new_float(f).into(),
            BrineValue::Str(s) => ctx.new_str(s).into(),
            BrineValue::Bytes(b) => ctx.new_bytes(b).into(),
            BrineValue::Ellipsis => ctx.ellipsis.clone().into(),
            BrineValue::NotImplemented => ctx.not_implemented(),
            other => return Err(vm.new_type_error(format!("not a scalar value: {other}"))),
        })
    }

    fn new_tuple(vm: &VirtualMachine, items: Vec<PyObjectRef>) -> PyObjectRef {
        vm.ctx.new_tuple(items).into()
    }

    fn class_of(_vm: &VirtualMachine, object: &PyObjectRef) -> PyObjectRef {
        object.class().to_owned().into()
    }

    fn getattr(
        vm: &VirtualMachine,
        object: &PyObjectRef,
        name: &str,
    ) -> Result<PyObjectRef, PyBaseExceptionRef> {
        object.get_attr(&vm.ctx.new_str(name), vm)
    }

    fn setattr(
        vm: &VirtualMachine,
        object: &PyObjectRef,
        name: &str,
        value: PyObjectRef,
    ) -> Result<(), PyBaseExceptionRef> {
        object.set_attr(&vm.ctx.new_str(name), value, vm)
    }

    fn delattr(
        vm: &VirtualMachine,
        object: &PyObjectRef,
        name: &str,
    ) -> Result<(), PyBaseExceptionRef> {
        object.del_attr(&vm.ctx.new_str(name), vm)
    }

    fn call(
        vm: &VirtualMachine,
        object: &PyObjectRef,
        args: Vec<PyObjectRef>,
    ) -> Result<PyObjectRef, PyBaseExceptionRef> {
        object.call(args, vm)
    }

    fn repr(vm: &VirtualMachine, object: &PyObjectRef) -> Result<String, PyBaseExceptionRef> {
        Ok(object.repr(vm)?.to_string())
    }

    fn str(vm: &VirtualMachine, object: &PyObjectRef) -> Result<String, PyBaseExceptionRef> {
        Ok(object.str(vm)?.to_string())
    }

    fn hash(vm: &VirtualMachine, object: &PyObjectRef) -> Result<i64, PyBaseExceptionRef> {
        object.hash(vm)
    }

    fn to_i64(vm: &VirtualMachine, object: &PyObjectRef) -> Option<i64> {
        object.try_to_value::<i64>(vm).ok()
    }

    fn exception(_vm: &VirtualMachine, error: &PyBaseExceptionRef) -> PyObjectRef {
        error.clone().into()
    }

    fn raise(vm: &VirtualMachine, instance: PyObjectRef) -> PyBaseExceptionRef {
        instance
            .downcast::<PyBaseException>()
            .unwrap_or_else(|_| vm.new_type_error("exceptions must derive from BaseException"))
    }

    fn error(vm: &VirtualMachine, kind: ErrorKind, message: &str) -> PyBaseExceptionRef {
        let message = message.to_owned();
        match kind {
            ErrorKind::Type => vm.new_type_error(message),
            ErrorKind::Value => vm.new_value_error(message),
            ErrorKind::Runtime => vm.new_runtime_error(message),
            ErrorKind::Eof => {
                vm.new_exception_msg(vm.ctx.exceptions.eof_error.to_owned(), message.into())
            }
        }
    }

    /// `traceback.format_exception`'s text, as rpyc sends it (its last
    /// line is `str()` of the exception: `KeyError: 'k'`, the errno and
    /// file name of an OSError); the interpreter's own writer, which words
    /// some from their args, only if that fails.
    fn traceback_text(vm: &VirtualMachine, error: &PyBaseExceptionRef) -> String {
        let formatted = (|| -> PyResult<String> {
            let lines = vm
                .import("traceback", 0)?
                .get_attr("format_exception", vm)?
                .call((error.clone(),), vm)?;
            let text = vm
                .ctx
                .new_str("")
                .as_object()
                .get_attr("join", vm)?
                .call((lines,), vm)?;
            Ok(text.str(vm)?.to_string())
        })();
        formatted.unwrap_or_else(|_| {
            let mut text = String::new();
            let _ = vm.write_exception(&mut text, error);
            text
        })
    }

    fn load_module(
        vm: &VirtualMachine,
        name: &str,
        source: &str,
        natives: &[(&'static str, Native<Self>)],
    ) -> Result<PyObjectRef, PyBaseExceptionRef> {
        let scope = vm.new_scope_with_builtins();
        for (native_name, native) in natives {
            let native = *native;
            let function = vm
                .new_function(native_name, move |args: FuncArgs, vm: &VirtualMachine| {
                    native(vm, args.args)
                });
            scope.globals.set_item(*native_name, function.into(), vm)?;
        }
        scope
            .globals
            .set_item("__name__", vm.ctx.new_str(name).into(), vm)?;
        compiled::run(vm, scope.clone(), source, &format!("<{name}>"))?;
        let module: PyObjectRef = vm.new_module(name, scope.globals, None).into();
        TEARDOWN_ROOTS.with(|roots| roots.borrow_mut().push(module.clone()));
        Ok(module)
    }
}
