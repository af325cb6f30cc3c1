//! Builtins that allocate the size an argument names, refused past the
//! memory budget before they allocate.
//!
//! `'x'.ljust(10**12)`, `bytearray(b'a').center(10**12)`,
//! `('\t' * 100).expandtabs(2**31 - 1)`, `(1).to_bytes(10**12, 'big')`,
//! `1 << 10**13` and `open(path, 'rb').read(10**12)` each asked RustPython
//! 0.5 for the bytes at once, and a refused allocation ends the process:
//! one client's line ended the server with every other client's
//! interpreter. CPython 3.11 raises MemoryError for each (its `malloc`
//! refused) and serves on. Each of these methods is given a check of its
//! size arguments against [`super::memory_bounds`], then runs as before;
//! arguments CPython reads as a C `int` or `Py_ssize_t` and RustPython
//! as a Rust one are also refused in CPython's words.
//!
//! The checks stand before RustPython's own methods, kept when they are
//! replaced (once per process: the types are shared by every
//! interpreter). `str.zfill` is this folder's own (`str_methods`) and
//! checks its width there; `bytes(n)` and `bytearray(n)` are checked by
//! their constructors (`bytes_from_iterable`), `**` by the int power
//! (`float_arithmetic`), collections from an iterable's size hint by
//! `collect_iterable`, format widths by `format_refusals`, and repeats
//! (`array.array`'s too) by `sequence_repeat`.

use super::clinic_signature::{c_int_argument, Signature};
use super::memory_bounds::{names_a_large_number, refuse_past_memory};
use super::methods;
use num_traits::{Signed, ToPrimitive, Zero};
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyInt, PyStr, PyType};
use rustpython_vm::class::{PyClassImpl, StaticType};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

static INSTALLED: Once = Once::new();

/// The int type's own `<<`, kept before it is replaced.
static INT_SHIFT_LEFT: OnceLock<PyNumberBinaryFunc> = OnceLock::new();

/// A check of a method's arguments (its receiver first), made before the
/// method runs.
type Check = fn(&FuncArgs, &VirtualMachine) -> PyResult<()>;

/// Puts the checks before the methods, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let mut outcome = Ok(());
    INSTALLED.call_once(|| outcome = install_once(vm));
    outcome
}

