//! `codecs.utf_16_decode`, `utf_16_le_encode` and their kin (UTF-16 and
//! UTF-32, each byte order, `_ex_decode`), which the incremental codecs,
//! the stream readers and writers and `TextIOWrapper` call, done here for
//! what they take whole.
//!
//! RustPython 0.5 runs them as Python code (`_pycodecs`): reading a
//! 13 KB UTF-16 file through `TextIOWrapper` took 6 ms where CPython
//! takes 0.01. `str.encode` and `bytes.decode` already go around them
//! (`text_codec_fast_path`); these are the functions themselves. Each
//! call whose arguments are plain (positional, a bytes-like object or a
//! string, an order that is a C int) is answered here, as CPython answers
//! it: bytes read up to a trailing incomplete unit or high surrogate
//! (left for the next call unless it is the last), what cannot be read
//! refused or handled by `strict`, `replace`, `ignore` or
//! `backslashreplace` (`utf16_utf32`), text without surrogates written.
//! Anything else (another handler at an error, a surrogate to encode)
//! goes to RustPython's function.

use super::error_callbacks::{DecodeCallback, EncodeCallback, Replacement};
use super::utf16_utf32::{self, Handler, Order, Width};
use rustpython_vm::builtins::{PyInt, PyStr, PyStrRef};
use rustpython_vm::common::wtf8::Wtf8Buf;
use rustpython_vm::convert::TryFromObject;
use rustpython_vm::function::{ArgBytesLike, FuncArgs};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// Which byte order a function reads or writes in.
#[derive(Clone, Copy)]
enum Ordering {
    /// The one its name gives.
    Fixed(Order),
    /// A byte order mark's, else little-endian (`utf_16_decode`), or (to
    /// encode) a mark then little-endian unless the call gives an order.
    Marked,
    /// The order argument's, a mark's where it is 0, answered with the
    /// order read (`utf_16_ex_decode`).
    Answered,
}

/// The functions done here: name, width, order, decoding.
const FUNCTIONS: [(&str, Width, Ordering, bool); 14] = [
    ("utf_16_decode", Width::Utf16, Ordering::Marked, true),
    (
        "utf_16_le_decode",
        Width::Utf16,
        Ordering::Fixed(Order::Little),
        true,
    ),
    (
        "utf_16_be_decode",
        Width::Utf16,
        Ordering::Fixed(Order::Big),
        true,
    ),
    ("utf_16_ex_decode", Width::Utf16, Ordering::Answered, true),
    ("utf_32_decode", Width::Utf32, Ordering::Marked, true),
    (
        "utf_32_le_decode",
        Width::Utf32,
        Ordering::Fixed(Order::Little),
        true,
    ),
    (
        "utf_32_be_decode",
        Width::Utf32,
        Ordering::Fixed(Order::Big),
        true,
    ),
    ("utf_32_ex_decode", Width::Utf32, Ordering::Answered, true),
    ("utf_16_encode", Width::Utf16, Ordering::Marked, false),
    (
        "utf_16_le_encode",
        Width::Utf16,
        Ordering::Fixed(Order::Little),
        false,
    ),
    (
        "utf_16_be_encode",
        Width::Utf16,
        Ordering::Fixed(Order::Big),
        false,
    ),
    ("utf_32_encode", Width::Utf32, Ordering::Marked, false),
    (
        "utf_32_le_encode",
        Width::Utf32,
        Ordering::Fixed(Order::Little),
        false,
    ),
    (
        "utf_32_be_encode",
        Width::Utf32,
        Ordering::Fixed(Order::Big),
        false,
    ),
];

/// Puts the functions in `_codecs` and `codecs` of this interpreter, each
/// going to RustPython's own for what it does not answer.
pub(super) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let codecs = vm.import("_codecs", 0)?;
    let mut made = Vec::new();
    for (name, width, ordering, decoding) in FUNCTIONS {
        let Ok(own) = codecs.get_attr(name, vm) else {
            continue;
        };
        let function = move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            let answer = if decoding {
                decoded(&args, width, ordering, vm)
            } else {
                encoded(&args, width, ordering, vm)
            };
            match answer {
                Some(answer) => answer,
                None => own.call(args, vm),
            }
        };
        made.push((name, vm.new_function(name, function)));
    }
    for module in ["_codecs", "codecs"] {
        let module = vm.import(module, 0)?;
        for (name, function) in &made {
            module.set_attr(*name, function.clone(), vm)?;
        }
    }
    Ok(())
}

/// The positional arguments of a plain call: `least` to `most` of them,
/// no keywords.
fn plain(args: &FuncArgs, least: usize, most: usize) -> Option<&[PyObjectRef]> {
    (args.kwargs.is_empty() && (least..=most).contains(&args.args.len()))
        .then_some(args.args.as_slice())
}

