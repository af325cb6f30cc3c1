//! Taking an interpreter apart when it is done, so that its memory comes
//! back.
//!
//! Dropping a RustPython 0.5 interpreter frees almost nothing: every Python
//! function holds its interpreter's `builtins` dict through a field the
//! cycle collector does not traverse, so that dict looks referenced from
//! outside, and with it everything it reaches (`__import__`, the import
//! machinery, every module and class). Some classes (`abc.ABCMeta`,
//! `weakref.KeyedRef`, subclasses of `Exception`, ...) also stay
//! referenced from outside the collector's view once unreachable. With an
//! interpreter per connection, each connection left ~2.4 MiB behind for
//! good.
//!
//! So before an interpreter is dropped, [`release`] breaks those paths:
//! it empties the dicts of its modules and of the roots it was given
//! (modules loaded outside `sys.modules`, retired namespaces), then the
//! attributes of the classes it defined, the builtins and `sys` last (what
//! CPython's own finalisation does, without its collections: those are the
//! collector's, when the world is quiet). Most of the interpreter is then
//! freed by reference counting alone, whatever edges the collector misses;
//! what is left in cycles is garbage it can see (see [`crate::collector`]).
//!
//! Only what the interpreter owns is touched. RustPython shares some
//! objects between the interpreters of a process (native exception
//! classes such as `ExceptionGroup` or `io.UnsupportedOperation`,
//! `typing.Generic`, the namespaces of `sys.monitoring`), and those are
//! reachable from every interpreter's modules. A class is taken apart only
//! if a class statement of this interpreter made it, or if one of its
//! methods is a Python function whose globals are one of this
//! interpreter's module dicts; a dict is emptied only if it is a module's
//! or a root's.
//!
//! Classes can also be garbage before the end: stdlib modules define
//! classes in Python and then replace them with native ones (`operator`,
//! `functools`), and a class whose cycle the collector cannot see is never
//! freed. So every class statement is logged ([`log_classes`], weakly) and
//! whatever class of the log is still alive at the end is taken apart too.
//!
//! An interpreter whose Python threads still run when its connection ends
//! is left whole for them, and kept: they go on as they would in
//! rpyc_classic after their client left.

use rustpython_vm::builtins::{
    PyClassMethod, PyDict, PyDictRef, PyFunction, PyModule, PyStaticMethod, PyType, PyWeak,
};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::Ordering;

thread_local! {
    /// The classes this thread's interpreter made with a class statement,
    /// weakly.
    static CLASSES: RefCell<ClassLog> = const {
        RefCell::new(ClassLog { classes: Vec::new(), pruned_at: 0 })
    };
}

/// Weak references to classes, pruned of dead ones as it doubles.
struct ClassLog {
    classes: Vec<PyRef<PyWeak>>,
    pruned_at: usize,
}

impl ClassLog {
    fn push(&mut self, class: PyRef<PyWeak>) {
        self.classes.push(class);
        if self.classes.len() >= 2 * self.pruned_at.max(64) {
            self.classes.retain(|class| class.upgrade().is_some());
            self.pruned_at = self.classes.len();
        }
    }
}

/// Has every class statement of `vm`'s interpreter log its class (the
/// builtins' `__build_class__` wrapped).
pub(crate) fn log_classes(vm: &VirtualMachine) -> PyResult<()> {
    let build_class = vm.builtins.get_attr("__build_class__", vm)?;
    let logging = vm.new_function(
        "__build_class__",
        move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            let class = build_class.call(args, vm)?;
            if let Ok(weak) = class.downgrade(None, vm) {
                CLASSES.with(|log| log.borrow_mut().push(weak));
            }
            Ok(class)
        },
    );
    vm.builtins.set_attr("__build_class__", logging, vm)
}

