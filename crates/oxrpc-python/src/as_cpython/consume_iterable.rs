//! `any`, `all`, `sum`, `set(iterable)`, `set.update` and
//! `frozenset(iterable)` without asking the iterable its size.
//!
//! RustPython 0.5 turns the iterable these take into an iterator that
//! knows its length hint (`ArgIterable::iter`), and asks an iterator for
//! its length first: a list's iterator, a generator or a `map` has none,
//! so a TypeError ("object of type 'list_iterator' has no len()") is built
//! and dropped on every call, ~600 ns (`any(l)` of an empty list ~860 ns
//! against CPython's ~40). CPython's never ask: they take the items as
//! they come. Asking also raised what a failing `__length_hint__` raised,
//! where CPython's `any`, `all`, `sum`, `set` and `frozenset` never call
//! it.
//!
//! Each is replaced by a loop over the iterator, its arguments refused in
//! CPython's words (a wrong count for `any`, `all` and `set` is left to
//! RustPython's, whose errors the arity checks reword). A set's items
//! merged from another set, a frozenset or a dict are left to RustPython,
//! which merges them without an iterator. `any`, `all` and `sum` read an
//! exact list or tuple in place, as CPython's iterators of them do, and
//! `sum` keeps its total as CPython 3.11 does ([`Total`]): RustPython's
//! added each item as an object, a new int allocated per item.

use super::items::Items;
use super::{builtin_functions, methods};
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{
    PyByteArray, PyBytes, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyStr, PyTuple, PyTypeRef,
};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;
use std::sync::OnceLock;

static ANY: builtin_functions::Cell = OnceLock::new();
static ALL: builtin_functions::Cell = OnceLock::new();
static SUM: builtin_functions::Cell = OnceLock::new();

/// RustPython's `set.__init__` slot, `set.update` method and
/// `frozenset`'s `new` slot.
struct SetOriginals {
    init: methods::InitSlot,
    update: PyObjectRef,
    new_frozenset: methods::NewSlot,
}

static SET_ORIGINALS: OnceLock<Option<SetOriginals>> = OnceLock::new();

/// Puts the builtins in place in `vm`'s builtins module, and the set
/// type's construction and `update` once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    builtin_functions::replace(vm, &ANY, "any", any)?;
    builtin_functions::replace(vm, &ALL, "all", all)?;
    builtin_functions::replace(vm, &SUM, "sum", sum)?;
    SET_ORIGINALS.get_or_init(|| {
        let set_type = vm.ctx.types.set_type;
        let originals = SetOriginals {
            init: set_type.slots.init.load()?,
            update: set_type.get_attr(vm.ctx.intern_str("update"))?,
            new_frozenset: vm.ctx.types.frozenset_type.slots.new.load()?,
        };
        vm.ctx
            .types
            .frozenset_type
            .slots
            .new
            .store(Some(new_frozenset));
        set_type.slots.vectorcall.store(Some(construct_set));
        methods::define_init(vm, set_type, set_init);
        methods::define(vm, set_type, "update", set_update);
        Some(originals)
    });
    Ok(())
}

fn set_originals(vm: &VirtualMachine) -> PyResult<&'static SetOriginals> {
    methods::kept(&SET_ORIGINALS, "set", vm)
}

/// `any(iterable)`.
fn any(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(iterable) = only_positional("any", &args, vm)? else {
        return builtin_functions::call_original(&ANY, args, vm);
    };
    let found = first_with_truth(iterable, true, vm)?;
    Ok(vm.ctx.new_bool(found).into())
}

/// `all(iterable)`.
fn all(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(iterable) = only_positional("all", &args, vm)? else {
        return builtin_functions::call_original(&ALL, args, vm);
    };
    let found = first_with_truth(iterable, false, vm)?;
    Ok(vm.ctx.new_bool(!found).into())
}

/// Whether an item of `iterable` has the truth `wanted`, stopping at the
/// first that has.
fn first_with_truth(iterable: &PyObject, wanted: bool, vm: &VirtualMachine) -> PyResult<bool> {
    let mut found = false;
    Items::of(iterable, vm)?.each(vm, |item| {
        found = item.try_to_bool(vm)? == wanted;
        Ok(if found {
            Flow::Break(())
        } else {
            Flow::Continue(())
        })
    })?;
    Ok(found)
}

