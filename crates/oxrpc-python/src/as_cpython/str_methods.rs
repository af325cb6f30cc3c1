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
//! digits ([`oxrpc_pyfmt::is_digit`]). `isalpha`, `isalnum`, `isdecimal`,
//! `isnumeric` and `isidentifier` ask CPython 3.11's tables too
//! (Unicode 14.0): RustPython took vowel signs for letters, knew no CJK
//! numerals, and read identifiers by Unicode 10.0 (`'ՠ'` was none).
//! `isupper`, `islower` and `istitle` read each character's case from
//! them (RustPython's took modifier letters such as `'ʰ'` for lowercase
//! and knew letters Unicode 14.0 does not have). `swapcase` changed ASCII letters
//! only (`'À'.swapcase()` was `'À'`, `'ß'` stayed `'ß'`); it now applies
//! CPython 3.11's full case mappings and final sigma
//! ([`oxrpc_pyfmt::swapcase`]).
//!
//! Those methods of the `str` type are replaced once per process (the type
//! is shared by every interpreter) by ones that do what CPython's do.
//! `replace` and an unbounded `count` search as RustPython's did (its
//! `Wtf8` search), directly: they are called often, and a call through
//! RustPython's method cost a third more. `count` with bounds still calls
//! RustPython's, which reads them.

use super::methods;
use oxrpc_pyfmt::Case;
use rustpython_vm::builtins::{PyStr, PyStrRef};
use rustpython_vm::common::wtf8::{CodePoint, Wtf8Buf};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, FromArgs, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `str.count`, which reads a count's bounds.
static ORIGINAL_COUNT: OnceLock<Option<PyObjectRef>> = OnceLock::new();

/// Puts the methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL_COUNT.get_or_init(|| replace_methods(vm));
    Ok(())
}

fn replace_methods(vm: &VirtualMachine) -> Option<PyObjectRef> {
    let str_type = vm.ctx.types.str_type;
    let original_count = str_type.get_attr(vm.ctx.intern_str("count"))?;
    methods::define(vm, str_type, "zfill", zfill);
    methods::define(vm, str_type, "replace", replace);
    methods::define(vm, str_type, "count", count);
    methods::define(vm, str_type, "isdigit", isdigit);
    methods::define(vm, str_type, "isalpha", isalpha);
    methods::define(vm, str_type, "isalnum", isalnum);
    methods::define(vm, str_type, "isdecimal", isdecimal);
    methods::define(vm, str_type, "isnumeric", isnumeric);
    methods::define(vm, str_type, "isidentifier", isidentifier);
    methods::define(vm, str_type, "isupper", isupper);
    methods::define(vm, str_type, "islower", islower);
    methods::define(vm, str_type, "istitle", istitle);
    methods::define(vm, str_type, "swapcase", swapcase);
    Some(original_count)
}

/// RustPython's `str.count` on `zelf` and `args`.
fn original_count(zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(original) = ORIGINAL_COUNT.get().and_then(Option::as_ref) else {
        return Err(vm.new_runtime_error("str methods are not set up".to_owned()));
    };
    args.prepend_arg(zelf);
    original.call(args, vm)
}

