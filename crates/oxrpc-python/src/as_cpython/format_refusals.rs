//! `format()` of text, ints and complex numbers refusing specs as CPython
//! 3.11 refuses them (`format_spec`).
//!
//! `str.__format__` checks its spec first, as CPython does, so that
//! `format('a', '+')` and `format('a', '=5')` are refused rather than
//! formatted. `int.__format__` (which `bool` uses) and
//! `complex.__format__` format as RustPython's did and, when RustPython
//! refuses the spec, raise what CPython raises for it. The three methods
//! are replaced once per process (the types are shared by every
//! interpreter); they format through RustPython's formatter directly, not
//! through a call of the methods they replace, except for the locale's
//! `n` and a spec that is not valid UTF-8, which go to those.

use super::format_spec::{refusal, Formatted};
use super::methods;
use rustpython_vm::builtins::{PyComplex, PyInt, PyStr, PyStrRef, PyType};
use rustpython_vm::common::format::{CharLen, FormatSpec, FormatSpecError};
use rustpython_vm::convert::IntoPyException;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::ops::Deref;
use std::sync::OnceLock;

/// RustPython's `__format__` of `str`, `int` and `complex`, in that
/// order.
static ORIGINALS: OnceLock<Option<[PyObjectRef; 3]>> = OnceLock::new();
const TEXT: usize = 0;
const INT: usize = 1;
const COMPLEX: usize = 2;

/// Puts the three methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let name = vm.ctx.intern_str("__format__");
        let originals = [
            types.str_type.get_attr(name)?,
            types.int_type.get_attr(name)?,
            types.complex_type.get_attr(name)?,
        ];
        methods::define(vm, types.str_type, "__format__", text_format);
        methods::define(vm, types.int_type, "__format__", int_format);
        methods::define(vm, types.complex_type, "__format__", complex_format);
        Some(originals)
    });
    Ok(())
}

/// RustPython's own `__format__` of kind `which`, for what is formatted
/// by it alone.
fn original(which: usize, zelf: PyObjectRef, spec: PyStrRef, vm: &VirtualMachine) -> PyResult {
    let Some(Some(originals)) = ORIGINALS.get() else {
        return Err(vm.new_runtime_error("__format__ is not set up".to_owned()));
    };
    originals[which].call(FuncArgs::from(vec![zelf, spec.into()]), vm)
}

/// CPython's error for `spec` when it has one; RustPython's `error`
/// otherwise.
fn refused(
    error: FormatSpecError,
    spec: &str,
    kind: Formatted,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    match refusal(spec, kind, &zelf.class().name()) {
        Some(message) => vm.new_value_error(message),
        None => error.into_pyexception(vm),
    }
}

/// Text with its length in characters, as RustPython's formatter takes
/// it.
struct Text<'a>(&'a str, usize);

impl CharLen for Text<'_> {
    fn char_len(&self) -> usize {
        self.1
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

fn text_format(zelf: PyObjectRef, spec: PyStrRef, vm: &VirtualMachine) -> PyResult {
    let Some(text) = zelf.downcast_ref::<PyStr>() else {
        return Err(methods::not_a("str", "__format__", &zelf, vm));
    };
    if spec.as_wtf8().is_empty() {
        if zelf.class().is(vm.ctx.types.str_type) {
            return Ok(zelf);
        }
        return Ok(zelf.str(vm)?.into());
    }
    let (Some(spec), Some(utf8)) = (spec.to_str(), text.to_str()) else {
        return original(TEXT, zelf, spec, vm);
    };
    if let Some(message) = refusal(spec, Formatted::Text, &zelf.class().name()) {
        return Err(vm.new_value_error(message));
    }
    let formatted = FormatSpec::parse(spec)
        .and_then(|parsed| parsed.format_string(&Text(utf8, text.char_len())))
        .map_err(|error| refused(error, spec, Formatted::Text, &zelf, vm))?;
    Ok(vm.ctx.new_str(formatted).into())
}

fn int_format(zelf: PyObjectRef, spec: PyStrRef, vm: &VirtualMachine) -> PyResult {
    let Some(int) = zelf.downcast_ref::<PyInt>() else {
        return Err(methods::not_a("int", "__format__", &zelf, vm));
    };
    let is_int = |class: &Py<PyType>| class.is(vm.ctx.types.int_type);
    if spec.as_wtf8().is_empty() && !is_int(zelf.class()) {
        return Ok(zelf.str(vm)?.into());
    }
    let Some(spec_text) = spec.to_str() else {
        return original(INT, zelf, spec, vm);
    };
    let formatted = match FormatSpec::parse(spec_text) {
        Ok(parsed) if parsed.has_locale_format() => return original(INT, zelf, spec, vm),
        Ok(parsed) => parsed.format_int(int.as_bigint()),
        Err(error) => Err(error),
    };
    let formatted =
        formatted.map_err(|error| refused(error, spec_text, Formatted::Int, &zelf, vm))?;
    Ok(vm.ctx.new_str(formatted).into())
}

fn complex_format(zelf: PyObjectRef, spec: PyStrRef, vm: &VirtualMachine) -> PyResult {
    let Some(complex) = zelf.downcast_ref::<PyComplex>() else {
        return Err(methods::not_a("complex", "__format__", &zelf, vm));
    };
    if spec.as_wtf8().is_empty() {
        return Ok(zelf.str(vm)?.into());
    }
    let Some(spec_text) = spec.to_str() else {
        return original(COMPLEX, zelf, spec, vm);
    };
    let formatted = match FormatSpec::parse(spec_text) {
        Ok(parsed) if parsed.has_locale_format() => return original(COMPLEX, zelf, spec, vm),
        Ok(parsed) => parsed.format_complex(&complex.to_complex()),
        Err(error) => Err(error),
    };
    let formatted =
        formatted.map_err(|error| refused(error, spec_text, Formatted::Complex, &zelf, vm))?;
    Ok(vm.ctx.new_str(formatted).into())
}

/// For `float_format`: CPython's error for a float's `spec` when it has
/// one; RustPython's `error` otherwise.
pub(super) fn float_refused(
    error: rustpython_vm::builtins::PyBaseExceptionRef,
    spec: &str,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    if !error.class().is(vm.ctx.exceptions.value_error) {
        return error;
    }
    match refusal(spec, Formatted::Float, &zelf.class().name()) {
        Some(message) => vm.new_value_error(message),
        None => error,
    }
}
