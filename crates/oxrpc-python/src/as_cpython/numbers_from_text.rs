//! `int()` and `complex()` of text, read as CPython 3.11 reads it.
//!
//! CPython turns every Unicode decimal digit into its ASCII digit and every
//! whitespace character into a space before it parses
//! (`_PyUnicode_TransformDecimalAndSpaceToASCII`): `int('١٢')` and
//! `int('１２')` are 12, `int('１２', 16)` is 18, `complex('１+２j')` is
//! `(1+2j)`. RustPython 0.5 refused all of them; its `float()` already
//! read them. And RustPython's own parsers differed on ASCII text:
//!
//! - `int('-', 0)` and `int('+', 0)` were 0, where CPython refuses a sign
//!   alone;
//! - a text refused in base 0 was said to be refused "with base 10" (or
//!   16, 8, 2, the base its prefix named): CPython names the base given;
//! - `complex('9 j')` was `9j`: CPython takes whitespace only around the
//!   number and inside its parentheses;
//! - a misplaced underscore in `complex()`'s text (`'1__0'`, `'a_'`) is
//!   "could not convert string to complex: '1__0'" in CPython, not
//!   "complex() arg is a malformed string".
//!
//! The two types' constructor slots (shared by every interpreter) are
//! replaced once per process by ones that check those cases and hand
//! RustPython's the text so turned; a refusal names the text as given.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyBytes, PyInt, PyStr, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type Constructor = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// RustPython's `int` and `complex` constructors.
static ORIGINALS: OnceLock<Option<(Constructor, Constructor)>> = OnceLock::new();

/// Puts the constructors in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let originals = (
            types.int_type.slots.new.load()?,
            types.complex_type.slots.new.load()?,
        );
        types.int_type.slots.new.store(Some(new_int));
        types.complex_type.slots.new.store(Some(new_complex));
        Some(originals)
    });
    Ok(())
}

fn new_int(class: PyTypeRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(Some((original, _))) = ORIGINALS.get() else {
        return Err(vm.new_runtime_error("int() is not set up".to_owned()));
    };
    // Only text is read here; numbers go straight to RustPython's.
    let Some(given) = args
        .args
        .first()
        .filter(|first| {
            first.downcast_ref::<PyStr>().is_some() || first.downcast_ref::<PyBytes>().is_some()
        })
        .cloned()
    else {
        return original(class, args, vm);
    };
    let base_zero = base_is_zero(&args, vm);
    let refused = |base: &str| invalid_literal(base, &given, vm);
    if base_zero && sign_alone(&given) {
        return Err(refused("0"));
    }
    as_ascii(&mut args, vm);
    original(class, args, vm).map_err(|error| {
        if !is_invalid_literal(&error, vm) {
            return error;
        }
        match base_named(&error, vm) {
            Some(_) if base_zero => refused("0"),
            Some(base) => refused(&base),
            None => error,
        }
    })
}

fn new_complex(class: PyTypeRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(Some((_, original))) = ORIGINALS.get() else {
        return Err(vm.new_runtime_error("complex() is not set up".to_owned()));
    };
    let given = args.args.first().cloned();
    as_ascii(&mut args, vm);
    let text = args
        .args
        .first()
        .and_then(|first| first.downcast_ref_if_exact::<PyStr>(vm))
        .and_then(|text| text.to_str().map(str::to_owned));
    if let (Some(text), Some(given)) = (text, given) {
        if text.contains('_') && !oxrpc_pyfmt::underscores_between_digits(&text) {
            let shown = given.repr(vm)?;
            return Err(vm.new_value_error(format!(
                "could not convert string to complex: {}",
                shown.as_wtf8()
            )));
        }
        if has_inner_space(&text) {
            return Err(vm.new_value_error("complex() arg is a malformed string"));
        }
    }
    original(class, args, vm)
}

/// Turns the first argument, when it is a `str` (not a subclass, whose
/// `__int__` would come first) beyond ASCII, into CPython's ASCII
/// reading of it.
fn as_ascii(args: &mut FuncArgs, vm: &VirtualMachine) {
    let Some(first) = args.args.first_mut() else {
        return;
    };
    let Some(text) = first
        .downcast_ref_if_exact::<PyStr>(vm)
        .filter(|text| !text.isascii())
        .and_then(|text| text.to_str())
    else {
        return;
    };
    let ascii = oxrpc_pyfmt::digits_and_spaces_as_ascii(text).into_owned();
    *first = vm.ctx.new_str(ascii).into();
}

/// Whether the call's base is 0 (the text's prefix decides it).
fn base_is_zero(args: &FuncArgs, vm: &VirtualMachine) -> bool {
    let base = args.args.get(1).or_else(|| args.kwargs.get("base"));
    base.and_then(|base| base.downcast_ref_if_exact::<PyInt>(vm))
        .is_some_and(|base| num_traits::Zero::is_zero(base.as_bigint()))
}

/// Whether `given` (text or bytes) is a sign alone, whitespace around it.
fn sign_alone(given: &PyObjectRef) -> bool {
    let is_sign = |text: &[u8]| matches!(text.trim_ascii(), b"+" | b"-");
    if let Some(text) = given.downcast_ref::<PyStr>() {
        let text = oxrpc_pyfmt::digits_and_spaces_as_ascii(text.to_str().unwrap_or_default());
        return is_sign(text.as_bytes());
    }
    given
        .downcast_ref::<PyBytes>()
        .is_some_and(|bytes| is_sign(bytes.as_bytes()))
}

fn is_invalid_literal(error: &PyBaseExceptionRef, vm: &VirtualMachine) -> bool {
    base_named(error, vm).is_some()
}

/// The base RustPython's "invalid literal" refusal names.
fn base_named(error: &PyBaseExceptionRef, vm: &VirtualMachine) -> Option<String> {
    let message = super::error_text::text_of(error, vm.ctx.exceptions.value_error, vm)?;
    let (prefix, _) = message.split_once(": ")?;
    prefix
        .strip_prefix("invalid literal for int() with base ")
        .map(str::to_owned)
}

/// CPython's refusal: the base given, and the text as given, its repr
/// cut to 200 characters (`%.200R`).
fn invalid_literal(base: &str, given: &PyObjectRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let shown: String = match given.repr(vm) {
        Ok(shown) => shown.as_wtf8().to_string().chars().take(200).collect(),
        Err(error) => return error,
    };
    vm.new_value_error(format!(
        "invalid literal for int() with base {base}: {shown}"
    ))
}

/// Whitespace where `complex()` takes none: anywhere but around the
/// number and just inside its parentheses.
fn has_inner_space(text: &str) -> bool {
    // C's isspace, which CPython's parser asks (vertical tab included).
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r');
    let mut body = text.trim_matches(space);
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        body = inner.trim_matches(space);
    }
    body.contains(space)
}
