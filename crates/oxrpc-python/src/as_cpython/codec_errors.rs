//! A codec's errors as CPython 3.11 raises them.
//!
//! - **An unknown codec named as given.** RustPython 0.5's codec registry
//!   normalises a name before it looks it up, and its LookupError names
//!   the normalised one: `codecs.lookup('No Such')` said "unknown
//!   encoding: no_such", where CPython says "unknown encoding: No Such".
//! - **A codec's failure reworded.** When a codec it looked up fails,
//!   CPython raises the same error again with what it was doing in front
//!   (`_PyErr_TrySetFromCause`): "decoding with 'hex' codec failed (Error:
//!   Non-hexadecimal digit found)", the error it replaces as its
//!   `__cause__`. It does so only for an error it can rebuild from its
//!   message: of a class that keeps nothing more than BaseException does
//!   (not an OSError, a UnicodeDecodeError, a class with its own
//!   `__init__`), with no arguments or one str, and nothing in its
//!   `__dict__`. RustPython adds a note to the error instead, which this
//!   takes off again (CPython's error has none).
//!
//! `str.encode`, `bytes.decode` and the constructors
//! (`text_codec_fast_path`) and `bytearray(s, encoding)`
//! (`bytes_from_iterable`) go through [`raised_by_text_method`], which
//! leaves alone what CPython's own UTF-8, UTF-16, UTF-32, ASCII and
//! Latin-1 codecs raise (they are not looked up); the `_codecs`
//! functions fronted here, which `codecs.lookup`, `codecs.encode`,
//! `codecs.getencoder` and the rest of `codecs` call, through
//! [`raised_by_codec_call`]. `TextIOWrapper` (`text_open`) only looks its
//! codec up.

use super::clinic_signature::Signature;
use super::methods::{argument_type_name, c_string_argument, string_argument};
use super::module_copy::fronts;
use rustpython_vm::builtins::{
    PyBaseException, PyBaseExceptionRef, PyBytes, PyList, PyStr, PyTuple,
};
use rustpython_vm::convert::TryFromBorrowedObject;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// RustPython's error from a method or constructor of text or bytes
/// that names the codec `given` (`str.encode`, `bytes(s, encoding)`), as
/// CPython raises it. CPython's go straight to their UTF-8, UTF-16,
/// UTF-32, ASCII and Latin-1 codecs, without a lookup and without
/// rewording what fails there (an unknown error handler's LookupError).
pub(super) fn raised_by_text_method(
    error: PyBaseExceptionRef,
    given: Option<&PyObject>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let name = given.and_then(|given| given.downcast_ref::<PyStr>()?.to_str());
    if name.is_none_or(is_fast_path) {
        let error = named_as_given(error, given, vm);
        // A codec failure was not looked up: RustPython's note goes.
        take_codec_note(&error, vm);
        return error;
    }
    raised_by_codec_call(error, given, vm)
}

/// Whether CPython 3.11's `PyUnicode_Decode` and
/// `PyUnicode_AsEncodedString` take the codec `name` without a lookup:
/// the name lowercased, each run of other characters than letters,
/// digits and dots made one `_` (`_Py_normalize_encoding`), is one of
/// theirs.
fn is_fast_path(name: &str) -> bool {
    let mut normalized = String::with_capacity(name.len());
    let mut pending_separator = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if pending_separator && !normalized.is_empty() {
                normalized.push('_');
            }
            pending_separator = false;
            normalized.push(c.to_ascii_lowercase());
        } else {
            pending_separator = true;
        }
    }
    matches!(
        normalized.as_str(),
        "utf8"
            | "utf_8"
            | "utf16"
            | "utf_16"
            | "utf32"
            | "utf_32"
            | "ascii"
            | "us_ascii"
            | "latin1"
            | "latin_1"
            | "iso_8859_1"
            | "iso8859_1"
    )
}

/// RustPython's error from a call that looks the codec `given` up and
/// runs it (`codecs.encode`), as CPython raises it: an unknown codec
/// named as given, a failure reworded with its cause.
pub(super) fn raised_by_codec_call(
    error: PyBaseExceptionRef,
    given: Option<&PyObject>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let error = named_as_given(error, given, vm);
    let Some(doing) = take_codec_note(&error, vm) else {
        return error;
    };
    if !is_rebuilt_by_cpython(&error, vm) {
        return error;
    }
    let Ok(said) = error.as_object().str(vm) else {
        return error;
    };
    let message = format!("{doing} ({}: {})", error.class().name(), said.as_wtf8());
    let reworded = vm.new_exception_msg(error.class().to_owned(), message.into());
    reworded.set___cause__(Some(error));
    reworded
}

