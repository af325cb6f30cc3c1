//! `list(iterable)` and `tuple(iterable)` from an iterator, without an
//! error made and dropped.
//!
//! RustPython 0.5 collects an iterable that is not a list, tuple or dict
//! (a generator, `map`, `zip`, `filter`, `iter(...)`) after asking its
//! size: `length_hint_opt` asks `len()` first, and for an iterator, which
//! has no length, builds a TypeError ("object of type 'map' has no
//! len()") and drops it before it looks for `__length_hint__`. CPython
//! asks whether the type has a length at all. Inside a function,
//! `list(map(f, l))` of three strings took ~2,070 ns where the same `for`
//! loop over `map(f, l)` took ~820 and CPython ~185.
//!
//! The list type's construction (its call and `__init__`, a slot wrapper
//! subclasses inherit) and the tuple type's `__new__` collect such an
//! iterable here as CPython does: sized by `PyObject_LengthHint` (the
//! length of a type that has one, else `__length_hint__`, whose errors
//! are raised, as RustPython did not), a list emptied first and filled
//! item by item (an iterator that appends to the list interleaves, as in
//! CPython), keywords refused in CPython's words or ignored where CPython
//! ignores them. What RustPython reads in place (a list, tuple, dict or a
//! dict's view) and a call without one argument are RustPython's.
//!
//! Not covered: `tuple(x)` inside a function goes through RustPython's
//! specialized call instruction, which collects without the type's
//! `__new__`, and `[*x]` / `(*x,)` collect without asking a size at all.
//! Replaced once per process: the types are shared by every interpreter.

use super::memory_bounds::refuse_past_memory;
use super::{builtin_functions, methods};
use rustpython_vm::builtins::{PyInt, PyList, PyTuple, PyType, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::Py;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type New = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// RustPython's `list.__init__` slot, `list.extend` and `list.sort` methods and
/// `tuple.__new__` slot.
struct Originals {
    list_init: methods::InitSlot,
    list_extend: PyObjectRef,
    list_sort: PyObjectRef,
    tuple_new: New,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the constructors in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let originals = Originals {
            list_init: types.list_type.slots.init.load()?,
            list_extend: types.list_type.get_attr(vm.ctx.intern_str("extend"))?,
            list_sort: types.list_type.get_attr(vm.ctx.intern_str("sort"))?,
            tuple_new: types.tuple_type.slots.new.load()?,
        };
        types.list_type.slots.vectorcall.store(Some(construct_list));
        methods::define_init(vm, types.list_type, list_init);
        methods::define(vm, types.list_type, "extend", list_extend);
        // CPython's `map` has no `__length_hint__`: RustPython's asks the
        // iterables, whose errors would then be raised by `list(map(...))`.
        types.map_type.modified();
        types
            .map_type
            .attributes
            .write()
            .shift_remove(vm.ctx.intern_str("__length_hint__"));
        types.tuple_type.slots.new.store(Some(tuple_new));
        Some(originals)
    });
    builtin_functions::replace(vm, &SORTED, "sorted", sorted)
}

static SORTED: builtin_functions::Cell = OnceLock::new();

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    methods::kept(&ORIGINALS, "list and tuple", vm)
}

/// `list(...)`: a new list of the class called, initialised by
/// `list_init` (RustPython's own call does the same with its own).
fn construct_list(
    class: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    vm: &VirtualMachine,
) -> PyResult {
    // `list(t)` of a tuple or list, the commonest call, straight to its copy.
    if let ([source], None) = (args.as_slice(), keyword_names) {
        if class.is(vm.ctx.types.list_type) {
            if let Some(items) = copied_items(source, vm) {
                return Ok(vm.ctx.new_list(items).into());
            }
        }
    }
    methods::construct_then_init::<PyList>(class, args, positional, keyword_names, list_init, vm)
}

