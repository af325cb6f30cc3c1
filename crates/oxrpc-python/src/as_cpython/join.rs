//! `str.join`, `bytes.join` and `bytearray.join` as CPython 3.11 has
//! them.
//!
//! RustPython 0.5 refused an item of the wrong type in its own words:
//! `','.join([1, 2])` said "Expected type 'str' but 'int' found.", not
//! "sequence item 0: expected str instance, int found" (the item's index
//! is what tells the caller which one); `b','.join([1])` said "'int'
//! object is not iterable" and `b','.join(['a'])` "can assign only bytes,
//! buffers, or iterables of ints in range(0, 256)", where CPython says
//! "sequence item 0: expected a bytes-like object, int found"; and a
//! non-iterable was not "can only join an iterable".
//!
//! The three methods are replaced once per process (the types are shared
//! by every interpreter) by CPython's: the items are taken as a sequence
//! first (a list or tuple as it is, anything else iterated), each is
//! checked, and the result is built once.

use super::{methods, sequence_fast};
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyStr};
use rustpython_vm::common::wtf8::Wtf8Buf;
use rustpython_vm::function::ArgBytesLike;
use rustpython_vm::{
    AsObject, PyObject, PyObjectRef, PyPayload, PyResult, TryFromBorrowedObject, VirtualMachine,
};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts the three methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let types = &vm.ctx.types;
        methods::define(vm, types.str_type, "join", str_join);
        methods::define(vm, types.bytes_type, "join", bytes_join);
        methods::define(vm, types.bytearray_type, "join", bytearray_join);
    });
    Ok(())
}

/// The items to join, or CPython's TypeError for what is not iterable.
fn items(iterable: &PyObject, vm: &VirtualMachine) -> PyResult<Vec<PyObjectRef>> {
    sequence_fast::items(
        iterable,
        || vm.new_type_error("can only join an iterable".to_owned()),
        vm,
    )
}

fn str_join(zelf: PyObjectRef, iterable: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let Some(separator) = zelf.downcast_ref::<PyStr>() else {
        return Err(methods::not_a("str", "join", &zelf, vm));
    };
    let separator = separator.as_wtf8();
    let items = items(&iterable, vm)?;
    if let [only] = items.as_slice() {
        if only.class().is(vm.ctx.types.str_type) {
            return Ok(only.clone());
        }
    }
    let mut length = separator.len() * items.len().saturating_sub(1);
    let mut texts = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Some(text) = item.downcast_ref::<PyStr>() else {
            return Err(vm.new_type_error(format!(
                "sequence item {index}: expected str instance, {} found",
                item.class().slot_name()
            )));
        };
        length += text.as_wtf8().len();
        texts.push(text.as_wtf8());
    }
    let mut joined = Wtf8Buf::with_capacity(length);
    for (index, text) in texts.into_iter().enumerate() {
        if index > 0 {
            joined.push_wtf8(separator);
        }
        joined.push_wtf8(text);
    }
    Ok(vm.ctx.new_str(joined).into())
}

fn bytes_join(zelf: PyObjectRef, iterable: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let types = &vm.ctx.types;
    let Some(separator) = zelf.downcast_ref::<PyBytes>() else {
        return Err(methods::not_a("bytes", "join", &zelf, vm));
    };
    let items = items(&iterable, vm)?;
    if let [only] = items.as_slice() {
        if only.class().is(types.bytes_type) && zelf.class().is(types.bytes_type) {
            return Ok(only.clone());
        }
    }
    let joined = joined_bytes(separator.as_bytes(), &items, vm)?;
    Ok(vm.ctx.new_bytes(joined).into())
}

fn bytearray_join(zelf: PyObjectRef, iterable: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let Some(separator) = zelf.downcast_ref::<PyByteArray>() else {
        return Err(methods::not_a("bytearray", "join", &zelf, vm));
    };
    // A copy: an item may be the separator itself.
    let separator = separator.borrow_buf().to_vec();
    let items = items(&iterable, vm)?;
    let joined = joined_bytes(&separator, &items, vm)?;
    Ok(PyByteArray::from(joined).into_ref(&vm.ctx).into())
}

/// `items`, each bytes-like, joined by `separator`.
fn joined_bytes(separator: &[u8], items: &[PyObjectRef], vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let buffers = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            ArgBytesLike::try_from_borrowed_object(vm, item).map_err(|_| {
                vm.new_type_error(format!(
                    "sequence item {index}: expected a bytes-like object, {} found",
                    item.class().slot_name()
                ))
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let length = buffers.iter().map(ArgBytesLike::len).sum::<usize>()
        + separator.len() * buffers.len().saturating_sub(1);
    let mut joined = Vec::with_capacity(length);
    for (index, buffer) in buffers.iter().enumerate() {
        if index > 0 {
            joined.extend_from_slice(separator);
        }
        buffer.with_ref(|bytes| joined.extend_from_slice(bytes));
    }
    Ok(joined)
}
