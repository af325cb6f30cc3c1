//! `signal.ItimerError` made as the `OSError` it is.
//!
//! RustPython 0.5's `setitimer` and `getitimer` raise their error with
//! `vm.new_exception_msg`, which gives an object of `ItimerError`, a
//! subclass of `OSError`, the layout of a plain `BaseException`. Reading
//! its `errno` (`str()` does) read past the object: the server crashed
//! (SIGSEGV) after `signal.setitimer(99, 0)`. Its message was Rust's
//! ("Invalid argument (os error 22)"). The fronts raise CPython's error
//! instead, `ItimerError(22, 'Invalid argument')` (`PyErr_SetFromErrno`),
//! made by calling the class with the error number Rust's message ends
//! with. RustPython's object is read only for its class and arguments,
//! which that layout holds, and dropped.
//!
//! The class is also named as CPython 3.11 names it, `itimer_error`
//! (`signal.ItimerError` is its name in the module). It is made once per
//! process, so it is renamed once.

use super::module_copy::fronts;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr, PyType, PyTypeRef};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{AsObject, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `signal.ItimerError`.
static ITIMER_ERROR: OnceLock<Option<PyTypeRef>> = OnceLock::new();

/// Names the class as CPython does, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let mut renamed = Ok(());
    ITIMER_ERROR.get_or_init(|| {
        let class = vm
            .import("_signal", 0)
            .ok()?
            .get_attr("ItimerError", vm)
            .ok()?;
        let class = class.downcast::<PyType>().ok()?;
        renamed = ["__name__", "__qualname__"]
            .into_iter()
            .try_for_each(|name| {
                class
                    .as_object()
                    .set_attr(name, vm.ctx.new_str("itimer_error"), vm)
            });
        Some(class)
    });
    renamed
}

fronts! {
    /// `_signal.setitimer`.
    setitimer => remade_on_error;
    /// `_signal.getitimer`.
    getitimer => remade_on_error;
}

fn remade_on_error(own: &'static dyn PyNativeFn, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    own(vm, args).map_err(|error| remade(error, vm))
}

/// RustPython's `ItimerError` as CPython makes it; any other error as it
/// is.
fn remade(error: PyBaseExceptionRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let class = error.class().to_owned();
    let known = ITIMER_ERROR.get().and_then(Option::as_ref);
    if !known.is_some_and(|known| class.is(known)) {
        return error;
    }
    let args = error.args();
    let Some((number, message)) = args
        .as_slice()
        .first()
        .and_then(|message| message.downcast_ref::<PyStr>())
        .and_then(|message| message.to_str())
        .and_then(rust_io_error_parts)
    else {
        // Never left to reach Python code: made again with its message.
        return vm
            .new_os_subtype_error(class, None, args.as_slice().first().cloned())
            .upcast();
    };
    let made = class
        .as_object()
        .call((vm.ctx.new_int(number), vm.ctx.new_str(message)), vm);
    match made.and_then(|made| made.try_into_value::<PyBaseExceptionRef>(vm)) {
        Ok(made) => made,
        Err(failed) => failed,
    }
}

/// The error number and the C library's message in Rust's words for an
/// `io::Error` ("Invalid argument (os error 22)").
fn rust_io_error_parts(text: &str) -> Option<(i32, String)> {
    let (message, rest) = text.rsplit_once(" (os error ")?;
    let number = rest.strip_suffix(')')?.parse().ok()?;
    Some((number, message.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::rust_io_error_parts;

    #[test]
    fn reads_rusts_words_for_an_os_error() {
        assert_eq!(
            rust_io_error_parts("Invalid argument (os error 22)"),
            Some((22, "Invalid argument".to_owned()))
        );
        assert_eq!(rust_io_error_parts("Invalid argument"), None);
        assert_eq!(rust_io_error_parts("x (os error y)"), None);
    }
}
