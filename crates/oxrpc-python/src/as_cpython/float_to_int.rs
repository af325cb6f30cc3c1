//! A float made an int, with CPython's errors.
//!
//! RustPython 0.5 names the exception twice in the message of an infinite
//! or NaN float made an int (`int(float('inf'))` raised
//! `OverflowError('OverflowError: cannot convert float infinity to
//! integer')`).
//!
//! The float type's `int` slot and its `__int__`, `__trunc__`,
//! `__floor__` and `__ceil__` are replaced once per process (the type is
//! shared by every interpreter); `float_round`'s `__round__` converts
//! through the same `to_int`. `math.floor`, `math.ceil` and `'%d' % x`
//! still convert through RustPython's own helper and keep its doubled
//! message.

use super::methods;
use rustpython_vm::builtins::{try_f64_to_bigint, PyFloat};
use rustpython_vm::protocol::PyNumber;
use rustpython_vm::{PyRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// How a float goes to the whole number next to it.
type Rounding = fn(f64) -> f64;

/// Puts CPython's conversions in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let float_type = vm.ctx.types.float_type;
        float_type.slots.as_number.int.store(Some(int_slot));
        let wholes: [(_, Rounding); 4] = [
            ("__int__", f64::trunc),
            ("__trunc__", f64::trunc),
            ("__floor__", f64::floor),
            ("__ceil__", f64::ceil),
        ];
        for (name, towards) in wholes {
            let method =
                move |zelf: PyRef<PyFloat>, vm: &VirtualMachine| to_int(towards(zelf.to_f64()), vm);
            methods::define(vm, float_type, name, method);
        }
    });
    Ok(())
}

fn int_slot(number: PyNumber<'_>, vm: &VirtualMachine) -> PyResult {
    match number.obj.downcast_ref::<PyFloat>() {
        Some(float) => to_int(float.to_f64().trunc(), vm),
        None => Err(vm.new_type_error("float's int slot needs a float".to_owned())),
    }
}

/// The int a whole float is, or CPython's error for infinities and NaNs.
pub(super) fn to_int(whole: f64, vm: &VirtualMachine) -> PyResult {
    if whole.is_infinite() {
        return Err(vm.new_overflow_error("cannot convert float infinity to integer".to_owned()));
    }
    if whole.is_nan() {
        return Err(vm.new_value_error("cannot convert float NaN to integer".to_owned()));
    }
    Ok(vm.ctx.new_int(try_f64_to_bigint(whole, vm)?).into())
}
