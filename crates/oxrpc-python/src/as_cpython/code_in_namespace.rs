//! `exec` and `eval` of a code object, run without a detour.
//!
//! RustPython's `exec` and `eval` take their source as "text, else a code
//! object": a code object is first tried as text, which builds a
//! TypeError, formats its message and drops it, before it is taken as what
//! it is. That cost `exec(code, namespace)` ~1,500 ns where CPython spends
//! ~80, and every classic `conn.execute` and `conn.eval` runs a (cached)
//! code object this way, as does `exec` of text once [`super::written_docstrings`]
//! has compiled it. The common shapes, a code object with a namespace
//! dict (and optionally a locals dict, or none at all, meaning the
//! caller's), are run here exactly as RustPython's builtin runs them; any
//! other call is left to it.

use rustpython_vm::builtins::{PyCode, PyDict, PyDictRef};
use rustpython_vm::function::{ArgMapping, FuncArgs};
use rustpython_vm::scope::Scope;
use rustpython_vm::{identifier, PyObjectRef, PyRef, PyResult, VirtualMachine};

/// Runs `exec(code[, globals[, locals]])` or the same `eval` when its
/// arguments have a common shape; `None` leaves the call to the builtin.
pub(crate) fn run(args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    if !args.kwargs.is_empty() {
        return None;
    }
    let (code, namespaces) = args.args.split_first()?;
    let code = code.clone().downcast_exact::<PyCode>(vm).ok()?.into_pyref();
    if !code.freevars.is_empty() {
        return None;
    }
    let scope = match namespaces {
        [] => match vm.current_locals() {
            Ok(locals) => Scope::new(Some(locals), vm.current_globals()),
            Err(error) => return Some(Err(error)),
        },
        [globals] => {
            let globals = exact_dict(globals, vm)?;
            Scope::new(Some(ArgMapping::from_dict_exact(globals.clone())), globals)
        }
        [globals, locals] => {
            let globals = exact_dict(globals, vm)?;
            let locals = if vm.is_none(locals) {
                globals.clone()
            } else {
                exact_dict(locals, vm)?
            };
            Scope::new(Some(ArgMapping::from_dict_exact(locals)), globals)
        }
        _ => return None,
    };
    Some(with_builtins(&scope.globals, vm).and_then(|()| vm.run_code_obj(code, scope)))
}

fn exact_dict(object: &PyObjectRef, vm: &VirtualMachine) -> Option<PyDictRef> {
    object
        .clone()
        .downcast_exact::<PyDict>(vm)
        .ok()
        .map(|dict| dict.into_pyref())
}

/// A namespace without `__builtins__` is given the builtins module's
/// dict, as CPython's (and RustPython's) `exec` and `eval` give it.
fn with_builtins(globals: &PyRef<PyDict>, vm: &VirtualMachine) -> PyResult<()> {
    if globals.contains_key(identifier!(vm, __builtins__), vm) {
        return Ok(());
    }
    globals.set_item(identifier!(vm, __builtins__), vm.builtins.dict().into(), vm)
}
