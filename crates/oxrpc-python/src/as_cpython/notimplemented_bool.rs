//! `bool(NotImplemented)` as CPython 3.11 answers it.
//!
//! CPython 3.11 takes `NotImplemented` for true, with a
//! `DeprecationWarning` (ignored by default outside `__main__`); Python
//! 3.14, which RustPython 0.5 follows, raises `TypeError`. Code written
//! for 3.11 that tests a comparison's result (`if x.__eq__(y):`) failed
//! on the server. The type's truth slot is replaced, once per process
//! (the type is shared by every interpreter), by 3.11's.

use rustpython_vm::protocol::PyNumber;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts 3.11's truth of `NotImplemented` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let slots = &vm.ctx.types.not_implemented_type.slots.as_number;
        slots.boolean.store(Some(true_with_a_warning));
    });
    Ok(())
}

fn true_with_a_warning(_: PyNumber<'_>, vm: &VirtualMachine) -> PyResult<bool> {
    let message = vm
        .ctx
        .new_str("NotImplemented should not be used in a boolean context");
    let category = vm.ctx.exceptions.deprecation_warning.to_owned();
    rustpython_vm::warn::warn(message.into(), Some(category), 1, None, vm)?;
    Ok(true)
}
