//! `str()` of a `UnicodeError` as CPython writes it.
//!
//! RustPython 0.5 computed the last position of a range as `end - 1` in
//! unsigned arithmetic: for an error whose `end` is 0 (which codecs' own
//! errors never have, but a client can build, `UnicodeDecodeError('utf-8',
//! b'', 0, 0, 'x')`) that overflowed, a panic in a debug build and
//! `18446744073709551615` in a release one, where CPython writes `0--1`.
//! It also wrote a byte below 0x10 with one digit (`byte 0x5`, not `byte
//! 0x05`), and refused an `encoding` or a `reason` that is not a str where
//! CPython takes its `str()`.
//!
//! The `__str__` of `UnicodeDecodeError`, `UnicodeEncodeError` and
//! `UnicodeTranslateError` is replaced, once per process (the types are
//! shared by every interpreter), by CPython's (`Objects/exceptions.c`). An
//! error whose `object`, `start` or `end` is not of the type its
//! constructor makes goes to RustPython's method.

use super::methods;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyStr, PyType};
use rustpython_vm::function::{ArgBytesLike, FuncArgs};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, TryFromObject, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `__str__` of the three types, in `Kind`'s order.
static ORIGINALS: OnceLock<Option<[PyObjectRef; 3]>> = OnceLock::new();

/// Which of the three errors.
#[derive(Clone, Copy)]
enum Kind {
    Decode,
    Encode,
    Translate,
}

/// Puts CPython's `__str__` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let exceptions = &vm.ctx.exceptions;
        let types: [(&'static Py<PyType>, Kind); 3] = [
            (exceptions.unicode_decode_error, Kind::Decode),
            (exceptions.unicode_encode_error, Kind::Encode),
            (exceptions.unicode_translate_error, Kind::Translate),
        ];
        let name = vm.ctx.intern_str("__str__");
        let originals = types.map(|(class, _)| class.get_attr(name));
        let [Some(decode), Some(encode), Some(translate)] = originals else {
            return None;
        };
        for (class, kind) in types {
            let method = move |zelf: PyBaseExceptionRef, vm: &VirtualMachine| text(zelf, kind, vm);
            methods::define(vm, class, "__str__", method);
        }
        Some([decode, encode, translate])
    });
    Ok(())
}

/// CPython's `UnicodeDecodeError_str`, `UnicodeEncodeError_str` or
/// `UnicodeTranslateError_str`.
fn text(zelf: PyBaseExceptionRef, kind: Kind, vm: &VirtualMachine) -> PyResult {
    let error = zelf.as_object();
    let Ok(object) = error.get_attr("object", vm) else {
        // Not initialised.
        return Ok(vm.ctx.empty_str.to_owned().into());
    };
    let position = |name: &'static str| -> PyResult<Option<i64>> {
        let value = error.get_attr(name, vm)?;
        Ok(value
            .downcast_ref::<PyInt>()
            .and_then(|int| int.try_to_primitive::<i64>(vm).ok()))
    };
    let (Some(start), Some(end)) = (position("start")?, position("end")?) else {
        return original(zelf, kind, vm);
    };
    // The one code unit the error is about, when it is about one.
    let single = |length: usize| {
        usize::try_from(start)
            .ok()
            .filter(|&at| at < length && end == start + 1)
    };
    let unit = match kind {
        Kind::Decode => {
            let Ok(bytes) = ArgBytesLike::try_from_object(vm, object) else {
                return original(zelf, kind, vm);
            };
            single(bytes.len()).map(|at| format!("byte 0x{:02x}", bytes.borrow_buf()[at]))
        }
        Kind::Encode | Kind::Translate => {
            let Some(text) = object.downcast_ref::<PyStr>() else {
                return original(zelf, kind, vm);
            };
            single(text.char_len()).and_then(|at| {
                let code = text.as_wtf8().code_points().nth(at)?.to_u32();
                Some(format!(
                    "character '{}'",
                    oxrpc_pyfmt::code_point_escape(code)
                ))
            })
        }
    };
    let reason = error.get_attr("reason", vm)?.str(vm)?;
    let what = match unit {
        Some(unit) => format!("{unit} in position {start}: {reason}"),
        None => {
            let plural = match kind {
                Kind::Decode => "bytes",
                Kind::Encode | Kind::Translate => "characters",
            };
            format!("{plural} in position {start}-{}: {reason}", end - 1)
        }
    };
    let message = match kind {
        Kind::Decode | Kind::Encode => {
            let encoding = error.get_attr("encoding", vm)?.str(vm)?;
            let verb = if matches!(kind, Kind::Decode) {
                "decode"
            } else {
                "encode"
            };
            format!("'{encoding}' codec can't {verb} {what}")
        }
        Kind::Translate => format!("can't translate {what}"),
    };
    Ok(vm.ctx.new_str(message).into())
}

/// RustPython's own `__str__` for `kind`.
fn original(zelf: PyBaseExceptionRef, kind: Kind, vm: &VirtualMachine) -> PyResult {
    let Some(originals) = ORIGINALS.get().and_then(Option::as_ref) else {
        return Err(vm.new_runtime_error("UnicodeError's __str__ is not set up".to_owned()));
    };
    originals[kind as usize].call(FuncArgs::from(vec![zelf.into()]), vm)
}
