//! `dir()` without the class attributes of newer Pythons.
//!
//! RustPython 0.5 compiles a class as Python 3.13 does, giving it
//! `__firstlineno__` and `__static_attributes__`; CPython 3.11, which
//! rpyc_classic runs, has neither, so `dir()` of a class defined by remote
//! code, or of its instances, listed two names more than from
//! rpyc_classic. `type.__dir__` and `object.__dir__` are wrapped, once
//! per process (the types are shared by every interpreter), to leave those
//! names out. The attributes themselves stay: RustPython's `inspect` reads
//! `__firstlineno__` to find a class's source.
//!
//! And `dir()` of a module asks the module's own `__dir__` function when it
//! has one (PEP 562), as CPython's `module.__dir__` does: RustPython's
//! listed the module's dictionary regardless, so a module that makes its
//! names on first use (the server's `rpyc` stand-in) hid them from `dir()`.

use super::methods;
use rustpython_vm::builtins::{PyDict, PyList, PyStr};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// The names `dir()` leaves out.
const NEWER_NAMES: [&str; 2] = ["__firstlineno__", "__static_attributes__"];

/// RustPython's own `type.__dir__` and `object.__dir__`.
struct Originals {
    type_dir: PyObjectRef,
    object_dir: PyObjectRef,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Wraps the two `__dir__` methods, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let name = vm.ctx.intern_str("__dir__");
        let originals = Originals {
            type_dir: types.type_type.get_attr(name)?,
            object_dir: types.object_type.get_attr(name)?,
        };
        methods::define(
            vm,
            types.type_type,
            "__dir__",
            |zelf, vm: &VirtualMachine| {
                without_newer_names(zelf, |originals| &originals.type_dir, vm)
            },
        );
        methods::define(
            vm,
            types.object_type,
            "__dir__",
            |zelf, vm: &VirtualMachine| {
                without_newer_names(zelf, |originals| &originals.object_dir, vm)
            },
        );
        methods::define(vm, types.module_type, "__dir__", module_dir);
        Some(originals)
    });
    Ok(())
}

/// `module.__dir__`: the module's own `__dir__()` if its dictionary has
/// one, else the dictionary's keys.
fn module_dir(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let dict = zelf.get_attr("__dict__", vm)?;
    let dict = dict
        .downcast::<PyDict>()
        .map_err(|_| vm.new_type_error("<module>.__dict__ is not a dictionary".to_owned()))?;
    if let Some(own) = dict.get_item_opt("__dir__", vm)? {
        return own.call((), vm);
    }
    let names = dict.into_iter().map(|(name, _)| name).collect();
    Ok(vm.ctx.new_list(names).into())
}

/// What RustPython's `__dir__` (the one `original` picks) lists for
/// `zelf`, less [`NEWER_NAMES`].
fn without_newer_names(
    zelf: PyObjectRef,
    original: impl FnOnce(&Originals) -> &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(originals) = ORIGINALS.get().and_then(Option::as_ref) else {
        return Err(vm.new_runtime_error("dir() is not set up".to_owned()));
    };
    let names = original(originals).call((zelf,), vm)?;
    let Some(list) = names.downcast_ref::<PyList>() else {
        return Ok(names);
    };
    let kept: Vec<PyObjectRef> = list
        .borrow_vec()
        .iter()
        .filter(|name| {
            name.downcast_ref::<PyStr>()
                .and_then(|name| name.to_str())
                .is_none_or(|name| !NEWER_NAMES.contains(&name))
        })
        .cloned()
        .collect();
    Ok(vm.ctx.new_list(kept).into())
}