fn install_once(vm: &VirtualMachine) -> PyResult<()> {
    let types = &vm.ctx.types;
    for name in ["ljust", "rjust", "center"] {
        check_before_native::<PyStr>(vm, name, padded_width);
        check_before_native::<PyBytes>(vm, name, padded_width);
        check_before_native::<PyByteArray>(vm, name, padded_width);
    }
    check_before_native::<PyStr>(vm, "expandtabs", expanded_tabs);
    check_before_native::<PyBytes>(vm, "expandtabs", expanded_tabs);
    check_before_native::<PyByteArray>(vm, "expandtabs", expanded_tabs);
    check_before_native::<PyBytes>(vm, "zfill", padded_width);
    check_before_native::<PyByteArray>(vm, "zfill", padded_width);
    check_before_native::<PyBytes>(vm, "replace", replaced_bytes);
    check_before_native::<PyByteArray>(vm, "replace", replaced_bytes);
    check_before_native::<PyInt>(vm, "to_bytes", byte_length);
    if let Some(own) = types.int_type.slots.as_number.lshift.load() {
        INT_SHIFT_LEFT.get_or_init(|| own);
        // `bool` took its own copy of int's slots when it was made.
        for class in [types.int_type, types.bool_type] {
            let number = &class.slots.as_number;
            number.lshift.store(Some(shift_left));
            number.right_lshift.store(Some(shift_left));
        }
        methods::define_binary(
            vm,
            types.int_type,
            ("__lshift__", "__rlshift__"),
            shift_left,
        );
    }
    for name in [
        "FileIO",
        "BufferedReader",
        "BufferedRandom",
        "BufferedRWPair",
    ] {
        let class = methods::class_of_module(vm, "_io", name)?;
        methods::check_before(vm, class, "read", read_size);
    }
    let bytes_io = methods::class_of_module(vm, "_io", "BytesIO")?;
    watch_far_seeks(vm, bytes_io);
    let socket = methods::class_of_module(vm, "_socket", "socket")?;
    methods::check_before(vm, socket, "recv", read_size);
    methods::check_before(vm, socket, "recvfrom", read_size);
    let random = methods::class_of_module(vm, "_random", "Random")?;
    methods::check_before(vm, random, "getrandbits", random_bits);
    let buffered = ["BufferedReader", "BufferedWriter", "BufferedRandom"];
    let mut inits = Vec::with_capacity(buffered.len());
    for (which, name) in buffered.into_iter().enumerate() {
        let class = methods::class_of_module(vm, "_io", name)?;
        let Some(original) = class.slots.init.load() else {
            return Ok(());
        };
        inits.push(original);
        let init: methods::InitSlot = match which {
            0 => buffered_init::<0>,
            1 => buffered_init::<1>,
            _ => buffered_init::<2>,
        };
        methods::define_init(vm, class, init);
    }
    if let Ok(inits) = <[methods::InitSlot; 3]>::try_from(inits) {
        BUFFERED_INITS.get_or_init(|| inits);
    }
    let decompressor = methods::class_of_module(vm, "zlib", "Decompress")?;
    methods::check_before(vm, decompressor, "flush", flushed_length);
    let packer = methods::class_of_module(vm, "_struct", "Struct")?;
    methods::check_before(vm, packer, "pack", packed_size);
    let news: [(&'static str, methods::NewSlot); 5] = [
        ("combinations", combinatoric_new::<0>),
        ("combinations_with_replacement", combinatoric_new::<1>),
        ("permutations", combinatoric_new::<2>),
        ("product", combinatoric_new::<3>),
        ("tee", combinatoric_new::<4>),
    ];
    let mut originals = Vec::with_capacity(news.len());
    for (name, new) in news {
        let class = methods::class_of_module(vm, "itertools", name)?;
        let Some(original) = class.slots.new.load() else {
            return Ok(());
        };
        originals.push(original);
        class.slots.new.store(Some(new));
    }
    if let Ok(originals) = <[methods::NewSlot; 5]>::try_from(originals) {
        COMBINATORIC_NEWS.get_or_init(|| originals);
    }
    Ok(())
}

/// The new slots of `itertools`' `combinations`,
/// `combinations_with_replacement`, `permutations`, `product` and `tee`
/// (a class in RustPython), in that order, kept before they are replaced.
static COMBINATORIC_NEWS: OnceLock<[methods::NewSlot; 5]> = OnceLock::new();

/// A combinatoric iterator made as RustPython makes it, once CPython's
/// index arrays for it (of `r` indices, or of `repeat` times the
/// iterables' count) fit the budget: RustPython's
/// `combinations(range(10), 10**12)` asked for them and ended the
/// process, and `product(range(10), repeat=10**12)` filled memory.
fn combinatoric_new<const WHICH: usize>(
    class: rustpython_vm::builtins::PyTypeRef,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(originals) = COMBINATORIC_NEWS.get() else {
        return Err(vm.new_runtime_error("itertools not set up".to_owned()));
    };
    let iterable = |object: &PyObject| {
        let slots = &object.class().slots;
        slots.iter.load().is_some() || slots.as_sequence.item.load().is_some()
    };
    let word = std::mem::size_of::<usize>() as u128;
    if WHICH == 4 {
        // `tee(iterable, n=2)`: CPython makes the tuple of `n` first.
        if let Some(count) = args.args.get(1) {
            if let Some(count) = index_ssize(count, vm)? {
                if count < 0 {
                    return Err(vm.new_value_error("n must be >= 0".to_owned()));
                }
                refuse_past_memory(count as u128 * word, vm)?;
            }
        }
        return originals[WHICH](class, args, vm);
    }
    if WHICH == 3 {
        if let Some(other) = args.kwargs.keys().find(|name| *name != "repeat") {
            return Err(vm.new_type_error(format!(
                "'{other}' is an invalid keyword argument for product()"
            )));
        }
        if let Some(repeat) = args.kwargs.get("repeat") {
            let repeat = index_ssize(repeat, vm)?.unwrap_or(0);
            if repeat < 0 {
                return Err(vm.new_value_error("repeat argument cannot be negative".to_owned()));
            }
            let pools = args.args.len() as u128 * repeat as u128;
            if pools * word > isize::MAX as u128 {
                return Err(vm.new_overflow_error("repeat argument too large".to_owned()));
            }
            if args.args.iter().all(|pool| iterable(pool)) {
                refuse_past_memory(pools * word, vm)?;
            }
        }
        return originals[WHICH](class, args, vm);
    }
    // `iterable` and `r` bound as Argument Clinic binds them (RustPython's
    // `permutations` took `r` by position only), then given by position.
    let signature = Signature {
        function: [
            "combinations",
            "combinations_with_replacement",
            "permutations",
        ][WHICH],
        parameters: &["iterable", "r"],
        positional_only: 0,
        positional: 2,
        required: if WHICH == 2 { 1 } else { 2 },
    };
    let bound = signature.bind(args, vm)?;
    let [Some(pool), r] = <[Option<PyObjectRef>; 2]>::try_from(bound)
        .map_err(|_| vm.new_runtime_error("itertools arguments not bound".to_owned()))?
    else {
        return Err(vm.new_runtime_error("itertools arguments not bound".to_owned()));
    };
    if let Some(r) = r.as_ref().filter(|r| !(WHICH == 2 && vm.is_none(r))) {
        if let Some(r) = index_ssize(r, vm)? {
            if r > 0 && iterable(&pool) {
                refuse_past_memory(r as u128 * word, vm)?;
            }
        }
    }
    let positional: Vec<PyObjectRef> = std::iter::once(pool).chain(r).collect();
    originals[WHICH](class, FuncArgs::from(positional), vm)
}

/// [`methods::check_before`] for a method of the builtin type `T`, whose own
/// function is then called as is (the new method's descriptor has checked
/// the receiver as the old one did): ~45 ns less than calling the old
/// method.
fn check_before_native<T: PyClassImpl + StaticType>(
    vm: &VirtualMachine,
    name: &'static str,
    check: Check,
) {
    let Some(function) = methods::native_function::<T>(name) else {
        return methods::check_before(vm, T::static_type(), name, check);
    };
    methods::define(
        vm,
        T::static_type(),
        name,
        move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            check(&args, vm)?;
            function(vm, args)
        },
    );
}

