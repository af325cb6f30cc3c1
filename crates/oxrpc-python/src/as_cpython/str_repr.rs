//! `repr()` and `isprintable()` of text, by CPython 3.11's Unicode.
//!
//! `repr()` escapes the characters `str.isprintable()` rejects, and which
//! those are follows the interpreter's Unicode database. RustPython 0.5's
//! is older than CPython 3.11's (Unicode 14.0), so text with characters
//! assigned since (CJK Extension G, from U+30000, among them) came back
//! escaped where rpyc_classic prints it as is, and `isprintable()` said
//! False. The `str` type's `repr` slot, its `__repr__` and `isprintable`
//! are replaced, once per process (the type is shared by every
//! interpreter), by ones that ask [`oxrpc_pyfmt`]'s tables, generated
//! from CPython 3.11. ASCII text, and text holding lone surrogates, keeps
//! RustPython's repr, which is right for it.

use super::methods;
use rustpython_vm::builtins::{PyStr, PyStrRef};
use rustpython_vm::{PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own repr slot, for the text it gets right.
type Repr = fn(&PyObject, &VirtualMachine) -> PyResult<PyRef<PyStr>>;

static ORIGINAL: OnceLock<Option<Repr>> = OnceLock::new();

/// Puts the Unicode 14.0 repr and `isprintable` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL.get_or_init(|| {
        let str_type = vm.ctx.types.str_type;
        let original = str_type.slots.repr.load()?;
        str_type.slots.repr.store(Some(repr));
        methods::define(vm, str_type, "__repr__", repr_method);
        methods::define(vm, str_type, "isprintable", |zelf: PyStrRef| {
            zelf.as_wtf8()
                .code_points()
                .all(|c| c.to_char().is_some_and(oxrpc_pyfmt::is_printable))
        });
        Some(original)
    });
    Ok(())
}

/// `str.__repr__`, which refuses what is not a str, as a method does.
fn repr_method(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    if zelf.downcast_ref::<PyStr>().is_none() {
        return Err(methods::not_a("str", "__repr__", &zelf, vm));
    }
    repr(&zelf, vm)
}

/// The repr slot: CPython 3.11's for text beyond ASCII, RustPython's for
/// the rest.
fn repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    if let Some(text) = zelf.downcast_ref::<PyStr>() {
        if !text.isascii() {
            if let Some(text) = text.to_str() {
                return Ok(vm.ctx.new_str(oxrpc_pyfmt::str_repr(text)));
            }
        }
    }
    match ORIGINAL.get().copied().flatten() {
        Some(original) => original(zelf, vm),
        None => Err(vm.new_runtime_error("str's repr is not set up".to_owned())),
    }
}
