//! A sequence multiplied by what is not an int, refused in CPython 3.11's
//! words.
//!
//! RustPython 0.5 said "'str' object cannot be interpreted as an integer"
//! for `'a' * 'b'` (and `'a' * 1.5`, `(1,) * None`, `[1] * 'x'`), where
//! CPython says "can't multiply sequence by non-int of type 'str'"; and a
//! count past a machine word was "repeated bytes are too long", where
//! CPython says "cannot fit 'int' into an index-sized integer".
//!
//! The five builtin sequences (shared by every interpreter) are given,
//! once per process, the multiplication slot CPython's `PyNumber_Multiply`
//! amounts to for them: the other operand's own multiplication first when
//! it has one, then the repeat of whichever operand is a sequence (the
//! left one first), by the other as an index. `list` and `bytearray` also
//! get the in-place one, `PyNumber_InPlaceMultiply`'s, which repeats the
//! list itself (`l *= 2`). So does `array.array`, a sixth sequence the
//! `array` module makes once and every interpreter shares.
//!
//! A repeat larger than the machine's memory and swap is a MemoryError
//! before anything is allocated, as CPython's failed `malloc` makes it:
//! RustPython's allocation of `'x' * 10**12` was granted (its allocator
//! asks the kernel not to reserve) and the server filled all memory
//! writing it, until the kernel killed the process with every client's
//! interpreter in it. The budget is `memory_bounds`'s.

use super::error_text::no_memory;
use super::memory_bounds::refuse_past_memory;
use super::methods;
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyInt, PyList, PyStr, PyTuple, PyType};
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

static REPLACED: Once = Once::new();

/// A sequence repeat slot (RustPython's type for it is not public).
type RepeatSlot = fn(rustpython_vm::protocol::PySequence<'_>, isize, &VirtualMachine) -> PyResult;

/// The five types' own repeat slots, kept before their `__mul__` methods
/// are replaced: a subclass made later takes its repeat from `__mul__`
/// by name, which must not lead back to the method.
static NATIVE: OnceLock<Vec<NativeRepeat>> = OnceLock::new();

/// A builtin sequence type and its own repeat slots.
struct NativeRepeat {
    class: &'static Py<PyType>,
    repeat: RepeatSlot,
    inplace: Option<RepeatSlot>,
}

/// Gives the five types the slots, once per process (only where they
/// have none of their own).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let mut outcome = Ok(());
    REPLACED.call_once(|| {
        let types = &vm.ctx.types;
        let mut sequences = vec![
            types.str_type,
            types.bytes_type,
            types.tuple_type,
            types.list_type,
            types.bytearray_type,
        ];
        match methods::class_of_module(vm, "array", "array") {
            Ok(array) => {
                ARRAY.get_or_init(|| array);
                sequences.push(array);
            }
            Err(error) => outcome = Err(error),
        }
        NATIVE.get_or_init(|| {
            sequences
                .iter()
                .filter_map(|&class| {
                    let slots = &class.slots.as_sequence;
                    Some(NativeRepeat {
                        class,
                        repeat: slots.repeat.load()?,
                        inplace: slots.inplace_repeat.load(),
                    })
                })
                .collect()
        });
        for class in sequences {
            let slots = &class.slots.as_number;
            let unset = slots.multiply.load().is_none()
                && slots.right_multiply.load().is_none()
                && slots.inplace_multiply.load().is_none();
            if !unset {
                continue;
            }
            slots.multiply.store(Some(multiply));
            slots.right_multiply.store(Some(multiply));
            // The methods called by name repeat through the same check.
            methods::define(vm, class, "__mul__", repeat_method);
            methods::define(vm, class, "__rmul__", repeat_method);
            let mutable = class.is(types.list_type)
                || class.is(types.bytearray_type)
                || ARRAY.get().is_some_and(|array| class.is(*array));
            if mutable {
                slots.inplace_multiply.store(Some(inplace_multiply));
                methods::define(vm, class, "__imul__", inplace_repeat_method);
            }
        }
    });
    outcome
}

/// `array.array`, whose class the `array` module makes once and every
/// interpreter shares, as the builtins'.
static ARRAY: OnceLock<&'static Py<PyType>> = OnceLock::new();

/// Whether `object` is an `array.array`.
fn is_array(object: &PyObject) -> bool {
    ARRAY
        .get()
        .is_some_and(|array| object.fast_isinstance(array))
}

/// Whether `slot` is this file's.
fn is_ours(slot: Option<PyNumberBinaryFunc>) -> bool {
    slot.is_some_and(|slot| std::ptr::fn_addr_eq(slot, multiply as PyNumberBinaryFunc))
}

/// `b`'s own multiplication of `a` by it, which CPython's `binary_op1`
/// tries before any repeat when `a`'s type has none; `None` when `b` has
/// none either (or declines).
fn right_operand_first(
    a: &PyObject,
    b: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let Some(right) = b.class().slots.as_number.right_multiply.load() else {
        return Ok(None);
    };
    if is_ours(Some(right)) {
        return Ok(None);
    }
    let answer = right(a, b, vm)?;
    Ok((!answer.is(&vm.ctx.not_implemented)).then_some(answer))
}

/// `count` as a repeat count, or CPython's TypeError and OverflowError.
fn times(count: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    methods::index_sized_or(
        count,
        |name| format!("can't multiply sequence by non-int of type '{name}'"),
        vm,
    )
}

