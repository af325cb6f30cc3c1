//! `open(...)` and `TextIOWrapper(buffer, encoding, errors, newline,
//! line_buffering, write_through)` as CPython 3.11 takes their arguments
//! and names the locale's encoding.
//!
//! - **The locale's encoding.** CPython's takes the locale's codeset
//!   (`nl_langinfo(CODESET)`, `'UTF-8'` under `C.UTF-8`) for
//!   `encoding='locale'`, and for no encoding outside the UTF-8 mode, in
//!   C. RustPython 0.5's imports the `locale` module and asks it, each
//!   interpreter's first time: a fifth of a second of an unoptimised
//!   build, and a `locale.py` of the client's own would answer. Here the
//!   codeset the process settled on when it started (`process_locale`)
//!   is passed in their place, so `open(p).encoding` is CPython's string
//!   and no module is imported for it.
//! - **A descriptor.** `open(-2)` is "negative file descriptor" and a
//!   descriptor past a C int is not a path, once the mode is read (see
//!   `descriptor_refused`).
//! - **The arguments.** Both bind theirs as Argument Clinic binds them
//!   (`open` only checks them, then RustPython's opens): the buffer may
//!   be named, the flags are C ints (`line_buffering='x'` is
//!   refused, where RustPython took its truth), and a refusal is in
//!   CPython's words ("TextIOWrapper() argument 'encoding' must be str or
//!   None, not int"). Then RustPython's builds the wrapper.
//!
//! Left as RustPython's: an `errors` that names no handler is refused at
//! once ("unknown error handler name 'bogus'"); CPython's checks it only
//! in its development mode, and fails at the first character it cannot
//! code.

use super::clinic_signature::{c_int_argument, text_or_none_argument, Signature};
use super::codec_errors::named_as_given;
use super::methods::{self, argument_type_name};
use crate::process_locale::{self, ProcessLocale};
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyStr, PyType};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `TextIOWrapper.__init__` slot.
static ORIGINAL_INIT: OnceLock<Option<methods::InitSlot>> = OnceLock::new();

/// `_io.TextIOWrapper.__init__` as Argument Clinic declares it.
const SIGNATURE: Signature = Signature {
    function: "TextIOWrapper",
    parameters: &[
        "buffer",
        "encoding",
        "errors",
        "newline",
        "line_buffering",
        "write_through",
    ],
    positional_only: 0,
    positional: 6,
    required: 1,
};

/// `_io.open` as Argument Clinic declares it.
const OPEN: Signature = Signature {
    function: "open",
    parameters: &[
        "file",
        "mode",
        "buffering",
        "encoding",
        "errors",
        "newline",
        "closefd",
        "opener",
    ],
    positional_only: 0,
    positional: 8,
    required: 1,
};

/// `open(file, mode, buffering, encoding, errors, newline, closefd,
/// opener)`: its arguments bound and converted as CPython's are, each
/// refused in CPython's words and order, before RustPython's opens the
/// file (which took none of them by CPython's rules: "Expected type 'str'
/// but 'int' found.").
pub(super) fn open(own: &'static dyn PyNativeFn, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    // The common call, `open(path)` or `open(path, mode)`, is read in
    // place: only the mode has a conversion to check.
    if args.kwargs.is_empty() && (1..=2).contains(&args.args.len()) {
        if let Some(mode) = args.args.get(1) {
            checked_mode(mode, vm)?;
        }
        let file = args.args.first().cloned();
        return own(vm, args).map_err(|error| descriptor_refused(file, error, vm));
    }
    let bound = OPEN.bind(args.clone(), vm)?;
    let argument = |at: usize| bound.get(at).cloned().flatten();
    if let Some(mode) = argument(1) {
        checked_mode(&mode, vm)?;
    }
    if let Some(buffering) = argument(2) {
        c_int_argument(&buffering, vm)?;
    }
    for (at, name) in [(3, "encoding"), (4, "errors"), (5, "newline")] {
        text_or_none_argument("open", name, argument(at), vm)?;
    }
    if let Some(closefd) = argument(6) {
        c_int_argument(&closefd, vm)?;
    }
    let file = argument(0);
    own(vm, args).map_err(|error| descriptor_refused(file, error, vm))
}

/// `error`, where `file` is an int, as `FileIO` refuses it, once the mode
/// has been read: a negative one is "negative file descriptor" (RustPython
/// asked the system about it: EBADF), and one past a C int is read as a
/// path, which it is not (RustPython: "Python int too large to convert to
/// Rust i32").
fn descriptor_refused(
    file: Option<PyObjectRef>,
    error: PyBaseExceptionRef,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    // `PyUnicode_FSConverter`'s words for a str or bytes path with a NUL
    // in it; RustPython: "embedded null character".
    if error.class().is(vm.ctx.exceptions.value_error)
        && error
            .as_object()
            .str(vm)
            .is_ok_and(|text| text.as_bytes() == b"embedded null character")
    {
        return vm.new_value_error("embedded null byte".to_owned());
    }
    let Some(number) = file.as_ref().and_then(|file| file.downcast_ref::<PyInt>()) else {
        return error;
    };
    let refused_by = |class: &'static Py<PyType>| error.class().is(class);
    match number.as_bigint().to_i32() {
        None if refused_by(vm.ctx.exceptions.overflow_error) => {
            vm.new_type_error("expected str, bytes or os.PathLike object, not int".to_owned())
        }
        Some(descriptor) if descriptor < 0 && refused_by(vm.ctx.exceptions.os_error) => {
            vm.new_value_error("negative file descriptor".to_owned())
        }
        _ => error,
    }
}