/// Argument `position` (counting the receiver) or keyword `name`.
fn argument<'a>(args: &'a FuncArgs, position: usize, name: &str) -> Option<&'a PyObjectRef> {
    args.args.get(position).or_else(|| args.kwargs.get(name))
}

/// An int argument CPython converts to `Py_ssize_t`: its value, or
/// CPython's OverflowError past the type; `None` for what is not an int
/// (left to the method's own refusal).
fn ssize(argument: &PyObject, vm: &VirtualMachine) -> PyResult<Option<isize>> {
    let Some(int) = argument.downcast_ref::<PyInt>() else {
        return Ok(None);
    };
    ssize_of(int, vm).map(Some)
}

/// An int as a `Py_ssize_t`, or CPython's OverflowError.
fn ssize_of(int: &PyInt, vm: &VirtualMachine) -> PyResult<isize> {
    int.as_bigint().to_isize().ok_or_else(|| {
        vm.new_overflow_error("Python int too large to convert to C ssize_t".to_owned())
    })
}

/// [`ssize`] of an argument CPython reads as an index.
fn index_ssize(argument: &PyObject, vm: &VirtualMachine) -> PyResult<Option<isize>> {
    refuse_non_index(argument, vm)?;
    ssize(argument, vm)
}

/// An argument CPython reads as a `Py_ssize_t` index, through
/// `__index__`, refused in its words.
pub(super) fn index_argument(argument: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    refuse_non_index(argument, vm)?;
    ssize_of(&*argument.try_index(vm)?, vm)
}

/// An argument CPython reads as an index refused in its words when it has
/// no `__index__` (RustPython's were "Expected type 'int' but 'str'
/// found.").
fn refuse_non_index(argument: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    if argument.class().slots.as_number.index.load().is_some() {
        return Ok(());
    }
    Err(vm.new_type_error(format!(
        "'{}' object cannot be interpreted as an integer",
        argument.class().name()
    )))
}

