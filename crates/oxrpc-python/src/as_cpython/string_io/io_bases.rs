//! What `StringIO`'s bases, `_io._IOBase` and `_io._TextIOBase`, do in
//! CPython 3.11 and not in RustPython 0.5.
//!
//! - `_TextIOBase` has `detach`, `read`, `readline` and `write`, refusing
//!   with `io.UnsupportedOperation` naming themselves, and `newlines`,
//!   None. RustPython had no such attributes: `StringIO().detach()` was
//!   AttributeError.
//! - `_IOBase`'s methods that check that the file is open first
//!   (`__enter__`, `isatty`, `writelines`, `readlines`, `_checkClosed`)
//!   refuse a closed one with "I/O operation on closed file." as
//!   CPython's `iobase_check_closed` does; RustPython's has no full stop.
//!
//! The classes are shared by every interpreter; this is done once, by the
//! first interpreter's `_io`.

use super::super::clinic_signature::no_arguments;
use super::super::methods;
use rustpython_vm::builtins::{PyBaseException, PyBaseExceptionRef, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

/// What the closed-file check says in RustPython, and in CPython.
const CLOSED: &str = "I/O operation on closed file";
const CLOSED_AS_CPYTHON: &str = "I/O operation on closed file.";

/// Puts the methods on `text_io_base` and rewords its base's, once per
/// process.
pub(super) fn complete(vm: &VirtualMachine, text_io_base: &'static Py<PyType>) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(io_base) = text_io_base.base.as_deref() {
            for name in [
                "__enter__",
                "isatty",
                "writelines",
                "readlines",
                "_checkClosed",
            ] {
                closed_with_full_stop(vm, io_base, name);
            }
        }
        methods::define(
            vm,
            text_io_base,
            "detach",
            |_zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine| -> PyResult {
                no_arguments("_TextIOBase.detach", &args, vm)?;
                Err(unsupported("detach", vm))
            },
        );
        // CPython's take any arguments and refuse all the same.
        for name in ["read", "readline", "write"] {
            methods::define(
                vm,
                text_io_base,
                name,
                move |_zelf: PyObjectRef, _args: FuncArgs, vm: &VirtualMachine| -> PyResult {
                    Err(unsupported(name, vm))
                },
            );
        }
        let newlines = vm.ctx.new_readonly_getset(
            "newlines",
            text_io_base,
            |_zelf: PyObjectRef, vm: &VirtualMachine| vm.ctx.none(),
        );
        text_io_base.set_attr(vm.ctx.intern_str("newlines"), newlines.into());
    });
}

/// `io.UnsupportedOperation(operation)`, made as Python code makes it.
fn unsupported(operation: &str, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let made = vm
        .import("_io", 0)
        .and_then(|io| io.get_attr("UnsupportedOperation", vm))
        .and_then(|class| class.call((operation.to_owned(),), vm));
    match made.map(|error| error.downcast::<PyBaseException>()) {
        Ok(Ok(error)) => error,
        Ok(Err(_)) => vm.new_type_error("UnsupportedOperation is not an exception"),
        Err(error) => error,
    }
}

/// `class`'s method `name`, its refusal of a closed file reworded.
fn closed_with_full_stop(vm: &VirtualMachine, class: &'static Py<PyType>, name: &'static str) {
    let Some(original) = class.get_attr(vm.ctx.intern_str(name)) else {
        return;
    };
    methods::define(
        vm,
        class,
        name,
        move |zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            args.prepend_arg(zelf);
            original.call(args, vm).map_err(|error| {
                let reworded = error.fast_isinstance(vm.ctx.exceptions.value_error)
                    && error
                        .as_object()
                        .str(vm)
                        .is_ok_and(|text| text.as_wtf8() == CLOSED);
                if reworded {
                    vm.new_value_error(CLOSED_AS_CPYTHON)
                } else {
                    error
                }
            })
        },
    );
}
