//! An exception group's arguments checked as CPython 3.11 checks them.
//!
//! CPython's `BaseExceptionGroup.__new__` parses its arguments with
//! `PyArg_ParseTuple(args, "UO:BaseExceptionGroup.__new__")`, asks
//! `PySequence_Check` of the exceptions, and leaves keywords to
//! `__init__`, which refuses them with the class's name. RustPython 0.5's
//! refused a keyword itself ("Unexpected keyword argument x", where
//! CPython says "ExceptionGroup() takes no keyword arguments"), said
//! "takes exactly 2 positional arguments" and "argument 1 must be str,
//! not int" without the function's name, and took any iterable as the
//! exceptions: a generator, a dict or a string of them made a group where
//! CPython refuses it.
//!
//! The `__new__` slot of `BaseExceptionGroup` and `ExceptionGroup` checks
//! the arguments as CPython does, then calls RustPython's without the
//! keywords (`exception_keywords` refuses them in `__init__`), once per
//! process (the types are shared by every interpreter).
//!
//! What still differs: the group's `args` hold the tuple RustPython makes
//! of the exceptions, not the sequence given (its `derive`, `split` and
//! `subgroup` read them from there).

use super::methods::{self, NewSlot};
use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::function::{FuncArgs, KwArgs};
use rustpython_vm::{AsObject, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `__new__` slot of the groups.
static ORIGINAL_NEW: OnceLock<Option<NewSlot>> = OnceLock::new();

/// Puts the checks in front of the groups' `__new__`, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL_NEW.get_or_init(|| {
        let base_group = vm.ctx.exceptions.base_exception_group;
        let original = base_group.slots.new.load()?;
        for class in [base_group, rustpython_vm::exceptions::exception_group()] {
            class.slots.new.store(Some(checked_new));
        }
        Some(original)
    });
    Ok(())
}

/// `BaseExceptionGroup.__new__(cls, message, exceptions)`.
fn checked_new(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(original) = ORIGINAL_NEW.get().copied().flatten() else {
        return Err(vm.new_runtime_error("exception groups are not set up".to_owned()));
    };
    let [message, exceptions] = args.args.as_slice() else {
        return Err(vm.new_type_error(format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            args.args.len()
        )));
    };
    if !message.fast_isinstance(vm.ctx.types.str_type) {
        return Err(vm.new_type_error(format!(
            "BaseExceptionGroup.__new__() argument 1 must be str, not {}",
            methods::argument_type_name(message, vm)
        )));
    }
    // `PySequence_Check`: an item slot, and not a dict.
    let is_sequence = exceptions.sequence_unchecked().check()
        && !exceptions.fast_isinstance(vm.ctx.types.dict_type);
    if !is_sequence {
        return Err(vm.new_type_error("second argument (exceptions) must be a sequence".to_owned()));
    }
    original(class, FuncArgs::new(args.args, KwArgs::default()), vm)
}
