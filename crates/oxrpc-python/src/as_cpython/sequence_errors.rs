//! The errors of the builtin sequences, worded as CPython words them.
//!
//! These are the errors a client's code meets most (a `str` added to an
//! `int`, an index past the end), and RustPython 0.5 words them otherwise
//! than CPython 3.11:
//!
//! - `'a' + 1` said "unsupported operand type(s) for +: 'str' and 'int'",
//!   not "can only concatenate str (not "int") to str"; `[1] + 1` said
//!   "Cannot add list and int"; a tuple quoted the type with `'`; `b'a' +
//!   1` said "a bytes-like object is required, not 'int'", not "can't
//!   concat int to bytes"; and `'a'.__add__(1)` answered `NotImplemented`
//!   where CPython raises;
//! - `'abc'[5]` said "index out of range", not "string index out of
//!   range", and a `bytearray` "index out of range" or "assignment index
//!   out of range" for "bytearray index out of range";
//! - `[1].index(2)` said "'2' is not in list" (the value's `str()` in
//!   quotes), not "2 is not in list" (its `repr()`), and `[1].remove(2)`
//!   the same, not "list.remove(x): x not in list";
//! - `del l[5]` said "assignment index out of range", not "list
//!   assignment index out of range";
//! - `[1]['a']` said "list indices must be integers or slices or classes
//!   that override __index__ operator, not 'str'", not "list indices
//!   must be integers or slices, not str" (and the same of tuples, bytes,
//!   bytearrays, ranges and text, which CPython words "string indices
//!   must be integers, not 'str'").
//!
//! The concatenation slots and `__add__` of `str`, `list`, `tuple`,
//! `bytes` and `bytearray`, the item slots and methods of `str` and
//! `bytearray`, and `list.index` and `list.remove` are replaced once per
//! process (the types are shared by every interpreter) by ones that call
//! RustPython's and reword what fails.