/// An order argument, a C int as CPython reads it (an int, not a bool):
/// 0 for a mark, below 0 little-endian, above big-endian.
fn order_argument(value: Option<&PyObjectRef>, vm: &VirtualMachine) -> Option<i32> {
    let Some(value) = value else {
        return Some(0);
    };
    if !value.class().is(vm.ctx.types.int_type) {
        return None;
    }
    value.downcast_ref::<PyInt>()?.try_to_primitive(vm).ok()
}

/// `(text, consumed[, order])` or CPython's UnicodeDecodeError (with the
/// `strict`, `replace`, `ignore` and `backslashreplace` handlers), or
/// None where RustPython's function must answer.
fn decoded(
    args: &FuncArgs,
    width: Width,
    ordering: Ordering,
    vm: &VirtualMachine,
) -> Option<PyResult> {
    let most = if matches!(ordering, Ordering::Answered) {
        4
    } else {
        3
    };
    let args = plain(args, 1, most)?;
    let buffer = ArgBytesLike::try_from_object(vm, args[0].clone()).ok()?;
    let errors = args.get(1);
    if errors.is_some_and(|errors| !vm.is_none(errors) && errors.downcast_ref::<PyStr>().is_none())
    {
        return None;
    }
    let (given_order, last) = match ordering {
        Ordering::Answered => (order_argument(args.get(2), vm)?, args.get(3)),
        _ => (0, args.get(2)),
    };
    // `final` is taken as CPython takes it: an int (a bool among them).
    let last = match last {
        Some(last) if last.fast_isinstance(vm.ctx.types.int_type) => {
            last.clone().try_to_bool(vm).ok()?
        }
        Some(_) => return None,
        None => false,
    };
    let unit = match width {
        Width::Utf16 => 2,
        Width::Utf32 => 4,
    };
    let bytes = buffer.borrow_buf();
    let (little, big): (&[u8], &[u8]) = match width {
        Width::Utf16 => (b"\xff\xfe", b"\xfe\xff"),
        Width::Utf32 => (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"),
    };
    // The order, and how many bytes a mark takes.
    let (order, mark, answered) = match ordering {
        Ordering::Fixed(order) => (order, 0, 0),
        Ordering::Answered if given_order != 0 => (
            if given_order < 0 {
                Order::Little
            } else {
                Order::Big
            },
            0,
            given_order,
        ),
        _ if bytes.starts_with(little) => (Order::Little, unit, -1),
        _ if bytes.starts_with(big) => (Order::Big, unit, 1),
        _ => (Order::Little, 0, 0),
    };
    let errors = errors
        .filter(|errors| !vm.is_none(errors))
        .and_then(|errors| errors.downcast_ref::<PyStr>())
        .map(|errors| errors.as_wtf8().to_string())
        .unwrap_or_else(|| "strict".to_owned());
    let handler = match errors.as_str() {
        "strict" => Some(Handler::Refuse),
        "replace" => Some(Handler::Replace),
        "ignore" => Some(Handler::Ignore),
        "backslashreplace" => Some(Handler::BackslashReplace),
        _ => None,
    };
    // The mark, where there is one to read, is read (and counted) there.
    let read_order = (mark == 0).then_some(order);
    let read = utf16_utf32::decode_some(
        &bytes,
        width,
        read_order,
        handler.unwrap_or(Handler::Refuse),
        last,
    );
    let (text, end) = match read {
        Ok((text, end)) => (Wtf8Buf::from_string(text), end),
        Err(undecodable) if handler == Some(Handler::Refuse) => {
            return Some(Err(vm.new_unicode_decode_error_real(
                vm.ctx.new_str(undecodable.encoding),
                vm.ctx.new_bytes(bytes.to_vec()),
                undecodable.start,
                undecodable.end,
                vm.ctx.new_str(undecodable.reason),
            )))
        }
        Err(_) => match asking_the_handler(&bytes, mark, (width, order, last), errors, vm) {
            Ok(read) => read,
            Err(error) => return Some(Err(error)),
        },
    };
    let text = vm.ctx.new_str(text);
    Some(Ok(match ordering {
        Ordering::Answered => vm.new_tuple((text, end, answered)).into(),
        _ => vm.new_tuple((text, end)).into(),
    }))
}

/// `bytes` read from `start` in `order`, each place that cannot be read
/// handed to the handler named `errors` (one written in Python, or
/// another than those `utf16_utf32` makes); the text and where reading
/// stopped.
fn asking_the_handler(
    bytes: &[u8],
    start: usize,
    (width, order, last): (Width, Order, bool),
    errors: String,
    vm: &VirtualMachine,
) -> PyResult<(Wtf8Buf, usize)> {
    let mut callback = DecodeCallback::new(errors);
    let mut text = Wtf8Buf::new();
    let mut position = start;
    let read = |from: usize, to: usize, last: bool| {
        utf16_utf32::decode_some(
            bytes.get(from..to).unwrap_or_default(),
            width,
            Some(order),
            Handler::Refuse,
            last,
        )
    };
    loop {
        match read(position, bytes.len(), last) {
            Ok((rest, read_up_to)) => {
                text.push_str(&rest);
                return Ok((text, position + read_up_to));
            }
            Err(undecodable) => {
                let (first, stop) = (position + undecodable.start, position + undecodable.end);
                // What comes before the place reads: it read up to there.
                if let Ok((before, _)) = read(position, first, true) {
                    text.push_str(&before);
                }
                let answer = callback.call(
                    undecodable.encoding,
                    bytes,
                    (first, stop),
                    undecodable.reason,
                    vm,
                )?;
                text.push_wtf8(answer.replacement.as_wtf8());
                position = answer.next;
            }
        }
    }
}

/// `(bytes, len(text))` or the error CPython's encoder raises, or None
/// where RustPython's function must answer.
fn encoded(
    args: &FuncArgs,
    width: Width,
    ordering: Ordering,
    vm: &VirtualMachine,
) -> Option<PyResult> {
    let most = if matches!(ordering, Ordering::Marked) {
        3
    } else {
        2
    };
    let args = plain(args, 1, most)?;
    let text = args[0].downcast_ref::<PyStr>()?.to_owned();
    let errors = match args.get(1) {
        Some(errors) if !vm.is_none(errors) => {
            errors.downcast_ref::<PyStr>()?.as_wtf8().to_string()
        }
        _ => "strict".to_owned(),
    };
    let (order, given) = match ordering {
        Ordering::Fixed(Order::Little) => (Some(Order::Little), -1),
        Ordering::Fixed(Order::Big) => (Some(Order::Big), 1),
        Ordering::Marked => match order_argument(args.get(2), vm)? {
            0 => (None, 0),
            given if given < 0 => (Some(Order::Little), given),
            given => (Some(Order::Big), given),
        },
        // No encoding function answers an order.
        Ordering::Answered => return None,
    };
    let length = text.char_len();
    if let Some(plain_text) = text.to_str() {
        let bytes = utf16_utf32::encode(plain_text, width, order);
        return Some(Ok(vm.new_tuple((vm.ctx.new_bytes(bytes), length)).into()));
    }
    Some(with_surrogates(&text, width, order, given, errors, vm))
}

/// `text`, which has surrogates, written as CPython's encoder writes it:
/// each surrogate handed to the handler alone ("surrogates not allowed"),
/// whose bytes must be whole code units and whose text ASCII.
fn with_surrogates(
    text: &PyStrRef,
    width: Width,
    order: Option<Order>,
    given: i32,
    errors: String,
    vm: &VirtualMachine,
) -> PyResult {
    let (unit, family) = match width {
        Width::Utf16 => (2, "utf-16"),
        Width::Utf32 => (4, "utf-32"),
    };
    let encoding = match given {
        -1 => format!("{family}-le"),
        1 => format!("{family}-be"),
        _ => family.to_owned(),
    };
    let order_written = order.unwrap_or(Order::Little);
    let write = |bytes: &mut Vec<u8>, piece: &str| {
        let piece = utf16_utf32::encode(piece, width, Some(order_written));
        bytes.extend_from_slice(&piece);
    };
    let mut bytes = Vec::new();
    if order.is_none() {
        write(&mut bytes, "\u{FEFF}");
    }
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .map(|point| point.to_u32())
        .collect();
    let mut callback = EncodeCallback::new(errors);
    let reason = "surrogates not allowed";
    let mut position = 0;
    while let Some(&point) = points.get(position) {
        if let Some(character) = char::from_u32(point) {
            write(&mut bytes, character.encode_utf8(&mut [0; 4]));
            position += 1;
            continue;
        }
        let range = (position, position + 1);
        let (replacement, next) = callback.call(&encoding, text, range, reason, vm)?;
        match replacement {
            Replacement::Bytes(piece) if piece.len() % unit == 0 => {
                bytes.extend_from_slice(&piece);
            }
            Replacement::Text(piece) if piece.as_wtf8().is_ascii() => {
                write(&mut bytes, piece.to_str().unwrap_or_default());
            }
            _ => return Err(callback.exception(&encoding, text, range, reason, vm)?),
        }
        position = next;
    }
    Ok(vm.new_tuple((vm.ctx.new_bytes(bytes), points.len())).into())
}
