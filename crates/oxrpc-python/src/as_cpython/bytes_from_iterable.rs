//! `bytes(iterable)` and `bytearray(iterable)` as CPython builds them.
//!
//! RustPython 0.5 tries an iterable first as an int, then as a buffer,
//! building and dropping a TypeError for each, then asks its length (a
//! third TypeError for an iterator without one): `bytes(l)` of a list of
//! ten ints took ~1,100 ns against CPython 3.11's ~110, of a generator
//! ~4,000 against ~420. Its refusals were not CPython's either: an item
//! out of range was "byte must be in range(0, 256)" for `bytes` (CPython
//! says "bytes"), and what cannot be converted at all was "can assign only
//! bytes, buffers, or iterables of ints in range(0, 256)" where CPython
//! says "cannot convert 'float' object to bytes".
//!
//! A source that is not text, has no `__index__`, is no buffer and (for
//! `bytes`) has no `__bytes__` can only be an iterable or refused, and is
//! read here as CPython reads it: an exact list or tuple in place, else
//! its items as they come, each through `__index__`. `bytes` asks a
//! Python class's iterable its length first, as CPython does (a builtin
//! one's answer is not observable, and is not asked); `bytearray` never
//! asks, and keeps what it read before an error, as CPython's does.
//! Anything else goes to RustPython's constructor.

use super::codec_errors::raised_by_text_method;
use super::items::Items;
use super::memory_bounds::refuse_past_memory;
use super::methods::{self, InitSlot, NewSlot};
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyInt, PyStr, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::BufferResizeGuard;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{identifier, AsObject, PyObject, PyPayload, PyResult, VirtualMachine};
use std::ops::ControlFlow as Flow;
use std::sync::OnceLock;

/// RustPython's `new` slot of `bytes` (as the text codecs left it) and
/// `init` slot of `bytearray`.
struct Originals {
    new_bytes: NewSlot,
    init_bytearray: InitSlot,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts both constructors in place, once per process (after the text
/// codecs, whose `bytes` slot this one falls back to).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let originals = Originals {
            new_bytes: types.bytes_type.slots.new.load()?,
            init_bytearray: types.bytearray_type.slots.init.load()?,
        };
        types.bytes_type.slots.new.store(Some(new_bytes));
        methods::define_init(vm, types.bytearray_type, init_bytearray);
        Some(originals)
    });
    Ok(())
}

/// Which constructor reads the items: their words and what they ask.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Made {
    Bytes,
    ByteArray,
}

impl Made {
    fn name(self) -> &'static str {
        match self {
            Made::Bytes => "bytes",
            Made::ByteArray => "bytearray",
        }
    }
}

/// `bytes(...)`.
fn new_bytes(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let originals = methods::kept(&ORIGINALS, "bytes", vm)?;
    check_arguments(&args, Made::Bytes, vm)?;
    size_within_memory(&args, vm)?;
    let Some(source) = only_iterable(&args, Made::Bytes, vm) else {
        return (originals.new_bytes)(class, args, vm);
    };
    let mut read = Vec::new();
    read_items(source, Made::Bytes, &mut read, vm)?;
    if class.is(vm.ctx.types.bytes_type) {
        return Ok(vm.ctx.new_bytes(read).into());
    }
    Ok(PyBytes::from(read).into_ref_with_type(vm, class)?.into())
}

/// `bytearray.__init__`.
fn init_bytearray(
    zelf: rustpython_vm::PyObjectRef,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let originals = methods::kept(&ORIGINALS, "bytearray", vm)?;
    let Some(bytearray) = zelf.downcast_ref::<PyByteArray>() else {
        return (originals.init_bytearray)(zelf, args, vm);
    };
    check_arguments(&args, Made::ByteArray, vm)?;
    size_within_memory(&args, vm)?;
    // Emptied first of all, as CPython's is (refused while its buffer is
    // lent), whatever then fails.
    if !bytearray.borrow_buf().is_empty() {
        *bytearray.try_resizable(vm)? = Vec::new().into();
    }
    let Some(source) = only_iterable(&args, Made::ByteArray, vm) else {
        let encoding = args
            .args
            .get(1)
            .or_else(|| args.kwargs.get("encoding"))
            .cloned();
        return (originals.init_bytearray)(zelf, args, vm)
            .map_err(|error| raised_by_text_method(error, encoding.as_deref(), vm));
    };
    let mut read = Vec::new();
    let outcome = read_items(source, Made::ByteArray, &mut read, vm);
    *bytearray.try_resizable(vm)? = read.into();
    outcome
}

