//! `float()` of what is not a number, refused in CPython 3.11's words.
//!
//! RustPython 0.5 said "float() argument must be a string or a number,
//! not 'NoneType'", where CPython says "a string or a real number". The
//! float type's constructor slot (shared by every interpreter, and what
//! `float.__new__` calls too) is replaced once per process by one that
//! calls RustPython's and rewords that error.

use super::error_text::reworded;
use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyResult, VirtualMachine};
use std::sync::OnceLock;

type Constructor = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

static ORIGINAL: OnceLock<Option<Constructor>> = OnceLock::new();

/// Puts the constructor in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL.get_or_init(|| {
        let slots = &vm.ctx.types.float_type.slots;
        let original = slots.new.load()?;
        slots.new.store(Some(construct));
        Some(original)
    });
    Ok(())
}

fn construct(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(Some(original)) = ORIGINAL.get() else {
        return Err(vm.new_runtime_error("float() is not set up".to_owned()));
    };
    // What float() takes (text and numbers) needs no rewording: only
    // anything else is kept for it.
    let types = &vm.ctx.types;
    let argument = args
        .args
        .first()
        .filter(|argument| {
            let class = argument.class();
            !(class.is(types.str_type) || class.is(types.int_type) || class.is(types.float_type))
        })
        .cloned();
    original(class, args, vm).map_err(|error| match argument {
        Some(argument) => {
            let type_name = argument.class().slot_name().to_owned();
            reworded(
                error,
                vm.ctx.exceptions.type_error,
                || format!("float() argument must be a string or a number, not '{type_name}'"),
                || format!("float() argument must be a string or a real number, not '{type_name}'"),
                vm,
            )
        }
        None => error,
    })
}
