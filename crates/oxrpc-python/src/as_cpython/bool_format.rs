//! `format(True, spec)` as CPython formats it: as the int it is.
//!
//! CPython's `bool` has no `__format__` of its own; `int.__format__`
//! prints `True` for an empty spec and the number for any other, so
//! `f"{True:>5}"` is `'    1'` and `format(False, '.2f')` is `'0.00'`.
//! RustPython 0.5 gives `bool` one that knows only the empty spec and
//! printed `'True'` for `'>5'` (no padding). That method is taken out of
//! the type, once per process (the type is shared by every interpreter),
//! so lookups find int's, as in CPython.

use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static REMOVED: Once = Once::new();

/// Leaves `bool` with int's `__format__`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REMOVED.call_once(|| {
        let bool_type = vm.ctx.types.bool_type;
        // Caches first, as `PyType::set_attr` does.
        bool_type.modified();
        bool_type
            .attributes
            .write()
            .shift_remove(vm.ctx.intern_str("__format__"));
    });
    Ok(())
}
