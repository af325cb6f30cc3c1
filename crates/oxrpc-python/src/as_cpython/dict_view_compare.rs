//! Comparing a dict's keys or items view with a set, as CPython does.
//!
//! CPython compares a keys or items view with any set or view by size and
//! containment (`dictview_richcompare`): `{1: 2}.keys() == frozenset({1})`
//! is True, and `d.keys() < frozenset(...)` a subset test. RustPython 0.5
//! took only a `set` and views of its own kind: with a frozenset both
//! sides answered NotImplemented, so `==` fell back to identity (False)
//! and `<` raised TypeError; a keys view against an items view was
//! compared as two lists, item by item. Both views' comparisons now follow
//! CPython's rule for every set and view.

use super::methods;
use rustpython_vm::builtins::{PyFrozenSet, PySet};
use rustpython_vm::function::{Either, PyComparisonValue};
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::types::PyComparisonOp;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

static INSTALLED: OnceLock<()> = OnceLock::new();

/// The comparison methods of the two views.
const METHODS: [(&str, PyComparisonOp); 6] = [
    ("__eq__", PyComparisonOp::Eq),
    ("__ne__", PyComparisonOp::Ne),
    ("__lt__", PyComparisonOp::Lt),
    ("__le__", PyComparisonOp::Le),
    ("__gt__", PyComparisonOp::Gt),
    ("__ge__", PyComparisonOp::Ge),
];

/// Puts the comparison in place on both views, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    INSTALLED.get_or_init(|| {
        let types = &vm.ctx.types;
        for class in [types.dict_keys_type, types.dict_items_type] {
            class.slots.richcompare.store(Some(compare_slot));
            for (name, op) in METHODS {
                methods::define(
                    vm,
                    class,
                    name,
                    move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| -> PyResult {
                        methods::require(&zelf, class, name, vm)?;
                        Ok(match compare(&zelf, &other, op, vm)? {
                            PyComparisonValue::Implemented(answer) => {
                                vm.ctx.new_bool(answer).into()
                            }
                            PyComparisonValue::NotImplemented => vm.ctx.not_implemented(),
                        })
                    },
                );
            }
        }
    });
    Ok(())
}

fn compare_slot(
    zelf: &PyObject,
    other: &PyObject,
    op: PyComparisonOp,
    vm: &VirtualMachine,
) -> PyResult<Either<PyObjectRef, PyComparisonValue>> {
    compare(zelf, other, op, vm).map(Either::B)
}

/// CPython's `dictview_richcompare`: against a set or a keys or items
/// view, by sizes and then whether one's items are all in the other.
fn compare(
    zelf: &PyObject,
    other: &PyObject,
    op: PyComparisonOp,
    vm: &VirtualMachine,
) -> PyResult<PyComparisonValue> {
    let types = &vm.ctx.types;
    let comparable = other.downcast_ref::<PySet>().is_some()
        || other.downcast_ref::<PyFrozenSet>().is_some()
        || other.class().is(types.dict_keys_type)
        || other.class().is(types.dict_items_type);
    if !comparable {
        return Ok(PyComparisonValue::NotImplemented);
    }
    let (mine, theirs) = (zelf.length(vm)?, other.length(vm)?);
    let answer = match op {
        PyComparisonOp::Eq | PyComparisonOp::Ne => {
            let equal = mine == theirs && all_contained_in(zelf, other, vm)?;
            equal == (op == PyComparisonOp::Eq)
        }
        PyComparisonOp::Lt => mine < theirs && all_contained_in(zelf, other, vm)?,
        PyComparisonOp::Le => mine <= theirs && all_contained_in(zelf, other, vm)?,
        PyComparisonOp::Gt => mine > theirs && all_contained_in(other, zelf, vm)?,
        _ => mine >= theirs && all_contained_in(other, zelf, vm)?,
    };
    Ok(PyComparisonValue::Implemented(answer))
}

/// Whether every item of `items` is in `container`.
fn all_contained_in(items: &PyObject, container: &PyObject, vm: &VirtualMachine) -> PyResult<bool> {
    let iterator = items.to_owned().get_iter(vm)?;
    while let PyIterReturn::Return(item) = iterator.next(vm)? {
        if !vm._contains(container, &item)? {
            return Ok(false);
        }
    }
    Ok(true)
}
