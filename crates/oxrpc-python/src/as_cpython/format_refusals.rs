//! `format()` of text, ints and complex numbers refusing specs as CPython
//! 3.11 refuses them (`format_spec`), and text and complex numbers laid
//! out as CPython lays them out.
//!
//! - `str.__format__` reads its spec as CPython does and lays the text
//!   out itself: `format('a', '+')` and `format('a', '=5')` are refused,
//!   not formatted; `format('a', '05')` is `'a0000'` and
//!   `format('ab', '1.0')` is `' '` (RustPython wrote `'0000a'` and `''`).
//! - `complex.__format__` does too, each part through `float_format`
//!   (`complex_text`).
//! - `int.__format__` (which `bool` uses) formats an int in a float's type
//!   as that float, through `float_format`, and otherwise as RustPython's
//!   did; when RustPython refuses the spec it raises what CPython raises.
//! - Every kind asks `format_spec` first about a spec with something
//!   RustPython takes and CPython refuses (`refused_up_front`).
//!
//! The three methods are replaced once per process (the types are shared
//! by every interpreter). A spec that is not valid UTF-8, and an int's
//! spec for the locale's `n`, go to the methods they replace.

use super::error_text::no_memory;
use super::format_spec::{self, refusal, Formatted, Spec};
use super::memory_bounds::{names_a_large_number, refuse_past_memory};
use super::{float_arithmetic, float_format, methods};
use num_complex::Complex64;
use rustpython_vm::builtins::{PyComplex, PyInt, PyStr, PyStrRef, PyType};
use rustpython_vm::common::format::{FormatSpec, FormatSpecError};
use rustpython_vm::common::wtf8::{Wtf8, Wtf8Buf};
use rustpython_vm::convert::IntoPyException;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
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
        None if matches!(error, FormatSpecError::PrecisionTooBig) => {
            vm.new_value_error("precision too big".to_owned())
        }
        None => error.into_pyexception(vm),
    }
}

