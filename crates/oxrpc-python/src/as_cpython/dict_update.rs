//! A dict made or updated from a sequence of pairs, as CPython 3.11 does
//! it.
//!
//! RustPython 0.5 read each pair as an iterator of exactly two items and
//! refused a bad one without saying which: `dict([1])` said "'int' object
//! is not iterable" and `dict([(1, 2, 3)])` "Iterator must have exactly
//! two elements", where CPython says "cannot convert dictionary update
//! sequence element #0 to a sequence" and "dictionary update sequence
//! element #0 has length 3; 2 is required".
//!
//! `dict(...)` (the type's call and its `__init__`) and `dict.update` are
//! replaced once per process (the type is shared by every interpreter).
//! An argument that is a dict, or has `keys`, is merged by RustPython as
//! before; any other is read pair by pair here, each pair taken whole as
//! CPython's `PySequence_Fast` takes it.

use super::{methods, sequence_fast};
use rustpython_vm::builtins::{PyDict, PyList, PyStrInterned, PyTuple};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::types::AsMapping;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `dict.__init__` slot and `update` method.
struct Originals {
    init: methods::InitSlot,
    update: PyObjectRef,
    keys: &'static PyStrInterned,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the constructor and `update` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let dict_type = vm.ctx.types.dict_type;
        let originals = Originals {
            init: dict_type.slots.init.load()?,
            update: dict_type.get_attr(vm.ctx.intern_str("update"))?,
            keys: vm.ctx.intern_str("keys"),
        };
        dict_type.slots.vectorcall.store(Some(construct));
        methods::define_init(vm, dict_type, init);
        methods::define(vm, dict_type, "update", update);
        Some(originals)
    });
    Ok(())
}

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    methods::kept(&ORIGINALS, "dict", vm)
}

/// `dict(...)`: a new dict of the class called, initialised by `init`.
fn construct(
    class: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    vm: &VirtualMachine,
) -> PyResult {
    methods::construct_then_init::<PyDict>(class, args, positional, keyword_names, init, vm)
}

/// `dict.__init__`: a sequence of pairs merged here, the rest by
/// RustPython.
fn init(zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let originals = originals(vm)?;
    if let Some(sequence) = sequence_of_pairs(&zelf, &args, vm)? {
        merge_pairs(&zelf, &sequence, vm)?;
        if args.kwargs.is_empty() {
            return Ok(());
        }
        args.args.clear();
    }
    (originals.init)(zelf, args, vm)
}

/// `dict.update`: as `init`.
fn update(zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let originals = originals(vm)?;
    methods::require(&zelf, vm.ctx.types.dict_type, "update", vm)?;
    if let Some(sequence) = sequence_of_pairs(&zelf, &args, vm)? {
        merge_pairs(&zelf, &sequence, vm)?;
        if args.kwargs.is_empty() {
            return Ok(());
        }
        args.args.clear();
    }
    args.prepend_arg(zelf);
    originals.update.call(args, vm).map(drop)
}

/// The single positional argument of a dict's `__init__` or `update`
/// when it is to be read as a sequence of pairs: not a dict, and without
/// `keys`.
fn sequence_of_pairs(
    zelf: &PyObject,
    args: &FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let ([argument], Some(_)) = (args.args.as_slice(), zelf.downcast_ref::<PyDict>()) else {
        return Ok(None);
    };
    if argument.class().is(vm.ctx.types.dict_type) {
        return Ok(None);
    }
    let keys = originals(vm)?.keys;
    // An object looked up the ordinary way (most are: lists, tuples,
    // generators) is asked without raising and dropping an AttributeError.
    let has_keys = if is_generic_getattr(argument, vm) {
        argument.generic_getattr_opt(keys, None, vm)?.is_some()
    } else {
        match argument.get_attr(keys, vm) {
            Ok(_) => true,
            Err(error) if error.fast_isinstance(vm.ctx.exceptions.attribute_error) => false,
            Err(error) => return Err(error),
        }
    };
    Ok((!has_keys).then(|| argument.clone()))
}

/// Whether `object`'s attributes are found by `object.__getattribute__`
/// (no `__getattr__` or `__getattribute__` of its class's own).
fn is_generic_getattr(object: &PyObject, vm: &VirtualMachine) -> bool {
    let generic = vm.ctx.types.object_type.slots.getattro.load();
    match (object.class().slots.getattro.load(), generic) {
        (Some(own), Some(generic)) => std::ptr::fn_addr_eq(own, generic),
        _ => false,
    }
}

/// CPython's `PyDict_MergeFromSeq2`: each item of `sequence` a key and
/// its value.
fn merge_pairs(zelf: &PyObject, sequence: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    // Stored into the dict itself, as `PyDict_SetItem` does: past the
    // `__setitem__` of a subclass.
    let (Some(_), Some(store)) = (
        zelf.downcast_ref::<PyDict>(),
        <PyDict as AsMapping>::as_mapping().ass_subscript,
    ) else {
        return Ok(());
    };
    let merge = |index: usize, item: PyObjectRef| -> PyResult<()> {
        let (key, value) = pair(index, &item, vm)?;
        store(zelf.mapping_unchecked(), &key, Some(value), vm)
    };
    // A list or tuple is read in place (a list as it stands at each step,
    // as its iterator would), without an iterator object.
    if let Some(list) = sequence.downcast_ref_if_exact::<PyList>(vm) {
        let mut index = 0;
        while let Some(item) = list.borrow_vec().get(index).cloned() {
            merge(index, item)?;
            index += 1;
        }
        return Ok(());
    }
    if let Some(tuple) = sequence.downcast_ref_if_exact::<PyTuple>(vm) {
        for (index, item) in tuple.iter().enumerate() {
            merge(index, item.clone())?;
        }
        return Ok(());
    }
    let iterator = sequence.get_iter(vm)?;
    let mut index = 0;
    while let PyIterReturn::Return(item) = iterator.next(vm)? {
        merge(index, item)?;
        index += 1;
    }
    Ok(())
}

/// Element `index` of the sequence, `item`, as a key and its value.
fn pair(
    index: usize,
    item: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<(PyObjectRef, PyObjectRef)> {
    let wrong_length = |length: usize| {
        vm.new_value_error(format!(
            "dictionary update sequence element #{index} has length {length}; 2 is required"
        ))
    };
    if let Some(tuple) = item.downcast_ref_if_exact::<PyTuple>(vm) {
        return match tuple.as_slice() {
            [key, value] => Ok((key.clone(), value.clone())),
            items => Err(wrong_length(items.len())),
        };
    }
    let not_a_sequence = || {
        vm.new_type_error(format!(
            "cannot convert dictionary update sequence element #{index} to a sequence"
        ))
    };
    // Any TypeError while the pair is read, as in CPython.
    let items = sequence_fast::items(item, not_a_sequence, vm).map_err(|error| {
        if error.class().is(vm.ctx.exceptions.type_error) {
            not_a_sequence()
        } else {
            error
        }
    })?;
    let [key, value] =
        <[PyObjectRef; 2]>::try_from(items).map_err(|items| wrong_length(items.len()))?;
    Ok((key, value))
}
