//! The functions `multibytecodec.py` decodes and encodes with: a whole
//! text in one call, in the codec's state, handing back to Python only the
//! errors a handler written in Python must answer.

use super::decoder::{self, Stop};
use super::{encoder, hz, iso2022, tables};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyBytesRef, PyStr, PyStrRef, PyTuple};
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
    /// An ISO-2022 codec, with designations and shifts in its state.
    Iso2022(&'static iso2022::Codec),
}

impl Scheme {
    /// The codec CPython calls `name`, if it is one of these.
    pub(super) fn named(name: &str) -> Option<Self> {
        if let Some(codec) = iso2022::codec(name) {
            return Some(Scheme::Iso2022(codec));
        }
        match name {
            "hz" => tables::codec("gb2312").map(Scheme::Hz),
            // The ISO-2022 codecs' sets are in the tables, not codecs.
            _ if name.starts_with("iso2022/") => None,
            _ => tables::codec(name).map(Scheme::Tables),
        }
    }

    /// The codec `name`, which `getcodec` checked.
    fn of(name: &PyStrRef, vm: &VirtualMachine) -> PyResult<Self> {
        Self::named(name.to_str().unwrap_or_default())
            .ok_or_else(|| vm.new_lookup_error("no such codec is supported.".to_owned()))
    }

    /// The state of a new encoder or (`decoding`) decoder, as CPython's
    /// eight state bytes read as a little-endian int.
    pub(super) fn first_state(self, decoding: bool) -> u64 {
        match self {
            Scheme::Tables(_) | Scheme::Hz(_) => 0,
            Scheme::Iso2022(_) => u64::from_le_bytes(iso2022::first_state(decoding)),
        }
    }

    /// Decodes `data` from `start` in `state` into `text` up to its end or
    /// the first sequence it cannot.
    pub(super) fn decode(
        self,
        data: &[u8],
        start: usize,
        state: &mut u64,
        text: &mut String,
    ) -> decoder::Decoded {
        let mut bytes = state.to_le_bytes();
        let decoded = match self {
            Scheme::Tables(codec) => decoder::decode(codec, data, start, text),
            Scheme::Hz(gb2312) => hz::decode(gb2312, data, start, &mut bytes[0], text),
            Scheme::Iso2022(codec) => codec.decode(data, start, &mut bytes, text),
        };
        *state = u64::from_le_bytes(bytes);
        decoded
    }

    /// Encodes `text` from `start` in `state` onto `bytes` up to its end or
    /// the first character it cannot; `last`: no text follows.
    pub(super) fn encode(
        self,
        text: &[u32],
        start: usize,
        last: bool,
        state: &mut u64,
        bytes: &mut Vec<u8>,
    ) -> encoder::Encoded {
        let mut state_bytes = state.to_le_bytes();
        let encoded = match self {
            Scheme::Tables(codec) => encoder::encode(codec, text, start, last, bytes),
            Scheme::Hz(gb2312) => hz::encode(gb2312, text, start, &mut state_bytes[0], bytes),
            Scheme::Iso2022(codec) => codec.encode(text, start, last, &mut state_bytes, bytes),
        };
        *state = u64::from_le_bytes(state_bytes);
        encoded
    }

    /// What ends a text in `state`, made in it; or (`decoding`) a
    /// decoder's reset of it.
    pub(super) fn ending(self, state: &mut u64, decoding: bool) -> Vec<u8> {
        let mut bytes = state.to_le_bytes();
        let ending = match self {
            Scheme::Tables(_) => Vec::new(),
            Scheme::Hz(_) if decoding => {
                bytes[0] = 0;
                Vec::new()
            }
            Scheme::Hz(_) => hz::reset(&mut bytes[0]),
            Scheme::Iso2022(_) if decoding => {
                iso2022::decoder_reset(&mut bytes);
                Vec::new()
            }
            Scheme::Iso2022(_) => iso2022::ending(&mut bytes),
        };
        *state = u64::from_le_bytes(bytes);
        ending
    }
}

/// CPython's error where a codec's state names nothing it knows.
fn internal_error(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_runtime_error("internal codec error".to_owned())
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
    // Each run between errors is decoded here, then added to `text`: a
    // buffer kept from run to run, so many errors cost no allocation each.
    let mut run = String::new();
    let mut position = 0;
    let mut state = state;
    loop {
        let decoded = scheme.decode(data, position, &mut state, &mut run);
        // Most texts decode in one run: taken as it is, not copied.
        if text.is_empty() {
            text = Wtf8Buf::from_string(std::mem::take(&mut run));
        } else {
            text.push_str(&run);
            run.clear();
        }
        position = decoded.position;
        let (end, incomplete) = match decoded.stop {
            Stop::End => break,
            Stop::Incomplete if !last => break,
            Stop::Incomplete => (data.len(), true),
            Stop::Illegal(size) => (position + size, false),
            Stop::Internal => return Err(internal_error(vm)),
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
    Ok(vm.new_tuple((vm.ctx.new_str(text), position, state)).into())
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
        let encoded = scheme.encode(&points, position, last, &mut state, &mut bytes);
        position = encoded.position;
        let size = match encoded.stop {
            Stop::Illegal(size) => size,
            Stop::Internal => return Err(internal_error(vm)),
            Stop::End | Stop::Incomplete => break,
        };
        let end = position + size;
        position = match &handling {
            Handling::Ignore => end,
            Handling::Replace => {
                // A `?`, written in the codec's state as any text.
                scheme.encode(&[0x3F], 0, true, &mut state, &mut bytes);
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
        let ending = scheme.ending(&mut state, false);
        bytes.extend_from_slice(&ending);
    }
    Ok(vm
        .new_tuple((vm.ctx.new_bytes(bytes), position, state))
        .into())
}

/// `_oxrpc_reset(name, state, decoding)`: what ends the text in `state`
/// and the state after it, `(bytes, state)`, or (`decoding`) the state a
/// decoder's reset leaves. A codec without state leaves it as it is (as
/// CPython's, which have no reset of their own).
pub(super) fn reset(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, mut state, decoding): (PyStrRef, u64, bool) = args.bind(vm)?;
    let bytes = Scheme::of(&name, vm)?.ending(&mut state, decoding);
    Ok(vm.new_tuple((vm.ctx.new_bytes(bytes), state)).into())
}

/// `_oxrpc_first_states(name)`: the states of a new encoder and decoder
/// of the codec, `(encoder, decoder)`.
pub(super) fn first_states(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name,): (PyStrRef,) = args.bind(vm)?;
    let scheme = Scheme::of(&name, vm)?;
    Ok(vm
        .new_tuple((scheme.first_state(false), scheme.first_state(true)))
        .into())
}
