//! `ImportError` as CPython 3.11 has it.
//!
//! RustPython 0.5 follows Python 3.14 here and otherwise:
//!
//! - it takes a `name_from` keyword and keeps a `name_from` attribute (3.14
//!   added both), so `dir()` of every import error, and the attributes a
//!   raised one carries to the client, had one more name; CPython 3.11
//!   refuses the keyword (`'name_from' is an invalid keyword argument for
//!   ImportError()`);
//! - `msg` was the first argument however many there were, and read-only;
//!   CPython sets it from a single argument only (`ImportError('a',
//!   'b').msg` is `None`) and lets it be assigned;
//! - an import error RustPython raises itself (`from os import nope`) or
//!   one made without `__init__` had no `path`, or no `name`: reading it
//!   raised `AttributeError` where CPython gives `None`.
//!
//! `ImportError`'s and `ModuleNotFoundError`'s `__init__` slot is replaced
//! by 3.11's, `msg` becomes an assignable attribute with CPython's
//! default, and `name` and `path` get `None` as class defaults, once per
//! process (the types are shared by every interpreter). The `name_from`
//! RustPython's own `from ... import` sets on the error it raises is left
//! out of what the server sends (`support.py`'s `exception_parts`).

use super::methods;
use rustpython_vm::builtins::{PyTuple, PyType};
use rustpython_vm::function::{FuncArgs, KwArgs, PySetterValue};
use rustpython_vm::{Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `ImportError.__init__`, which sets the arguments.
static ORIGINAL_INIT: OnceLock<Option<methods::InitSlot>> = OnceLock::new();

/// Puts 3.11's `ImportError` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL_INIT.get_or_init(|| {
        let exceptions = &vm.ctx.exceptions;
        let import_error: &'static Py<PyType> = exceptions.import_error;
        let original = import_error.slots.init.load()?;
        // As an `__init__` a subclass made later takes its slot from.
        for class in [import_error, exceptions.module_not_found_error] {
            methods::define_init(vm, class, init);
        }
        let msg = vm
            .ctx
            .new_static_getset("msg", import_error, get_msg, set_msg);
        import_error.set_attr(vm.ctx.intern_str("msg"), msg.into());
        for name in ["name", "path"] {
            import_error.set_attr(vm.ctx.intern_str(name), vm.ctx.none());
        }
        Some(original)
    });
    Ok(())
}

/// CPython's `ImportError_init`: the arguments as any exception's, the
/// keywords `name` and `path` only, and `msg` from a single argument.
fn init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(original) = ORIGINAL_INIT.get().copied().flatten() else {
        return Err(vm.new_runtime_error("ImportError is not set up".to_owned()));
    };
    if let Some(refused) = args
        .kwargs
        .keys()
        .find(|key| !matches!(key.as_str(), "name" | "path"))
    {
        return Err(vm.new_type_error(format!(
            "'{refused}' is an invalid keyword argument for ImportError()"
        )));
    }
    let msg = match args.args.as_slice() {
        [only] => only.clone(),
        _ => vm.ctx.none(),
    };
    let keywords: KwArgs = args.kwargs.clone().into_iter().collect();
    original(zelf.clone(), FuncArgs::new(args.args, keywords), vm)?;
    if let Some(dict) = zelf.dict() {
        // RustPython's sets it, to None here: 3.11 has no such attribute.
        if dict.get_item_opt("name_from", vm)?.is_some() {
            dict.del_item("name_from", vm)?;
        }
        dict.set_item("msg", msg, vm)?;
    }
    Ok(())
}

/// `msg`: what `__init__` or an assignment set; for an error made without
/// either (as the import system makes them), CPython's default, the
/// single argument or `None`.
fn get_msg(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    if let Some(msg) = zelf
        .dict()
        .and_then(|dict| dict.get_item_opt("msg", vm).ok().flatten())
    {
        return Ok(msg);
    }
    let args = zelf.get_attr("args", vm)?;
    let single = args
        .downcast_ref::<PyTuple>()
        .and_then(|args| match args.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        });
    Ok(single.unwrap_or_else(|| vm.ctx.none()))
}

fn set_msg(zelf: PyObjectRef, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
    let Some(dict) = zelf.dict() else {
        return Err(vm.new_attribute_error("ImportError has no attributes".to_owned()));
    };
    match value {
        PySetterValue::Assign(value) => dict.set_item("msg", value, vm),
        PySetterValue::Delete => dict.set_item("msg", vm.ctx.none(), vm),
    }
}
