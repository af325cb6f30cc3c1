//! `str.encode`, `bytes.decode`, `bytearray.decode`, `str(b, encoding)`
//! and `bytes(s, encoding)` in UTF-8, ASCII, Latin-1, UTF-16 and UTF-32
//! without the codec registry.
//!
//! RustPython 0.5 looks every codec up in its registry and calls the
//! codec's function with a tuple of arguments, which answers another
//! tuple: `'hello'.encode()` took ~640 ns against CPython 3.11's ~27,
//! `b'hello'.decode()` ~1,320 against ~36. CPython goes straight to its
//! UTF-8, ASCII and Latin-1 codecs for those names (`PyUnicode_AsEncodedString`,
//! `PyUnicode_Decode`), and so does this, for those and for UTF-16 and
//! UTF-32 (which RustPython runs as Python code, ~23 µs for eleven
//! characters against CPython's ~200 ns; [`utf16_utf32`]), for text those
//! codecs take whole: a string without surrogates (and, for ASCII and Latin-1, no
//! character past their range), bytes that are valid in the encoding. An
//! error handler is only consulted when a character or byte does not
//! fit, so any `errors` gives the same answer there. Everything else (other
//! codecs, text with a character that does not fit, an argument that is
//! not a string) goes to RustPython's as before, which raises or calls
//! the error handler; an unknown codec is named in its error as given,
//! as CPython names it (RustPython named it normalised).

use super::codec_errors::raised_by_text_method;
use super::methods::{self, NewSlot};
use super::utf16_utf32::{self, Handler, Order, Undecodable, Width};
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyStr, PyType, PyTypeRef};
use rustpython_vm::convert::TryFromBorrowedObject;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own methods, for what is not done here.
struct Originals {
    encode: PyObjectRef,
    bytes_decode: PyObjectRef,
    bytearray_decode: PyObjectRef,
    /// The `new` slots of `str` and `bytes`, which `str(...)` and
    /// `bytes(...)` call.
    new_str: NewSlot,
    new_bytes: NewSlot,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the methods and the two constructors in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let method =
            |class: &'static Py<PyType>, name: &str| class.get_attr(vm.ctx.intern_str(name));
        let originals = Originals {
            encode: method(types.str_type, "encode")?,
            bytes_decode: method(types.bytes_type, "decode")?,
            bytearray_decode: method(types.bytearray_type, "decode")?,
            new_str: types.str_type.slots.new.load()?,
            new_bytes: types.bytes_type.slots.new.load()?,
        };
        types.str_type.slots.new.store(Some(new_str));
        types.bytes_type.slots.new.store(Some(new_bytes));
        methods::define(vm, types.str_type, "encode", encode);
        methods::define(vm, types.bytes_type, "decode", bytes_decode);
        methods::define(vm, types.bytearray_type, "decode", bytearray_decode);
        Some(originals)
    });
    Ok(())
}

/// The codec a call names.
#[derive(Clone, Copy)]
enum Codec {
    Utf8,
    Ascii,
    Latin1,
    /// UTF-16 and UTF-32, in the order the name gives (else with a mark),
    /// and the error handler where it is one done here (`'strict'`,
    /// `'replace'`, `'ignore'`, `'backslashreplace'`).
    Wide {
        width: Width,
        order: Option<Order>,
        handler: Option<Handler>,
    },
    /// Another, left to RustPython (its name a string CPython takes).
    Other,
}

/// `str.encode(encoding='utf-8', errors='strict')`.
fn encode(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if let (Some(text), Some(codec)) = (
        zelf.downcast_ref::<PyStr>(),
        codec_of("encode", &args, 0, vm)?,
    ) {
        if let Some(bytes) = text.to_str().and_then(|text| encoded(text, codec)) {
            return Ok(vm.ctx.new_bytes(bytes).into());
        }
    }
    call_original(|originals| &originals.encode, zelf, args, vm)
}

/// `bytes.decode(encoding='utf-8', errors='strict')`.
fn bytes_decode(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if let Some(bytes) = zelf.downcast_ref::<PyBytes>() {
        if let Some(text) = decoded("decode", bytes.as_bytes(), &args, vm)? {
            return Ok(text);
        }
    }
    call_original(|originals| &originals.bytes_decode, zelf, args, vm)
}

