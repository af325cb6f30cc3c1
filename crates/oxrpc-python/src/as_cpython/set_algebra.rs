//! Set algebra between sets, without asking an iterator its length.
//!
//! RustPython 0.5 reads the other operand of `s | t`, `s & t`, `s - t`,
//! `s ^ t`, their in-place forms and of `union`, `intersection`, `difference`,
//! `symmetric_difference`, `issubset`, `issuperset` and `isdisjoint` as an
//! iterable whose length it asks (`ArgIterable::iter`). A set's iterator
//! has none, so every such call built and dropped a TypeError:
//! `s.issubset(t)` took ~1,000 ns against CPython 3.11's ~17, `s | t`
//! ~1,080 against ~80.
//!
//! When every operand is a set or frozenset, the operation is done here as
//! CPython's `setobject.c` does it: which set is walked and which is
//! looked into (so which of two equal keys, `1` or `1.0`, is kept), and
//! the result's type (set or frozenset, as the left operand). A subclass
//! is read through its table, not its methods, as CPython reads it. With
//! an operand of another type (a list, an iterator), RustPython's own
//! runs; the in-place operators answer NotImplemented for it, as
//! CPython's do, where RustPython's raised. `|=`, `&=`, `-=` and `^=`
//! between sets are done here too.

use super::items::Items;
use super::methods;
use rustpython_vm::builtins::{PyFrozenSet, PySet};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;
use std::sync::OnceLock;

/// The operators done here, in the order of [`Originals::operators`].
#[derive(Clone, Copy)]
enum Operator {
    Or,
    And,
    Subtract,
    Xor,
}

const OPERATORS: [Operator; 4] = [
    Operator::Or,
    Operator::And,
    Operator::Subtract,
    Operator::Xor,
];

/// RustPython's number slots of `set` (`[0]`) and `frozenset` (`[1]`),
/// and `set`'s in-place ones.
struct Originals {
    operators: [[PyNumberBinaryFunc; 4]; 2],
    inplace: [PyNumberBinaryFunc; 4],
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the operators and methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| replace(vm));
    Ok(())
}

