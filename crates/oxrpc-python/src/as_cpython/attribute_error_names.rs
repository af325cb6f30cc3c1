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
//! Nothing is paid where no AttributeError is made.

use super::type_names::cpython_type_name;
use rustpython_vm::builtins::{PyDictRef, PyStr, PyTuple, PyType};
use rustpython_vm::function::PySetterValue;
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

static INSTALLED: Once = Once::new();

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
        .and_then(|dict| dict.get_item_opt("obj", vm).ok().flatten())
        .unwrap_or_else(|| vm.ctx.none())
}

/// `error.obj = value` (or `del error.obj`), then the message reworded.
fn set_obj(error: PyObjectRef, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
    let Some(dict) = error.dict() else {
        return Err(vm.new_attribute_error("'AttributeError' object has no __dict__".to_owned()));
    };
    match value {
        PySetterValue::Assign(object) => {
            dict.set_item("obj", object.clone(), vm)?;
            reword(&error, &dict, &object, vm)
        }
        PySetterValue::Delete => {
            let _ = dict.del_item("obj", vm);
            Ok(())
        }
    }
}

/// RustPython's message for `object` missing its attribute `error.name`,
/// in CPython's words where the two name the type differently.
fn reword(
    error: &PyObject,
    dict: &PyDictRef,
    object: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let Some(name) = dict.get_item_opt("name", vm)? else {
        return Ok(());
    };
    let (Some(name), Some(said)) = (name.downcast_ref::<PyStr>(), only_message(error, vm)) else {
        return Ok(());
    };
    let name = name.as_wtf8();
    let class = object.class();
    let (rustpython, cpython) = match object.downcast_ref::<PyType>() {
        Some(class) => (
            format!(
                "type object '{}' has no attribute '{name}'",
                class.slot_name()
            ),
            cpython_type_name(class, vm),
        ),
        None => (
            format!("'{}' object has no attribute '{name}'", class.name()),
            cpython_type_name(class, vm),
        ),
    };
    if said != rustpython {
        return Ok(());
    }
    let worded = match object.downcast_ref::<PyType>() {
        Some(_) => format!("type object '{cpython}' has no attribute '{name}'"),
        None => format!("'{cpython}' object has no attribute '{name}'"),
    };
    if worded != said {
        let args = vm.ctx.new_tuple(vec![vm.ctx.new_str(worded).into()]);
        error.set_attr("args", args, vm)?;
    }
    Ok(())
}

/// The error's message when its arguments are one string.
fn only_message(error: &PyObject, vm: &VirtualMachine) -> Option<String> {
    let args = error.get_attr("args", vm).ok()?;
    let args = args.downcast_ref::<PyTuple>()?;
    match args.as_slice() {
        [message] => Some(message.downcast_ref::<PyStr>()?.as_wtf8().to_string()),
        _ => None,
    }
}
