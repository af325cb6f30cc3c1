//! The charmap codec (`codecs.charmap_decode`, `charmap_encode` and
//! `charmap_build`), which every 8-bit codec of the standard library runs
//! on (`cp1252`, `cp437`, `koi8_r`, `mac_roman`, the `iso8859` family,
//! ...), as CPython 3.11's, here in Rust.
//!
//! RustPython 0.5 runs these as Python code (`_pycodecs`): ~3.6 µs a
//! character, so 5,800 characters took 21 ms to encode in `cp1252` where
//! CPython takes 0.01 ms, and a text file of a few hundred kilobytes read
//! in `cp1252` took seconds. It also answered otherwise: an error covered
//! one character where CPython's covers the run of characters the map
//! lacks, `charmap_build` gave a dict (CPython's gives an `EncodingMap`,
//! a three-level trie, unless the table needs a dict), a map answering
//! what is not an int, bytes or None was taken or refused without
//! CPython's words.
//!
//! Decoding reads each byte in the table (a `str`: U+FFFE or a byte past
//! its end is undefined) or asks the mapping (an int, a `str`, None;
//! LookupError is undefined); an undefined byte goes to the error handler
//! named (looked up once, one exception object per call, whose `object`
//! the handler may replace, as CPython's). Encoding reads each character
//! in the `EncodingMap` or asks the mapping (an int below 256, bytes,
//! None); a run of characters the map lacks goes to `strict`, `replace`
//! and `ignore` and `xmlcharrefreplace` made here (their output in the
//! map), any other handler is called. `mapping=None` is Latin-1.