/// `ljust`, `rjust`, `center` and `zfill`: the width in characters of
/// the fill (a text's fill may take up to four bytes each).
fn padded_width(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(width) = argument(args, 1, "width") else {
        return Ok(());
    };
    let Some(width) = index_ssize(width, vm)? else {
        return Ok(());
    };
    let fill_bytes = args
        .args
        .get(2)
        .and_then(|fill| fill.downcast_ref::<PyStr>())
        .map_or(1, |fill| fill.as_wtf8().len().max(1));
    refuse_past_memory(width.max(0) as u128 * fill_bytes as u128, vm)
}

/// `expandtabs(tabsize)`: a tab size past a C `int` refused as CPython's
/// argument conversion refuses it, then the expanded length.
fn expanded_tabs(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(tabsize) = argument(args, 1, "tabsize") else {
        return Ok(());
    };
    refuse_non_index(tabsize, vm)?;
    let Some(tabsize) = tabsize.downcast_ref::<PyInt>() else {
        return Ok(());
    };
    let Some(tabsize) = tabsize.as_bigint().to_i32() else {
        return Err(vm.new_overflow_error("Python int too large to convert to C int".to_owned()));
    };
    let Some(zelf) = args.args.first() else {
        return Ok(());
    };
    let Ok(tabsize) = u64::try_from(tabsize) else {
        return Ok(());
    };
    let expanded = if let Some(text) = zelf.downcast_ref::<PyStr>() {
        expanded_length(text.as_wtf8().as_bytes(), tabsize)
    } else if let Some(bytes) = zelf.downcast_ref::<PyBytes>() {
        expanded_length(bytes.as_bytes(), tabsize)
    } else if let Some(bytes) = zelf.downcast_ref::<PyByteArray>() {
        expanded_length(&bytes.borrow_buf(), tabsize)
    } else {
        return Ok(());
    };
    refuse_past_memory(expanded, vm)
}

/// The bytes `expandtabs` makes of `text` (bytes, or text as UTF-8 whose
/// continuation bytes take no column): a tab fills to the next multiple
/// of `tabsize`, a line break starts the column again.
fn expanded_length(text: &[u8], tabsize: u64) -> u128 {
    // The usual cases, checked without following the columns: even every
    // byte a tab stays small, or the tabs there are do.
    let small = |tabs: u128| text.len() as u128 + tabs * u128::from(tabsize) <= 1 << 28;
    if small(text.len() as u128) {
        return 0;
    }
    if small(text.iter().filter(|&&byte| byte == b'\t').count() as u128) {
        return 0;
    }
    let (mut length, mut column) = (0u128, 0u64);
    for &byte in text {
        match byte {
            b'\t' if tabsize > 0 => {
                let fill = tabsize - column % tabsize;
                length += u128::from(fill);
                column += fill;
            }
            b'\t' => {}
            b'\n' | b'\r' => {
                length += 1;
                column = 0;
            }
            continuation if continuation & 0xC0 == 0x80 => length += 1,
            _ => {
                length += 1;
                column += 1;
            }
        }
    }
    length
}

/// `bytes.replace(old, new, count=-1)` and `bytearray`'s: the bytes the
/// result takes.
fn replaced_bytes(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let length_of = |object: &PyObject| -> Option<usize> {
        match object.downcast_ref::<PyBytes>() {
            Some(bytes) => Some(bytes.as_bytes().len()),
            None => object
                .downcast_ref::<PyByteArray>()
                .map(|bytes| bytes.borrow_buf().len()),
        }
    };
    let [text, old, new, rest @ ..] = args.args.as_slice() else {
        return Ok(());
    };
    let (Some(text_length), Some(old_length), Some(new_length)) =
        (length_of(text), length_of(old), length_of(new))
    else {
        return Ok(());
    };
    let count = match rest.first() {
        Some(count) => ssize(count, vm)?.unwrap_or(-1),
        None => -1,
    };
    let replacement = Replacement {
        text_length,
        points: text_length,
        old_length,
        new_length,
        count,
    };
    replacement.refuse_past_memory("replace bytes is too long", vm, |limit| {
        // A bytearray replaced in itself is found once (and read once:
        // its buffer is not borrowed twice).
        if text.is(old) {
            return limit.min(1);
        }
        with_bytes(text, |text| {
            with_bytes(old, |old| occurrences(text, old, limit))
        })
        .flatten()
        .unwrap_or(0)
    })
}

