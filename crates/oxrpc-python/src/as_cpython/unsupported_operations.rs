//! An `io` method's refusal of what its file cannot do, in CPython's words.
//!
//! CPython 3.11 names only the operation: `open(p, 'rb').write(b'x')` is
//! `UnsupportedOperation('write')`, `BytesIO().fileno()` is
//! `UnsupportedOperation('fileno')`; a raw file says what it was not
//! opened for ("File not open for writing"). RustPython 0.5 said
//! "BufferedReader.write() not supported", "BytesIO.fileno() not
//! supported" and "File or stream is not writable". The error is reworded
//! on its way out of the method call, where `closed_files` rewords a
//! closed file's refusal (both are ValueErrors: UnsupportedOperation is
//! one). A raw file's `truncate` looks at its mode first, as CPython's
//! does: RustPython's asked the system, which refused a file opened for
//! reading with EINVAL.

use super::methods;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr, PyType};
use rustpython_vm::{AsObject, PyObject, PyRef, PyResult, VirtualMachine};
use std::sync::Once;

static CHECKED: Once = Once::new();

/// Puts a look at the mode before `FileIO.truncate`, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let class = methods::class_of_module(vm, "_io", "FileIO")?;
    CHECKED.call_once(|| {
        methods::check_before(vm, class, "truncate", |args, vm| {
            let Some(file) = args.args.first() else {
                return Ok(());
            };
            // A closed file is refused by the method, in its words.
            let closed = file.get_attr("closed", vm)?.try_to_bool(vm)?;
            if closed || vm.call_method(file, "writable", ())?.try_to_bool(vm)? {
                return Ok(());
            }
            let Some(unsupported) = unsupported_operation(vm) else {
                return Ok(());
            };
            Err(vm
                .new_os_subtype_error(unsupported, None, "File not open for writing")
                .upcast())
        });
    });
    Ok(())
}

/// `error`, raised by a method of `file`, in CPython's words when it is
/// RustPython's UnsupportedOperation.
pub(super) fn worded(
    error: PyBaseExceptionRef,
    file: &PyObject,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    // Every ValueError of a builtin method comes this way (`[].index(1)`):
    // most are let go by name, before `_io` is looked at.
    if &*error.class().name() != "UnsupportedOperation" {
        return error;
    }
    let Some(unsupported) = unsupported_operation(vm) else {
        return error;
    };
    if !error.class().is(&unsupported) {
        return error;
    }
    let args = error.args();
    let Some(said) = args
        .as_slice()
        .first()
        .and_then(|said| said.downcast_ref::<PyStr>())
    else {
        return error;
    };
    let Some(said) = said.to_str() else {
        return error;
    };
    let worded = match said {
        "File or stream is not readable" if is_raw_file(file, vm) => "File not open for reading",
        "File or stream is not writable" if is_raw_file(file, vm) => "File not open for writing",
        _ => match operation_of(said) {
            Some(operation) => operation,
            None => return error,
        },
    };
    // An OSError: built as one, with its own layout.
    vm.new_os_subtype_error(unsupported, None, worded.to_owned())
        .upcast()
}

/// The operation RustPython's "Class.operation() not supported" names.
fn operation_of(said: &str) -> Option<&str> {
    let called = said.strip_suffix("() not supported")?;
    let (class, operation) = called.split_once('.')?;
    let is_name = |text: &str| {
        !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    (is_name(class) && is_name(operation)).then_some(operation)
}

/// `io.UnsupportedOperation`.
fn unsupported_operation(vm: &VirtualMachine) -> Option<PyRef<PyType>> {
    let io = vm.import("_io", 0).ok()?;
    io.get_attr("UnsupportedOperation", vm)
        .ok()?
        .downcast()
        .ok()
}

/// Whether `file` is a `FileIO`, whose refusals name the mode.
fn is_raw_file(file: &PyObject, vm: &VirtualMachine) -> bool {
    let Ok(io) = vm.import("_io", 0) else {
        return false;
    };
    io.get_attr("FileIO", vm)
        .is_ok_and(|class| file.class().fast_issubclass(&class))
}

#[cfg(test)]
mod tests {
    use super::operation_of;

    #[test]
    fn rustpython_refusals_name_their_operation() {
        assert_eq!(
            operation_of("BytesIO.fileno() not supported"),
            Some("fileno")
        );
        assert_eq!(
            operation_of("BufferedReader.write() not supported"),
            Some("write")
        );
        assert_eq!(operation_of("write"), None);
        assert_eq!(operation_of("a b.c() not supported"), None);
    }
}
