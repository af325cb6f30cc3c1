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
//! list itself (`l *= 2`).

use rustpython_vm::builtins::{PyInt, PyType};
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Gives the five types the slots, once per process (only where they
/// have none of their own).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let types = &vm.ctx.types;
        let sequences = [
            types.str_type,
            types.bytes_type,
            types.tuple_type,
            types.list_type,
            types.bytearray_type,
        ];
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
            if class.is(types.list_type) || class.is(types.bytearray_type) {
                slots.inplace_multiply.store(Some(inplace_multiply));
            }
        }
    });
    Ok(())
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
    if count.class().slots.as_number.index.load().is_none() {
        return Err(vm.new_type_error(format!(
            "can't multiply sequence by non-int of type '{}'",
            count.class().slot_name()
        )));
    }
    let index = count.try_index(vm)?;
    num_traits::ToPrimitive::to_isize(index.as_bigint()).ok_or_else(|| {
        vm.new_overflow_error(format!(
            "cannot fit '{}' into an index-sized integer",
            count.class().slot_name()
        ))
    })
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
            return usual_sequence.sequence_unchecked().repeat(times, vm);
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
    let (sequence, count) = if left.check() && left.slots().repeat.load().is_some() {
        (left, b)
    } else {
        (b.try_sequence(vm)?, a)
    };
    sequence.repeat(times(count, vm)?, vm)
}

/// `a *= b` where `a` is a `list` or a `bytearray`: repeated in place.
fn inplace_multiply(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if !b.class().is(vm.ctx.types.int_type) {
        if let Some(answer) = right_operand_first(a, b, vm)? {
            return Ok(answer);
        }
    }
    let times = times(b, vm)?;
    a.try_sequence(vm)?.inplace_repeat(times, vm)
}