/// `f` of the bytes of `object` (a `bytes` or a `bytearray`), read in
/// place; `None` for another object.
fn with_bytes<R>(object: &PyObject, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    match object.downcast_ref::<PyBytes>() {
        Some(bytes) => Some(f(bytes.as_bytes())),
        None => object
            .downcast_ref::<PyByteArray>()
            .map(|bytes| f(&bytes.borrow_buf())),
    }
}

/// A `replace` of `old_length` bytes by `new_length` in a text of
/// `text_length` bytes (`points` characters), at most `count` times (all,
/// when negative).
pub(super) struct Replacement {
    pub(super) text_length: usize,
    pub(super) points: usize,
    pub(super) old_length: usize,
    pub(super) new_length: usize,
    pub(super) count: isize,
}

impl Replacement {
    /// CPython's refusal of the result: an OverflowError (`too_long`)
    /// past an index, a MemoryError past the budget. Only a replacement
    /// that could grow past 256 MiB asks `occurrences` (of a non-empty
    /// old, up to a limit) how many there are.
    pub(super) fn refuse_past_memory(
        &self,
        too_long: &str,
        vm: &VirtualMachine,
        occurrences: impl FnOnce(usize) -> usize,
    ) -> PyResult<()> {
        let Some(growth) = self
            .new_length
            .checked_sub(self.old_length)
            .filter(|&g| g > 0)
        else {
            return Ok(());
        };
        let limit = usize::try_from(self.count).unwrap_or(usize::MAX);
        // The empty string is found before each character and after the
        // last.
        let most = self
            .text_length
            .checked_div(self.old_length)
            .unwrap_or(self.points + 1)
            .min(limit);
        let size = |found: usize| self.text_length as u128 + found as u128 * growth as u128;
        if size(most) <= 1 << 28 {
            return Ok(());
        }
        let found = if self.old_length == 0 {
            most
        } else {
            occurrences(limit)
        };
        let size = size(found);
        if size > isize::MAX as u128 {
            return Err(vm.new_overflow_error(too_long.to_owned()));
        }
        refuse_past_memory(size, vm)
    }
}

/// How many times `old` (not empty) is in `text` without overlapping, up
/// to `limit`.
pub(super) fn occurrences(text: &[u8], old: &[u8], limit: usize) -> usize {
    let (mut found, mut at) = (0, 0);
    while found < limit {
        match text[at..]
            .windows(old.len())
            .position(|window| window == old)
        {
            Some(offset) => {
                found += 1;
                at += offset + old.len();
            }
            None => break,
        }
    }
    found
}

/// `int.to_bytes(length, ...)`: CPython's refusals of a negative or
/// too large length, then the length itself.
fn byte_length(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(length) = argument(args, 1, "length") else {
        return Ok(());
    };
    let Some(length) = index_ssize(length, vm)? else {
        return Ok(());
    };
    if length < 0 {
        return Err(vm.new_value_error("length argument must be non-negative".to_owned()));
    }
    refuse_past_memory(length as u128, vm)
}

/// `read(size)` of the binary file classes and `recv(size)` of sockets:
/// CPython makes the bytes object of that size before it reads.
fn read_size(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    sized_by(args, 1, "size", vm)
}

/// The init slots of `BufferedReader`, `BufferedWriter` and
/// `BufferedRandom`, in that order, kept before they are replaced.
static BUFFERED_INITS: OnceLock<[methods::InitSlot; 3]> = OnceLock::new();

/// A buffered file's `__init__(raw, buffer_size=8192)`: CPython makes
/// the buffer of that size first.
fn buffered_init<const WHICH: usize>(
    zelf: PyObjectRef,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if let Some(size) = argument(&args, 1, "buffer_size") {
        if let Some(size) = ssize(size, vm)? {
            refuse_past_memory(size.max(0) as u128, vm)?;
        }
    }
    match BUFFERED_INITS.get() {
        Some(inits) => inits[WHICH](zelf, args, vm),
        None => Err(vm.new_runtime_error("buffered files not set up".to_owned())),
    }
}