/// `bytearray.decode(encoding='utf-8', errors='strict')`.
fn bytearray_decode(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if let Some(bytes) = zelf.downcast_ref::<PyByteArray>() {
        let text = decoded("decode", &bytes.borrow_buf(), &args, vm)?;
        if let Some(text) = text {
            return Ok(text);
        }
    }
    call_original(|originals| &originals.bytearray_decode, zelf, args, vm)
}

/// `str(...)`: `str(b, encoding[, errors])` of bytes decoded here, the
/// rest by RustPython's.
fn new_str(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    new_with_codec(
        class,
        args,
        decoded_source,
        |originals| originals.new_str,
        vm,
    )
}

/// `bytes(...)`: `bytes(s, encoding[, errors])` of a string encoded here,
/// the rest by RustPython's.
fn new_bytes(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    new_with_codec(
        class,
        args,
        encoded_source,
        |originals| originals.new_bytes,
        vm,
    )
}

/// A constructor given a codec: its source converted by `convert` where
/// it can, else RustPython's slot (`original`), an unknown codec named in
/// its error as given.
fn new_with_codec(
    class: PyTypeRef,
    args: FuncArgs,
    convert: Convert,
    original: fn(&Originals) -> NewSlot,
    vm: &VirtualMachine,
) -> PyResult {
    if let Some(made) = with_codec(&class, &args, convert, vm)? {
        return Ok(made);
    }
    let originals = methods::kept(&ORIGINALS, "text codecs", vm)?;
    // Looked for only where a codec can be named: the commonest calls
    // (`str(x)`, `bytes(n)`) have one argument.
    let encoding = (args.args.len() + args.kwargs.len() > 1)
        .then(|| encoding_argument(&args, 1, vm))
        .flatten();
    original(originals)(class, args, vm)
        .map_err(|error| raised_by_text_method(error, encoding.as_deref(), vm))
}

/// `str(source, ...)`'s text, where `source` is bytes or a bytearray that
/// `codec` decodes here, or an empty bytes-like object; a str, or an
/// object that is not bytes-like, is refused as CPython refuses it.
fn decoded_source(
    source: &PyObjectRef,
    codec: Codec,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        return decode(bytes.as_bytes(), codec, vm);
    }
    if let Some(bytes) = source.downcast_ref::<PyByteArray>() {
        let text = decode(&bytes.borrow_buf(), codec, vm);
        return text;
    }
    if source.downcast_ref::<PyStr>().is_some() {
        return Err(vm.new_type_error("decoding str is not supported".to_owned()));
    }
    match PyBuffer::try_from_borrowed_object(vm, source) {
        Ok(buffer) if buffer.desc.len == 0 => Ok(Some(vm.ctx.empty_str.to_owned().into())),
        Ok(_) => Ok(None),
        Err(_) => Err(vm.new_type_error(format!(
            "decoding to str: need a bytes-like object, {} found",
            source.class().name()
        ))),
    }
}

/// `bytes(source, ...)`'s bytes, where `source` is a string that `codec`
/// encodes here.
fn encoded_source(
    source: &PyObjectRef,
    codec: Codec,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let bytes = source
        .downcast_ref::<PyStr>()
        .and_then(|text| encoded(text.to_str()?, codec));
    Ok(bytes.map(|bytes| vm.ctx.new_bytes(bytes).into()))
}

/// How a constructor makes its object from its source and the codec,
/// where that is done here.
type Convert = fn(&PyObjectRef, Codec, &VirtualMachine) -> PyResult<Option<PyObjectRef>>;

/// A constructor's call with the exact type, a source by position and a
/// codec's one or two arguments: those checked as CPython checks them,
/// then the source and the codec they name given to `convert`. `None`
/// for any other call, or where `convert` leaves it.
fn with_codec(
    class: &PyTypeRef,
    call: &FuncArgs,
    convert: Convert,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let exact = class.is(vm.ctx.types.str_type) || class.is(vm.ctx.types.bytes_type);
    // Asked before anything is copied: the commonest calls (`str(x)`,
    // `bytes(n)`) have one argument.
    let given = call.args.len() + call.kwargs.len();
    let Some(source) = call.args.first() else {
        return Ok(None);
    };
    if !exact || given < 2 {
        return Ok(None);
    }
    if given > 3 {
        let name = class.name();
        return Err(vm.new_type_error(format!(
            "{name}() takes at most 3 arguments ({given} given)"
        )));
    }
    // Counts and names as `encoding` and `errors` alone: the source is
    // the constructor's first argument, and RustPython's refusals of the
    // rest are worded as CPython's already.
    let encoding_named = call.kwargs.contains_key("encoding");
    let errors_named = call.kwargs.contains_key("errors");
    let (by_position, by_name) = (call.args.len() - 1, call.kwargs.len());
    let well_formed = by_name == usize::from(encoding_named) + usize::from(errors_named)
        && (1..=2).contains(&(by_position + by_name))
        && (by_position == 0 || !encoding_named)
        && (by_position < 2 || !errors_named);
    if !well_formed {
        return Ok(None);
    }
    match codec_of(&class.name(), call, 1, vm)? {
        Some(codec) => convert(source, codec, vm),
        None => Ok(None),
    }
}

