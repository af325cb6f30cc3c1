//! `%`-formatting's refusal of a non-number for `%d`, in CPython 3.11's
//! words.
//!
//! RustPython 0.5 said "%d format: a number is required, not str" for
//! `'%d' % 'a'` (and `%i`, `%u`, and the same of `bytes` and
//! `bytearray`), where CPython says "a real number is required". The
//! `%` slots of the three types, shared by every interpreter, are replaced
//! once per process by ones that call RustPython's and reword that error.

use super::error_text::text_of;
use super::methods;
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{PyObject, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `%` slot of `str`, `bytes` and `bytearray`, in that order.
static ORIGINALS: OnceLock<Option<[PyNumberBinaryFunc; 3]>> = OnceLock::new();

/// Puts the slots in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let types = &vm.ctx.types;
        let classes = [types.str_type, types.bytes_type, types.bytearray_type];
        let originals = [
            classes[0].slots.as_number.remainder.load()?,
            classes[1].slots.as_number.remainder.load()?,
            classes[2].slots.as_number.remainder.load()?,
        ];
        let replacements: [PyNumberBinaryFunc; 3] =
            [remainder::<0>, remainder::<1>, remainder::<2>];
        for (class, slot) in classes.into_iter().zip(replacements) {
            class.slots.as_number.remainder.store(Some(slot));
            if class.slots.as_number.right_remainder.load().is_some() {
                class.slots.as_number.right_remainder.store(Some(slot));
            }
            methods::define_binary(vm, class, ("__mod__", "__rmod__"), slot);
        }
        Some(originals)
    });
    Ok(())
}

fn remainder<const KIND: usize>(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let Some(Some(originals)) = ORIGINALS.get() else {
        return Err(vm.new_runtime_error("%-formatting is not set up".to_owned()));
    };
    originals[KIND](a, b, vm).map_err(|error| real_number_required(error, KIND != 0, vm))
}

/// `error` in CPython's words when it is RustPython's TypeError for a
/// `%d`, `%i` or `%u` given what is not a number (CPython's bytes
/// formatting names `%i` as `%d`).
fn real_number_required(
    error: PyBaseExceptionRef,
    of_bytes: bool,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let Some(text) = text_of(&error, vm.ctx.exceptions.type_error, vm) else {
        return error;
    };
    let type_name = ["%d", "%i", "%u"].iter().find_map(|conversion| {
        text.strip_prefix(conversion)?
            .strip_prefix(" format: a number is required, not ")
            .map(|type_name| (conversion, type_name))
    });
    match type_name {
        Some((conversion, type_name)) => {
            let conversion = if of_bytes && *conversion == "%i" {
                "%d"
            } else {
                conversion
            };
            vm.new_type_error(format!(
                "{conversion} format: a real number is required, not {type_name}"
            ))
        }
        None => error,
    }
}