/// Empties `vm`'s interpreter: its modules, `roots` (dicts or modules of
/// its own) and the classes it defined. The interpreter must run no more
/// Python afterwards.
pub(crate) fn release(vm: &VirtualMachine, roots: Vec<PyObjectRef>) {
    // What the connection's code printed reaches the server's output now,
    // not whenever a buffer of a finished interpreter would fill.
    flush_stdio(vm);
    // Threads the client started still run in this interpreter (as they
    // would in rpyc_classic after its client left): it is left whole, and
    // kept, for them.
    let threads = vm.state.thread_count.load();
    if threads > 0 {
        tracing::debug!(
            threads,
            "an interpreter outlives its connection for its threads"
        );
        return;
    }
    let sys_modules = vm
        .sys_module
        .get_attr("modules", vm)
        .ok()
        .and_then(|modules| modules.downcast::<PyDict>().ok());
    if lends_codecs(vm, sys_modules.as_ref()) {
        tracing::debug!("an interpreter is kept for the codecs other interpreters run");
        return;
    }
    // Finalisers run while everything is emptied, and some fail: as in
    // CPython's finalisation their errors are not raised through
    // `sys.unraisablehook` (which needs `import sys`), and here they are
    // not printed either (`sys.stderr` is None): the connection is gone.
    vm.state.finalizing.store(true, Ordering::Release);
    let _ = vm.sys_module.set_attr("stderr", vm.ctx.none(), vm);

    let mut owned: Vec<PyDictRef> = Vec::new();
    let loaded = sys_modules
        .as_ref()
        .map(|m| m.values_vec())
        .unwrap_or_default();
    for object in loaded.iter().rev().chain(&roots) {
        if let Some(module) = object.downcast_ref::<PyModule>() {
            owned.push(module.dict());
        } else if let Ok(dict) = object.clone().downcast::<PyDict>() {
            owned.push(dict);
        }
    }
    let owned_addresses: HashSet<usize> = owned.iter().map(|d| address(d.as_object())).collect();

    let mut start = roots;
    start.extend(loaded.iter().cloned());
    start.push(vm.sys_module.clone().into());
    start.push(vm.builtins.clone().into());
    let mut classes = CLASSES.with(|log| {
        let logged = std::mem::take(&mut log.borrow_mut().classes);
        logged
            .iter()
            .filter_map(|class| class.upgrade())
            .collect::<Vec<_>>()
    });
    let logged: HashSet<usize> = classes.iter().map(|class| address(class)).collect();
    classes.extend(
        heap_types_reachable_from(start)
            .into_iter()
            .filter(|class| {
                !logged.contains(&address(class)) && defined_here(vm, class, &owned_addresses)
            }),
    );

    // Dicts first, while every class is whole: the objects they held are
    // finalised as Python expects.
    if let Some(sys_modules) = &sys_modules {
        sys_modules.clear();
    }
    for dict in &owned {
        if !is_core(vm, dict.as_object()) {
            dict.clear();
        }
    }
    // Then the classes, all but their `__del__`: an instance still alive
    // is finalised through it later, and RustPython requires it to be
    // there when it fails.
    let del = vm.ctx.intern_str("__del__");
    for object in &classes {
        if let Some(class) = object.downcast_ref::<PyType>() {
            let mut attributes = class.attributes.write();
            let finaliser = attributes.get(del).cloned();
            let drained: Vec<_> = attributes.drain(..).collect();
            if let Some(finaliser) = finaliser {
                attributes.insert(del, finaliser);
            }
            drop(attributes);
            drop(drained);
        }
    }
    vm.sys_module.dict().clear();
    vm.builtins.dict().clear();
}

