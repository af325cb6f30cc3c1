//! `repr()` of a complex as CPython writes it.
//!
//! CPython writes each part as `repr()` writes a float, less a trailing
//! `.0`: with an exponent past 16 digits or below 1e-4, so
//! `repr(1e22+1j)` is `'(1e+22+1j)'`. RustPython 0.5 wrote large and tiny
//! parts digit by digit (`'(10000000000000000000000+1j)'`). The complex
//! type's `repr` slot (which `str()` and `format()` use too) and its
//! `__repr__` are replaced, once per process (the type is shared by every
//! interpreter), by ones that write what CPython writes
//! ([`oxrpc_pyfmt::complex_repr`]).

use super::methods;
use rustpython_vm::builtins::{PyComplex, PyStr};
use rustpython_vm::{PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts CPython's complex repr in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let complex_type = vm.ctx.types.complex_type;
        complex_type.slots.repr.store(Some(repr));
        methods::define(
            vm,
            complex_type,
            "__repr__",
            |zelf: PyObjectRef, vm: &VirtualMachine| repr(&zelf, vm),
        );
    });
    Ok(())
}

fn repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let Some(complex) = zelf.downcast_ref::<PyComplex>() else {
        return Err(methods::not_a("complex", "__repr__", zelf, vm));
    };
    let value = complex.to_complex();
    Ok(vm
        .ctx
        .new_str(oxrpc_pyfmt::complex_repr(value.re, value.im)))
}
