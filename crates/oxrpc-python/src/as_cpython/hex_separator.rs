//! `bytes.hex(sep=..., bytes_per_sep=...)` by keyword, as CPython 3.11
//! takes it.
//!
//! RustPython 0.5's `hex` of `bytes`, `bytearray` and `memoryview` takes
//! its separator and group size by position only: `b'abc'.hex(sep=':')`
//! was "Unexpected keyword argument sep", where CPython answers
//! `'61:62:63'`. The three methods (of types shared by every interpreter)
//! are replaced once per process by ones that bind their arguments as
//! CPython's Argument Clinic does, check the separator and the group size
//! as CPython does (RustPython said "unexpected type int" for `sep=1`,
//! "sep must be length 1." for `sep='é'`), and hand them to RustPython's
//! function by position. `hex()` goes to it as it is.

use super::clinic_signature::{c_int_argument, Signature};
use super::methods;
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyMemoryView, PyStr};
use rustpython_vm::class::{PyClassImpl, StaticType};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// `hex(sep=<unrepresentable>, bytes_per_sep=1)`.
const HEX: Signature = Signature {
    function: "hex",
    parameters: &["sep", "bytes_per_sep"],
    positional_only: 0,
    positional: 2,
    required: 0,
};

/// Puts the three methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        replace::<PyBytes>(vm);
        replace::<PyByteArray>(vm);
        replace::<PyMemoryView>(vm);
    });
    Ok(())
}

fn replace<T: PyClassImpl + StaticType>(vm: &VirtualMachine) {
    let Some(own) = methods::native_function::<T>("hex") else {
        return;
    };
    methods::define(
        vm,
        T::static_type(),
        "hex",
        move |args: FuncArgs, vm: &VirtualMachine| hex(own, args, vm),
    );
}

/// The call, its arguments bound, checked as CPython checks them and
/// given to `own` by position: the separator, then the group size (which
/// CPython ignores without a separator). `hex()` goes to `own` as it is.
fn hex(own: &'static dyn PyNativeFn, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if args.args.len() <= 1 && args.kwargs.is_empty() {
        return own(vm, args);
    }
    let (receiver, bound) = HEX.bind_after_receiver(args, vm)?;
    let mut bound = bound.into_iter();
    let (separator, group) = (bound.next().flatten(), bound.next().flatten());
    // Argument Clinic converts the group size first, `_Py_strhex_impl`
    // then reads the separator.
    if let Some(group) = &group {
        c_int_argument(group, vm)?;
    }
    if let Some(separator) = &separator {
        check_separator(separator, vm)?;
    }
    let positional: Vec<PyObjectRef> = match separator {
        Some(separator) => [receiver, Some(separator), group]
            .into_iter()
            .flatten()
            .collect(),
        None => receiver.into_iter().collect(),
    };
    own(vm, FuncArgs::from(positional))
}

/// `_Py_strhex_impl`'s checks of the separator: one character or byte
/// (asked of its length first), text or bytes, ASCII.
fn check_separator(separator: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    if separator.length(vm)? != 1 {
        return Err(vm.new_value_error("sep must be length 1.".to_owned()));
    }
    let ascii = if let Some(text) = separator.downcast_ref::<PyStr>() {
        text.as_wtf8().is_ascii()
    } else if let Some(bytes) = separator.downcast_ref::<PyBytes>() {
        bytes.as_bytes().is_ascii()
    } else {
        return Err(vm.new_type_error("sep must be str or bytes.".to_owned()));
    };
    if ascii {
        Ok(())
    } else {
        Err(vm.new_value_error("sep must be ASCII.".to_owned()))
    }
}
