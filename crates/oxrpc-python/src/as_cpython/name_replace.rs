//! The `namereplace` error handler as CPython 3.11's: a character is
//! written as `\N{NAME}` only where Unicode 14.0 names it.
//!
//! RustPython's handler names characters from the Unicode of the crate it
//! is built on, so `'\U00031350'.encode('ascii', 'namereplace')` gave
//! `\N{CJK UNIFIED IDEOGRAPH-31350}` (assigned in Unicode 15) where CPython
//! 3.11 writes `\U00031350`, for every codec (ascii, latin-1, the CJK
//! codecs). Each interpreter's registry is given this one, under the name
//! CPython's has (`namereplace_errors`), which names a character as
//! `unicodedata.name` does (`unicodedata::name_of`).

use super::unicodedata;
use rustpython_vm::builtins::PyStrRef;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::fmt::Write;

/// Registers the handler in `vm`'s codec registry, and as
/// `codecs.namereplace_errors` (which `codecs` copied from the registry
/// when the interpreter imported it).
pub(super) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let handler: PyObjectRef = vm
        .new_function("namereplace_errors", namereplace_errors)
        .into();
    vm.state
        .codec_registry
        .register_error("namereplace".to_owned(), handler.clone());
    vm.import("codecs", 0)?
        .set_attr("namereplace_errors", handler, vm)
}

/// The text standing for `error.object[start:end]` and where encoding
/// goes on; only an encoding error is handled, as CPython's.
fn namereplace_errors(error: PyObjectRef, vm: &VirtualMachine) -> PyResult<(String, usize)> {
    if !error.fast_isinstance(vm.ctx.exceptions.unicode_encode_error) {
        return Err(vm.new_type_error(format!(
            "don't know how to handle {} in error callback",
            error.class().name()
        )));
    }
    let object: PyStrRef = error.get_attr("object", vm)?.try_into_value(vm)?;
    let length = object.char_len();
    // CPython's reading of the range: a start within the object, an end
    // past its first character and within it.
    let start: isize = error.get_attr("start", vm)?.try_into_value(vm)?;
    let end: isize = error.get_attr("end", vm)?.try_into_value(vm)?;
    let start = usize::try_from(start)
        .unwrap_or(0)
        .min(length.saturating_sub(1));
    // A reversed range ends where it starts (nothing is replaced).
    let end = usize::try_from(end)
        .unwrap_or(0)
        .clamp(1, length.max(1))
        .max(start);
    let mut text = String::new();
    for point in object
        .as_wtf8()
        .code_points()
        .skip(start)
        .take(end.saturating_sub(start))
    {
        let point = point.to_u32();
        let _ = match unicodedata::name_of(point) {
            Some(name) => write!(text, "\\N{{{name}}}"),
            None if point >= 0x10000 => write!(text, "\\U{point:08x}"),
            None if point >= 0x100 => write!(text, "\\u{point:04x}"),
            None => write!(text, "\\x{point:02x}"),
        };
    }
    Ok((text, end))
}