fn replace(vm: &VirtualMachine) -> Option<Originals> {
    let types = &vm.ctx.types;
    let slots_of = |class: &rustpython_vm::Py<rustpython_vm::builtins::PyType>| {
        let number = &class.slots.as_number;
        Some([
            number.or.load()?,
            number.and.load()?,
            number.subtract.load()?,
            number.xor.load()?,
        ])
    };
    let set_number = &types.set_type.slots.as_number;
    let originals = Originals {
        operators: [slots_of(types.set_type)?, slots_of(types.frozenset_type)?],
        inplace: [
            set_number.inplace_or.load()?,
            set_number.inplace_and.load()?,
            set_number.inplace_subtract.load()?,
            set_number.inplace_xor.load()?,
        ],
    };
    let set_slots: [PyNumberBinaryFunc; 4] = [
        operator::<0, 0>,
        operator::<0, 1>,
        operator::<0, 2>,
        operator::<0, 3>,
    ];
    let frozenset_slots: [PyNumberBinaryFunc; 4] = [
        operator::<1, 0>,
        operator::<1, 1>,
        operator::<1, 2>,
        operator::<1, 3>,
    ];
    let names = [
        ("__or__", "__ror__"),
        ("__and__", "__rand__"),
        ("__sub__", "__rsub__"),
        ("__xor__", "__rxor__"),
    ];
    for (class, slots) in [
        (types.set_type, set_slots),
        (types.frozenset_type, frozenset_slots),
    ] {
        for (names, slot) in names.into_iter().zip(slots) {
            methods::define_binary_slot(vm, class, names, slot);
        }
        for (name, takes, method) in METHODS {
            let original = class.get_attr(vm.ctx.intern_str(name))?;
            methods::define(
                vm,
                class,
                name,
                move |zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine| {
                    methods::require(&zelf, class, name, vm)?;
                    takes.check(class, name, &args, vm)?;
                    match method(&zelf, &args, vm) {
                        Some(done) => done,
                        None => original.call(prepend(zelf, args), vm),
                    }
                },
            );
        }
    }
    let inplace: [(&'static str, PyNumberBinaryFunc); 4] = [
        ("__ior__", inplace::<0>),
        ("__iand__", inplace::<1>),
        ("__isub__", inplace::<2>),
        ("__ixor__", inplace::<3>),
    ];
    for (index, (name, slot)) in inplace.into_iter().enumerate() {
        let stored = match index {
            0 => &set_number.inplace_or,
            1 => &set_number.inplace_and,
            2 => &set_number.inplace_subtract,
            _ => &set_number.inplace_xor,
        };
        stored.store(Some(slot));
        methods::define(
            vm,
            types.set_type,
            name,
            move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| {
                slot(&zelf, &other, vm)
            },
        );
    }
    Some(originals)
}

/// A method done here when its operands allow (`None` otherwise).
type Method = fn(&PyObject, &FuncArgs, &VirtualMachine) -> Option<PyResult>;

/// What a method takes besides the set it is called on.
#[derive(Clone, Copy)]
enum Takes {
    AnyNumber,
    One,
}

impl Takes {
    /// The arguments refused as CPython refuses them.
    fn check(
        self,
        class: &rustpython_vm::Py<rustpython_vm::builtins::PyType>,
        name: &str,
        args: &FuncArgs,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let class = class.name();
        if !args.kwargs.is_empty() {
            return Err(vm.new_type_error(format!("{class}.{name}() takes no keyword arguments")));
        }
        match (self, args.args.len()) {
            (Takes::One, given) if given != 1 => Err(vm.new_type_error(format!(
                "{class}.{name}() takes exactly one argument ({given} given)"
            ))),
            _ => Ok(()),
        }
    }
}

const METHODS: [(&str, Takes, Method); 7] = [
    ("union", Takes::AnyNumber, union),
    ("intersection", Takes::AnyNumber, intersection),
    ("difference", Takes::AnyNumber, difference),
    ("symmetric_difference", Takes::One, symmetric_difference),
    ("issubset", Takes::One, issubset),
    ("issuperset", Takes::One, issuperset),
    ("isdisjoint", Takes::One, isdisjoint),
];

fn prepend(zelf: PyObjectRef, mut args: FuncArgs) -> FuncArgs {
    args.args.insert(0, zelf);
    args
}

/// A set operand: the object, its items in order, its kind, and where its
/// keys are looked up (the set itself; for a subclass, an exact set of its
/// items, since CPython reads a subclass through its table, not its
/// methods).
struct Operand {
    object: PyObjectRef,
    items: Vec<PyObjectRef>,
    frozen: bool,
    lookup: PyObjectRef,
}

impl Operand {
    fn is(&self, other: &Operand) -> bool {
        self.object.is(&other.object)
    }
}

fn operand(object: &PyObject, vm: &VirtualMachine) -> Option<Operand> {
    let (items, frozen) = if let Some(set) = object.downcast_ref::<PySet>() {
        (set.elements(), false)
    } else {
        (object.downcast_ref::<PyFrozenSet>()?.elements(), true)
    };
    let exact =
        object.class().is(vm.ctx.types.set_type) || object.class().is(vm.ctx.types.frozenset_type);
    let lookup = if exact {
        object.to_owned()
    } else {
        let copy = PySet::default().into_ref(&vm.ctx);
        for item in &items {
            copy.add(item.clone(), vm).ok()?;
        }
        copy.into()
    };
    Some(Operand {
        object: object.to_owned(),
        items,
        frozen,
        lookup,
    })
}

/// Whether `object` is a set or frozenset (of any class).
fn is_any_set(object: &PyObject) -> bool {
    object.downcast_ref::<PySet>().is_some() || object.downcast_ref::<PyFrozenSet>().is_some()
}

/// The operands of a method taking any number of sets.
fn all_sets(args: &FuncArgs, vm: &VirtualMachine) -> Option<Vec<Operand>> {
    args.args.iter().map(|other| operand(other, vm)).collect()
}

/// The one operand of a method taking one set.
fn one_set(args: &FuncArgs, vm: &VirtualMachine) -> Option<Operand> {
    match args.args.as_slice() {
        [other] => operand(other, vm),
        _ => None,
    }
}

/// A new set (or frozenset) of `items`, the first of equal keys kept.
pub(super) fn made(frozen: bool, items: Vec<PyObjectRef>, vm: &VirtualMachine) -> PyResult {
    if frozen {
        return Ok(PyFrozenSet::from_iter(vm, items)?.into_ref(&vm.ctx).into());
    }
    let set = PySet::default().into_ref(&vm.ctx);
    for item in items {
        set.add(item, vm)?;
    }
    Ok(set.into())
}

/// The keys of `walked` found (or not found) in `looked_into`.
pub(super) fn kept(
    walked: &[PyObjectRef],
    looked_into: &PyObject,
    found: bool,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyObjectRef>> {
    let mut kept = Vec::new();
    for key in walked {
        if vm._contains(looked_into, key)? == found {
            kept.push(key.clone());
        }
    }
    Ok(kept)
}

/// `a | b`: a copy of `a`, then the keys of `b` it lacks.
fn or(a: Operand, b: Operand, vm: &VirtualMachine) -> PyResult {
    let same = a.is(&b);
    let mut items = a.items;
    if !same {
        items.extend(b.items);
    }
    made(a.frozen, items, vm)
}

/// `a & b`: the smaller walked (`b` when they are as large), each key
/// looked for in the other.
fn and(a: Operand, b: Operand, vm: &VirtualMachine) -> PyResult {
    if a.is(&b) {
        return made(a.frozen, a.items, vm);
    }
    let items = if b.items.len() > a.items.len() {
        kept(&a.items, &b.lookup, true, vm)?
    } else {
        kept(&b.items, &a.lookup, true, vm)?
    };
    made(a.frozen, items, vm)
}

/// `a - b`: the keys of `a` not in `b`.
fn subtract(a: Operand, b: Operand, vm: &VirtualMachine) -> PyResult {
    let items = if a.is(&b) {
        Vec::new()
    } else {
        kept(&a.items, &b.lookup, false, vm)?
    };
    made(a.frozen, items, vm)
}

/// `a ^ b`: a copy of `b` as `a`'s kind, from which each key of `a` is
/// taken out if there and put in if not.
fn xor(a: Operand, b: Operand, vm: &VirtualMachine) -> PyResult {
    let mut items = Vec::new();
    if !a.is(&b) {
        items = kept(&b.items, &a.lookup, false, vm)?;
        items.extend(kept(&a.items, &b.lookup, false, vm)?);
    }
    made(a.frozen, items, vm)
}

/// The number slot of operator `OPERATOR` of `set` (`KIND` 0) or
/// `frozenset` (1).
fn operator<const KIND: usize, const OPERATOR: usize>(
    a: &PyObject,
    b: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    if let (Some(a), Some(b)) = (operand(a, vm), operand(b, vm)) {
        return match OPERATORS[OPERATOR] {
            Operator::Or => or(a, b, vm),
            Operator::And => and(a, b, vm),
            Operator::Subtract => subtract(a, b, vm),
            Operator::Xor => xor(a, b, vm),
        };
    }
    let originals = methods::kept(&ORIGINALS, "set algebra", vm)?;
    (originals.operators[KIND][OPERATOR])(a, b, vm)
}

/// The in-place operator `OPERATOR` of `set`: NotImplemented for an
/// operand that is not a set, as CPython's. `|=` adds the keys of `b`;
/// the others put in `a` what the operator makes, as CPython's leave it
/// (`&=` the keys of the side walked, `-=` and `^=` each side's own).
fn inplace<const OPERATOR: usize>(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if !is_any_set(b) {
        return Ok(vm.ctx.not_implemented());
    }
    let (Some(set), Some(a_set), Some(b_set)) =
        (a.downcast_ref::<PySet>(), operand(a, vm), operand(b, vm))
    else {
        let originals = methods::kept(&ORIGINALS, "set algebra", vm)?;
        return (originals.inplace[OPERATOR])(a, b, vm);
    };
    let made = match OPERATORS[OPERATOR] {
        Operator::Or => {
            if !a.is(b) {
                for key in b_set.items {
                    set.add(key, vm)?;
                }
            }
            return Ok(a.to_owned());
        }
        Operator::And => and(a_set, b_set, vm)?,
        Operator::Subtract => subtract(a_set, b_set, vm)?,
        Operator::Xor => xor(a_set, b_set, vm)?,
    };
    // `set.clear` itself, not a subclass's: CPython empties the table.
    let clear = vm.ctx.types.set_type.get_attr(vm.ctx.intern_str("clear"));
    if let Some(clear) = clear {
        clear.call((a.to_owned(),), vm)?;
    }
    if let Some(made) = made.downcast_ref::<PySet>() {
        for key in made.elements() {
            set.add(key, vm)?;
        }
    }
    Ok(a.to_owned())
}

/// `union(*others)`: a copy, then each other's keys added as they come
/// (a set's from its table, anything else's through its iterator).
fn union(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let united = PySet::default().into_ref(&vm.ctx);
    let add_all = || -> PyResult<()> {
        for key in zelf_set.items {
            united.add(key, vm)?;
        }
        for other in &args.args {
            if other.is(zelf) {
                continue;
            }
            match operand(other, vm) {
                Some(other_set) => {
                    for key in other_set.items {
                        united.add(key, vm)?;
                    }
                }
                None => Items::of(other, vm)?.each(vm, |key| {
                    united.add(key, vm)?;
                    Ok(Flow::Continue(()))
                })?,
            }
        }
        Ok(())
    };
    if let Err(error) = add_all() {
        return Some(Err(error));
    }
    if zelf_set.frozen {
        return Some(made(true, united.elements(), vm));
    }
    Some(Ok(united.into()))
}

fn intersection(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let mut result = operand(zelf, vm)?;
    let others = all_sets(args, vm)?;
    if others.is_empty() {
        return Some(made(result.frozen, result.items, vm));
    }
    for other in others {
        // Each step's result is of the first operand's kind.
        let step = and(result, other, vm)
            .and_then(|made| operand(&made, vm).ok_or_else(|| vm.new_system_error("set expected")));
        match step {
            Ok(next) => result = next,
            Err(error) => return Some(Err(error)),
        }
    }
    Some(Ok(result.object))
}

fn difference(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let others = all_sets(args, vm)?;
    let frozen = zelf_set.frozen;
    let mut items = zelf_set.items.clone();
    for other in others {
        if other.is(&zelf_set) {
            items.clear();
            continue;
        }
        items = match kept(&items, &other.lookup, false, vm) {
            Ok(items) => items,
            Err(error) => return Some(Err(error)),
        };
    }
    Some(made(frozen, items, vm))
}

fn symmetric_difference(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let other = one_set(args, vm)?;
    Some(xor(zelf_set, other, vm))
}

/// Whether every key of `a` is in `b`.
fn is_subset(a: &Operand, b: &Operand, vm: &VirtualMachine) -> PyResult<bool> {
    if a.items.len() > b.items.len() {
        return Ok(false);
    }
    for key in &a.items {
        if !vm._contains(&b.lookup, key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn issubset(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let other = one_set(args, vm)?;
    let answer = is_subset(&zelf_set, &other, vm);
    Some(answer.map(|answer| vm.ctx.new_bool(answer).into()))
}

fn issuperset(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let other = one_set(args, vm)?;
    let answer = is_subset(&other, &zelf_set, vm);
    Some(answer.map(|answer| vm.ctx.new_bool(answer).into()))
}

/// Whether no key is in both: the smaller walked (`other` when they are
/// as large), each key looked for in the other.
fn isdisjoint(zelf: &PyObject, args: &FuncArgs, vm: &VirtualMachine) -> Option<PyResult> {
    let zelf_set = operand(zelf, vm)?;
    let other = one_set(args, vm)?;
    if zelf_set.is(&other) {
        return Some(Ok(vm.ctx.new_bool(zelf_set.items.is_empty()).into()));
    }
    let (walked, looked_into) = if other.items.len() > zelf_set.items.len() {
        (&zelf_set.items, &other)
    } else {
        (&other.items, &zelf_set)
    };
    for key in walked {
        match vm._contains(&looked_into.lookup, key) {
            Ok(false) => {}
            Ok(true) => return Some(Ok(vm.ctx.new_bool(false).into())),
            Err(error) => return Some(Err(error)),
        }
    }
    Some(Ok(vm.ctx.new_bool(true).into()))
}