/// `list.__init__`: an iterator collected here, the rest by RustPython.
/// As in CPython, the list is emptied first and then extended, so an
/// iterator over the list itself finds it empty, and the items that came
/// before an error stay.
fn list_init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let args = positional_only("list", zelf.class(), vm.ctx.types.list_type, args, vm)?;
    let target = match (zelf.downcast_ref::<PyList>(), single(&args)) {
        (Some(list), Some(iterable)) if !is_mapping_read_in_place(iterable, vm) => {
            Some((list, iterable))
        }
        _ => None,
    };
    let Some((list, iterable)) = target else {
        return (originals(vm)?.list_init)(zelf, args, vm);
    };
    // The old items are dropped with the list unlocked.
    let old = std::mem::take(&mut *list.borrow_vec_mut());
    drop(old);
    extend_with(list, iterable, vm)
}

/// `list.extend(iterable)`: as `list.__init__` fills a list, without
/// emptying it; a dict's or its view's items by RustPython.
fn list_extend(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let target = match (zelf.downcast_ref::<PyList>(), single(&args)) {
        (Some(list), Some(iterable)) if !is_mapping_read_in_place(iterable, vm) => {
            Some((list, iterable))
        }
        _ => None,
    };
    let Some((list, iterable)) = target else {
        let mut args = args;
        args.prepend_arg(zelf);
        return originals(vm)?.list_extend.call(args, vm);
    };
    extend_with(list, iterable, vm)?;
    Ok(vm.ctx.none())
}

/// Puts the items of `iterable` at the end of `list`, as CPython's
/// `list_extend` does. A tuple's or list's items are copied (of the list
/// itself, what it holds now).
fn extend_with(list: &PyList, iterable: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    if let Some(items) = copied_items(iterable, vm) {
        list.borrow_vec_mut().extend(items);
        return Ok(());
    }
    if iterates_natively(iterable, vm) {
        // Nothing can look at the list meanwhile: the items go in at once.
        let mut elements = Vec::new();
        let outcome = collect_into(iterable, &mut elements, vm);
        list.borrow_vec_mut().extend(elements);
        return outcome;
    }
    // Each item goes in as it comes, as in CPython: an iterator that adds
    // to the list itself interleaves with it.
    let mut list: &PyList = list;
    collect_into(iterable, &mut list, vm)
}

/// A copy of the items of an exact tuple or list, taken at once (a list is
/// read under its lock, so the copy is what it holds now).
fn copied_items(iterable: &PyObject, vm: &VirtualMachine) -> Option<Vec<PyObjectRef>> {
    if let Some(tuple) = iterable.downcast_ref_if_exact::<PyTuple>(vm) {
        return Some(tuple.as_slice().to_vec());
    }
    let list = iterable.downcast_ref_if_exact::<PyList>(vm)?;
    let items = list.borrow_vec().to_vec();
    Some(items)
}

/// `sorted(iterable, /, *, key=None, reverse=False)`: the items collected
/// as `list(iterable)` collects them, then sorted by `list.sort`. What
/// RustPython reads in place (a list, tuple, dict or a dict's view) or
/// sizes without an error (a builtin container) it sorts as CPython does,
/// and sooner.
fn sorted(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    match args.args.as_slice() {
        [iterable] if !read_in_place(iterable, vm) && !is_sized_builtin(iterable, vm) => {}
        [iterable] => {
            // CPython makes the room a sized iterable's hint asks for first.
            if !read_in_place(iterable, vm) {
                room_within_memory(size_hint(iterable, vm)?, vm)?;
            }
            refuse_sort_keywords(args.kwargs.keys(), vm)?;
            return builtin_functions::call_original(&SORTED, args, vm);
        }
        _ => return builtin_functions::call_original(&SORTED, args, vm),
    }
    let FuncArgs {
        args: positional,
        kwargs,
    } = args;
    let list = vm.ctx.new_list(Vec::new());
    if let Some(iterable) = positional.first() {
        extend_with(&list, iterable, vm)?;
    }
    // As CPython, the keywords are `sort`'s to refuse, once the items are in.
    refuse_sort_keywords(kwargs.keys(), vm)?;
    let sort = &originals(vm)?.list_sort;
    sort.call(
        FuncArgs {
            args: vec![list.clone().into()],
            kwargs,
        },
        vm,
    )?;
    Ok(list.into())
}

