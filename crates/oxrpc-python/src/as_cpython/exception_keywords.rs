//! Exceptions refuse keyword arguments as CPython 3.11's do.
//!
//! CPython's `BaseException.__init__` refuses every keyword
//! (`ValueError(x=1)`: "ValueError() takes no keyword arguments", in the
//! words of `_PyArg_NoKeywords`, with the class's own name), and the
//! `__init__` of every builtin exception is it or calls it first. Only
//! `AttributeError` (`name`, `obj`) and `NameError` (`name`) take
//! keywords, parsed by `PyArg_ParseTupleAndKeywords`, and `ImportError`
//! (`import_error`). RustPython 0.5 refused them for `BaseException`
//! itself only: `ValueError(x=1)`, `OSError(1, x=1)`, `SyntaxError('m',
//! x=1)` and a client's `class E(Exception): pass` called `E(x=1)` all
//! dropped the keyword, and `UnicodeDecodeError`, `AttributeError` and
//! `NameError` refused it in other words ("Unexpected keyword argument
//! y").
//!
//! The `__init__` slot of every exception type in `builtins` but the
//! `ImportError`s becomes a check of the keywords followed by the slot it
//! replaces, once per process (the types are shared by every
//! interpreter), after every other replacement of those slots in this
//! folder. As in CPython, each type but `ExceptionGroup` then has an
//! `__init__` of its own, which a subclass made later takes its slot from.

use super::methods::{self, InitSlot};
use rustpython_vm::builtins::{PyBaseException, PyType, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// The `__init__` slots the checks were put in front of.
struct Originals {
    /// Each distinct one; the check made for `slots[i]` is
    /// `keywords_checked::<i>`.
    slots: Vec<InitSlot>,
    /// Which of them is `BaseException`'s, which sets `args` and nothing
    /// else.
    sets_only_args: Option<usize>,
}

static ORIGINALS: OnceLock<Originals> = OnceLock::new();

/// How many distinct slots there can be (RustPython 0.5's exceptions have
/// fewer); the types of any more keep theirs.
const MOST_ORIGINALS: usize = 16;

/// Puts the check in front of every builtin exception's `__init__`, once
/// per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| wrap_every_init(vm));
    Ok(())
}

/// Puts a check in front of the `__init__` slot of each builtin exception
/// type, and answers the slots it put them in front of.
fn wrap_every_init(vm: &VirtualMachine) -> Originals {
    let exceptions = &vm.ctx.exceptions;
    let base_exception_init = exceptions.base_exception_type.slots.init.load();
    // Each type with the slot it has now: none where RustPython calls no
    // `__init__` after `__new__` (`ValueError`), which is then its first
    // base's, as a subclass's would be.
    let slots: Vec<(PyTypeRef, Option<InitSlot>)> = vm
        .builtins
        .dict()
        .into_iter()
        .filter_map(|(_, value)| value.downcast::<PyType>().ok())
        .filter(|class| class.fast_issubclass(exceptions.base_exception_type))
        .filter(|class| !class.fast_issubclass(exceptions.import_error))
        .map(|class| {
            let slot = class.slots.init.load();
            (class, slot)
        })
        .collect();
    let slot_of = |class: &Py<PyType>| {
        class.mro.read().iter().find_map(|base| {
            slots
                .iter()
                .find(|(known, _)| known.is(base))
                .and_then(|(_, slot)| *slot)
        })
    };
    let mut originals: Vec<InitSlot> = Vec::new();
    for (class, slot) in &slots {
        let Some(original) = slot.or_else(|| slot_of(class)) else {
            continue;
        };
        let index = match originals
            .iter()
            .position(|known| std::ptr::fn_addr_eq(*known, original))
        {
            Some(index) => index,
            None => {
                originals.push(original);
                originals.len() - 1
            }
        };
        let Some(checked) = keywords_checked_for(index) else {
            continue;
        };
        if class.is(rustpython_vm::exceptions::exception_group()) {
            // A class made from `BaseExceptionGroup` at run time, in CPython
            // as here: its slot, without an `__init__` of its own.
            class.slots.init.store(Some(checked));
        } else {
            // Builtin types live as long as the process.
            let class: &'static Py<PyType> = Box::leak(Box::new(class.clone()));
            methods::define_init(vm, class, checked);
        }
    }
    let sets_only_args = base_exception_init.and_then(|base| {
        originals
            .iter()
            .position(|known| std::ptr::fn_addr_eq(*known, base))
    });
    Originals {
        slots: originals,
        sets_only_args,
    }
}