use super::clinic_signature::positional_only;
use super::error_callbacks::{DecodeCallback, EncodeCallback, Replacement};
use super::methods::argument_type_name;
use rustpython_vm::builtins::{PyBytes, PyDict, PyInt, PyStr, PyStrRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::wtf8::{CodePoint, Wtf8Buf};
use rustpython_vm::convert::TryFromObject;
use rustpython_vm::function::{ArgBytesLike, FuncArgs};
use rustpython_vm::{pyclass, AsObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::borrow::Cow;

const REASON: &str = "character maps to <undefined>";
/// What a decoding table holds for a byte it does not map.
const UNDEFINED: u32 = 0xFFFE;

/// `codecs.charmap_build`'s trie, as CPython's: 32 first-level slots (a
/// code point's top five bits), then blocks of 16 second-level slots and
/// of 128 bytes.
#[pyclass(module = false, name = "EncodingMap")]
#[derive(Debug, PyPayload)]
pub(crate) struct EncodingMap {
    level1: [u8; 32],
    count2: usize,
    count3: usize,
    level23: Vec<u8>,
}

#[pyclass]
impl EncodingMap {
    /// The size CPython's object has, in bytes (its header and counts,
    /// then the blocks).
    #[pymethod]
    fn size(&self) -> usize {
        63 + 16 * self.count2 + 128 * self.count3
    }
}

impl EncodingMap {
    /// The byte `point` encodes as, if the map has it.
    fn lookup(&self, point: u32) -> Option<u8> {
        if point > 0xFFFF {
            return None;
        }
        if point == 0 {
            return Some(0);
        }
        let second = *self.level1.get((point >> 11) as usize)?;
        if second == 0xFF {
            return None;
        }
        let third = *self
            .level23
            .get(16 * usize::from(second) + ((point >> 7) & 0xF) as usize)?;
        if third == 0xFF {
            return None;
        }
        let at = 16 * self.count2 + 128 * usize::from(third) + (point & 0x7F) as usize;
        self.level23.get(at).copied().filter(|byte| *byte != 0)
    }
}

/// Puts the three functions in `_codecs` and `codecs` (which copied
/// `_codecs`' names when it was imported) of this interpreter.
pub(super) fn install(vm: &VirtualMachine) -> PyResult<()> {
    EncodingMap::make_static_type();
    let functions: [(&'static str, PyObjectRef); 3] = [
        (
            "charmap_decode",
            vm.new_function("charmap_decode", charmap_decode).into(),
        ),
        (
            "charmap_encode",
            vm.new_function("charmap_encode", charmap_encode).into(),
        ),
        (
            "charmap_build",
            vm.new_function("charmap_build", charmap_build).into(),
        ),
    ];
    for module in ["_codecs", "codecs"] {
        let module = vm.import(module, 0)?;
        for (name, function) in &functions {
            module.set_attr(*name, function.clone(), vm)?;
        }
    }
    Ok(())
}

/// The `errors` argument: a name, `strict` for None.
fn errors_argument(
    function: &str,
    errors: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<String> {
    match errors {
        None => Ok("strict".to_owned()),
        Some(errors) if vm.is_none(errors) => Ok("strict".to_owned()),
        Some(errors) => match errors.downcast_ref::<PyStr>() {
            Some(name) => Ok(name.as_wtf8().to_string()),
            None => Err(vm.new_type_error(format!(
                "{function}() argument 2 must be str or None, not {}",
                argument_type_name(errors, vm)
            ))),
        },
    }
}

/// The mapping argument, None when absent or None.
fn mapping_argument(mapping: Option<&PyObjectRef>, vm: &VirtualMachine) -> Option<PyObjectRef> {
    mapping.filter(|mapping| !vm.is_none(mapping)).cloned()
}

/// `charmap_build(map, /)`: the `EncodingMap` of a decoding table, or a
/// dict of each code point's byte where the trie cannot hold it (the
/// first entry not NUL, a NUL or a code point past the BMP later, too
/// many blocks), as CPython builds them.
fn charmap_build(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if !args.kwargs.is_empty() {
        return Err(
            vm.new_type_error("_codecs.charmap_build() takes no keyword arguments".to_owned())
        );
    }
    let [table] = args.args.as_slice() else {
        return Err(vm.new_type_error(format!(
            "_codecs.charmap_build() takes exactly one argument ({} given)",
            args.args.len()
        )));
    };
    let Some(text) = table.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "charmap_build() argument must be str, not {}",
            argument_type_name(table, vm)
        )));
    };
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .take(256)
        .map(CodePoint::to_u32)
        .collect();
    let Some(&first) = points.first() else {
        return Err(vm.new_type_error("bad argument type for built-in operation".to_owned()));
    };
    let mut level1 = [0xFFu8; 32];
    let mut level2 = [0xFFu8; 512];
    let (mut count2, mut count3) = (0usize, 0usize);
    let mut needs_dict = first != 0;
    for &point in &points[1..] {
        if point == 0 || point > 0xFFFF {
            needs_dict = true;
            break;
        }
        if point == UNDEFINED {
            continue;
        }
        if level1[(point >> 11) as usize] == 0xFF {
            level1[(point >> 11) as usize] = u8::try_from(count2).unwrap_or(0xFF);
            count2 += 1;
        }
        if level2[(point >> 7) as usize] == 0xFF {
            level2[(point >> 7) as usize] = u8::try_from(count3).unwrap_or(0xFF);
            count3 += 1;
        }
    }
    if needs_dict || count2 >= 0xFF || count3 >= 0xFF {
        let dict = vm.ctx.new_dict();
        for (byte, point) in points.iter().enumerate() {
            dict.set_item(
                vm.ctx.new_int(*point).as_object(),
                vm.ctx.new_int(byte).into(),
                vm,
            )?;
        }
        return Ok(dict.into());
    }
    let mut level23 = vec![0xFFu8; 16 * count2];
    level23.resize(16 * count2 + 128 * count3, 0);
    let mut blocks = 0usize;
    for (byte, &point) in points.iter().enumerate().skip(1) {
        if point == UNDEFINED {
            continue;
        }
        let second =
            16 * usize::from(level1[(point >> 11) as usize]) + ((point >> 7) & 0xF) as usize;
        if level23[second] == 0xFF {
            level23[second] = u8::try_from(blocks).unwrap_or(0xFF);
            blocks += 1;
        }
        let third = 16 * count2 + 128 * usize::from(level23[second]) + (point & 0x7F) as usize;
        level23[third] = u8::try_from(byte).unwrap_or(0);
    }
    Ok(EncodingMap {
        level1,
        count2,
        count3,
        level23,
    }
    .into_ref(&vm.ctx)
    .into())
}

/// What a byte or character is to a mapping that is not a table.
enum Mapped {
    /// It maps to nothing (None, or a LookupError).
    Undefined,
    Value(PyObjectRef),
}

/// `mapping[key]`, a LookupError taken as no entry.
fn asked(mapping: &PyObjectRef, key: u32, vm: &VirtualMachine) -> PyResult<Mapped> {
    let key = vm.ctx.new_int(key);
    // A dict (the standard library's encoding maps) read without the
    // item protocol; a subclass may have `__missing__`.
    if let Some(dict) = mapping.downcast_ref_if_exact::<PyDict>(vm) {
        return Ok(match dict.get_item_opt(key.as_object(), vm)? {
            Some(value) if !vm.is_none(&value) => Mapped::Value(value),
            _ => Mapped::Undefined,
        });
    }
    match mapping.get_item(key.as_object(), vm) {
        Ok(value) if vm.is_none(&value) => Ok(Mapped::Undefined),
        Ok(value) => Ok(Mapped::Value(value)),
        Err(error) if error.fast_isinstance(vm.ctx.exceptions.lookup_error) => {
            Ok(Mapped::Undefined)
        }
        Err(error) => Err(error),
    }
}