fn call_original(
    which: fn(&Originals) -> &PyObjectRef,
    zelf: PyObjectRef,
    mut args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let originals = methods::kept(&ORIGINALS, "text codecs", vm)?;
    let encoding = encoding_argument(&args, 0, vm);
    args.prepend_arg(zelf);
    which(originals)
        .call(args, vm)
        .map_err(|error| raised_by_text_method(error, encoding.as_deref(), vm))
}

/// The codec's name as the call gave it (after `skip` arguments by
/// position), kept to word an error with.
fn encoding_argument(args: &FuncArgs, skip: usize, vm: &VirtualMachine) -> Option<PyObjectRef> {
    let [encoding, _] = bound_arguments("", args, skip, vm).ok()?;
    encoding.cloned()
}

/// The codec the arguments (`encoding`, `errors`, by position or by
/// name) name; `None` where RustPython's is left to refuse them. A call
/// of the wrong shape, or either given as something else than a string,
/// is refused in CPython's words (RustPython took None for the default).
/// The first `skip` arguments by position are not the codec's (a
/// constructor's source).
fn codec_of(
    method: &str,
    args: &FuncArgs,
    skip: usize,
    vm: &VirtualMachine,
) -> PyResult<Option<Codec>> {
    let [encoding, errors] = bound_arguments(method, args, skip, vm)?;
    // Each is converted as CPython's `const char *` arguments are, the
    // name before `errors` is read: a lone surrogate or a NUL refused.
    let encoding = methods::string_argument(method, "encoding", encoding, vm)?;
    if let Some(encoding) = encoding {
        methods::c_string_argument(encoding, vm)?;
    }
    let errors = methods::string_argument(method, "errors", errors, vm)?;
    if let Some(errors) = errors {
        methods::c_string_argument(errors, vm)?;
    }
    let handler = match errors.map(|errors| errors.to_str()) {
        None | Some(Some("strict")) => Some(Handler::Refuse),
        Some(Some("replace")) => Some(Handler::Replace),
        Some(Some("ignore")) => Some(Handler::Ignore),
        Some(Some("backslashreplace")) => Some(Handler::BackslashReplace),
        Some(_) => None,
    };
    let codec = match encoding {
        None => Some(Codec::Utf8),
        Some(name) => name.to_str().map(|name| codec_named(name, handler)),
    };
    Ok(codec)
}

/// `encoding` and `errors` as given, by position or by name, or the call
/// refused as CPython's argument parser refuses it.
fn bound_arguments<'a>(
    method: &str,
    args: &'a FuncArgs,
    skip: usize,
    vm: &VirtualMachine,
) -> PyResult<[Option<&'a PyObjectRef>; 2]> {
    const NAMES: [&str; 2] = ["encoding", "errors"];
    let by_position = args.args.get(skip..).unwrap_or_default();
    let positional = by_position.len();
    let given = positional + args.kwargs.len();
    if given > NAMES.len() {
        let keyword = if positional == 0 { "keyword " } else { "" };
        return Err(vm.new_type_error(format!(
            "{method}() takes at most 2 {keyword}arguments ({given} given)"
        )));
    }
    let mut bound = [by_position.first(), by_position.get(1)];
    let mut unknown = None;
    for (name, value) in &args.kwargs {
        match NAMES.iter().position(|known| known == name) {
            Some(at) if at < positional => {
                return Err(vm.new_type_error(format!(
                    "argument for {method}() given by name ('{name}') and position ({})",
                    at + 1
                )));
            }
            Some(at) => bound[at] = Some(value),
            None => unknown = unknown.or(Some(name)),
        }
    }
    match unknown {
        Some(name) => Err(vm.new_type_error(format!(
            "'{name}' is an invalid keyword argument for {method}()"
        ))),
        None => Ok(bound),
    }
}

