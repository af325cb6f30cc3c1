//! `TabError` built from arguments, as CPython builds it.
//!
//! CPython's `TabError` is initialised as every `SyntaxError` is: a
//! `(filename, lineno, offset, text[, end_lineno, end_offset])` tuple
//! after the message fills those attributes. RustPython 0.5's `TabError`
//! kept an initialiser that does not (`TabError('m', ('f', 1, 2,
//! 't')).lineno` was `None`, and its `str()` `'m (None, line None)'`, not
//! `'m (f, line 1)'`). Its `__init__` slot becomes `SyntaxError`'s, once
//! per process (the type is shared by every interpreter).

use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Gives `TabError` `SyntaxError`'s initialiser, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let exceptions = &vm.ctx.exceptions;
        if let Some(init) = exceptions.syntax_error.slots.init.load() {
            exceptions.tab_error.slots.init.store(Some(init));
        }
    });
    Ok(())
}
