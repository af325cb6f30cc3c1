//! Where RustPython's `pyexpat` differs from CPython's in a way the
//! standard library's own XML readers depend on: `ordered_attributes`
//! (see `expat_fixes.py`). Without it, `xml.etree.ElementTree` lost or
//! refused every element with attributes (`AssertionError: missing
//! toplevel element`).

use rustpython_vm::{PyResult, VirtualMachine};

/// The fix, run in every interpreter before its code can import
/// `xml.parsers.expat` (which copies `pyexpat.ParserCreate`).
const EXPAT_FIXES: &str = include_str!("expat_fixes.py");

/// Applies the fix to `vm`'s interpreter.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let scope = vm.new_scope_with_builtins();
    crate::compiled::run(vm, scope, EXPAT_FIXES, "<oxrpc expat>")?;
    Ok(())
}
