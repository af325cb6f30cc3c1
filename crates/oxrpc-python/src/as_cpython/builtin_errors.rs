//! The errors of builtin functions, worded as CPython 3.11 words them.
//!
//! RustPython 0.5 raises the same exceptions but words some otherwise, or
//! as a later CPython does:
//!
//! - `max([])` said "max() iterable argument is empty", not "max() arg is
//!   an empty sequence" (and `min` the same);
//! - `divmod('a', 1)` said "for divmod:", not "for divmod():", and a
//!   three-argument `pow` joined its operands' types as "'str' and 'int',
//!   'int'", not "'str', 'int', 'int'"; nor did it try the modulus's own
//!   power when the base and the exponent share one, so `pow(2, 3, 5.0)`
//!   was not float's "pow() 3rd argument not allowed unless all arguments
//!   are integers";
//! - `isinstance(1, 2)` and `issubclass` added ", not int" to their
//!   message, as CPython 3.12 does;
//! - `next(1)` said "int object is not an iterator", without the quotes.
//!
//! Each is replaced in every interpreter (`builtin_functions`); the
//! replacement does what RustPython's does and rewords its error only
//! when it is exactly RustPython's.

use super::builtin_functions::{self, call_original, Cell};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyType};
use rustpython_vm::function::{FuncArgs, OptionalArg};
use rustpython_vm::protocol::{PyIter, PyIterReturn, PyNumberTernaryFunc};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};

static MIN: Cell = Cell::new();
static MAX: Cell = Cell::new();
static DIVMOD: Cell = Cell::new();
static POW: Cell = Cell::new();
static ISINSTANCE: Cell = Cell::new();
static ISSUBCLASS: Cell = Cell::new();
static NEXT: Cell = Cell::new();

/// Replaces the builtins above in `vm`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    builtin_functions::replace(vm, &MIN, "min", min)?;
    builtin_functions::replace(vm, &MAX, "max", max)?;
    builtin_functions::replace(vm, &DIVMOD, "divmod", divmod)?;
    builtin_functions::replace(vm, &POW, "pow", pow)?;
    builtin_functions::replace(vm, &ISINSTANCE, "isinstance", isinstance)?;
    builtin_functions::replace(vm, &ISSUBCLASS, "issubclass", issubclass)?;
    builtin_functions::replace(vm, &NEXT, "next", next)
}

/// `error` again, worded `cpython()`, when it is a `class` worded
/// exactly `rustpython()`.
pub(super) fn reworded(
    error: PyBaseExceptionRef,
    class: &'static Py<PyType>,
    rustpython: impl FnOnce() -> String,
    cpython: impl FnOnce() -> String,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if !error.class().is(class) {
        return error;
    }
    match error.as_object().str(vm) {
        Ok(text) if text.to_str() == Some(rustpython().as_str()) => {
            vm.new_exception_msg(class.to_owned(), cpython().into())
        }
        _ => error,
    }
}

fn min(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    extremum(&MIN, "min", args, vm)
}

fn max(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    extremum(&MAX, "max", args, vm)
}

fn extremum(cell: &'static Cell, name: &str, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    call_original(cell, args, vm).map_err(|error| {
        reworded(
            error,
            vm.ctx.exceptions.value_error,
            || format!("{name}() iterable argument is empty"),
            || format!("{name}() arg is an empty sequence"),
            vm,
        )
    })
}

fn divmod(a: PyObjectRef, b: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    vm._divmod(&a, &b).map_err(|error| {
        let types = format!("'{}' and '{}'", a.class().name(), b.class().name());
        reworded(
            error,
            vm.ctx.exceptions.type_error,
            || format!("unsupported operand type(s) for divmod: {types}"),
            || format!("unsupported operand type(s) for divmod(): {types}"),
            vm,
        )
    })
}

