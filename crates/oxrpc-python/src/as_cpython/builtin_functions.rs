//! Putting a function in place of a builtin of the `builtins` module.
//!
//! Unlike the types, which every interpreter shares, each interpreter has
//! a `builtins` module of its own, so a replaced builtin is set in every
//! one. What it is made of is made once per process, by the first
//! interpreter: the replacement's definition, which keeps the original's
//! `__doc__`, and RustPython's own function, which the replacement
//! usually calls and whose errors it rewords. That function holds nothing
//! of the interpreter that made it (a module's function has no
//! `__self__` in RustPython), so it serves every interpreter. Each
//! interpreter gets a function object of its own from the definition,
//! with `__module__` `'builtins'` as in CPython; nothing is made per
//! connection that outlives it.

use rustpython_vm::builtins::PyStr;
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn, PyMethodDef, PyMethodFlags};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// One replaced builtin: what RustPython's did and what replaces it.
pub(super) struct Replaced {
    original: PyObjectRef,
    definition: &'static PyMethodDef,
}

/// The cell a replaced builtin's parts live in, filled by the first
/// interpreter.
pub(super) type Cell = OnceLock<Option<Replaced>>;

/// Sets `name` in `vm`'s builtins module to `replacement`, which finds
/// RustPython's own through `cell` (`call_original`).
pub(super) fn replace<F, Kind>(
    vm: &VirtualMachine,
    cell: &'static Cell,
    name: &'static str,
    replacement: F,
) -> PyResult<()>
where
    F: IntoPyNativeFn<Kind>,
{
    let replaced = cell.get_or_init(|| {
        let original = vm.builtins.get_attr(name, vm).ok()?;
        // Once per process, like RustPython's own definitions.
        let doc = original
            .get_attr("__doc__", vm)
            .ok()
            .and_then(|doc| Some(doc.downcast_ref::<PyStr>()?.to_str()?.to_owned()))
            .map(|doc| &*Box::leak(doc.into_boxed_str()));
        let definition = Box::leak(Box::new(PyMethodDef {
            name,
            func: Box::leak(Box::new(replacement.into_func())),
            // The calling convention the interpreter specialises calls of
            // RustPython's builtins for (every native function is called
            // the same way; the flags choose the interpreter's path).
            flags: PyMethodFlags::FASTCALL | PyMethodFlags::KEYWORDS,
            doc,
        }));
        Some(Replaced {
            original,
            definition,
        })
    });
    let Some(replaced) = replaced else {
        return Err(vm.new_runtime_error(format!("builtin {name} could not be replaced")));
    };
    let function = replaced
        .definition
        .to_function()
        .with_module(vm.ctx.intern_str("builtins"))
        .into_ref(&vm.ctx);
    vm.builtins.set_attr(name, function, vm)
}

/// Calls RustPython's builtin that `cell`'s replacement stands for.
pub(super) fn call_original(cell: &'static Cell, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    match cell.get() {
        Some(Some(replaced)) => replaced.original.call(args, vm),
        _ => Err(vm.new_runtime_error("a builtin is not set up".to_owned())),
    }
}
