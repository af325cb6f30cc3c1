//! The items of an iterable, taken as CPython's `PySequence_Fast` takes
//! them.
//!
//! CPython's `str.join`, `bytes.join` and `dict(pairs)` read what they are
//! given whole before they look at any item: a list or tuple as it is,
//! anything else iterated to its end. What they say when it is not
//! iterable at all is their own.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyList, PyTuple};
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// The items of `iterable`; `not_iterable()` in place of the TypeError
/// for an object that cannot be iterated (errors raised while iterating
/// pass through).
pub(super) fn items(
    iterable: &PyObject,
    not_iterable: impl FnOnce() -> PyBaseExceptionRef,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyObjectRef>> {
    if let Some(list) = iterable.downcast_ref_if_exact::<PyList>(vm) {
        return Ok(list.borrow_vec().to_vec());
    }
    if let Some(tuple) = iterable.downcast_ref_if_exact::<PyTuple>(vm) {
        return Ok(tuple.as_slice().to_vec());
    }
    let iterator = iterable.get_iter(vm).map_err(|error| {
        if error.class().is(vm.ctx.exceptions.type_error) {
            not_iterable()
        } else {
            error
        }
    })?;
    let mut items = Vec::new();
    while let PyIterReturn::Return(item) = iterator.next(vm)? {
        items.push(item);
    }
    Ok(items)
}