use super::error_text::text_of;
use super::methods;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyList, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::{PyMapping, PySequence};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type Concat = fn(PySequence<'_>, &PyObject, &VirtualMachine) -> PyResult;
type Item = fn(PySequence<'_>, isize, &VirtualMachine) -> PyResult;
type AssignItem = fn(PySequence<'_>, isize, Option<PyObjectRef>, &VirtualMachine) -> PyResult<()>;
type Subscript = fn(PyMapping<'_>, &PyObject, &VirtualMachine) -> PyResult;
type AssignSubscript =
    fn(PyMapping<'_>, &PyObject, Option<PyObjectRef>, &VirtualMachine) -> PyResult<()>;

/// The sequences whose concatenation is reworded, in `concatenated`'s
/// order.
const STR: usize = 0;
const LIST: usize = 1;
const TUPLE: usize = 2;
const BYTES: usize = 3;
const BYTEARRAY: usize = 4;

/// What RustPython's own slots and methods were.
struct Originals {
    concat: [Concat; 5],
    str_item: Item,
    str_subscript: Subscript,
    bytearray_item: Item,
    bytearray_assign_item: AssignItem,
    bytearray_subscript: Subscript,
    bytearray_assign_subscript: AssignSubscript,
    list_assign_subscript: AssignSubscript,
    /// The subscripts of `list`, `tuple`, `bytes` and `range`, in
    /// `INDEXED`'s order.
    subscripts: [Subscript; 4],
    list_index: PyObjectRef,
    list_remove: PyObjectRef,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts CPython's wording in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| replace(vm));
    Ok(())
}

/// The sequence types in the order of the `STR`..`BYTEARRAY` constants.
fn concatenated(vm: &VirtualMachine) -> [&'static Py<PyType>; 5] {
    let types = &vm.ctx.types;
    [
        types.str_type,
        types.list_type,
        types.tuple_type,
        types.bytes_type,
        types.bytearray_type,
    ]
}

fn replace(vm: &VirtualMachine) -> Option<Originals> {
    let classes = concatenated(vm);
    let str_slots = &vm.ctx.types.str_type.slots;
    let bytearray_slots = &vm.ctx.types.bytearray_type.slots;
    let list_type = vm.ctx.types.list_type;
    let indexed = indexed(vm);
    let originals = Originals {
        concat: [
            classes[STR].slots.as_sequence.concat.load()?,
            classes[LIST].slots.as_sequence.concat.load()?,
            classes[TUPLE].slots.as_sequence.concat.load()?,
            classes[BYTES].slots.as_sequence.concat.load()?,
            classes[BYTEARRAY].slots.as_sequence.concat.load()?,
        ],
        str_item: str_slots.as_sequence.item.load()?,
        str_subscript: str_slots.as_mapping.subscript.load()?,
        bytearray_item: bytearray_slots.as_sequence.item.load()?,
        bytearray_assign_item: bytearray_slots.as_sequence.ass_item.load()?,
        bytearray_subscript: bytearray_slots.as_mapping.subscript.load()?,
        bytearray_assign_subscript: bytearray_slots.as_mapping.ass_subscript.load()?,
        list_assign_subscript: list_type.slots.as_mapping.ass_subscript.load()?,
        subscripts: [
            indexed[0].slots.as_mapping.subscript.load()?,
            indexed[1].slots.as_mapping.subscript.load()?,
            indexed[2].slots.as_mapping.subscript.load()?,
            indexed[3].slots.as_mapping.subscript.load()?,
        ],
        list_index: list_type.get_attr(vm.ctx.intern_str("index"))?,
        list_remove: list_type.get_attr(vm.ctx.intern_str("remove"))?,
    };
    let concat: [Concat; 5] = [
        concat::<STR>,
        concat::<LIST>,
        concat::<TUPLE>,
        concat::<BYTES>,
        concat::<BYTEARRAY>,
    ];
    for (class, slot) in classes.into_iter().zip(concat) {
        class.slots.as_sequence.concat.store(Some(slot));
        let method = move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| {
            methods::require(&zelf, class, "__add__", vm)?;
            slot(zelf.sequence_unchecked(), &other, vm)
        };
        methods::define(vm, class, "__add__", method);
    }
    str_slots.as_sequence.item.store(Some(str_item));
    str_slots.as_mapping.subscript.store(Some(str_subscript));
    bytearray_slots.as_sequence.item.store(Some(bytearray_item));
    bytearray_slots
        .as_sequence
        .ass_item
        .store(Some(bytearray_assign_item));
    bytearray_slots
        .as_mapping
        .subscript
        .store(Some(bytearray_subscript));
    bytearray_slots
        .as_mapping
        .ass_subscript
        .store(Some(bytearray_assign_subscript));
    let (str_type, bytearray_type) = (vm.ctx.types.str_type, vm.ctx.types.bytearray_type);
    methods::define(vm, str_type, "__getitem__", str_getitem);
    methods::define(vm, bytearray_type, "__getitem__", bytearray_getitem);
    methods::define(vm, bytearray_type, "__setitem__", bytearray_setitem);
    methods::define(vm, bytearray_type, "__delitem__", bytearray_delitem);
    list_type
        .slots
        .as_mapping
        .ass_subscript
        .store(Some(list_assign_subscript));
    methods::define(vm, list_type, "__delitem__", list_delitem);
    let subscripts: [Subscript; 4] = [
        subscript::<0>,
        subscript::<1>,
        subscript::<2>,
        subscript::<3>,
    ];
    let getitems = [getitem::<0>, getitem::<1>, getitem::<2>, getitem::<3>];
    for ((class, slot), method) in indexed.into_iter().zip(subscripts).zip(getitems) {
        class.slots.as_mapping.subscript.store(Some(slot));
        methods::define(vm, class, "__getitem__", method);
    }
    methods::define(vm, list_type, "index", list_index);
    methods::define(vm, list_type, "remove", list_remove);
    Some(originals)
}

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    methods::kept(&ORIGINALS, "sequence errors", vm)
}

/// The concatenation of sequence `KIND`: RustPython's, or CPython's
/// `TypeError` where RustPython's declines or fails with its own.
fn concat<const KIND: usize>(
    sequence: PySequence<'_>,
    other: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    let original = originals(vm)?.concat[KIND];
    match original(sequence, other, vm) {
        Ok(result) if !result.is(&vm.ctx.not_implemented) => return Ok(result),
        Err(error) if !error.class().is(vm.ctx.exceptions.type_error) => return Err(error),
        _ => {}
    }
    let other_type = other.class().slot_name().to_owned();
    let only = |own: &str| format!("can only concatenate {own} (not \"{other_type}\") to {own}");
    let message = match KIND {
        STR => only("str"),
        LIST => only("list"),
        TUPLE => only("tuple"),
        BYTES => format!("can't concat {other_type} to bytes"),
        _ => format!("can't concat {other_type} to bytearray"),
    };
    Err(vm.new_type_error(message))
}

/// `error`, or an IndexError worded `message` when it is a plain
/// IndexError.
fn index_error_worded(
    error: PyBaseExceptionRef,
    message: &str,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if error.class().is(vm.ctx.exceptions.index_error) {
        vm.new_index_error(message.to_owned())
    } else {
        error
    }
}

const STRING_INDEX: &str = "string index out of range";
const BYTEARRAY_INDEX: &str = "bytearray index out of range";

fn str_item(sequence: PySequence<'_>, index: isize, vm: &VirtualMachine) -> PyResult {
    (originals(vm)?.str_item)(sequence, index, vm)
        .map_err(|e| index_error_worded(e, STRING_INDEX, vm))
}

fn str_subscript(mapping: PyMapping<'_>, needle: &PyObject, vm: &VirtualMachine) -> PyResult {
    (originals(vm)?.str_subscript)(mapping, needle, vm)
        .map_err(|e| refused_subscript(e, STRING_INDEX, "string", needle, vm))
}

fn str_getitem(zelf: PyObjectRef, needle: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    methods::require(&zelf, vm.ctx.types.str_type, "__getitem__", vm)?;
    str_subscript(zelf.mapping_unchecked(), &needle, vm)
}

fn bytearray_item(sequence: PySequence<'_>, index: isize, vm: &VirtualMachine) -> PyResult {
    (originals(vm)?.bytearray_item)(sequence, index, vm)
        .map_err(|e| index_error_worded(e, BYTEARRAY_INDEX, vm))
}

fn bytearray_assign_item(
    sequence: PySequence<'_>,
    index: isize,
    value: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    (originals(vm)?.bytearray_assign_item)(sequence, index, value, vm)
        .map_err(|e| index_error_worded(e, BYTEARRAY_INDEX, vm))
}

fn bytearray_subscript(mapping: PyMapping<'_>, needle: &PyObject, vm: &VirtualMachine) -> PyResult {
    (originals(vm)?.bytearray_subscript)(mapping, needle, vm)
        .map_err(|e| refused_subscript(e, BYTEARRAY_INDEX, "bytearray", needle, vm))
}

fn bytearray_assign_subscript(
    mapping: PyMapping<'_>,
    needle: &PyObject,
    value: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    (originals(vm)?.bytearray_assign_subscript)(mapping, needle, value, vm)
        .map_err(|e| refused_subscript(e, BYTEARRAY_INDEX, "bytearray", needle, vm))
}

fn bytearray_getitem(zelf: PyObjectRef, needle: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    methods::require(&zelf, vm.ctx.types.bytearray_type, "__getitem__", vm)?;
    bytearray_subscript(zelf.mapping_unchecked(), &needle, vm)
}

fn bytearray_setitem(
    zelf: PyObjectRef,
    needle: PyObjectRef,
    value: PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<()> {
    methods::require(&zelf, vm.ctx.types.bytearray_type, "__setitem__", vm)?;
    bytearray_assign_subscript(zelf.mapping_unchecked(), &needle, Some(value), vm)
}

fn bytearray_delitem(zelf: PyObjectRef, needle: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    methods::require(&zelf, vm.ctx.types.bytearray_type, "__delitem__", vm)?;
    bytearray_assign_subscript(zelf.mapping_unchecked(), &needle, None, vm)
}

/// The sequences whose subscript is reworded here alone (`str`'s and
/// `bytearray`'s are above), and what CPython calls their indices.
fn indexed(vm: &VirtualMachine) -> [&'static Py<PyType>; 4] {
    let types = &vm.ctx.types;
    [
        types.list_type,
        types.tuple_type,
        types.bytes_type,
        types.range_type,
    ]
}
const INDEXED_NAMES: [&str; 4] = ["list", "tuple", "byte", "range"];

/// `error` of a subscript of sequence `name` by `needle`, in CPython's
/// words: an index past the end (`out_of_range`) or not an index at all.
fn refused_subscript(
    error: PyBaseExceptionRef,
    out_of_range: &str,
    name: &str,
    needle: &PyObject,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    not_an_index(
        index_error_worded(error, out_of_range, vm),
        name,
        needle,
        vm,
    )
}

/// `error` in CPython's words when it is RustPython's TypeError for a
/// subscript of sequence `name` that is neither an index nor a slice
/// ("list indices must be integers or slices or classes that override
/// __index__ operator, not 'str'", where CPython says "list indices must
/// be integers or slices, not str", and of text "string indices must be
/// integers, not 'str'"). The type is `needle`'s.
fn not_an_index(
    error: PyBaseExceptionRef,
    name: &str,
    needle: &PyObject,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let Some(text) = text_of(&error, vm.ctx.exceptions.type_error, vm) else {
        return error;
    };
    let refused = text.rsplit_once(", not '").is_some_and(|(head, _)| {
        head.ends_with("or slices or classes that override __index__ operator")
    });
    if !refused {
        return error;
    }
    // Named as CPython names it (`tp_name`: 'collections.deque').
    let type_name = needle.class().slot_name();
    vm.new_type_error(if name == "string" {
        format!("string indices must be integers, not '{type_name}'")
    } else {
        format!("{name} indices must be integers or slices, not {type_name}")
    })
}

/// The subscript of sequence `KIND` of `indexed`.
fn subscript<const KIND: usize>(
    mapping: PyMapping<'_>,
    needle: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    (originals(vm)?.subscripts[KIND])(mapping, needle, vm)
        .map_err(|e| not_an_index(e, INDEXED_NAMES[KIND], needle, vm))
}

fn getitem<const KIND: usize>(
    zelf: PyObjectRef,
    needle: PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult {
    methods::require(&zelf, indexed(vm)[KIND], "__getitem__", vm)?;
    subscript::<KIND>(zelf.mapping_unchecked(), &needle, vm)
}

const LIST_ASSIGNMENT_INDEX: &str = "list assignment index out of range";

/// A list's item set or deleted by subscript: RustPython's, with
/// CPython's words for an index past the end of a deletion (`del l[5]`
/// said "assignment index out of range").
fn list_assign_subscript(
    mapping: PyMapping<'_>,
    needle: &PyObject,
    value: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    (originals(vm)?.list_assign_subscript)(mapping, needle, value, vm)
        .map_err(|e| refused_subscript(e, LIST_ASSIGNMENT_INDEX, "list", needle, vm))
}

fn list_delitem(zelf: PyObjectRef, needle: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    methods::require(&zelf, vm.ctx.types.list_type, "__delitem__", vm)?;
    list_assign_subscript(zelf.mapping_unchecked(), &needle, None, vm)
}

/// `list.index`, with CPython's "2 is not in list" (the value's repr).
/// The usual call, a value alone, searches here; one with bounds goes to
/// RustPython's, which reads them.
fn list_index(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let not_found = |value: &PyObject| Ok(format!("{} is not in list", value.repr(vm)?));
    if let (Some(list), [value], true) = (
        zelf.downcast_ref::<PyList>(),
        args.args.as_slice(),
        args.kwargs.is_empty(),
    ) {
        return match position(list, value, vm)? {
            Some(index) => Ok(vm.ctx.new_int(index).into()),
            None => Err(vm.new_value_error(not_found(value)?)),
        };
    }
    search(zelf, args, &originals(vm)?.list_index, vm, not_found)
}

/// `list.remove`, with CPython's "list.remove(x): x not in list".
fn list_remove(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let not_found = |_: &PyObject| Ok("list.remove(x): x not in list".to_owned());
    if let (Some(list), [value], true) = (
        zelf.downcast_ref::<PyList>(),
        args.args.as_slice(),
        args.kwargs.is_empty(),
    ) {
        let Some(index) = position(list, value, vm)? else {
            return Err(vm.new_value_error(not_found(value)?));
        };
        // Dropped once the list is unlocked: its __del__ may use the list.
        let removed = {
            let mut items = list.borrow_vec_mut();
            (index < items.len()).then(|| items.remove(index))
        };
        drop(removed);
        return Ok(vm.ctx.none());
    }
    search(zelf, args, &originals(vm)?.list_remove, vm, not_found)
}

/// Where `value` first is in `list`, compared as CPython compares (the
/// item first, identity before equality); the list may change while an
/// item's `__eq__` runs, so its length is read anew at every step.
fn position(list: &PyList, value: &PyObject, vm: &VirtualMachine) -> PyResult<Option<usize>> {
    let mut index = 0;
    loop {
        let Some(item) = list.borrow_vec().get(index).cloned() else {
            return Ok(None);
        };
        if vm.identical_or_equal(&item, value)? {
            return Ok(Some(index));
        }
        index += 1;
    }
}

/// Calls RustPython's list search `original` (for the calls searched
/// elsewhere than here); its ValueError for a value not found (and only
/// that one: a comparison may raise a ValueError of its own) is reworded
/// by `message`.
fn search(
    zelf: PyObjectRef,
    mut args: FuncArgs,
    original: &PyObjectRef,
    vm: &VirtualMachine,
    message: impl FnOnce(&PyObject) -> PyResult<String>,
) -> PyResult {
    let value = args.args.first().cloned();
    args.prepend_arg(zelf);
    let error = match original.call(args, vm) {
        Err(error) => error,
        found => return found,
    };
    let Some(value) = value else {
        return Err(error);
    };
    let not_found = error.class().is(vm.ctx.exceptions.value_error)
        && error.as_object().str(vm).is_ok_and(|text| {
            value.str(vm).is_ok_and(|value| {
                text.to_str() == Some(format!("'{value}' is not in list").as_str())
            })
        });
    if !not_found {
        return Err(error);
    }
    Err(vm.new_value_error(message(&value)?))
}