/// CPython's `str.zfill`: zeros on the left up to `width` characters,
/// after the sign when the text starts with one.
fn zfill(zelf: PyStrRef, width: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let width = super::sized_allocations::index_argument(&width, vm)?;
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
    super::memory_bounds::refuse_past_memory((text.len() + fill) as u128, vm)?;
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

/// `str.replace`'s arguments, as RustPython takes them (`old` and `new`
/// by position, `count` also by name).
#[derive(FromArgs)]
struct ReplaceArgs {
    #[pyarg(positional)]
    old: PyStrRef,
    #[pyarg(positional)]
    new: PyStrRef,
    #[pyarg(any, default = -1)]
    count: isize,
}

/// `str.replace`, whole: an empty pattern as CPython replaces it, any
/// other as RustPython did (its own `Wtf8` search), with no call through
/// RustPython's method.
fn replace(zelf: PyStrRef, args: ReplaceArgs, vm: &VirtualMachine) -> PyResult<Wtf8Buf> {
    let ReplaceArgs { old, new, count } = args;
    let text = zelf.as_wtf8();
    let (old, new_text) = (old.as_wtf8(), new.as_wtf8());
    let replacement = super::sized_allocations::Replacement {
        text_length: text.len(),
        // Only the empty string's occurrences are counted in characters.
        points: if old.is_empty() { zelf.char_len() } else { 0 },
        old_length: old.len(),
        new_length: new_text.len(),
        count,
    };
    replacement.refuse_past_memory("replace string is too long", vm, |limit| {
        super::sized_allocations::occurrences(text.as_bytes(), old.as_bytes(), limit)
    })?;
    if old.is_empty() {
        return Ok(interleave(&zelf, &new, count));
    }
    Ok(match usize::try_from(count) {
        Err(_) => text.replace(old, new_text),
        Ok(0) => text.to_owned(),
        Ok(count) => text.replacen(old, new_text, count),
    })
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

/// `str.count`. Without bounds (the usual call) it counts here, as
/// RustPython does, but the empty string once per character and once
/// more; with bounds, RustPython's count reads them, over ASCII text of as
/// many characters (where its bytes are characters) when the empty string
/// is counted in text beyond ASCII.
fn count(zelf: PyStrRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let sub = args
        .args
        .first()
        .and_then(|sub| sub.downcast_ref::<PyStr>());
    if let (Some(sub), 1, true) = (sub, args.args.len(), args.kwargs.is_empty()) {
        let sub = sub.as_wtf8();
        let found = if sub.is_empty() {
            zelf.char_len() + 1
        } else {
            zelf.as_wtf8().find_iter(sub).count()
        };
        return Ok(vm.ctx.new_int(found).into());
    }
    if sub.is_some_and(|sub| sub.as_wtf8().is_empty()) && !zelf.isascii() {
        let stand_in = vm.ctx.new_str("a".repeat(zelf.char_len()));
        return original_count(stand_in.into(), args, vm);
    }
    original_count(zelf.into(), args, vm)
}

/// Whether `zelf` is not empty and every character passes: `ascii` for
/// ASCII text, `unicode` otherwise (a lone surrogate never passes).
fn every_char(zelf: &PyStr, ascii: fn(&u8) -> bool, unicode: fn(char) -> bool) -> bool {
    let text = zelf.as_wtf8();
    if zelf.isascii() {
        return !text.is_empty() && text.as_bytes().iter().all(ascii);
    }
    // The ASCII characters of mixed text skip the tables' search.
    !text.is_empty()
        && text.code_points().all(|c| match c.to_char() {
            Some(c) if c.is_ascii() => ascii(&(c as u8)),
            Some(c) => unicode(c),
            None => false,
        })
}

/// CPython's `str.isdigit`: not empty, and every character a digit.
fn isdigit(zelf: PyStrRef) -> bool {
    every_char(&zelf, u8::is_ascii_digit, oxrpc_pyfmt::is_digit)
}

/// CPython's `str.isalpha`: letters only (RustPython's took Unicode's
/// Alphabetic property: vowel signs, Roman numerals, circled letters).
fn isalpha(zelf: PyStrRef) -> bool {
    every_char(&zelf, u8::is_ascii_alphabetic, oxrpc_pyfmt::is_alpha)
}

/// CPython's `str.isalnum`: letters, digits and numeric characters.
fn isalnum(zelf: PyStrRef) -> bool {
    every_char(&zelf, u8::is_ascii_alphanumeric, oxrpc_pyfmt::is_alnum)
}

/// CPython's `str.isdecimal`, by Unicode 14.0's decimal digits.
fn isdecimal(zelf: PyStrRef) -> bool {
    every_char(&zelf, u8::is_ascii_digit, oxrpc_pyfmt::is_decimal)
}

/// CPython's `str.isnumeric`: CJK numerals included.
fn isnumeric(zelf: PyStrRef) -> bool {
    every_char(&zelf, u8::is_ascii_digit, oxrpc_pyfmt::is_numeric)
}

/// CPython's `str.isidentifier`, by Unicode 14.0's XID_Start and
/// XID_Continue (RustPython's tables are Unicode 10.0's).
fn isidentifier(zelf: PyStrRef) -> bool {
    let text = zelf.as_wtf8();
    let mut chars = text.code_points().map(CodePoint::to_char);
    match chars.next() {
        Some(Some(first)) if oxrpc_pyfmt::is_identifier_char(first, true) => {
            chars.all(|c| c.is_some_and(|c| oxrpc_pyfmt::is_identifier_char(c, false)))
        }
        _ => false,
    }
}

/// Each character's case (a lone surrogate has none).
fn cases(zelf: &PyStr) -> impl Iterator<Item = Case> + '_ {
    zelf.as_wtf8()
        .code_points()
        .map(|c| c.to_char().map_or(Case::None, oxrpc_pyfmt::case_of))
}

/// CPython's `str.isupper`: a cased character, and none lowercase or
/// titlecase.
fn isupper(zelf: PyStrRef) -> bool {
    if let Some(text) = zelf.to_str().filter(|text| text.is_ascii()) {
        return text.bytes().any(|b| b.is_ascii_uppercase())
            && !text.bytes().any(|b| b.is_ascii_lowercase());
    }
    let mut cased = false;
    for case in cases(&zelf) {
        match case {
            Case::Lower | Case::Title => return false,
            Case::Upper => cased = true,
            Case::None => {}
        }
    }
    cased
}

/// CPython's `str.islower`: a cased character, and none uppercase or
/// titlecase.
fn islower(zelf: PyStrRef) -> bool {
    if let Some(text) = zelf.to_str().filter(|text| text.is_ascii()) {
        return text.bytes().any(|b| b.is_ascii_lowercase())
            && !text.bytes().any(|b| b.is_ascii_uppercase());
    }
    let mut cased = false;
    for case in cases(&zelf) {
        match case {
            Case::Upper | Case::Title => return false,
            Case::Lower => cased = true,
            Case::None => {}
        }
    }
    cased
}

/// CPython's `str.istitle`: uppercase and titlecase characters only after
/// uncased ones, lowercase ones only after cased ones, and one cased.
fn istitle(zelf: PyStrRef) -> bool {
    let mut cased = false;
    let mut after_cased = false;
    for case in cases(&zelf) {
        match case {
            Case::Upper | Case::Title if after_cased => return false,
            Case::Lower if !after_cased => return false,
            Case::Upper | Case::Title | Case::Lower => {
                after_cased = true;
                cased = true;
            }
            Case::None => after_cased = false,
        }
    }
    cased
}

/// CPython's `str.swapcase`. A lone surrogate is neither cased nor
/// case-ignorable, so the text between surrogates is swapped piece by
/// piece and the surrogates kept.
fn swapcase(zelf: PyStrRef, vm: &VirtualMachine) -> PyResult {
    if let Some(ascii) = zelf.to_str().filter(|text| text.is_ascii()) {
        let swapped: String = ascii
            .chars()
            .map(|c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        return Ok(vm.ctx.new_str(swapped).into());
    }
    let mut swapped = Wtf8Buf::with_capacity(zelf.as_wtf8().len());
    let mut piece = String::new();
    for code_point in zelf.as_wtf8().code_points() {
        match code_point.to_char() {
            Some(c) => piece.push(c),
            None => {
                swapped.push_str(&oxrpc_pyfmt::swapcase(&piece));
                piece.clear();
                swapped.push(code_point);
            }
        }
    }
    swapped.push_str(&oxrpc_pyfmt::swapcase(&piece));
    Ok(vm.ctx.new_str(swapped).into())
}