/// The check put in front of `ORIGINALS[index]`.
fn keywords_checked_for(index: usize) -> Option<InitSlot> {
    const CHECKS: [InitSlot; MOST_ORIGINALS] = [
        keywords_checked::<0>,
        keywords_checked::<1>,
        keywords_checked::<2>,
        keywords_checked::<3>,
        keywords_checked::<4>,
        keywords_checked::<5>,
        keywords_checked::<6>,
        keywords_checked::<7>,
        keywords_checked::<8>,
        keywords_checked::<9>,
        keywords_checked::<10>,
        keywords_checked::<11>,
        keywords_checked::<12>,
        keywords_checked::<13>,
        keywords_checked::<14>,
        keywords_checked::<15>,
    ];
    CHECKS.get(index).copied()
}

/// An exception's `__init__`: its keywords checked as CPython checks them,
/// then the slot it replaced. `BaseException`'s is skipped when it would
/// set the `args` `__new__` has just set to the same objects (RustPython
/// calls no `__init__` after `__new__` for most builtin exceptions, and
/// making the tuple again made `raise ValueError(...)` ~40 % dearer).
fn keywords_checked<const INDEX: usize>(
    zelf: PyObjectRef,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let Some(originals) = ORIGINALS.get() else {
        return Err(vm.new_runtime_error("exceptions are not set up".to_owned()));
    };
    if !args.kwargs.is_empty() {
        check_keywords(&zelf, &args, vm)?;
    } else if originals.sets_only_args == Some(INDEX) && args_already(&zelf, &args) {
        return Ok(());
    }
    let Some(original) = originals.slots.get(INDEX).copied() else {
        return Err(vm.new_runtime_error("exceptions are not set up".to_owned()));
    };
    original(zelf, args, vm)
}

/// Whether `zelf`'s `args` are `args`' positional arguments, object for
/// object.
fn args_already(zelf: &PyObjectRef, args: &FuncArgs) -> bool {
    zelf.downcast_ref::<PyBaseException>()
        .is_some_and(|exception| {
            let set = exception.args();
            set.len() == args.args.len()
                && set.iter().zip(&args.args).all(|(set, given)| set.is(given))
        })
}

/// The keywords an exception of `zelf`'s class takes, refused in CPython's
/// words when they are not among them.
fn check_keywords(zelf: &PyObjectRef, args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let exceptions = &vm.ctx.exceptions;
    let class = zelf.class();
    let (function, accepted): (&str, &[&str]) = if class.fast_issubclass(exceptions.attribute_error)
    {
        ("AttributeError", &["name", "obj"])
    } else if class.fast_issubclass(exceptions.name_error) {
        ("NameError", &["name"])
    } else {
        return Err(vm.new_type_error(format!("{}() takes no keyword arguments", class.name())));
    };
    keyword_only_parsed(function, accepted, args, vm)
}

/// `PyArg_ParseTupleAndKeywords` of no positional arguments and the
/// keyword-only `accepted`, as its errors word it.
fn keyword_only_parsed(
    function: &str,
    accepted: &[&str],
    args: &FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let given = args.kwargs.len();
    if given > accepted.len() {
        let plural = if accepted.len() == 1 { "" } else { "s" };
        return Err(vm.new_type_error(format!(
            "{function}() takes at most {} keyword argument{plural} ({given} given)",
            accepted.len()
        )));
    }
    match args
        .kwargs
        .keys()
        .find(|key| !accepted.contains(&key.as_str()))
    {
        Some(refused) => Err(vm.new_type_error(format!(
            "'{refused}' is an invalid keyword argument for {function}()"
        ))),
        None => Ok(()),
    }
}
