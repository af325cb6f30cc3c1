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
//! - `issubclass(1, int)` added ", not int" to its message, as CPython
//!   3.12 does (`isinstance` does too, and is left as it is: the
//!   interpreter runs RustPython's own `isinstance` inline, without a
//!   call, only while it is the builtin's);
//! - `next(1)` said "int object is not an iterator", without the quotes.
//!
//! Each is replaced in every interpreter (`builtin_functions`) by one that
//! does what RustPython's does (`min` and `max` read an iterable one item
//! at a time, as CPython's do, where RustPython's collected it first) and
//! rewords an error only when it is exactly RustPython's.

use super::builtin_functions::{self, Cell};
use super::closed_files;
use super::error_text::{reworded, text_of};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyList, PyTuple};
use rustpython_vm::function::{FuncArgs, OptionalArg};
use rustpython_vm::protocol::{PyIter, PyIterReturn, PyNumberTernaryFunc};
use rustpython_vm::types::PyComparisonOp;
use rustpython_vm::{AsObject, FromArgs, PyObject, PyObjectRef, PyResult, VirtualMachine};

static MIN: Cell = Cell::new();
static MAX: Cell = Cell::new();
static DIVMOD: Cell = Cell::new();
static POW: Cell = Cell::new();
static ISSUBCLASS: Cell = Cell::new();
static NEXT: Cell = Cell::new();

/// Replaces the builtins above in `vm`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    builtin_functions::replace(vm, &MIN, "min", min)?;
    builtin_functions::replace(vm, &MAX, "max", max)?;
    builtin_functions::replace(vm, &DIVMOD, "divmod", divmod)?;
    builtin_functions::replace(vm, &POW, "pow", pow)?;
    builtin_functions::replace(vm, &ISSUBCLASS, "issubclass", issubclass)?;
    builtin_functions::replace(vm, &NEXT, "next", next)
}

fn min(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    extremum(args, "min", PyComparisonOp::Lt, vm)
}

fn max(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    extremum(args, "max", PyComparisonOp::Gt, vm)
}

/// CPython's `min_max`: the item of the arguments (or of the one
/// iterable) that compares `op` to every other, by `key` if given, read
/// one item at a time.
fn extremum(mut args: FuncArgs, name: &str, op: PyComparisonOp, vm: &VirtualMachine) -> PyResult {
    if args.args.is_empty() {
        return Err(vm.new_type_error(format!("{name} expected at least 1 argument, got 0")));
    }
    let default = args.take_keyword("default");
    let key = args.take_keyword("key").filter(|key| !vm.is_none(key));
    if let Some(keyword) = args.kwargs.keys().next() {
        return Err(vm.new_type_error(format!(
            "'{keyword}' is an invalid keyword argument for {name}()"
        )));
    }
    // The best item so far, and its key when there is one.
    let mut best: Option<(PyObjectRef, Option<PyObjectRef>)> = None;
    let mut consider = |item: PyObjectRef| -> PyResult<()> {
        let value = match &key {
            Some(key) => Some(key.call((item.clone(),), vm)?),
            None => None,
        };
        let better = match (&best, &value) {
            (None, _) => true,
            (Some((_, Some(best_value))), Some(value)) => {
                value.rich_compare_bool(best_value, op, vm)?
            }
            (Some((best_item, _)), _) => item.rich_compare_bool(best_item, op, vm)?,
        };
        if better {
            best = Some((item, value));
        }
        Ok(())
    };
    match args.args.len() {
        1 => {
            let iterable = &args.args[0];
            // A list or tuple from a copy of its items, as RustPython did
            // (iterating costs ~60 ns an item more there); anything else
            // one item at a time.
            let items = if let Some(list) = iterable.downcast_ref_if_exact::<PyList>(vm) {
                Some(list.borrow_vec().to_vec())
            } else {
                iterable
                    .downcast_ref_if_exact::<PyTuple>(vm)
                    .map(|tuple| tuple.as_slice().to_vec())
            };
            if let Some(items) = items {
                for item in items {
                    consider(item)?;
                }
            } else {
                let iterator = iterable.get_iter(vm)?;
                while let PyIterReturn::Return(item) = iterator.next(vm)? {
                    consider(item)?;
                }
            }
        }
        _ if default.is_some() => {
            return Err(vm.new_type_error(format!(
                "Cannot specify a default for {name}() with multiple positional arguments"
            )));
        }
        _ => {
            for item in args.args {
                consider(item)?;
            }
        }
    }
    match (best, default) {
        (Some((item, _)), _) => Ok(item),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(vm.new_value_error(format!("{name}() arg is an empty sequence"))),
    }
}

fn divmod(a: PyObjectRef, b: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    vm._divmod(&a, &b).map_err(|error| {
        let types = format!(
            "'{}' and '{}'",
            a.class().slot_name(),
            b.class().slot_name()
        );
        reworded(
            error,
            vm.ctx.exceptions.type_error,
            || format!("unsupported operand type(s) for divmod: {types}"),
            || format!("unsupported operand type(s) for divmod(): {types}"),
            vm,
        )
    })
}

/// `pow`'s arguments, bound as RustPython's own `pow` binds them.
#[derive(FromArgs)]
struct PowArgs {
    base: PyObjectRef,
    exp: PyObjectRef,
    #[pyarg(any, optional, name = "mod")]
    modulus: Option<PyObjectRef>,
}

fn pow(args: PowArgs, vm: &VirtualMachine) -> PyResult {
    let PowArgs { base, exp, modulus } = args;
    let Some(modulus) = modulus.filter(|modulus| !vm.is_none(modulus)) else {
        return vm._pow(&base, &exp, vm.ctx.none.as_object());
    };
    let error = match vm._pow(&base, &exp, &modulus) {
        Err(error) => error,
        done => return done,
    };
    let [base_type, exp_type, modulus_type] =
        [&base, &exp, &modulus].map(|operand| operand.class().slot_name().to_owned());
    let types = format!("'{base_type}' and '{exp_type}', '{modulus_type}'");
    let rustpython = format!("unsupported operand type(s) for ** or pow(): {types}");
    if text_of(&error, vm.ctx.exceptions.type_error, vm).as_deref() != Some(rustpython.as_str()) {
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
    let Some(text) = text_of(&error, vm.ctx.exceptions.type_error, vm) else {
        return error;
    };
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
            iterator.class().slot_name()
        )));
    }
    let next = PyIter::new(iterator.as_object())
        .next(vm)
        .map_err(|error| closed_files::worded(error, &iterator, "__next__", vm))?;
    Ok(match next {
        PyIterReturn::StopIteration(value) => match default {
            OptionalArg::Present(default) => PyIterReturn::Return(default),
            OptionalArg::Missing => PyIterReturn::StopIteration(value),
        },
        returned => returned,
    })
}
