//! A dict's keys and items views as the sets CPython makes them.
//!
//! CPython compares a keys or items view with any set or view by size and
//! containment (`dictview_richcompare`): `{1: 2}.keys() == frozenset({1})`
//! is True, and `d.keys() < frozenset(...)` a subset test. RustPython 0.5
//! took only a `set` and views of its own kind: with a frozenset both
//! sides answered NotImplemented, so `==` fell back to identity (False)
//! and `<` raised TypeError; a keys view against an items view was
//! compared as two lists, item by item. Both views' comparisons now follow
//! CPython's rule for every set and view.
//!
//! Their operators (`|`, `&`, `-`, `^`, either side a view) make a set as
//! CPython's `dictviews_*` do: the left operand's items, then the right
//! one's added, taken out or kept (`&` walks the smaller side). RustPython
//! read the right operand as an iterable whose length it asked, a
//! TypeError built and dropped per call (`d.keys() & s` ~2,000 ns against
//! CPython's ~150). An items view against an items view under `^`, which
//! CPython compares by values (so that unhashable values work), stays
//! RustPython's.

use super::items::Items;
use super::{methods, set_algebra};
use rustpython_vm::builtins::{PyFrozenSet, PySet};
use rustpython_vm::function::{Either, PyComparisonValue};
use rustpython_vm::protocol::{PyIterReturn, PyNumberBinaryFunc};
use rustpython_vm::types::PyComparisonOp;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;
use std::sync::OnceLock;

/// RustPython's `^` of two items views.
static ITEMS_XOR: OnceLock<Option<PyNumberBinaryFunc>> = OnceLock::new();

/// The comparison methods of the two views.
const METHODS: [(&str, PyComparisonOp); 6] = [
    ("__eq__", PyComparisonOp::Eq),
    ("__ne__", PyComparisonOp::Ne),
    ("__lt__", PyComparisonOp::Lt),
    ("__le__", PyComparisonOp::Le),
    ("__gt__", PyComparisonOp::Gt),
    ("__ge__", PyComparisonOp::Ge),
];

/// The operators, with their methods.
const OPERATORS: [(&str, &str, PyNumberBinaryFunc); 4] = [
    ("__or__", "__ror__", view_or),
    ("__and__", "__rand__", view_and),
    ("__sub__", "__rsub__", view_subtract),
    ("__xor__", "__rxor__", view_xor),
];

/// Puts the comparison and the operators in place on both views, once per
/// process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ITEMS_XOR.get_or_init(|| {
        let types = &vm.ctx.types;
        let items_xor = types.dict_items_type.slots.as_number.xor.load()?;
        for class in [types.dict_keys_type, types.dict_items_type] {
            for (name, reflected, slot) in OPERATORS {
                methods::define_binary_slot(vm, class, (name, reflected), slot);
            }
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
        Some(items_xor)
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

/// Whether `object` is a keys or items view.
fn is_view(object: &PyObject, vm: &VirtualMachine) -> bool {
    let class = object.class();
    class.is(vm.ctx.types.dict_keys_type) || class.is(vm.ctx.types.dict_items_type)
}

/// A new set of the items of `iterable`, as they come.
fn set_of(iterable: &PyObject, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    let set = PySet::default().into_ref(&vm.ctx);
    Items::of(iterable, vm)?.each(vm, |key| {
        set.add(key, vm)?;
        Ok(Flow::Continue(()))
    })?;
    Ok(set.into())
}

/// Where the keys of `object` are looked up: itself when it is an exact
/// set, frozenset or dict (whose keys it looks up), else a set of its
/// items.
fn lookup_of(object: &PyObject, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    let class = object.class();
    let types = &vm.ctx.types;
    if class.is(types.set_type) || class.is(types.frozenset_type) || class.is(types.dict_type) {
        return Ok(object.to_owned());
    }
    set_of(object, vm)
}

fn elements(set: &PyObject) -> Vec<PyObjectRef> {
    match set.downcast_ref::<PySet>() {
        Some(set) => set.elements(),
        None => set
            .downcast_ref::<PyFrozenSet>()
            .map(|set| set.elements())
            .unwrap_or_default(),
    }
}

/// `a | b`: a set of `a`'s items, then `b`'s added.
fn view_or(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let result = set_of(a, vm)?;
    if let Some(set) = result.downcast_ref::<PySet>() {
        Items::of(b, vm)?.each(vm, |key| {
            set.add(key, vm)?;
            Ok(Flow::Continue(()))
        })?;
    }
    Ok(result)
}

/// `a - b`: a set of `a`'s items without those in `b`.
fn view_subtract(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let mine = elements(&*set_of(a, vm)?);
    let theirs = lookup_of(b, vm)?;
    set_algebra::made(false, set_algebra::kept(&mine, &theirs, false, vm)?, vm)
}

/// `a ^ b`: a set of `a`'s items, from which each item of `b` is taken
/// out if there and put in if not.
fn view_xor(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let items = vm.ctx.types.dict_items_type;
    if a.class().is(items) && b.class().is(items) {
        let original = ITEMS_XOR.get().copied().flatten();
        return match original {
            Some(original) => original(a, b, vm),
            None => Err(vm.new_runtime_error("dict views not set up")),
        };
    }
    let mine = set_of(a, vm)?;
    let theirs =
        match b.class().is(vm.ctx.types.set_type) || b.class().is(vm.ctx.types.frozenset_type) {
            true => b.to_owned(),
            false => set_of(b, vm)?,
        };
    let mut kept = set_algebra::kept(&elements(&mine), &theirs, false, vm)?;
    kept.extend(set_algebra::kept(&elements(&theirs), &mine, false, vm)?);
    set_algebra::made(false, kept, vm)
}

/// `a & b` as CPython's `_PyDictView_Intersect`: the view on the left;
/// against a set at least as large, the view's items found in the set;
/// else the smaller side's items (of two views) found in the larger.
fn view_and(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let (mut view, mut other) = if is_view(a, vm) { (a, b) } else { (b, a) };
    let view_len = view.length(vm)?;
    if other.class().is(vm.ctx.types.set_type) && view_len <= other.length(vm)? {
        return set_algebra::made(false, found_in(view, other, vm)?, vm);
    }
    if is_view(other, vm) && other.length(vm)? > view_len {
        std::mem::swap(&mut view, &mut other);
    }
    set_algebra::made(false, found_in(other, view, vm)?, vm)
}

/// The items of `walked`, as they come, that are in `container`.
fn found_in(
    walked: &PyObject,
    container: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyObjectRef>> {
    let mut found = Vec::new();
    Items::of(walked, vm)?.each(vm, |key| {
        if vm._contains(container, &key)? {
            found.push(key);
        }
        Ok(Flow::Continue(()))
    })?;
    Ok(found)
}