/// `list.sort`'s refusal of a keyword it does not take, in CPython's words.
fn refuse_sort_keywords<'a>(
    mut names: impl Iterator<Item = &'a String>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    match names.find(|name| !matches!(name.as_str(), "key" | "reverse")) {
        Some(name) => Err(vm.new_type_error(format!(
            "'{name}' is an invalid keyword argument for sort()"
        ))),
        None => Ok(()),
    }
}

/// `tuple.__new__`: a tuple of an iterator collected here (for a
/// subclass, the subclass's tuple made of it by RustPython), the rest by
/// RustPython.
fn tuple_new(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = originals(vm)?.tuple_new;
    let args = positional_only("tuple", &class, vm.ctx.types.tuple_type, args, vm)?;
    let Some(iterable) = single(&args).filter(|iterable| !read_in_place(iterable, vm)) else {
        return original(class, args, vm);
    };
    let mut elements = Vec::new();
    collect_into(iterable, &mut elements, vm)?;
    if !class.is(vm.ctx.types.tuple_type) {
        let tuple = vm.ctx.new_tuple(elements).into();
        return original(class, FuncArgs::from(vec![tuple]), vm);
    }
    Ok(if elements.is_empty() {
        vm.ctx.empty_tuple.clone().into()
    } else {
        vm.ctx.new_tuple(elements).into()
    })
}

/// The arguments of `list.__init__` or `tuple.__new__` as CPython takes
/// them: keywords refused for the type itself and for a subclass that
/// keeps its construction (its `__new__` for a list, its `__init__` for a
/// tuple), and otherwise ignored.
fn positional_only(
    name: &str,
    class: &Py<PyType>,
    base: &'static Py<PyType>,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<FuncArgs> {
    if args.kwargs.is_empty() {
        return Ok(args);
    }
    let kept = if base.is(vm.ctx.types.list_type) {
        "__new__"
    } else {
        "__init__"
    };
    let kept = vm.ctx.intern_str(kept);
    let keeps_construction = match (class.get_attr(kept), base.get_attr(kept)) {
        (Some(own), Some(base)) => own.is(&base),
        _ => false,
    };
    if class.is(base) || keeps_construction {
        return Err(vm.new_type_error(format!("{name}() takes no keyword arguments")));
    }
    Ok(FuncArgs::from(args.args))
}

/// The one positional argument of a call without keywords.
fn single(args: &FuncArgs) -> Option<&PyObjectRef> {
    match (args.args.as_slice(), args.kwargs.is_empty()) {
        ([iterable], true) => Some(iterable),
        _ => None,
    }
}

/// Whether RustPython reads `iterable` in place (a list, tuple, dict or a
/// dict's view), without an iterator: those are left to it.
fn read_in_place(iterable: &PyObject, vm: &VirtualMachine) -> bool {
    let types = &vm.ctx.types;
    let class = iterable.class();
    class.is(types.tuple_type)
        || class.is(types.list_type)
        || is_mapping_read_in_place(iterable, vm)
}

/// Whether `iterable` is a dict or a dict's view, which RustPython reads
/// in place.
fn is_mapping_read_in_place(iterable: &PyObject, vm: &VirtualMachine) -> bool {
    let types = &vm.ctx.types;
    let class = iterable.class();
    [
        types.dict_type,
        types.dict_keys_type,
        types.dict_values_type,
        types.dict_items_type,
    ]
    .iter()
    .any(|kind| class.is(*kind))
}

/// Whether `iterable` is a builtin container with a length, of the exact
/// type: its items come without Python code, and RustPython sizes it
/// without an error.
fn is_sized_builtin(iterable: &PyObject, vm: &VirtualMachine) -> bool {
    let types = &vm.ctx.types;
    let class = iterable.class();
    [
        types.range_type,
        types.str_type,
        types.bytes_type,
        types.set_type,
        types.frozenset_type,
    ]
    .iter()
    .any(|kind| class.is(*kind))
}