/// The classes whose errors CPython rebuilds: BaseException's own
/// construction and layout, nothing more.
const REBUILT_CLASSES: [&str; 35] = [
    "BaseException",
    "Exception",
    "TypeError",
    "StopAsyncIteration",
    "GeneratorExit",
    "KeyboardInterrupt",
    "EOFError",
    "RuntimeError",
    "RecursionError",
    "NotImplementedError",
    "LookupError",
    "IndexError",
    "KeyError",
    "ValueError",
    "UnicodeError",
    "AssertionError",
    "ArithmeticError",
    "FloatingPointError",
    "OverflowError",
    "ZeroDivisionError",
    "SystemError",
    "ReferenceError",
    "BufferError",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "PendingDeprecationWarning",
    "SyntaxWarning",
    "RuntimeWarning",
    "FutureWarning",
    "ImportWarning",
    "UnicodeWarning",
    "BytesWarning",
    "ResourceWarning",
    "EncodingWarning",
];

/// What `_PyErr_TrySetFromCause` asks of an error before it rebuilds it:
/// its class and every class between it and the nearest builtin one
/// (RustPython's own) define no `__init__`, `__new__` or `__slots__` but
/// a weak reference's (else its construction or layout is not
/// BaseException's), that builtin class is
/// one of [`REBUILT_CLASSES`], its arguments are none or one exact str,
/// and its `__dict__` is empty.
fn is_rebuilt_by_cpython(error: &PyBaseExceptionRef, vm: &VirtualMachine) -> bool {
    let own_parts = ["__init__", "__new__"].map(|name| vm.ctx.intern_str(name));
    let slots = vm.ctx.intern_str("__slots__");
    let class = error.class();
    let mut builtin = None;
    for ancestor in class.mro_collect() {
        // RustPython's own classes are static; a class statement's and
        // `PyErr_NewException`'s kind (`binascii.Error`) are heap types.
        let is_builtin = !ancestor.slots.flags.has_feature(PyTypeFlags::HEAPTYPE);
        if is_builtin {
            builtin = Some(ancestor);
            break;
        }
        let attributes = ancestor.attributes.read();
        if own_parts.iter().any(|name| attributes.contains_key(*name)) {
            return false;
        }
        if attributes
            .get(slots)
            .is_some_and(|slots| !only_weak_reference(slots))
        {
            return false;
        }
    }
    let Some(builtin) = builtin else {
        return false;
    };
    // Its layout is BaseException's, or an error built from its message
    // would not be an object of its class (an OSError keeps more).
    if class.slots.basicsize != std::mem::size_of::<PyBaseException>() {
        return false;
    }
    if !REBUILT_CLASSES.contains(&&*builtin.name()) {
        return false;
    }
    let args = error.args();
    let plain = match args.as_slice() {
        [] => true,
        [only] => only.class().is(vm.ctx.types.str_type),
        _ => false,
    };
    plain && error.as_object().dict().is_none_or(|dict| dict.is_empty())
}

/// Whether `__slots__` adds nothing to an exception's layout but the
/// weak reference CPython allows for (`()`, `('__weakref__',)`).
fn only_weak_reference(slots: &PyObjectRef) -> bool {
    let is_weak = |name: &PyObjectRef| {
        name.downcast_ref::<PyStr>()
            .is_some_and(|name| name.as_wtf8() == "__weakref__")
    };
    if let Some(names) = slots.downcast_ref::<PyTuple>() {
        return names.iter().all(is_weak);
    }
    if let Some(names) = slots.downcast_ref::<PyList>() {
        return names.borrow_vec().iter().all(is_weak);
    }
    is_weak(slots)
}