/// How decoding reads a byte.
enum DecodingMap {
    /// A table's code points.
    Table(Vec<u32>),
    Mapping(PyObjectRef),
}

impl DecodingMap {
    /// Puts what `byte` decodes to on `text`; false if it is undefined.
    fn decode(&self, byte: u8, text: &mut Wtf8Buf, vm: &VirtualMachine) -> PyResult<bool> {
        let value = match self {
            DecodingMap::Table(points) => {
                return Ok(match points.get(usize::from(byte)) {
                    Some(&point) if point != UNDEFINED => {
                        push_point(text, point);
                        true
                    }
                    _ => false,
                });
            }
            DecodingMap::Mapping(mapping) => match asked(mapping, u32::from(byte), vm)? {
                Mapped::Undefined => return Ok(false),
                Mapped::Value(value) => value,
            },
        };
        if let Some(number) = value.downcast_ref::<PyInt>() {
            let number: i64 = number.try_to_primitive(vm)?;
            if number == i64::from(UNDEFINED) {
                return Ok(false);
            }
            let point = u32::try_from(number)
                .ok()
                .filter(|point| *point <= 0x10_FFFF)
                .ok_or_else(|| {
                    vm.new_type_error("character mapping must be in range(0x110000)".to_owned())
                })?;
            push_point(text, point);
            return Ok(true);
        }
        if let Some(piece) = value.downcast_ref::<PyStr>() {
            let mut points = piece.as_wtf8().code_points();
            if let (Some(only), None) = (points.next(), points.next()) {
                if only.to_u32() == UNDEFINED {
                    return Ok(false);
                }
            }
            text.push_wtf8(piece.as_wtf8());
            return Ok(true);
        }
        Err(vm.new_type_error("character mapping must return integer, None or str".to_owned()))
    }
}

fn push_point(text: &mut Wtf8Buf, point: u32) {
    if let Some(point) = CodePoint::from_u32(point) {
        text.push(point);
    }
}

/// `charmap_decode(data, errors=None, mapping=None, /)`: `(text, len(data))`.
fn charmap_decode(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let args = positional_only("_codecs.charmap_decode", "charmap_decode", args, 1, 3, vm)?;
    let buffer = ArgBytesLike::try_from_object(vm, args[0].clone())?;
    let errors = errors_argument("charmap_decode", args.get(1), vm)?;
    let given = buffer.borrow_buf();
    // The caller's bytes, read in place; owned only once a handler puts
    // others in the exception.
    let mut data: Cow<'_, [u8]> = Cow::Borrowed(&given);
    let consumed = data.len();
    let Some(mapping) = mapping_argument(args.get(2), vm) else {
        let text: String = data.iter().map(|byte| char::from(*byte)).collect();
        return Ok(vm.new_tuple((text, consumed)).into());
    };
    let map = if mapping.class().is(vm.ctx.types.str_type) {
        let table = mapping.downcast_ref::<PyStr>().map(|table| {
            table
                .as_wtf8()
                .code_points()
                .take(256)
                .map(CodePoint::to_u32)
                .collect()
        });
        DecodingMap::Table(table.unwrap_or_default())
    } else {
        DecodingMap::Mapping(mapping)
    };
    let mut text = Wtf8Buf::with_capacity(data.len());
    let mut callback = DecodeCallback::new(errors);
    let mut position = 0;
    while let Some(&byte) = data.get(position) {
        if map.decode(byte, &mut text, vm)? {
            position += 1;
            continue;
        }
        let answer = callback.call("charmap", &data, (position, position + 1), REASON, vm)?;
        if let Some(object) = answer.object {
            data = Cow::Owned(object);
        }
        text.push_wtf8(answer.replacement.as_wtf8());
        position = answer.next;
    }
    Ok(vm.new_tuple((vm.ctx.new_str(text), consumed)).into())
}