/// CPython's refusal of `spec` before RustPython formats with it, for a
/// spec with one of `suspects`: what RustPython takes and CPython refuses
/// has one of them (the rest RustPython refuses itself, and is reworded
/// after); a spec without any is not read twice.
pub(super) fn refused_up_front(
    spec: &str,
    suspects: &Suspects,
    kind: Formatted,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<()> {
    width_within_memory(spec, kind, zelf, vm)?;
    if !suspects.any_in(spec) {
        return Ok(());
    }
    match refusal(spec, kind, &zelf.class().name()) {
        Some(message) => Err(vm.new_value_error(message)),
        None => Ok(()),
    }
}

/// A MemoryError for a width CPython's layout would be refused memory
/// for; and for a number's width past a C `int`, which RustPython's layout
/// wraps (`format(1, '3000000000')` was `'1'`, `format(1j,
/// '1000000000000')` asked for the bytes and ended the process). Only a
/// spec with nine digits in a row is read for it.
fn width_within_memory(
    spec: &str,
    kind: Formatted,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if !names_a_large_number(spec.as_bytes()) {
        return Ok(());
    }
    let Some(width) = format_spec::read(spec, kind, &zelf.class().name())
        .ok()
        .and_then(|read| read.width.map(|width| (width, read.fill)))
    else {
        return Ok(());
    };
    let (width, fill) = width;
    if kind != Formatted::Text && width > i32::MAX as usize {
        return Err(no_memory(vm));
    }
    refuse_past_memory(width as u128 * fill.len_utf8() as u128, vm)
}

/// What a number's spec may have that RustPython takes and CPython
/// refuses.
pub(super) const NUMBER_SUSPECTS: Suspects = Suspects::of(b"z#=,_nc");

/// A set of ASCII characters, looked up by a spec's bytes one table
/// read each (specs are formatted often).
pub(super) struct Suspects([bool; 256]);

impl Suspects {
    const fn of(characters: &[u8]) -> Self {
        let mut table = [false; 256];
        let mut at = 0;
        while at < characters.len() {
            table[characters[at] as usize] = true;
            at += 1;
        }
        Suspects(table)
    }

    /// Whether `spec` has one of the characters.
    pub(super) fn any_in(&self, spec: &str) -> bool {
        spec.bytes().any(|byte| self.0[usize::from(byte)])
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
    let Some(spec) = spec.to_str() else {
        return original(TEXT, zelf, spec, vm);
    };
    let read = format_spec::read(spec, Formatted::Text, &zelf.class().name())
        .map_err(|message| vm.new_value_error(message))?;
    width_within_memory(spec, Formatted::Text, &zelf, vm)?;
    Ok(vm.ctx.new_str(laid_out(text, &read)).into())
}

/// `text` cut to the spec's precision and padded to its width, as
/// CPython's `format_string_internal` lays it out (centred text leans
/// left).
fn laid_out(text: &PyStr, spec: &Spec) -> Wtf8Buf {
    let whole = text.as_wtf8();
    let length = text.char_len();
    let (kept, kept_length) = match spec.precision {
        Some(precision) if precision < length => {
            let end = whole
                .code_point_indices()
                .nth(precision)
                .map_or(whole.len(), |(at, _)| at);
            (&whole[..end], precision)
        }
        _ => (whole, length),
    };
    padded(kept, kept_length, spec)
}

/// `content` (`length` characters) padded to the spec's width by its fill
/// and alignment (centred content leans left, as in CPython).
fn padded(content: &Wtf8, length: usize, spec: &Spec) -> Wtf8Buf {
    let padding = spec.width.unwrap_or(0).saturating_sub(length);
    let (left, right) = match spec.align {
        '<' => (0, padding),
        '^' => (padding / 2, padding - padding / 2),
        _ => (padding, 0),
    };
    let mut out = Wtf8Buf::with_capacity(content.len() + padding * spec.fill.len_utf8());
    let pad = |out: &mut Wtf8Buf, count: usize| {
        for _ in 0..count {
            out.push_char(spec.fill);
        }
    };
    pad(&mut out, left);
    out.push_wtf8(content);
    pad(&mut out, right);
    out
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
    refused_up_front(spec_text, &NUMBER_SUSPECTS, Formatted::Int, &zelf, vm)?;
    // `c` takes a C long first, as CPython does.
    if spec_text.ends_with('c') && num_traits::ToPrimitive::to_i64(int.as_bigint()).is_none() {
        return Err(vm.new_overflow_error("Python int too large to convert to C long".to_owned()));
    }
    // A float's type formats the int as the float it converts to, as in
    // CPython; RustPython's own does the same but for `z` (refused),
    // `#` and grouping, which go through the float formatter, and for an
    // int past a float's range (written as `inf`, where CPython's
    // conversion raises OverflowError).
    let float_type = spec_text.ends_with(['e', 'E', 'f', 'F', 'g', 'G', '%']);
    if float_type && past_float_range(int) {
        return Err(vm.new_overflow_error("int too large to convert to float".to_owned()));
    }
    if float_type && spec_text.bytes().any(|c| b"z#,_".contains(&c)) {
        let Some(number) = float_arithmetic::as_float(&zelf, vm)? else {
            return Err(methods::not_a("int", "__format__", &zelf, vm));
        };
        let text = float_format::float_text(number, spec_text)
            .map_err(|error| refused(error, spec_text, Formatted::Int, &zelf, vm))?;
        return Ok(vm.ctx.new_str(text).into());
    }
    let formatted = match FormatSpec::parse(spec_text) {
        Ok(parsed) if parsed.has_locale_format() => return original(INT, zelf, spec, vm),
        Ok(parsed) => parsed.format_int(int.as_bigint()),
        Err(error) => Err(error),
    };
    let formatted =
        formatted.map_err(|error| refused(error, spec_text, Formatted::Int, &zelf, vm))?;
    Ok(vm.ctx.new_str(formatted).into())
}

/// Whether `int` rounds (to nearest, ties to even) past the largest
/// float, where CPython's `PyLong_AsDouble` raises: from 2¹⁰²⁴ − 2⁹⁷⁰ in
/// magnitude, the halfway point above it.
fn past_float_range(int: &PyInt) -> bool {
    use num_traits::{Signed, ToPrimitive};
    let int = int.as_bigint();
    match int.bits() {
        0..=1023 => false,
        // Past the halfway point when the 54 bits from the top are all
        // set (a float keeps 53).
        1024 => (int.abs() >> 970u32).to_u64() == Some((1 << 54) - 1),
        _ => true,
    }
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
    width_within_memory(spec_text, Formatted::Complex, &zelf, vm)?;
    // A type without `z`, `#` or grouping (none of the suspects) RustPython
    // writes as CPython does, and faster.
    let as_rustpython =
        spec_text.ends_with(['e', 'E', 'f', 'F', 'g', 'G']) && !NUMBER_SUSPECTS.any_in(spec_text);
    if as_rustpython {
        let formatted = FormatSpec::parse(spec_text)
            .and_then(|parsed| parsed.format_complex(&complex.to_complex()))
            .map_err(|error| refused(error, spec_text, Formatted::Complex, &zelf, vm))?;
        return Ok(vm.ctx.new_str(formatted).into());
    }
    let read = format_spec::read(spec_text, Formatted::Complex, &zelf.class().name())
        .map_err(|message| vm.new_value_error(message))?;
    // No type and nothing but a width: the repr, padded (CPython's parts
    // are their reprs then).
    let plain = read.presentation == '\0'
        && read.precision.is_none()
        && read.sign.is_none()
        && !read.no_negative_zero
        && !read.alternate
        && read.separator.is_none();
    if plain {
        let repr = zelf.repr(vm)?;
        return Ok(vm
            .ctx
            .new_str(padded(repr.as_wtf8(), repr.char_len(), &read))
            .into());
    }
    complex_text(complex.to_complex(), &read, vm)
}

/// A complex number formatted as CPython's `format_complex_internal`
/// does: each part as a float of the spec's type (with no type, its repr,
/// or `g` at the precision when there is one), the imaginary part always
/// signed; with no type, in parentheses unless the real part is a
/// positive zero (then left out); the whole padded. RustPython wrote both
/// parts in `e` when given a precision and no type (`format(1+2j, '.0')`
/// was `'(1e+00+2e+00j)'`, not `'(1+2j)'`), and refused `#` and `z`.
fn complex_text(number: Complex64, spec: &Spec, vm: &VirtualMachine) -> PyResult {
    let flags = |sign: Option<char>| {
        let mut core: String = sign.into_iter().collect();
        if spec.no_negative_zero {
            core.push('z');
        }
        if spec.alternate {
            core.push('#');
        }
        core.extend(spec.separator);
        let presentation = match spec.presentation {
            // In the C locale the server runs in, `n` is `g`.
            'n' => Some('g'),
            '\0' => spec.precision.map(|_| 'g'),
            other => Some(other),
        };
        if let Some(precision) = spec.precision {
            core.push_str(&format!(".{precision}"));
        }
        core.extend(presentation);
        core
    };
    let part = |value: f64, sign: Option<char>| {
        let text = float_format::float_text(value, &flags(sign))
            .map_err(|error| error.into_pyexception(vm))?;
        // Without a precision each part is its repr, which for a complex
        // has no `.0` (`(1+2j)`); `#` keeps the point (`(1.+2.j)`).
        let kept = match text.strip_suffix(".0") {
            Some(whole) if spec.presentation == '\0' && spec.precision.is_none() => {
                let point = if spec.alternate { "." } else { "" };
                format!("{whole}{point}")
            }
            _ => text,
        };
        Ok::<_, rustpython_vm::builtins::PyBaseExceptionRef>(kept)
    };
    let untyped = spec.presentation == '\0';
    let skip_real = untyped && number.re == 0.0 && number.re.is_sign_positive();
    let text = if skip_real {
        format!("{}j", part(number.im, spec.sign)?)
    } else {
        let (real, imaginary) = (part(number.re, spec.sign)?, part(number.im, Some('+'))?);
        if untyped {
            format!("({real}{imaginary}j)")
        } else {
            format!("{real}{imaginary}j")
        }
    };
    let length = text.chars().count();
    Ok(vm
        .ctx
        .new_str(padded(Wtf8::new(text.as_str()), length, spec))
        .into())
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
        None if super::error_text::text_of(&error, vm.ctx.exceptions.value_error, vm)
            .is_some_and(|text| text == "Precision too big") =>
        {
            vm.new_value_error("precision too big".to_owned())
        }
        None => error,
    }
}