/// Whether other interpreters run functions of this one's `_pycodecs`.
///
/// RustPython's `_codecs` hands most codecs (UTF-16 and UTF-32 with a byte
/// order, UTF-7, the escapes, charmap) to functions of the Python module
/// `_pycodecs`, and keeps each one in a process-wide cell, filled by the
/// first interpreter that needs it. Every interpreter after it runs that
/// function, with this one's module dicts and builtins: emptied, it would
/// fail with a `NameError` everywhere. So an interpreter whose functions
/// were taken is kept whole, and first fills the cells still empty with
/// its own, so that no other interpreter is ever kept for this.
fn lends_codecs(vm: &VirtualMachine, sys_modules: Option<&PyDictRef>) -> bool {
    let Some(module) = sys_modules.and_then(|m| m.get_item_opt("_pycodecs", vm).ok().flatten())
    else {
        return false;
    };
    let Some(module) = module.downcast_ref::<PyModule>() else {
        return false;
    };
    let entries: Vec<(PyObjectRef, PyObjectRef)> = module.dict().into_iter().collect();
    let functions: Vec<&PyObjectRef> = entries
        .iter()
        .map(|(_, value)| value)
        .filter(|value| value.downcast_ref::<PyFunction>().is_some())
        .collect();
    // Each function is held by the module dict and by `entries` once for
    // every name it has there; a cell holds it once more.
    let lent = functions.iter().any(|function| {
        let names = functions.iter().filter(|f| f.is(*function)).count();
        function.strong_count() > 2 * names
    });
    if !lent {
        return false;
    }
    if let Ok(codecs) = vm.import("_codecs", 0) {
        for (key, _) in &entries {
            let Some(name) = key.downcast_ref::<rustpython_vm::builtins::PyStr>() else {
                continue;
            };
            let delegated = name.to_str().is_some_and(|name| {
                name.ends_with("_encode") || name.ends_with("_decode") || name == "charmap_build"
            });
            if let (true, Ok(native)) = (delegated, codecs.get_attr(name, vm)) {
                // Called without arguments: the cell is filled before the
                // call fails.
                let _ = native.call((), vm);
            }
        }
    }
    true
}

fn address(object: &PyObject) -> usize {
    object as *const PyObject as usize
}

/// The dicts of `sys` and the builtins, emptied last.
fn is_core(vm: &VirtualMachine, object: &PyObject) -> bool {
    object.is(vm.sys_module.dict().as_object()) || object.is(vm.builtins.dict().as_object())
}

/// Whether `class` has a method written in Python whose globals are one of
/// `owned` (a module dict of this interpreter).
fn defined_here(vm: &VirtualMachine, class: &PyObjectRef, owned: &HashSet<usize>) -> bool {
    let Some(class) = class.downcast_ref::<PyType>() else {
        return false;
    };
    let methods: Vec<PyObjectRef> = class.attributes.read().values().cloned().collect();
    methods.iter().any(|method| {
        let wraps_function = method.downcast_ref::<PyClassMethod>().is_some()
            || method.downcast_ref::<PyStaticMethod>().is_some();
        let function = if method.downcast_ref::<PyFunction>().is_some() {
            Some(method.clone())
        } else if wraps_function {
            method.get_attr("__func__", vm).ok()
        } else {
            None
        };
        function
            .filter(|f| f.downcast_ref::<PyFunction>().is_some())
            .and_then(|f| f.get_attr("__globals__", vm).ok())
            .is_some_and(|globals| owned.contains(&address(&globals)))
    })
}

/// The classes defined in Python (heap types) reachable from `start`,
/// following what the collector follows plus instance dicts and classes;
/// static types are not gone through. Nothing is changed on the way.
fn heap_types_reachable_from(start: Vec<PyObjectRef>) -> Vec<PyObjectRef> {
    let mut seen = HashSet::new();
    let mut classes = Vec::new();
    let mut stack = start;
    while let Some(object) = stack.pop() {
        if !seen.insert(address(&object)) {
            continue;
        }
        if let Some(class) = object.downcast_ref::<PyType>() {
            if !class.slots.flags.has_feature(PyTypeFlags::HEAPTYPE) {
                continue;
            }
            classes.push(object.clone());
        }
        stack.push(object.class().to_owned().into());
        if let Some(dict) = object.dict() {
            stack.push(dict.into());
        }
        stack.extend(object.gc_get_referents());
    }
    classes
}

/// Flushes `sys.stdout` and `sys.stderr` (as Python's own exit does);
/// failures are of no one's concern any more.
fn flush_stdio(vm: &VirtualMachine) {
    for name in ["stdout", "stderr"] {
        if let Ok(stream) = vm.sys_module.get_attr(name, vm) {
            if !vm.is_none(&stream) {
                let _ = vm.call_method(&stream, "flush", ());
            }
        }
    }
}