/// `sum(iterable, /, start=0)`, its arguments checked in CPython's order
/// and words.
fn sum(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let given = args.args.len() + args.kwargs.len();
    if given > 2 {
        return Err(vm.new_type_error(format!("sum() takes at most 2 arguments ({given} given)")));
    }
    let Some(iterable) = args.args.first() else {
        return Err(
            vm.new_type_error("sum() takes at least 1 positional argument (0 given)".to_owned())
        );
    };
    if let Some(name) = args.kwargs.keys().find(|name| name.as_str() != "start") {
        return Err(vm.new_type_error(format!("'{name}' is an invalid keyword argument for sum()")));
    }
    let start = args.args.get(1).or_else(|| args.kwargs.get("start"));
    // The iterable first, as CPython: its refusal comes before the start's.
    let items = Items::of(iterable, vm)?;
    let mut total = match start {
        Some(start) => {
            refuse_text_start(start, vm)?;
            Total::of(start.clone(), vm)
        }
        None => Total::Int(0),
    };
    items.each(vm, |item| {
        total = std::mem::replace(&mut total, Total::Int(0)).plus(item, vm)?;
        Ok(Flow::Continue(()))
    })?;
    Ok(total.into_object(vm))
}

/// `sum`'s running total, kept as CPython 3.11 keeps it: a machine
/// integer while the items are ints (or bools) whose total fits, then a
/// double while they are floats (or ints that fit a machine integer),
/// then an object added to with `+`. It only ever moves down that list.
enum Total {
    Int(i64),
    Float(f64),
    Object(PyObjectRef),
}

impl Total {
    /// The total that starts at `start`.
    fn of(start: PyObjectRef, vm: &VirtualMachine) -> Self {
        if start.class().is(vm.ctx.types.int_type) {
            if let Some(value) = machine_int(&start) {
                return Total::Int(value);
            }
        }
        Total::after(start, vm)
    }

    /// The total once a sum has become `object`: a double while it is a
    /// float, else the object.
    fn after(object: PyObjectRef, vm: &VirtualMachine) -> Self {
        match object.downcast_ref_if_exact::<PyFloat>(vm) {
            Some(float) => Total::Float(float.to_f64()),
            None => Total::Object(object),
        }
    }

    fn plus(self, item: PyObjectRef, vm: &VirtualMachine) -> PyResult<Self> {
        match self {
            Total::Int(total) => {
                let class = item.class();
                let is_int = class.is(vm.ctx.types.int_type) || class.is(vm.ctx.types.bool_type);
                if is_int {
                    if let Some(sum) = machine_int(&item).and_then(|value| total.checked_add(value))
                    {
                        return Ok(Total::Int(sum));
                    }
                }
                let sum = vm._add(vm.ctx.new_int(total).as_object(), &item)?;
                Ok(Total::after(sum, vm))
            }
            Total::Float(total) => {
                if let Some(float) = item.downcast_ref_if_exact::<PyFloat>(vm) {
                    return Ok(Total::Float(total + float.to_f64()));
                }
                if let Some(value) = machine_int(&item) {
                    return Ok(Total::Float(total + value as f64));
                }
                let sum = vm._add(vm.ctx.new_float(total).as_object(), &item)?;
                Ok(Total::Object(sum))
            }
            Total::Object(total) => Ok(Total::Object(vm._add(&total, &item)?)),
        }
    }

    fn into_object(self, vm: &VirtualMachine) -> PyObjectRef {
        match self {
            Total::Int(total) => vm.ctx.new_int(total).into(),
            Total::Float(total) => vm.ctx.new_float(total).into(),
            Total::Object(total) => total,
        }
    }
}

/// The value of an int (of any int class) that fits a C `long`.
fn machine_int(object: &PyObject) -> Option<i64> {
    object.downcast_ref::<PyInt>()?.as_bigint().to_i64()
}

/// CPython's refusal of a `start` that is text or bytes.
fn refuse_text_start(start: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    let refusal = if start.downcast_ref::<PyStr>().is_some() {
        "sum() can't sum strings [use ''.join(seq) instead]"
    } else if start.downcast_ref::<PyBytes>().is_some() {
        "sum() can't sum bytes [use b''.join(seq) instead]"
    } else if start.downcast_ref::<PyByteArray>().is_some() {
        "sum() can't sum bytearray [use b''.join(seq) instead]"
    } else {
        return Ok(());
    };
    Err(vm.new_type_error(refusal.to_owned()))
}