/// `seek` of `class` (`BytesIO`; `StringIO` checks its own writes) given
/// a watch: the first seek to past 256 MiB in the process puts
/// [`written_at`]'s check before the class's `write`. A write at a far
/// position is what asked RustPython for the gap at once; the usual
/// in-memory file is never sought that far and its writes stay unchecked
/// (the check asks the position, ~200 ns).
fn watch_far_seeks(vm: &VirtualMachine, class: &'static Py<PyType>) {
    let Some(seek) = class.get_attr(vm.ctx.intern_str("seek")) else {
        return;
    };
    let checked = std::sync::Arc::new(Once::new());
    methods::define(
        vm,
        class,
        "seek",
        move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            let position = seek.call(args, vm)?;
            if !checked.is_completed() && ssize(&position, vm)?.is_some_and(|at| at > 1 << 28) {
                checked.call_once(|| methods::check_before(vm, class, "write", written_at));
            }
            Ok(position)
        },
    );
}

/// `BytesIO.write(b)`: the file grows to the position written at and
/// the data's length.
fn written_at(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let [file, data] = args.args.as_slice() else {
        return Ok(());
    };
    let length = if let Some(bytes) = data.downcast_ref::<PyBytes>() {
        bytes.as_bytes().len()
    } else if let Some(bytes) = data.downcast_ref::<PyByteArray>() {
        bytes.borrow_buf().len()
    } else {
        // Other buffers are written at their length; the position is
        // what can be past memory.
        0
    };
    let position = vm.call_method(file, "tell", ())?;
    let Some(position) = ssize(&position, vm)? else {
        return Ok(());
    };
    refuse_past_memory(position.max(0) as u128 + length as u128, vm)
}

/// `Random.getrandbits(k)`: `k` is a C `int` in CPython 3.11, so a count
/// past it is refused before any bits are made (RustPython made them:
/// `random.randbytes(10**12)` ended the process).
fn random_bits(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    match args.args.get(1) {
        Some(count) => c_int_argument(count, vm).map(drop),
        None => Ok(()),
    }
}

/// `zlib.decompress(data, wbits, bufsize)`: CPython makes the first
/// output buffer of that size.
pub(super) fn zlib_decompress(
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    if let Some(size) = argument(&args, 2, "bufsize") {
        output_buffer(ssize(size, vm)?, vm)?;
    }
    own(vm, args)
}

/// `Decompress.flush(length)`, whose length is positional only: CPython
/// makes the output buffer of that size first.
fn flushed_length(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    const FLUSH: Signature = Signature {
        function: "flush",
        parameters: &["length"],
        positional_only: 1,
        positional: 1,
        required: 0,
    };
    // Only a call of another shape is bound, for Argument Clinic's refusal.
    if !args.kwargs.is_empty() || args.args.len() > 2 {
        FLUSH.bind_after_receiver(args.clone(), vm)?;
    }
    match args.args.get(1) {
        Some(length) => output_buffer(ssize(length, vm)?, vm),
        None => Ok(()),
    }
}

/// zlib's refusal of a first output buffer of `size` bytes past memory.
fn output_buffer(size: Option<isize>, vm: &VirtualMachine) -> PyResult<()> {
    match size {
        Some(size) if refuse_past_memory(size.max(0) as u128, vm).is_err() => {
            Err(vm.new_memory_error("Unable to allocate output buffer.".to_owned()))
        }
        _ => Ok(()),
    }
}

/// `Struct.pack(...)`: the struct's size.
fn packed_size(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(packer) = args.args.first() else {
        return Ok(());
    };
    let size = packer.get_attr("size", vm)?;
    match ssize(&size, vm)? {
        Some(size) => refuse_past_memory(size.max(0) as u128, vm),
        None => Ok(()),
    }
}

