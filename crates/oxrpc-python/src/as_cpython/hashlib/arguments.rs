//! Arguments read as CPython 3.11's Argument Clinic reads them for the
//! hash constructors: the same conversions, refused in the same words.

use rustpython_vm::builtins::{PyInt, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, TryFromBorrowedObject, VirtualMachine};

/// Splits `args` of `function(data, /, *, KEYWORDS...)` into the data and
/// each keyword's value, in `keywords`' order, refusing what
/// `_PyArg_UnpackKeywords` refuses: too many arguments, more than one
/// positional, a keyword it does not take.
pub(super) fn unpack_keywords<const N: usize>(
    function: &str,
    args: FuncArgs,
    keywords: &[&str; N],
    vm: &VirtualMachine,
) -> PyResult<(Option<PyObjectRef>, [Option<PyObjectRef>; N])> {
    let positional = args.args.len();
    let total = positional + args.kwargs.len();
    let most = N + 1;
    if total > most {
        return Err(vm.new_type_error(format!(
            "{function}() takes at most {most} {}argument{} ({total} given)",
            if positional == 0 { "keyword " } else { "" },
            if most == 1 { "" } else { "s" },
        )));
    }
    if positional > 1 {
        return Err(vm.new_type_error(format!(
            "{function}() takes at most 1 positional argument ({positional} given)"
        )));
    }
    let mut values: [Option<PyObjectRef>; N] = std::array::from_fn(|_| None);
    for (name, value) in args.kwargs {
        match keywords.iter().position(|keyword| *keyword == name) {
            Some(index) => values[index] = Some(value),
            None => {
                return Err(vm.new_type_error(format!(
                    "'{name}' is an invalid keyword argument for {function}()"
                )))
            }
        }
    }
    Ok((args.args.into_iter().next(), values))
}

/// An `int` parameter (`_PyLong_AsInt`): any object with `__index__`,
/// within a C int.
pub(super) fn c_int_argument(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    let int = value.try_index(vm)?;
    num_traits::ToPrimitive::to_i32(int.as_bigint())
        .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C int"))
}

/// An `unsigned_long` parameter (`_PyLong_UnsignedLong_Converter`): an
/// int (no `__index__`), not negative, within 64 bits.
pub(super) fn unsigned_long_argument(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u64> {
    unsigned_argument(
        value,
        "Python int too large to convert to C unsigned long",
        vm,
    )
}

/// An `unsigned_long_long` parameter: as `unsigned_long_argument`, with
/// `PyLong_AsUnsignedLongLong`'s words for an int too big.
pub(super) fn unsigned_long_long_argument(
    value: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<u64> {
    unsigned_argument(value, "int too big to convert", vm)
}

fn unsigned_argument(value: &PyObjectRef, too_big: &str, vm: &VirtualMachine) -> PyResult<u64> {
    let Some(int) = value.downcast_ref::<PyInt>() else {
        return Err(vm.new_type_error("an integer is required"));
    };
    if num_traits::Signed::is_negative(int.as_bigint()) {
        return Err(vm.new_value_error("value must be positive"));
    }
    num_traits::ToPrimitive::to_u64(int.as_bigint()).ok_or_else(|| vm.new_overflow_error(too_big))
}

/// A `bool` parameter: the value's truth.
pub(super) fn bool_argument(value: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
    value.try_to_bool(vm)
}

/// A `Py_buffer` parameter: the bytes of a C-contiguous buffer.
pub(super) fn buffer_argument(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let buffer = PyBuffer::try_from_borrowed_object(vm, value)?;
    contiguous_bytes(&buffer, vm)
}

/// Runs `hash` over the bytes of the data a hash is given
/// (`GET_BUFFER_VIEW_OR_ERROUT`), borrowed, not copied: text is refused
/// by name, then anything without the buffer protocol.
pub(super) fn with_data<R>(
    value: &PyObjectRef,
    vm: &VirtualMachine,
    hash: impl FnOnce(&[u8]) -> R,
) -> PyResult<R> {
    if value.downcast_ref::<PyStr>().is_some() {
        return Err(vm.new_type_error("Strings must be encoded before hashing"));
    }
    if value.class().slots.as_buffer.is_none() {
        return Err(vm.new_type_error("object supporting the buffer API required"));
    }
    let buffer = PyBuffer::try_from_borrowed_object(vm, value.as_object())?;
    let bytes = buffer.as_contiguous().ok_or_else(|| not_contiguous(vm))?;
    Ok(hash(&bytes))
}

fn contiguous_bytes(buffer: &PyBuffer, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    buffer
        .as_contiguous()
        .map(|bytes| bytes.to_vec())
        .ok_or_else(|| not_contiguous(vm))
}

fn not_contiguous(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_buffer_error("memoryview: underlying buffer is not C-contiguous")
}