/// The note RustPython's registry adds to an error of a codec ("decoding
/// with 'hex' codec failed"), taken off the error (its `__notes__` go
/// with their last note), or `None` where the last note is not one.
fn take_codec_note(error: &PyBaseExceptionRef, vm: &VirtualMachine) -> Option<String> {
    let notes_name = vm.ctx.intern_str("__notes__");
    let dict = error.as_object().dict()?;
    let notes = dict.get_item_opt(notes_name, vm).ok()??;
    let notes = notes.downcast::<PyList>().ok()?;
    let last = notes
        .borrow_vec()
        .last()?
        .downcast_ref::<PyStr>()?
        .to_str()?
        .to_owned();
    let is_codec_note = (last.starts_with("encoding with '")
        || last.starts_with("decoding with '"))
        && last.ends_with("' codec failed");
    if !is_codec_note {
        return None;
    }
    let emptied = {
        let mut notes = notes.borrow_vec_mut();
        notes.pop();
        notes.is_empty()
    };
    if emptied {
        let _ = dict.del_item(notes_name, vm);
    }
    Some(last)
}

/// RustPython's error, naming the codec `given` where it is RustPython's
/// "unknown encoding" LookupError and `given` is a string.
pub(super) fn named_as_given(
    error: PyBaseExceptionRef,
    given: Option<&PyObject>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    const UNKNOWN: &str = "unknown encoding: ";
    if !error.class().is(vm.ctx.exceptions.lookup_error) {
        return error;
    }
    let Some(given) = given.and_then(|given| given.downcast_ref::<PyStr>()?.to_str()) else {
        return error;
    };
    let said = error.as_object().str(vm).ok();
    if said.is_some_and(|said| said.to_str().is_some_and(|said| said.starts_with(UNKNOWN))) {
        return vm.new_lookup_error(format!("{UNKNOWN}{given}"));
    }
    error
}

/// `_codecs.lookup(encoding, /)`; its argument refused in CPython's
/// words ("lookup() argument must be str, not int").
pub(super) fn lookup(
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let given = args.args.first().cloned();
    if let Some(given) = &given {
        let Some(name) = given.downcast_ref::<PyStr>() else {
            return Err(vm.new_type_error(format!(
                "lookup() argument must be str, not {}",
                argument_type_name(given, vm)
            )));
        };
        c_string_argument(name, vm)?;
    }
    own(vm, args).map_err(|error| raised_by_codec_call(error, given.as_deref(), vm))
}

/// `_codecs.encode(obj, encoding='utf-8', errors='strict')`, and
/// `_codecs.decode`, which takes the same; the names bound and refused as
/// CPython's Argument Clinic does.
fn encode_or_decode(
    function: &'static str,
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let signature = Signature {
        function,
        parameters: &["obj", "encoding", "errors"],
        positional_only: 0,
        positional: 3,
        required: 1,
    };
    // The common call, by position only, is read in place.
    let bound = match args.kwargs.is_empty() && (1..=3).contains(&args.args.len()) {
        true => args.args.iter().cloned().map(Some).collect(),
        false => signature.bind(args.clone(), vm)?,
    };
    let argument = |at: usize| bound.get(at).cloned().flatten();
    for (at, name) in [(1, "encoding"), (2, "errors")] {
        let value = argument(at);
        if let Some(text) = string_argument(function, name, value.as_ref(), vm)? {
            c_string_argument(text, vm)?;
        }
    }
    let given = argument(1);
    own(vm, args).map_err(|error| raised_by_codec_call(error, given.as_deref(), vm))
}

fronts! {
    /// `_codecs.encode`.
    encode => |own, args, vm| encode_or_decode("encode", own, args, vm);
    /// `_codecs.decode`.
    decode => |own, args, vm| encode_or_decode("decode", own, args, vm);
}