/// The codec named `name` as CPython's fast paths read a name: letters
/// in any case, `-` and ` ` as `_`.
fn codec_named(name: &str, handler: Option<Handler>) -> Codec {
    const LONGEST: usize = "iso_8859_1".len();
    let mut normalized = [0u8; LONGEST];
    let Some(place) = normalized.get_mut(..name.len()) else {
        return Codec::Other;
    };
    for (into, byte) in place.iter_mut().zip(name.bytes()) {
        *into = match byte {
            b'-' | b' ' => b'_',
            other => other.to_ascii_lowercase(),
        };
    }
    let wide = |width, order| Codec::Wide {
        width,
        order,
        handler,
    };
    match &normalized[..name.len()] {
        b"utf_8" | b"utf8" => Codec::Utf8,
        b"ascii" | b"us_ascii" => Codec::Ascii,
        b"latin1" | b"latin_1" | b"iso_8859_1" | b"iso8859_1" => Codec::Latin1,
        b"utf_16" | b"utf16" | b"u16" => wide(Width::Utf16, None),
        b"utf_16_le" | b"utf_16le" => wide(Width::Utf16, Some(Order::Little)),
        b"utf_16_be" | b"utf_16be" => wide(Width::Utf16, Some(Order::Big)),
        b"utf_32" | b"utf32" | b"u32" => wide(Width::Utf32, None),
        b"utf_32_le" | b"utf_32le" => wide(Width::Utf32, Some(Order::Little)),
        b"utf_32_be" | b"utf_32be" => wide(Width::Utf32, Some(Order::Big)),
        _ => Codec::Other,
    }
}

/// `text` encoded, where the codec is done here and every character
/// fits.
fn encoded(text: &str, codec: Codec) -> Option<Vec<u8>> {
    match codec {
        Codec::Utf8 => Some(text.as_bytes().to_vec()),
        Codec::Ascii => text.is_ascii().then(|| text.as_bytes().to_vec()),
        Codec::Latin1 => text
            .chars()
            .map(|character| u8::try_from(u32::from(character)).ok())
            .collect(),
        Codec::Wide { width, order, .. } => Some(utf16_utf32::encode(text, width, order)),
        Codec::Other => None,
    }
}

/// `bytes` decoded as a new string, where the codec the arguments name
/// is done here and every byte is valid in it.
fn decoded(
    method: &str,
    bytes: &[u8],
    args: &FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let Some(codec) = codec_of(method, args, 0, vm)? else {
        return Ok(None);
    };
    decode(bytes, codec, vm)
}

/// `bytes` decoded by `codec`, where it is done here and every byte is
/// valid in it (or, for UTF-16 and UTF-32, read with the handler or
/// refused with CPython's error). No bytes decode to the empty string whatever the codec,
/// as in CPython (`b''.decode('no-such-codec')` is `''`).
fn decode(bytes: &[u8], codec: Codec, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
    let text = match codec {
        _ if bytes.is_empty() => vm.ctx.empty_str.to_owned(),
        Codec::Utf8 | Codec::Ascii => {
            let valid = matches!(codec, Codec::Utf8) || bytes.is_ascii();
            match std::str::from_utf8(bytes) {
                Ok(text) if valid => vm.ctx.new_str(text),
                _ => return Ok(None),
            }
        }
        Codec::Latin1 => vm.ctx.new_str(
            bytes
                .iter()
                .map(|&byte| char::from(byte))
                .collect::<String>(),
        ),
        Codec::Wide {
            width,
            order,
            handler,
        } => {
            let read = utf16_utf32::decode(bytes, width, order, handler.unwrap_or(Handler::Refuse));
            return wide(read, bytes, handler, vm);
        }
        Codec::Other => return Ok(None),
    };
    Ok(Some(text.into()))
}

/// What UTF-16 or UTF-32 read: the text, or with the strict handler the
/// UnicodeDecodeError CPython's codec raises (a handler not done here is
/// left to RustPython's codec).
fn wide(
    read: Result<String, Undecodable>,
    bytes: &[u8],
    handler: Option<Handler>,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    match read {
        Ok(text) => Ok(Some(vm.ctx.new_str(text).into())),
        Err(undecodable) if handler == Some(Handler::Refuse) => Err(vm
            .new_unicode_decode_error_real(
                vm.ctx.new_str(undecodable.encoding),
                vm.ctx.new_bytes(bytes.to_vec()),
                undecodable.start,
                undecodable.end,
                vm.ctx.new_str(undecodable.reason),
            )),
        Err(_) => Ok(None),
    }
}
