//! `str` methods that RustPython 0.5 gets wrong beyond ASCII.
//!
//! RustPython keeps a string as (WTF-8) bytes, and three methods count or
//! cut those bytes where CPython counts characters:
//!
//! - `zfill` padded to a width in bytes: `'é'.zfill(3)` was `'0é'`, not
//!   `'00é'`;
//! - `replace` with an empty pattern inserted between the bytes of a
//!   character and failed: `'ß'.replace('', 'x')` raised
//!   `UnicodeDecodeError` where CPython gives `'xßx'`;
//! - `count('')` counted the places between bytes: `'ééé'.count('')` was
//!   7, not 4.
//!
//! And `isdigit` knew only the ASCII digits and the superscripts (`'٣'`,
//! an Arabic-Indic three, was no digit); it now asks CPython 3.11's
//! digits ([`oxrpc_pyfmt::is_digit`]).
//!
//! Those methods of the `str` type are replaced once per process (the type
//! is shared by every interpreter) by ones that do what CPython's do on
//! text that is not ASCII, and call RustPython's for everything else
//! (ASCII text, a pattern that is not empty), where RustPython's are right.

use rustpython_vm::builtins::{PyStr, PyStrRef};
use rustpython_vm::common::wtf8::{CodePoint, Wtf8Buf};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, TryFromObject, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own methods, for the calls they get right.
struct Originals {
    replace: PyObjectRef,
    count: PyObjectRef,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| replace_methods(vm));
    Ok(())
}

fn replace_methods(vm: &VirtualMachine) -> Option<Originals> {
    let str_type = vm.ctx.types.str_type;
    let original = |name: &str| str_type.get_attr(vm.ctx.intern_str(name));
    let originals = Originals {
        replace: original("replace")?,
        count: original("count")?,
    };
    let methods: [(&'static str, PyObjectRef); 4] = [
        ("zfill", vm.new_method("zfill", str_type, zfill).into()),
        (
            "replace",
            vm.new_method("replace", str_type, replace).into(),
        ),
        ("count", vm.new_method("count", str_type, count).into()),
        (
            "isdigit",
            vm.new_method("isdigit", str_type, isdigit).into(),
        ),
    ];
    for (name, method) in methods {
        str_type.set_attr(vm.ctx.intern_str(name), method);
    }
    Some(originals)
}

/// Calls RustPython's method that `method` picks, on `zelf` and `args`.
fn original(
    zelf: PyObjectRef,
    mut args: FuncArgs,
    vm: &VirtualMachine,
    method: impl FnOnce(&Originals) -> &PyObjectRef,
) -> PyResult {
    let Some(originals) = ORIGINALS.get().and_then(Option::as_ref) else {
        return Err(vm.new_runtime_error("str methods are not set up".to_owned()));
    };
    args.prepend_arg(zelf);
    method(originals).call(args, vm)
}

/// CPython's `str.zfill`: zeros on the left up to `width` characters,
/// after the sign when the text starts with one.
fn zfill(zelf: PyStrRef, width: isize, vm: &VirtualMachine) -> PyResult {
    let length = zelf.char_len();
    let fill = usize::try_from(width).unwrap_or(0).saturating_sub(length);
    if fill == 0 {
        // CPython returns the string itself, or an exact copy of a subclass.
        return Ok(if zelf.class().is(vm.ctx.types.str_type) {
            zelf.into()
        } else {
            vm.ctx.new_str(zelf.as_wtf8().to_owned()).into()
        });
    }
    let text = zelf.as_wtf8();
    let mut padded = Wtf8Buf::with_capacity(text.len() + fill);
    let mut points = text.code_points().peekable();
    if let Some(sign) = points.next_if(|c| *c == CodePoint::from('+') || *c == CodePoint::from('-'))
    {
        padded.push(sign);
    }
    for _ in 0..fill {
        padded.push(CodePoint::from('0'));
    }
    for point in points {
        padded.push(point);
    }
    Ok(vm.ctx.new_str(padded).into())
}

/// `str.replace`: CPython's for an empty pattern in text beyond ASCII,
/// RustPython's otherwise.
fn replace(zelf: PyStrRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if let (false, [old, new, rest @ ..], true) =
        (zelf.isascii(), args.args.as_slice(), args.kwargs.is_empty())
    {
        if let (Some(old), Some(new), [] | [_]) = (
            old.downcast_ref::<PyStr>(),
            new.downcast_ref::<PyStr>(),
            rest,
        ) {
            if old.as_wtf8().is_empty() {
                let count = match rest.first() {
                    Some(count) => isize::try_from_object(vm, count.clone())?,
                    None => -1,
                };
                return Ok(vm.ctx.new_str(interleave(&zelf, new, count)).into());
            }
        }
    }
    original(zelf.into(), args, vm, |originals| &originals.replace)
}

/// `text` with `separator` before each of its first `count` characters
/// and, when `count` reaches past them (or is negative), after the last:
/// CPython's replacement of the empty string.
fn interleave(text: &PyStr, separator: &PyStr, count: isize) -> Wtf8Buf {
    let places = text.char_len() + 1;
    let inserts = usize::try_from(count).map_or(places, |count| count.min(places));
    let separator = separator.as_wtf8();
    let mut joined = Wtf8Buf::with_capacity(text.as_wtf8().len() + inserts * separator.len());
    for (at, point) in text.as_wtf8().code_points().enumerate() {
        if at < inserts {
            joined.push_wtf8(separator);
        }
        joined.push(point);
    }
    if inserts == places {
        joined.push_wtf8(separator);
    }
    joined
}

/// `str.count`: for the empty string in text beyond ASCII, RustPython's
/// count over ASCII text of as many characters (where its bytes are
/// characters), so that the bounds are read as RustPython reads them.
fn count(zelf: PyStrRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let counts_empty = args
        .args
        .first()
        .and_then(|sub| sub.downcast_ref::<PyStr>())
        .is_some_and(|sub| sub.as_wtf8().is_empty());
    if counts_empty && !zelf.isascii() {
        let stand_in = vm.ctx.new_str("a".repeat(zelf.char_len()));
        return original(stand_in.into(), args, vm, |originals| &originals.count);
    }
    original(zelf.into(), args, vm, |originals| &originals.count)
}

/// CPython's `str.isdigit`: not empty, and every character a digit.
fn isdigit(zelf: PyStrRef) -> bool {
    let text = zelf.as_wtf8();
    !text.is_empty()
        && text
            .code_points()
            .all(|c| c.to_char().is_some_and(oxrpc_pyfmt::is_digit))
}