/// How encoding writes a character.
enum EncodingMapping<'a> {
    Trie(&'a EncodingMap),
    Mapping(&'a PyObjectRef),
}

impl EncodingMapping<'_> {
    /// Puts what `point` encodes as on `bytes`; false if the map lacks it.
    fn encode(&self, point: u32, bytes: &mut Vec<u8>, vm: &VirtualMachine) -> PyResult<bool> {
        match self {
            EncodingMapping::Trie(map) => {
                Ok(map.lookup(point).map(|byte| bytes.push(byte)).is_some())
            }
            EncodingMapping::Mapping(mapping) => {
                let value = match asked(mapping, point, vm)? {
                    Mapped::Undefined => return Ok(false),
                    Mapped::Value(value) => value,
                };
                if let Some(number) = value.downcast_ref::<PyInt>() {
                    let number: i64 = number.try_to_primitive(vm)?;
                    let byte = u8::try_from(number).map_err(|_| {
                        vm.new_type_error("character mapping must be in range(256)".to_owned())
                    })?;
                    bytes.push(byte);
                    return Ok(true);
                }
                if let Some(piece) = value.downcast_ref::<PyBytes>() {
                    bytes.extend_from_slice(piece.as_bytes());
                    return Ok(true);
                }
                Err(vm.new_type_error(format!(
                    "character mapping must return integer, bytes or None, not {}",
                    argument_type_name(&value, vm)
                )))
            }
        }
    }

    /// Puts each of `text`'s characters on `bytes`; false at the first
    /// the map lacks.
    fn encode_all(&self, text: &str, bytes: &mut Vec<u8>, vm: &VirtualMachine) -> PyResult<bool> {
        for character in text.chars() {
            if !self.encode(u32::from(character), bytes, vm)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// `charmap_encode(str, errors=None, mapping=None, /)`: `(bytes, len(str))`.
fn charmap_encode(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let args = positional_only("_codecs.charmap_encode", "charmap_encode", args, 1, 3, vm)?;
    let Some(text) = args[0].downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "charmap_encode() argument 1 must be str, not {}",
            argument_type_name(&args[0], vm)
        )));
    };
    let text: PyStrRef = text.to_owned();
    let errors = errors_argument("charmap_encode", args.get(1), vm)?;
    let length = text.char_len();
    let Some(mapping) = mapping_argument(args.get(2), vm) else {
        let bytes = vm.call_method(text.as_object(), "encode", ("latin-1", errors))?;
        return Ok(vm.new_tuple((bytes, length)).into());
    };
    let map = match mapping.downcast_ref::<EncodingMap>() {
        Some(trie) => EncodingMapping::Trie(trie),
        None => EncodingMapping::Mapping(&mapping),
    };
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .map(CodePoint::to_u32)
        .collect();
    let mut bytes = Vec::with_capacity(points.len());
    let mut callback = EncodeCallback::new(errors.clone());
    let mut position = 0;
    while let Some(&point) = points.get(position) {
        if map.encode(point, &mut bytes, vm)? {
            position += 1;
            continue;
        }
        // The run of characters the map lacks.
        let mut end = position + 1;
        let mut probe = Vec::new();
        while let Some(&next) = points.get(end) {
            probe.clear();
            if map.encode(next, &mut probe, vm)? {
                break;
            }
            end += 1;
        }
        let range = (position, end);
        let mut refusal =
            |vm: &VirtualMachine| callback.exception("charmap", &text, range, REASON, vm);
        match errors.as_str() {
            "strict" => return Err(refusal(vm)?),
            "ignore" => position = end,
            "replace" => {
                for _ in position..end {
                    if !map.encode(u32::from(b'?'), &mut bytes, vm)? {
                        return Err(refusal(vm)?);
                    }
                }
                position = end;
            }
            "xmlcharrefreplace" => {
                for &lacking in &points[position..end] {
                    if !map.encode_all(&format!("&#{lacking};"), &mut bytes, vm)? {
                        return Err(refusal(vm)?);
                    }
                }
                position = end;
            }
            _ => {
                let (replacement, next) = callback.call("charmap", &text, range, REASON, vm)?;
                match replacement {
                    Replacement::Bytes(replacement) => bytes.extend_from_slice(&replacement),
                    Replacement::Text(replacement) => {
                        for piece in replacement.as_wtf8().code_points() {
                            if !map.encode(piece.to_u32(), &mut bytes, vm)? {
                                return Err(
                                    callback.exception("charmap", &text, range, REASON, vm)?
                                );
                            }
                        }
                    }
                }
                position = next;
            }
        }
    }
    Ok(vm.new_tuple((vm.ctx.new_bytes(bytes), length)).into())
}