/// Whether iterating `iterable` runs no Python code: a builtin container
/// or a builtin container's iterator, of the exact type.
fn iterates_natively(iterable: &PyObject, vm: &VirtualMachine) -> bool {
    let types = &vm.ctx.types;
    let class = iterable.class();
    is_sized_builtin(iterable, vm)
        || [
            types.range_iterator_type,
            types.str_iterator_type,
            types.bytes_iterator_type,
            types.set_iterator_type,
            types.list_iterator_type,
            types.tuple_iterator_type,
            types.dict_keyiterator_type,
            types.dict_valueiterator_type,
            types.dict_itemiterator_type,
        ]
        .iter()
        .any(|kind| class.is(*kind))
}

/// Where collected items go: a new tuple's items, or a list as it grows.
trait Collection {
    fn make_room(&mut self, room: usize);
    fn put(&mut self, item: PyObjectRef);
}

impl Collection for Vec<PyObjectRef> {
    fn make_room(&mut self, room: usize) {
        self.reserve(room);
    }

    fn put(&mut self, item: PyObjectRef) {
        self.push(item);
    }
}

impl Collection for &PyList {
    fn make_room(&mut self, room: usize) {
        self.borrow_vec_mut().reserve(room);
    }

    fn put(&mut self, item: PyObjectRef) {
        self.borrow_vec_mut().push(item);
    }
}

/// CPython makes all the room a size hint asks for (`hint` references),
/// or raises MemoryError: refused past the memory budget.
fn room_within_memory(hint: usize, vm: &VirtualMachine) -> PyResult<()> {
    refuse_past_memory(
        hint as u128 * std::mem::size_of::<PyObjectRef>() as u128,
        vm,
    )
}

/// Puts the items of `iterable` in `collection`, as CPython's
/// `list_extend` and `PySequence_Tuple` collect an iterable: room made for
/// what its size hint says (up to [`MAX_ROOM`]) first, then item by item.
fn collect_into(
    iterable: &PyObject,
    collection: &mut impl Collection,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let iterator = iterable.get_iter(vm)?;
    let hint = size_hint(iterable, vm)?;
    room_within_memory(hint, vm)?;
    collection.make_room(hint.min(MAX_ROOM));
    while let PyIterReturn::Return(item) = iterator.next(vm)? {
        collection.put(item);
    }
    Ok(())
}

/// The most room made ahead on a hint: a hint is the iterable's word only
/// (CPython makes the room it is told, or raises MemoryError), and the
/// rest grows as the items come.
const MAX_ROOM: usize = 1 << 16;

/// CPython's `PyObject_LengthHint(iterable, 0)`: the length of a type that
/// has one, else what `__length_hint__` says, without the TypeError
/// RustPython makes for what has no length. A TypeError from either, or
/// `NotImplemented`, means no hint; any other error is raised.
fn size_hint(iterable: &PyObject, vm: &VirtualMachine) -> PyResult<usize> {
    match iterable.length_opt(vm) {
        Some(Ok(length)) => return Ok(length),
        Some(Err(error)) if !error.fast_isinstance(vm.ctx.exceptions.type_error) => {
            return Err(error)
        }
        _ => {}
    }
    // Looked up on the type, as a special method is.
    let Some(method) = iterable.class().get_attr(vm.ctx.names.__length_hint__) else {
        return Ok(0);
    };
    let method = match vm.call_get_descriptor(&method, iterable.to_owned()) {
        Some(bound) => bound?,
        None => method,
    };
    let result = match method.call((), vm) {
        Ok(result) if result.is(&vm.ctx.not_implemented) => return Ok(0),
        Ok(result) => result,
        Err(error) if error.fast_isinstance(vm.ctx.exceptions.type_error) => return Ok(0),
        Err(error) => return Err(error),
    };
    let Some(hint) = result.downcast_ref::<PyInt>() else {
        return Err(vm.new_type_error(format!(
            "__length_hint__ must be an integer, not {}",
            result.class().name()
        )));
    };
    let Ok(hint) = isize::try_from(hint.as_bigint()) else {
        return Err(
            vm.new_overflow_error("Python int too large to convert to C ssize_t".to_owned())
        );
    };
    usize::try_from(hint)
        .map_err(|_| vm.new_value_error("__length_hint__() should return >= 0".to_owned()))
}
