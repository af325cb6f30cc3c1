//! Where RustPython's standard library differs from CPython's in ways
//! clients meet (see `stdlib_fixes.py`): `pyexpat` ignored
//! `ordered_attributes`, so `xml.etree.ElementTree` lost or refused every
//! element with attributes (`AssertionError: missing toplevel element`);
//! sysconfig's variables held the build's whole environment, and no
//! `TZPATH`, so `zoneinfo` found no time zone; `inspect.signature` of a
//! builtin raised "builtin has invalid signature" (its reading of the
//! `$` mark of `'($self, /)'`), so `help()` showed no signature; a frozen
//! module had no source (`frozen_sources`), which the fixes' code is
//! given as `_frozen_source`.

use rustpython_vm::{PyResult, VirtualMachine};

/// The fixes, run in every interpreter before its code can import
/// `xml.parsers.expat` (which copies `pyexpat.ParserCreate`) or
/// `sysconfig`.
const STDLIB_FIXES: &str = include_str!("stdlib_fixes.py");

/// Applies the fixes to `vm`'s interpreter.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let scope = vm.new_scope_with_builtins();
    let frozen_source = vm.new_function("_frozen_source", |name: String| {
        crate::frozen_sources::source_of(&name)
    });
    scope
        .globals
        .set_item("_frozen_source", frozen_source.into(), vm)?;
    crate::compiled::run(vm, scope, STDLIB_FIXES, "<oxrpc stdlib fixes>")?;
    Ok(())
}
