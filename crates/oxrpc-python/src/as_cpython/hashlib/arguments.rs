//! Arguments read as CPython 3.11's Argument Clinic reads them for the
//! hash constructors: the same conversions, refused in the same words.

use rustpython_vm::builtins::{PyInt, PyStr};
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, TryFromBorrowedObject, VirtualMachine};

pub(super) use crate::as_cpython::clinic_signature::{
    c_int_argument, no_arguments, one_argument, Signature,
};

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

/// The error for setting or deleting a hash object's read-only
/// attribute, naming the class as CPython's tp_name does
/// (`_hashlib.HASH`, `_blake2.blake2b`).
pub(super) fn read_only(
    class: &str,
    attribute: &str,
    vm: &VirtualMachine,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_attribute_error(format!(
        "attribute '{attribute}' of '{class}' objects is not writable"
    ))
}
