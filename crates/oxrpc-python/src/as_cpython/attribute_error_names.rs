//! An AttributeError for a missing attribute names the object's type as
//! CPython does.
//!
//! RustPython 0.5 says "'deque' object has no attribute 'x'" where CPython
//! 3.11 says "'collections.deque' object has no attribute 'x'", and "type
//! object 'date' has no attribute 'x'" where it says "type object
//! 'datetime.date' ..." (see `type_names`). The error is made deep in
//! RustPython's attribute lookup, which the interpreter's fast paths
//! depend on staying as it is; but every such error is then given its
//! `name` and `obj` by RustPython (`set_attribute_error_context`). So
//! AttributeError's `obj` becomes a descriptor whose setter, after
//! keeping the object as before (in the instance's dict), rewords an
//! error whose message is exactly RustPython's for that object and name.
//! Nothing is paid where no AttributeError is made, nor for a type CPython
//! names alike (a class statement's); a reworded message is built anew
//! each time, ~0.5 µs, also where RustPython's own probes of an attribute
//! make and drop the error.

use super::type_names::renamed_in_cpython;
use rustpython_vm::builtins::{PyBaseException, PyDictRef, PyStr, PyStrInterned, PyTuple, PyType};
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::types::Initializer;
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

static INSTALLED: Once = Once::new();

/// The instance-dict keys RustPython keeps `obj` and `name` under,
/// interned once.
static KEYS: OnceLock<Keys> = OnceLock::new();

struct Keys {
    obj: &'static PyStrInterned,
    name: &'static PyStrInterned,
}

fn keys(vm: &VirtualMachine) -> &'static Keys {
    KEYS.get_or_init(|| Keys {
        obj: vm.ctx.intern_str("obj"),
        name: vm.ctx.intern_str("name"),
    })
}

/// Makes AttributeError's `obj` the descriptor, once per process.
pub(crate) fn install(vm: &VirtualMachine) {
    INSTALLED.call_once(|| {
        let class = vm.ctx.exceptions.attribute_error;
        let descriptor = vm.ctx.new_static_getset("obj", class, get_obj, set_obj);
        class.set_attr(vm.ctx.intern_str("obj"), descriptor.into());
    });
}

/// `error.obj`: as RustPython keeps it, None when it is not set.
fn get_obj(error: PyObjectRef, vm: &VirtualMachine) -> PyObjectRef {
    error
        .dict()
        .and_then(|dict| dict.get_item_opt(keys(vm).obj, vm).ok().flatten())
        .unwrap_or_else(|| vm.ctx.none())
}

/// `error.obj = value` (or `del error.obj`), then the message reworded.
fn set_obj(error: PyObjectRef, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
    let Some(dict) = error.dict() else {
        return Err(vm.new_attribute_error("'AttributeError' object has no __dict__".to_owned()));
    };
    match value {
        PySetterValue::Assign(object) => {
            dict.set_item(keys(vm).obj, object.clone(), vm)?;
            reword(&error, &dict, &object, vm)
        }
        PySetterValue::Delete => {
            let _ = dict.del_item(keys(vm).obj, vm);
            Ok(())
        }
    }
}

/// RustPython's message for `object` missing its attribute `error.name`,
/// in CPython's words where the two name the type differently. RustPython
/// reads attributes it may not find this way too (a buffer's `raw`), so
/// what is not reworded is let go before anything is built.
fn reword(
    error: &PyObject,
    dict: &PyDictRef,
    object: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let as_type = object.downcast_ref::<PyType>();
    let shown = as_type.unwrap_or_else(|| object.class());
    let Some(cpython) = renamed_in_cpython(shown, vm) else {
        return Ok(());
    };
    let Some(exception) = error.downcast_ref::<PyBaseException>() else {
        return Ok(());
    };
    let args = exception.args();
    let Some(said) = only_message(&args) else {
        return Ok(());
    };
    let Some(name) = dict.get_item_opt(keys(vm).name, vm)? else {
        return Ok(());
    };
    let Some(name) = name.downcast_ref::<PyStr>() else {
        return Ok(());
    };
    // RustPython names a type object by its slot name, an instance's type
    // by its bare name.
    let (before, rustpython, after) = match as_type {
        Some(class) => ("type object '", class.slot_name(), "' has no attribute '"),
        None => ("'", shown.name(), "' object has no attribute '"),
    };
    let name = name.as_wtf8();
    let parts: [&[u8]; 5] = [
        before.as_bytes(),
        rustpython.as_bytes(),
        after.as_bytes(),
        name.as_bytes(),
        b"'",
    ];
    if !is_joined(said.as_wtf8().as_bytes(), &parts) || *rustpython == cpython {
        return Ok(());
    }
    let worded = format!("{before}{cpython}{after}{name}'");
    // BaseException's own init sets the arguments in place (`args`'s
    // setter iterates what it is given: a microsecond).
    let Ok(exception) = error.to_owned().downcast::<PyBaseException>() else {
        return Ok(());
    };
    PyBaseException::init(
        exception,
        FuncArgs::from(vec![vm.ctx.new_str(worded).into()]),
        vm,
    )
}

/// The error's message when its arguments are one string.
fn only_message(args: &PyTuple) -> Option<&PyStr> {
    match args.as_slice() {
        [message] => message.downcast_ref::<PyStr>().map(|message| &**message),
        _ => None,
    }
}

/// Whether `text` is `parts` joined, read without joining them.
fn is_joined(text: &[u8], parts: &[&[u8]]) -> bool {
    let mut rest = text;
    for part in parts {
        match rest.strip_prefix(*part) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}