/// `open()`'s `mode`, a `str` converter: a str without NUL.
fn checked_mode(mode: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let mode = methods::string_argument("open", "mode", Some(mode), vm)?;
    mode.map_or(Ok(()), |mode| methods::c_string_argument(mode, vm))
}

/// Puts the replacement in front of `TextIOWrapper`'s init slot, once per
/// process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let class = methods::class_of_module(vm, "_io", "TextIOWrapper")?;
    ORIGINAL_INIT.get_or_init(|| {
        let original = class.slots.init.load()?;
        methods::define_init(vm, class, init);
        Some(original)
    });
    Ok(())
}

/// The arguments bound and converted as CPython's are, then passed by
/// position to RustPython's.
fn init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let original = *methods::kept(&ORIGINAL_INIT, "TextIOWrapper", vm)?;
    let mut bound = SIGNATURE.bind(args, vm)?.into_iter();
    let mut next = || bound.next().flatten();
    let Some(buffer) = next() else {
        return Err(vm.new_type_error(
            "TextIOWrapper() missing required argument 'buffer' (pos 1)".to_owned(),
        ));
    };
    let encoding = text_or_none_argument("TextIOWrapper", "encoding", next(), vm)?;
    let errors = next();
    let newline = text_or_none_argument("TextIOWrapper", "newline", next(), vm)?;
    let flag = |value: Option<PyObjectRef>| -> PyResult<PyObjectRef> {
        let set = match value {
            Some(value) => c_int_argument(&value, vm)? != 0,
            None => false,
        };
        Ok(vm.ctx.new_bool(set).into())
    };
    let line_buffering = flag(next())?;
    let write_through = flag(next())?;
    if let Some(errors) = &errors {
        if !vm.is_none(errors) && errors.downcast_ref::<PyStr>().is_none() {
            return Err(vm.new_type_error(format!(
                "TextIOWrapper() argument 'errors' must be str or None, not {}",
                argument_type_name(errors, vm)
            )));
        }
    }
    let encoding = match (encoding, process_locale::settled()) {
        (Some(name), Some(locale)) if is_locale(&name) => Some(codeset(locale, vm)),
        (None, Some(locale)) if !locale.utf8_mode => Some(codeset(locale, vm)),
        (encoding, _) => encoding,
    };
    let none = || vm.ctx.none();
    let positional = vec![
        buffer.clone(),
        encoding.clone().unwrap_or_else(none),
        errors.unwrap_or_else(none),
        newline.clone().unwrap_or_else(none),
        line_buffering,
        write_through,
    ];
    original(zelf, FuncArgs::from(positional), vm).map_err(|error| {
        // Only a refused call is asked again, in CPython's order.
        let asked = match answers_both_ways(&buffer, vm) {
            true => Ok(()),
            false => asked_in_cpython_order(&buffer, encoding.as_ref(), newline.as_ref(), vm),
        };
        named_as_given(asked.err().unwrap_or(error), encoding.as_deref(), vm)
    })
}

/// Whether `buffer` has `readable` and `writable`, as every buffer has.
fn answers_both_ways(buffer: &PyObjectRef, vm: &VirtualMachine) -> bool {
    ["readable", "writable"]
        .into_iter()
        .all(|name| matches!(vm.get_attribute_opt(buffer.clone(), name), Ok(Some(_))))
}

/// What CPython's asks before RustPython's first look at the buffer (its
/// `seekable()`), for a buffer that is not one and that RustPython's has
/// refused: the newline, the codec (an unknown or a bytes-to-bytes one
/// is refused), then the buffer's `readable` and `writable`.
fn asked_in_cpython_order(
    buffer: &PyObjectRef,
    encoding: Option<&PyObjectRef>,
    newline: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if let Some(newline) = newline.and_then(|newline| newline.downcast_ref::<PyStr>()) {
        if !matches!(newline.as_wtf8().as_bytes(), b"" | b"\n" | b"\r" | b"\r\n") {
            return Err(vm.new_value_error(format!("illegal newline value: {}", newline.as_wtf8())));
        }
    }
    let name = encoding
        .and_then(|encoding| {
            encoding
                .downcast_ref::<PyStr>()?
                .to_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "utf-8".to_owned());
    let codec = vm
        .state
        .codec_registry
        .lookup(&name, vm)
        .map_err(|error| named_as_given(error, encoding.map(|e| &**e), vm))?;
    if !codec.is_text_codec(vm)? {
        return Err(vm.new_lookup_error(format!(
            "'{name}' is not a text encoding; use codecs.open() to handle arbitrary codecs"
        )));
    }
    for name in ["readable", "writable"] {
        vm.call_method(buffer, name, ())?;
    }
    Ok(())
}

fn is_locale(encoding: &PyObjectRef) -> bool {
    encoding
        .downcast_ref::<PyStr>()
        .is_some_and(|name| name.as_wtf8() == "locale")
}

/// The codeset `locale.getencoding()` gives.
fn codeset(locale: &ProcessLocale, vm: &VirtualMachine) -> PyObjectRef {
    vm.ctx.new_str(locale.codeset.as_str()).into()
}