/// The count to repeat `sequence` by: CPython's refusal of a repeat too
/// long to index (an OverflowError for text and bytes, a MemoryError for
/// the others), a MemoryError where the result needs more bytes than the
/// machine has (its items' references for a list or a tuple), and 0 for
/// an empty sequence (RustPython went through the count, doing nothing:
/// `[] * 10**18` held its thread for good).
fn within_memory(sequence: &PyObject, times: isize, vm: &VirtualMachine) -> PyResult<isize> {
    let Ok(count) = usize::try_from(times) else {
        return Ok(times);
    };
    let reference = std::mem::size_of::<PyObjectRef>();
    let (items, bytes, too_long) = if let Some(text) = sequence.downcast_ref::<PyStr>() {
        (
            text.char_len(),
            text.as_wtf8().len(),
            Some("repeated string is too long"),
        )
    } else if let Some(bytes) = sequence.downcast_ref::<PyBytes>() {
        let length = bytes.as_bytes().len();
        (length, length, Some("repeated bytes are too long"))
    } else if let Some(bytes) = sequence.downcast_ref::<PyByteArray>() {
        let length = bytes.borrow_buf().len();
        (length, length, None)
    } else if let Some(list) = sequence.downcast_ref::<PyList>() {
        let length = list.borrow_vec().len();
        (length, length * reference, None)
    } else if let Some(tuple) = sequence.downcast_ref::<PyTuple>() {
        (tuple.len(), tuple.len() * reference, None)
    } else if is_array(sequence) {
        let length = sequence.length(vm)?;
        let itemsize = sequence.get_attr("itemsize", vm)?.try_index(vm)?;
        let itemsize =
            num_traits::ToPrimitive::to_usize(itemsize.as_bigint()).unwrap_or(usize::MAX);
        (length, length.saturating_mul(itemsize), None)
    } else {
        return Ok(times);
    };
    if items == 0 {
        return Ok(0);
    }
    if items
        .checked_mul(count)
        .is_none_or(|total| total > isize::MAX as usize)
    {
        return Err(match too_long {
            Some(text) => vm.new_overflow_error(text),
            None => no_memory(vm),
        });
    }
    refuse_past_memory(bytes as u128 * count as u128, vm)?;
    Ok(times)
}

/// `sequence` repeated `times` by its builtin type's own slot (in place
/// for `inplace` where the type has one).
fn native_repeat(
    sequence: &PyObject,
    times: isize,
    inplace: bool,
    vm: &VirtualMachine,
) -> PyResult {
    let native = NATIVE.get().and_then(|native| {
        native
            .iter()
            .find(|native| sequence.fast_isinstance(native.class))
    });
    match native {
        Some(native) => {
            let slot = match native.inplace {
                Some(inplace_repeat) if inplace => inplace_repeat,
                _ => native.repeat,
            };
            slot(sequence.sequence_unchecked(), times, vm)
        }
        None if inplace => sequence.sequence_unchecked().inplace_repeat(times, vm),
        None => sequence.sequence_unchecked().repeat(times, vm),
    }
}

/// A repeat count given to `__mul__`, `__rmul__` or `__imul__` by name:
/// an index (`PyNumber_AsSsize_t`).
fn method_times(count: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    methods::index_sized(count, vm)
}

/// `seq.__mul__(n)` and `seq.__rmul__(n)`.
fn repeat_method(zelf: PyObjectRef, count: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let times = within_memory(&zelf, method_times(&count, vm)?, vm)?;
    native_repeat(&zelf, times, false, vm)
}

/// `seq.__imul__(n)`.
fn inplace_repeat_method(zelf: PyObjectRef, count: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let times = within_memory(&zelf, method_times(&count, vm)?, vm)?;
    native_repeat(&zelf, times, true, vm)
}

/// `a * b` where `a` or `b` is one of the five sequences.
fn multiply(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let class_a: &Py<PyType> = a.class();
    let ours_a = is_ours(class_a.slots.as_number.multiply.load());
    // The usual `'ab' * 3` and `3 * 'ab'`: a sequence of ours by a plain
    // int.
    let (usual_sequence, usual_count) = if ours_a { (a, b) } else { (b, a) };
    if let Some(count) = usual_count.downcast_ref_if_exact::<PyInt>(vm) {
        if let Some(times) = num_traits::ToPrimitive::to_isize(count.as_bigint()) {
            let times = within_memory(usual_sequence, times, vm)?;
            return native_repeat(usual_sequence, times, false, vm);
        }
    }
    // Called for `a` (ours): unless RustPython has just tried `b`'s own
    // (a subclass of `a`'s type goes first there). A plain int's declines
    // a sequence: the usual `'ab' * 3` skips the call.
    let plain_int = b.class().is(vm.ctx.types.int_type);
    if !plain_int && ours_a && !b.class().fast_issubclass(class_a) {
        if let Some(answer) = right_operand_first(a, b, vm)? {
            return Ok(answer);
        }
    }
    // The left operand is repeated when it can be. Looked at without
    // `try_sequence`, which makes (and here would drop) a TypeError.
    let left = a.sequence_unchecked();
    let (repeated, count) = if left.check() && left.slots().repeat.load().is_some() {
        (a, b)
    } else {
        b.try_sequence(vm)?;
        (b, a)
    };
    let times = within_memory(repeated, times(count, vm)?, vm)?;
    native_repeat(repeated, times, false, vm)
}

/// `a *= b` where `a` is a `list` or a `bytearray`: repeated in place.
fn inplace_multiply(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if !b.class().is(vm.ctx.types.int_type) {
        if let Some(answer) = right_operand_first(a, b, vm)? {
            return Ok(answer);
        }
    }
    let times = within_memory(a, times(b, vm)?, vm)?;
    native_repeat(a, times, true, vm)
}