/// The one positional argument of a call of `name`, a function without
/// keywords (refused in CPython's words); `None` for another count.
fn only_positional<'a>(
    name: &str,
    args: &'a FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<Option<&'a PyObjectRef>> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{name}() takes no keyword arguments")));
    }
    Ok(match args.args.as_slice() {
        [argument] => Some(argument),
        _ => None,
    })
}

/// `set(...)`: a new set of the class called, initialised by `set_init`.
fn construct_set(
    class: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    vm: &VirtualMachine,
) -> PyResult {
    methods::construct_then_init::<PySet>(class, args, positional, keyword_names, set_init, vm)
}

/// `set.__init__`: emptied by RustPython's, then filled here.
fn set_init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let originals = set_originals(vm)?;
    let iterable = only_positional("set", &args, vm)?;
    let (Some(set), Some(iterable)) = (zelf.downcast_ref::<PySet>(), iterable) else {
        return (originals.init)(zelf, args, vm);
    };
    if is_merged_whole(iterable, vm) {
        return (originals.init)(zelf, args, vm);
    }
    // Called without an iterable, RustPython's only empties the set.
    (originals.init)(zelf.clone(), FuncArgs::default(), vm)?;
    add_each(set, iterable, vm)
}

/// `set.update(*others)`.
fn set_update(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let originals = set_originals(vm)?;
    methods::require(&zelf, vm.ctx.types.set_type, "update", vm)?;
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error("set.update() takes no keyword arguments".to_owned()));
    }
    let Some(set) = zelf.downcast_ref::<PySet>() else {
        return Err(methods::not_a("set", "update", &zelf, vm));
    };
    for other in &args.args {
        if is_merged_whole(other, vm) {
            originals.update.call((zelf.clone(), other.clone()), vm)?;
        } else {
            add_each(set, other, vm)?;
        }
    }
    Ok(vm.ctx.none())
}

/// `frozenset(iterable)`: the items gathered as they come (RustPython's
/// asked an iterator its length first, a TypeError built and dropped),
/// into a new frozenset as in CPython 3.11 (RustPython gave its empty
/// one). What a set merges whole, and calls of other shapes, still go to
/// RustPython's; keywords are refused in CPython's words.
fn new_frozenset(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let originals = set_originals(vm)?;
    if !args.kwargs.is_empty() && keeps_frozenset_init(&class, vm) {
        return Err(vm.new_type_error("frozenset() takes no keyword arguments".to_owned()));
    }
    // Keywords left to a class's own `__init__` are no concern of `new`.
    let iterable = match args.args.as_slice() {
        [iterable] if !is_merged_whole(iterable, vm) => iterable,
        _ => return (originals.new_frozenset)(class, FuncArgs::from(args.args), vm),
    };
    // A list's or tuple's items are hashed straight from a copy (nothing
    // runs between two of them); an iterator's as they come.
    let items = if let Some(list) = iterable.downcast_ref_if_exact::<PyList>(vm) {
        list.borrow_vec().to_vec()
    } else if let Some(tuple) = iterable.downcast_ref_if_exact::<PyTuple>(vm) {
        tuple.as_slice().to_vec()
    } else {
        let gathered = PySet::default();
        add_each(&gathered, iterable, vm)?;
        gathered.elements()
    };
    PyFrozenSet::from_iter(vm, items)?
        .into_ref_with_type(vm, class)
        .map(Into::into)
}

/// Whether `class` is frozenset or keeps its `__init__`: CPython refuses
/// keywords to those.
fn keeps_frozenset_init(class: &PyTypeRef, vm: &VirtualMachine) -> bool {
    let frozenset = vm.ctx.types.frozenset_type;
    let init = vm.ctx.names.__init__;
    class.is(frozenset)
        || class
            .get_attr(init)
            .zip(frozenset.get_attr(init))
            .is_some_and(|(own, frozenset)| own.is(&frozenset))
}

/// Whether RustPython merges `other` into a set without an iterator (a
/// set, a frozenset or a dict).
fn is_merged_whole(other: &PyObject, vm: &VirtualMachine) -> bool {
    other.downcast_ref::<PySet>().is_some()
        || other.downcast_ref::<PyFrozenSet>().is_some()
        || other.class().is(vm.ctx.types.dict_type)
}

/// Adds the items of `iterable` to `set` as they come.
fn add_each(set: &PySet, iterable: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    let iterator = iterable.get_iter(vm)?;
    while let PyIterReturn::Return(item) = iterator.next(vm)? {
        set.add(item, vm)?;
    }
    Ok(())
}
