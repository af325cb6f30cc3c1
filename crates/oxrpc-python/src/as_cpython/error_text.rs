//! An error's text, and an error worded anew.
//!
//! Most replacements in this folder call RustPython's own code and change
//! only the words of what it raises. They recognise RustPython's error by
//! its class and exact text, so that an error a client's own code raises
//! with other words passes through untouched.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyType};
use rustpython_vm::{AsObject, Py, VirtualMachine};

/// The text of `error` when it is exactly a `class`.
pub(super) fn text_of(
    error: &PyBaseExceptionRef,
    class: &'static Py<PyType>,
    vm: &VirtualMachine,
) -> Option<String> {
    if !error.class().is(class) {
        return None;
    }
    let text = error.as_object().str(vm).ok()?;
    text.to_str().map(str::to_owned)
}

/// `error` again, worded `cpython()`, when it is a `class` worded
/// exactly `rustpython()`.
pub(super) fn reworded(
    error: PyBaseExceptionRef,
    class: &'static Py<PyType>,
    rustpython: impl FnOnce() -> String,
    cpython: impl FnOnce() -> String,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    match text_of(&error, class, vm) {
        Some(text) if text == rustpython() => {
            vm.new_exception_msg(class.to_owned(), cpython().into())
        }
        _ => error,
    }
}

/// CPython's `PyErr_NoMemory()`: a MemoryError without arguments.
pub(super) fn no_memory(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_empty(vm.ctx.exceptions.memory_error.to_owned())
}
