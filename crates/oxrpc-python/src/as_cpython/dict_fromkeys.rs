//! `dict.fromkeys(iterable, value=None)` without asking an iterator its
//! length.
//!
//! RustPython 0.5 reads the iterable through `ArgIterable`, which asks
//! the iterator its length first: a list's iterator has none, so a
//! TypeError was built and dropped on every call (`dict.fromkeys(l)` of
//! ten keys ~2,000 ns against CPython 3.11's ~340). CPython calls the
//! class with no arguments, then sets each key as it comes: in the dict's
//! own table when the class made an exact dict, through `__setitem__`
//! otherwise. So does this.

use super::items::Items;
use super::methods;
use rustpython_vm::builtins::{PyDict, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;
use std::sync::OnceLock;

static INSTALLED: OnceLock<()> = OnceLock::new();

/// Puts `dict.fromkeys` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    INSTALLED.get_or_init(|| {
        methods::define_classmethod(vm, vm.ctx.types.dict_type, "fromkeys", fromkeys);
    });
    Ok(())
}

/// `dict.fromkeys(iterable, value=None, /)`.
fn fromkeys(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error("dict.fromkeys() takes no keyword arguments"));
    }
    let (iterable, value) = match args.args.as_slice() {
        [iterable] => (iterable, vm.ctx.none()),
        [iterable, value] => (iterable, value.clone()),
        [] => return Err(vm.new_type_error("fromkeys expected at least 1 argument, got 0")),
        more => {
            return Err(vm.new_type_error(format!(
                "fromkeys expected at most 2 arguments, got {}",
                more.len()
            )))
        }
    };
    let made = if class.is(vm.ctx.types.dict_type) {
        vm.ctx.new_dict().into()
    } else {
        class.as_object().call((), vm)?
    };
    let items = Items::of(iterable, vm)?;
    match made.downcast_ref_if_exact::<PyDict>(vm) {
        Some(dict) => items.each(vm, |key| {
            dict.set_item(&*key, value.clone(), vm)?;
            Ok(Flow::Continue(()))
        })?,
        None => items.each(vm, |key| {
            made.set_item(&*key, value.clone(), vm)?;
            Ok(Flow::Continue(()))
        })?,
    }
    Ok(made)
}