/// How a UTF-16 or UTF-32 reader of `_codecs` finds its byte order.
#[derive(Clone, Copy)]
enum ByteOrder {
    /// Its name gives it (`utf_16_le_decode`).
    Named(&'static str),
    /// From a mark at the start of the bytes, else little-endian
    /// (`utf_16_decode`).
    Marked,
    /// From its third argument (`byteorder`: -1, 1, or 0 for
    /// [`ByteOrder::Marked`]) (`utf_16_ex_decode`).
    Argument,
}

/// A UTF-16 or UTF-32 reader of `_codecs`, its UnicodeDecodeError naming
/// the codec with its byte order, as CPython's does ("'utf-16-le' codec
/// can't decode ...", where RustPython said 'utf-16'), and for UTF-32 a
/// code point as CPython words it ("code point not in range(0x110000)",
/// not "codepoint"), at its place in the whole input.
fn wide_decode(
    width: usize,
    order: ByteOrder,
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let family = if width == 2 { "utf-16" } else { "utf-32" };
    let little = match order {
        ByteOrder::Named(suffix) => Some(suffix == "le"),
        ByteOrder::Marked => None,
        ByteOrder::Argument => args
            .args
            .get(2)
            .and_then(|order| order.try_to_value::<i32>(vm).ok())
            .and_then(|order| match order {
                -1 => Some(true),
                1 => Some(false),
                _ => None,
            }),
    };
    let data = args.args.first().cloned();
    own(vm, args).map_err(|error| {
        if !error.class().is(vm.ctx.exceptions.unicode_decode_error) {
            return error;
        }
        let object = error.as_object();
        let named = object
            .get_attr("encoding", vm)
            .ok()
            .and_then(|name| name.downcast_ref::<PyStr>()?.to_str().map(str::to_owned));
        if named.as_deref() != Some(family) {
            return error;
        }
        let input = data.as_ref().and_then(|data| {
            let buffer = PyBuffer::try_from_borrowed_object(vm, data).ok()?;
            Some(buffer.contiguous_or_collect(<[u8]>::to_vec))
        });
        let little = little.unwrap_or_else(|| {
            let big_mark: &[u8] = if width == 2 {
                b"\xfe\xff"
            } else {
                b"\x00\x00\xfe\xff"
            };
            input.as_deref().and_then(|input| input.get(..width)) != Some(big_mark)
        });
        let encoding = format!("{family}-{}", if little { "le" } else { "be" });
        let part = |name: &'static str| object.get_attr(name, vm).ok();
        let (Some(bytes), Some(start), Some(end), Some(reason)) =
            (part("object"), part("start"), part("end"), part("reason"))
        else {
            return error;
        };
        let (Ok(bytes), Ok(start), Ok(end), Ok(reason)) = (
            bytes.downcast::<PyBytes>(),
            start.try_to_value::<usize>(vm),
            end.try_to_value::<usize>(vm),
            reason.downcast::<PyStr>(),
        ) else {
            return error;
        };
        let reason = match reason.to_str() {
            Some(said) if said.starts_with("codepoint not in range") => {
                vm.ctx.new_str(said.replacen("codepoint", "code point", 1))
            }
            _ => reason,
        };
        // RustPython's UTF-32 reader names the bytes after a mark it took
        // off, and counts from there; CPython's the whole input.
        let (bytes, start, end) = match input {
            Some(input)
                if input.len() == bytes.len() + width && input[width..] == *bytes.as_bytes() =>
            {
                (vm.ctx.new_bytes(input), start + width, end + width)
            }
            _ => (bytes, start, end),
        };
        vm.new_unicode_decode_error_real(vm.ctx.new_str(encoding), bytes, start, end, reason)
    })
}

fronts! {
    /// `_codecs.utf_16_decode`, through [`wide_decode`].
    utf_16_decode => |own, args, vm| wide_decode(2, ByteOrder::Marked, own, args, vm);
    /// `_codecs.utf_16_le_decode`.
    utf_16_le_decode => |own, args, vm| wide_decode(2, ByteOrder::Named("le"), own, args, vm);
    /// `_codecs.utf_16_be_decode`.
    utf_16_be_decode => |own, args, vm| wide_decode(2, ByteOrder::Named("be"), own, args, vm);
    /// `_codecs.utf_16_ex_decode`.
    utf_16_ex_decode => |own, args, vm| wide_decode(2, ByteOrder::Argument, own, args, vm);
    /// `_codecs.utf_32_decode`.
    utf_32_decode => |own, args, vm| wide_decode(4, ByteOrder::Marked, own, args, vm);
    /// `_codecs.utf_32_le_decode`.
    utf_32_le_decode => |own, args, vm| wide_decode(4, ByteOrder::Named("le"), own, args, vm);
    /// `_codecs.utf_32_be_decode`.
    utf_32_be_decode => |own, args, vm| wide_decode(4, ByteOrder::Named("be"), own, args, vm);
    /// `_codecs.utf_32_ex_decode`.
    utf_32_ex_decode => |own, args, vm| wide_decode(4, ByteOrder::Argument, own, args, vm);
}