fn pow(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let operand = |at: usize, name: &str| args.args.get(at).or_else(|| args.kwargs.get(name));
    let operands = match (operand(0, "base"), operand(1, "exp"), operand(2, "mod")) {
        (Some(base), Some(exp), Some(modulus)) if !vm.is_none(modulus) => {
            Some([base.clone(), exp.clone(), modulus.clone()])
        }
        _ => None,
    };
    let error = match call_original(&POW, args, vm) {
        Err(error) => error,
        done => return done,
    };
    let Some([base, exp, modulus]) = operands else {
        return Err(error);
    };
    let [base_type, exp_type, modulus_type] =
        [&base, &exp, &modulus].map(|operand| operand.class().name().to_owned());
    let types = format!("'{base_type}' and '{exp_type}', '{modulus_type}'");
    let rustpython = format!("unsupported operand type(s) for ** or pow(): {types}");
    if !error.class().is(vm.ctx.exceptions.type_error)
        || error.as_object().str(vm)?.to_str() != Some(rustpython.as_str())
    {
        return Err(error);
    }
    // RustPython does not try the modulus's power when the base and the
    // exponent share theirs; CPython does (`pow(2, 3, 5.0)` is float's
    // refusal of a modulus).
    if let Some(power) = modulus_power(&base, &exp, &modulus) {
        let answer = power(&base, &exp, &modulus, vm)?;
        if !answer.is(&vm.ctx.not_implemented) {
            return Ok(answer);
        }
    }
    Err(vm.new_type_error(format!(
        "unsupported operand type(s) for ** or pow(): '{base_type}', '{exp_type}', '{modulus_type}'"
    )))
}

/// The modulus's power slot when it is neither the base's nor the
/// exponent's: the one CPython's `ternary_op` tries last.
fn modulus_power(
    base: &PyObject,
    exp: &PyObject,
    modulus: &PyObject,
) -> Option<PyNumberTernaryFunc> {
    let power = |operand: &PyObject| operand.class().slots.as_number.power.load();
    let own = power(modulus)?;
    let shared = |other: Option<PyNumberTernaryFunc>| {
        other.is_some_and(|other| std::ptr::fn_addr_eq(other, own))
    };
    (!shared(power(base)) && !shared(power(exp))).then_some(own)
}

fn isinstance(object: PyObjectRef, class: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
    object.is_instance(&class, vm).map_err(|error| {
        without_type_named(
            error,
            &["isinstance() arg 2 must be a type, a tuple of types, or a union"],
            vm,
        )
    })
}

fn issubclass(object: PyObjectRef, class: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
    object.is_subclass(&class, vm).map_err(|error| {
        without_type_named(
            error,
            &[
                "issubclass() arg 1 must be a class",
                "issubclass() arg 2 must be a class, a tuple of classes, or a union",
            ],
            vm,
        )
    })
}

/// `error` worded as one of `messages` when it is a TypeError worded as
/// that message followed by ", not" and a type.
fn without_type_named(
    error: PyBaseExceptionRef,
    messages: &[&str],
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if !error.class().is(vm.ctx.exceptions.type_error) {
        return error;
    }
    let Ok(text) = error.as_object().str(vm) else {
        return error;
    };
    let text = text.to_str().unwrap_or_default();
    let original = messages.iter().find(|message| {
        text.strip_prefix(**message)
            .is_some_and(|rest| rest.starts_with(", not "))
    });
    match original {
        Some(message) => vm.new_type_error((*message).to_owned()),
        None => error,
    }
}

fn next(
    iterator: PyObjectRef,
    default: OptionalArg<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<PyIterReturn> {
    if !PyIter::check(&iterator) {
        return Err(vm.new_type_error(format!(
            "'{}' object is not an iterator",
            iterator.class().name()
        )));
    }
    Ok(match PyIter::new(iterator).next(vm)? {
        PyIterReturn::StopIteration(value) => match default {
            OptionalArg::Present(default) => PyIterReturn::Return(default),
            OptionalArg::Missing => PyIterReturn::StopIteration(value),
        },
        returned => returned,
    })
}
