//! The items of an iterable as they come, as CPython's loops over an
//! iterable take them.
//!
//! RustPython 0.5's `ArgIterable::iter` asks an iterator its length
//! first; a list's iterator, a generator or a `map` has none, so a
//! TypeError is built and dropped on every call. CPython's `any`, `sum`,
//! set algebra, `dict.fromkeys` and the dict views' operators never ask:
//! they walk a list or tuple in place and anything else through its
//! iterator. The replacements that do the same share this walk.

use rustpython_vm::builtins::{PyList, PyTuple};
use rustpython_vm::protocol::{PyIter, PyIterReturn};
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;

/// The items of an iterable as they come. An exact list or tuple is read
/// in place, a list by index as its iterator reads it (a change made
/// meanwhile is seen the same way); anything else through its iterator.
pub(super) enum Items<'a> {
    List(&'a PyList),
    Tuple(&'a PyTuple),
    Iterator(PyIter),
}

impl<'a> Items<'a> {
    /// The items of `iterable`; refused as `iter()` refuses it.
    pub(super) fn of(iterable: &'a PyObject, vm: &VirtualMachine) -> PyResult<Self> {
        if let Some(list) = iterable.downcast_ref_if_exact::<PyList>(vm) {
            return Ok(Items::List(list));
        }
        if let Some(tuple) = iterable.downcast_ref_if_exact::<PyTuple>(vm) {
            return Ok(Items::Tuple(tuple));
        }
        Ok(Items::Iterator(iterable.get_iter(vm)?))
    }

    /// Calls `each` with every item until it breaks.
    pub(super) fn each(
        self,
        vm: &VirtualMachine,
        mut each: impl FnMut(PyObjectRef) -> PyResult<Flow<()>>,
    ) -> PyResult<()> {
        match self {
            Items::List(list) => {
                let mut index = 0;
                while let Some(item) = list.borrow_vec().get(index).cloned() {
                    if each(item)?.is_break() {
                        break;
                    }
                    index += 1;
                }
            }
            Items::Tuple(tuple) => {
                for item in tuple.as_slice() {
                    if each(item.clone())?.is_break() {
                        break;
                    }
                }
            }
            Items::Iterator(iterator) => {
                while let PyIterReturn::Return(item) = iterator.next(vm)? {
                    if each(item)?.is_break() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}