/// `bytes(source=..., encoding=..., errors=...)`'s and `bytearray`'s
/// arguments refused as CPython's argument parsing refuses them, before
/// anything is done.
fn check_arguments(args: &FuncArgs, made: Made, vm: &VirtualMachine) -> PyResult<()> {
    const NAMES: [&str; 3] = ["source", "encoding", "errors"];
    let given = args.args.len() + args.kwargs.len();
    if given > NAMES.len() {
        return Err(vm.new_type_error(format!(
            "{}() takes at most 3 arguments ({given} given)",
            made.name()
        )));
    }
    if let Some(name) = args
        .kwargs
        .keys()
        .find(|name| !NAMES.contains(&name.as_str()))
    {
        return Err(vm.new_type_error(format!(
            "'{name}' is an invalid keyword argument for {}()",
            made.name()
        )));
    }
    for (position, name) in NAMES.iter().enumerate().skip(1) {
        let argument = args.args.get(position).or_else(|| args.kwargs.get(*name));
        if let Some(text) = methods::string_argument(made.name(), name, argument, vm)? {
            methods::c_string_argument(text, vm)?;
        }
    }
    Ok(())
}

/// `bytes(n)` and `bytearray(n)`: `n` zero bytes, refused past the
/// memory budget before they are made (RustPython's allocation of
/// `bytes(10**12)` ended the process).
fn size_within_memory(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let source = args.args.first().or_else(|| args.kwargs.get("source"));
    match source.and_then(|source| source.downcast_ref::<PyInt>()) {
        Some(size) => match size.as_bigint().to_isize() {
            Some(size) if size > 0 => refuse_past_memory(size as u128, vm),
            // Negative, or past an index: RustPython's refusals.
            _ => Ok(()),
        },
        None => Ok(()),
    }
}

/// The one positional argument of a call that can only be an iterable
/// (or refused as one): not text, no `__index__`, no buffer, and for
/// `bytes` no `__bytes__`.
fn only_iterable<'a>(args: &'a FuncArgs, made: Made, vm: &VirtualMachine) -> Option<&'a PyObject> {
    let [source] = args.args.as_slice() else {
        return None;
    };
    if !args.kwargs.is_empty() {
        return None;
    }
    let class = source.class();
    let other_kind = source.downcast_ref::<PyStr>().is_some()
        || class.slots.as_number.index.load().is_some()
        || class.slots.as_buffer.is_some()
        || (made == Made::Bytes && class.get_attr(identifier!(vm, __bytes__)).is_some());
    (!other_kind).then_some(&**source)
}

/// Appends the items of `source` to `read`, each an int in `range(0,
/// 256)`, refused in `made`'s words.
fn read_items(
    source: &PyObject,
    made: Made,
    read: &mut Vec<u8>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let items = Items::of(source, vm).map_err(|error| {
        if error.fast_isinstance(vm.ctx.exceptions.type_error) {
            vm.new_type_error(format!(
                "cannot convert '{}' object to {}",
                source.class().name(),
                made.name()
            ))
        } else {
            error
        }
    })?;
    let python_class = source
        .class()
        .slots
        .flags
        .has_feature(PyTypeFlags::HEAPTYPE);
    if made == Made::Bytes && python_class {
        if let Some(hint) = vm.length_hint_opt(source.to_owned())? {
            read.reserve(hint.min(1 << 16));
        }
    }
    items.each(vm, |item| {
        read.push(byte_of(&item, made, vm)?);
        Ok(Flow::Continue(()))
    })
}

/// An item as a byte: an int (through `__index__`) in `range(0, 256)`.
fn byte_of(item: &PyObject, made: Made, vm: &VirtualMachine) -> PyResult<u8> {
    let value = match item.downcast_ref::<PyInt>() {
        Some(int) => int.as_bigint().to_u8(),
        None => item.try_index(vm)?.as_bigint().to_u8(),
    };
    value.ok_or_else(|| {
        let what = match made {
            Made::Bytes => "bytes",
            Made::ByteArray => "byte",
        };
        vm.new_value_error(format!("{what} must be in range(0, 256)"))
    })
}