/// `struct.pack(format, ...)`: the format's size, asked of `calcsize` for
/// a format with nine digits in a row (the rest are within the budget).
fn format_size(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(format) = args.args.first() else {
        return Ok(());
    };
    let long = if let Some(text) = format.downcast_ref::<PyStr>() {
        names_a_large_number(text.as_wtf8().as_bytes())
    } else if let Some(bytes) = format.downcast_ref::<PyBytes>() {
        names_a_large_number(bytes.as_bytes())
    } else {
        false
    };
    if !long {
        return Ok(());
    }
    let calcsize = vm.import("_struct", 0)?.get_attr("calcsize", vm)?;
    // A format `calcsize` refuses is refused by `pack` in the same words.
    let Ok(size) = calcsize.call((format.clone(),), vm) else {
        return Ok(());
    };
    match ssize(&size, vm)? {
        Some(size) => refuse_past_memory(size.max(0) as u128, vm),
        None => Ok(()),
    }
}

/// An argument (at `position`, or named `name`) that is the size of
/// what CPython makes first.
fn sized_by(args: &FuncArgs, position: usize, name: &str, vm: &VirtualMachine) -> PyResult<()> {
    match argument(args, position, name).map(|size| ssize(size, vm)) {
        Some(Ok(Some(size))) => refuse_past_memory(size.max(0) as u128, vm),
        Some(Err(error)) => Err(error),
        _ => Ok(()),
    }
}

/// Module functions with a check made before RustPython's (functions
/// of each interpreter's copy of their module; see `module_copy`).
macro_rules! checked_fronts {
    ($($(#[$doc:meta])* $name:ident => $check:expr;)*) => {$(
        $(#[$doc])*
        pub(super) fn $name(
            own: &'static dyn PyNativeFn,
            args: FuncArgs,
            vm: &VirtualMachine,
        ) -> PyResult {
            $check(&args, vm)?;
            own(vm, args)
        }
    )*};
}

checked_fronts! {
    /// `os.read(fd, length)`: CPython makes the bytes object first.
    os_read => |args, vm| sized_by(args, 1, "length", vm);
    /// `os.urandom(size)`.
    os_urandom => |args, vm| sized_by(args, 0, "size", vm);
    /// `os.getrandom(size, flags)`.
    os_getrandom => |args, vm| sized_by(args, 0, "size", vm);
    /// `struct.pack(format, ...)`.
    struct_pack => format_size;
}

/// The int type's `<<`: a result past the budget refused, the rest
/// shifted by RustPython.
fn shift_left(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if let (Some(value), Some(shift)) = (a.downcast_ref::<PyInt>(), b.downcast_ref::<PyInt>()) {
        let (value, shift) = (value.as_bigint(), shift.as_bigint());
        if !value.is_zero() && shift.is_positive() {
            // CPython's result in its 30-bit digits of 4 bytes, refused
            // past the most an object can have (`MAX_LONG_DIGITS`).
            let digits = shift.to_u128().map_or(u128::MAX, |shift| {
                (shift / 30).saturating_add(u128::from(value.bits() / 30 + 2))
            });
            if digits > (isize::MAX as u128 - 24) / 4 {
                return Err(vm.new_overflow_error("too many digits in integer".to_owned()));
            }
            refuse_past_memory(digits * 4, vm)?;
        }
    }
    match INT_SHIFT_LEFT.get() {
        Some(own) => own(a, b, vm),
        None => Ok(vm.ctx.not_implemented()),
    }
}

#[cfg(test)]
mod tests {
    use super::expanded_length;

    #[test]
    fn short_texts_are_not_followed() {
        assert_eq!(expanded_length(b"a\tb", 8), 0);
    }

    #[test]
    fn tabs_fill_to_the_next_stop_and_lines_start_again() {
        let tabsize = 1 << 27;
        // "ab\t" fills to one stop, "\n" starts again, "\t" one stop more.
        assert_eq!(
            expanded_length(b"ab\t\n\t\t", tabsize),
            u128::from(tabsize) + 1 + 2 * u128::from(tabsize)
        );
        // Continuation bytes take no column: "é\t" fills like "e\t".
        assert_eq!(
            expanded_length("é\t\t\t".as_bytes(), tabsize),
            2 + 3 * u128::from(tabsize) - 1
        );
    }
}
