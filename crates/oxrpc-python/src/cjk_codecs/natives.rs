//! The functions `multibytecodec.py` decodes and encodes with: a whole
//! text in one call, in the codec's state, handing back to Python only the
//! errors a handler written in Python must answer.

use super::decoder::{self, Stop};
use super::{encoder, hz, tables};
use rustpython_vm::builtins::{PyBytesRef, PyStr, PyStrRef, PyTuple};
use rustpython_vm::common::wtf8::Wtf8Buf;
use rustpython_vm::convert::TryFromObject;
use rustpython_vm::function::{ArgBytesLike, FuncArgs};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// How a codec decodes and encodes.
#[derive(Clone, Copy)]
pub(super) enum Scheme {
    /// Sequence by sequence from its tables, without state.
    Tables(&'static tables::Codec),
    /// HZ, over GB2312's tables, with a state.
    Hz(&'static tables::Codec),
}

impl Scheme {
    /// The codec CPython calls `name`, if it is one of these.
    pub(super) fn named(name: &str) -> Option<Self> {
        match name {
            "hz" => tables::codec("gb2312").map(Scheme::Hz),
            _ => tables::codec(name).map(Scheme::Tables),
        }
    }

    /// The codec `name`, which `getcodec` checked.
    fn of(name: &PyStrRef, vm: &VirtualMachine) -> PyResult<Self> {
        Self::named(name.to_str().unwrap_or_default())
            .ok_or_else(|| vm.new_lookup_error("no such codec is supported.".to_owned()))
    }
}

/// The state byte a codec reads from CPython's eight state bytes, as an
/// int (`getstate` gives them all; the codecs use the first).
fn state_byte(state: u64) -> u8 {
    state.to_le_bytes()[0]
}

/// `state` with its first byte `byte`.
fn with_state_byte(state: u64, byte: u8) -> u64 {
    let mut bytes = state.to_le_bytes();
    bytes[0] = byte;
    u64::from_le_bytes(bytes)
}

/// A position an error handler's answer gives, which must lie within the
/// input (`multibytecodec.py` checks it first, in CPython's words).
fn handler_position(position: usize, length: usize, vm: &VirtualMachine) -> PyResult<usize> {
    if position > length {
        return Err(vm.new_index_error(format!(
            "position {position} from error handler out of bounds"
        )));
    }
    Ok(position)
}

/// What stands for what a codec cannot decode or encode.
enum Handling {
    /// Nothing (the `ignore` handler).
    Ignore,
    /// U+FFFD, or `?` (the `replace` handler): made here, as CPython makes
    /// them in C, which the many errors of a long text need.
    Replace,
    /// What the `replaced` callback of `multibytecodec.py` answers (any
    /// other handler, `strict` among them).
    Ask(PyObjectRef),
}

impl Handling {
    /// The handling `replaced` names: `"ignore"`, `"replace"`, else a
    /// callback.
    fn of(replaced: PyObjectRef) -> Self {
        let named = replaced
            .downcast_ref::<PyStr>()
            .and_then(|name| name.to_str().map(str::to_owned));
        match named.as_deref() {
            Some("ignore") => Handling::Ignore,
            Some("replace") => Handling::Replace,
            _ => Handling::Ask(replaced),
        }
    }
}

/// The `N` parts of the tuple `answer` a `replaced` callback gave.
fn answer_parts<const N: usize>(
    answer: PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<[PyObjectRef; N]> {
    answer
        .downcast_ref::<PyTuple>()
        .and_then(|tuple| <[PyObjectRef; N]>::try_from(tuple.as_slice().to_vec()).ok())
        .ok_or_else(|| vm.new_type_error(format!("a replacement is a tuple of {N}")))
}

/// `_oxrpc_decode(name, data, last, incremental, state, replaced)`: the
/// text of `data`, how far it read and the state there, `(text, position,
/// state)`: to the end, or (not `last`) to an incomplete sequence at the
/// end. At a sequence it cannot decode it puts what `replaced` says
/// (`Handling`) or asks `replaced(start, end, incomplete)` for the text
/// standing for it and where to go on (once for an incremental decoder's
/// last incomplete sequence, after which it stops).
pub(super) fn decode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    type Arguments = (PyStrRef, PyBytesRef, bool, bool, u64, PyObjectRef);
    let (name, data, last, incremental, state, replaced): Arguments = args.bind(vm)?;
    let scheme = Scheme::of(&name, vm)?;
    let handling = Handling::of(replaced);
    // Immutable bytes: read in place while Python handlers run.
    let data = data.as_bytes();
    let mut text = Wtf8Buf::new();
    let mut position = 0;
    let mut byte = state_byte(state);
    loop {
        let decoded = match scheme {
            Scheme::Tables(codec) => decoder::decode(codec, data, position),
            Scheme::Hz(gb2312) => hz::decode(gb2312, data, position, &mut byte),
        };
        // Most texts decode in one run: taken as it is, not copied.
        if text.is_empty() {
            text = Wtf8Buf::from_string(decoded.text);
        } else {
            text.push_str(&decoded.text);
        }
        position = decoded.position;
        let (end, incomplete) = match decoded.stop {
            Stop::End => break,
            Stop::Incomplete if !last => break,
            Stop::Incomplete => (data.len(), true),
            Stop::Illegal(size) => (position + size, false),
        };
        position = match &handling {
            Handling::Ignore => end,
            Handling::Replace => {
                text.push_char('\u{FFFD}');
                end
            }
            Handling::Ask(replaced) => {
                let answer = replaced.call((position, end, incomplete), vm)?;
                let [replacement, next] = answer_parts(answer, vm)?;
                let replacement: PyStrRef = replacement.try_into_value(vm)?;
                text.push_wtf8(replacement.as_wtf8());
                handler_position(next.try_into_value(vm)?, data.len(), vm)?
            }
        };
        if incomplete && incremental {
            break;
        }
    }
    Ok(vm
        .new_tuple((vm.ctx.new_str(text), position, with_state_byte(state, byte)))
        .into())
}

/// `_oxrpc_encode(name, text, last, reset, state, replaced)`: the bytes
/// of `text`, how far it wrote and the state there, `(bytes, position,
/// state)`: to the end, or (not `last`) to a character at the end that
/// may start a pair; with `reset`, what ends the text in that state after
/// them (HZ closes its GB2312 run). At a character it cannot write it puts what
/// `replaced` says (`Handling`) or asks `replaced(start, end, state)` for
/// the bytes standing for it, where to go on and the state they leave.
pub(super) fn encode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    type Arguments = (PyStrRef, PyStrRef, bool, bool, u64, PyObjectRef);
    let (name, text, last, reset, state, replaced): Arguments = args.bind(vm)?;
    let scheme = Scheme::of(&name, vm)?;
    let handling = Handling::of(replaced);
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .map(|point| point.to_u32())
        .collect();
    let mut bytes = Vec::new();
    let mut position = 0;
    let mut state = state;
    loop {
        let mut byte = state_byte(state);
        let encoded = match scheme {
            Scheme::Tables(codec) => encoder::encode(codec, &points, position, last),
            Scheme::Hz(gb2312) => hz::encode(gb2312, &points, position, &mut byte),
        };
        if bytes.is_empty() {
            bytes = encoded.bytes;
        } else {
            bytes.extend_from_slice(&encoded.bytes);
        }
        position = encoded.position;
        state = with_state_byte(state, byte);
        let Stop::Illegal(size) = encoded.stop else {
            break;
        };
        let end = position + size;
        position = match &handling {
            Handling::Ignore => end,
            Handling::Replace => {
                // A `?`, written in the codec's state as any text.
                let mut byte = state_byte(state);
                let question = match scheme {
                    Scheme::Tables(codec) => encoder::encode(codec, &[0x3F], 0, true),
                    Scheme::Hz(gb2312) => hz::encode(gb2312, &[0x3F], 0, &mut byte),
                };
                bytes.extend_from_slice(&question.bytes);
                state = with_state_byte(state, byte);
                end
            }
            Handling::Ask(replaced) => {
                let answer = replaced.call((position, end, state), vm)?;
                let [replacement, next, after] = answer_parts(answer, vm)?;
                ArgBytesLike::try_from_object(vm, replacement)?
                    .with_ref(|replacement| bytes.extend_from_slice(replacement));
                state = after.try_into_value(vm)?;
                handler_position(next.try_into_value(vm)?, points.len(), vm)?
            }
        };
    }
    if reset {
        let (ending, byte) = ending(scheme, state, false);
        bytes.extend_from_slice(&ending);
        state = with_state_byte(state, byte);
    }
    Ok(vm
        .new_tuple((vm.ctx.new_bytes(bytes), position, state))
        .into())
}

/// What ends a text in `state` and the state byte after it, or
/// (`decoding`) the state byte a decoder's reset leaves.
fn ending(scheme: Scheme, state: u64, decoding: bool) -> (Vec<u8>, u8) {
    match scheme {
        Scheme::Tables(_) => (Vec::new(), state_byte(state)),
        Scheme::Hz(_) if decoding => (Vec::new(), 0),
        Scheme::Hz(_) => {
            let mut byte = state_byte(state);
            (hz::reset(&mut byte), byte)
        }
    }
}

/// `_oxrpc_reset(name, state, decoding)`: what ends the text in `state`
/// and the state after it, `(bytes, state)`, or (`decoding`) the state a
/// decoder's reset leaves. A codec without state leaves it as it is (as
/// CPython's, which have no reset of their own).
pub(super) fn reset(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, state, decoding): (PyStrRef, u64, bool) = args.bind(vm)?;
    let (bytes, byte) = ending(Scheme::of(&name, vm)?, state, decoding);
    Ok(vm
        .new_tuple((vm.ctx.new_bytes(bytes), with_state_byte(state, byte)))
        .into())
}
