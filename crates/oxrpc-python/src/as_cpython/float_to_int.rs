//! A float made an int, with CPython's errors and CPython's ties.
//!
//! RustPython 0.5 names the exception twice in the message of an infinite
//! or NaN float made an int (`int(float('inf'))` raised
//! `OverflowError('OverflowError: cannot convert float infinity to
//! integer')`), and `round(x)` of a float took anything within
//! `f64::EPSILON` of a half for a tie (`round(0.5000000000000001)` was `0`,
//! not `1`).
//!
//! The float type's `int` slot and its `__int__`, `__trunc__`,
//! `__floor__`, `__ceil__` and `__round__` are replaced once per process
//! (the type is shared by every interpreter). `__round__` with places is
//! the correctly rounded one of `float_round`. `math.floor`, `math.ceil`
//! and `'%d' % x` still convert through RustPython's own helper and keep
//! its doubled message.

use super::float_round::round_to_places;
use super::methods;
use num_traits::{Signed, ToPrimitive};
use rustpython_vm::builtins::{try_f64_to_bigint, PyFloat};
use rustpython_vm::function::OptionalOption;
use rustpython_vm::protocol::PyNumber;
use rustpython_vm::{PyObjectRef, PyRef, PyResult, VirtualMachine};
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
        methods::define(vm, float_type, "__round__", round);
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
fn to_int(whole: f64, vm: &VirtualMachine) -> PyResult {
    if whole.is_infinite() {
        return Err(vm.new_overflow_error("cannot convert float infinity to integer".to_owned()));
    }
    if whole.is_nan() {
        return Err(vm.new_value_error("cannot convert float NaN to integer".to_owned()));
    }
    Ok(vm.ctx.new_int(try_f64_to_bigint(whole, vm)?).into())
}

/// CPython's `float.__round__`: to the nearest int, ties to even, without
/// places; correctly rounded to `places` decimals with them (an
/// infinity or a NaN rounds to itself).
fn round(
    zelf: PyRef<PyFloat>,
    places: OptionalOption<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult {
    let number = zelf.to_f64();
    let Some(places) = places.flatten() else {
        return to_int(round_half_even(number), vm);
    };
    let places = places.try_index(vm)?;
    let places = places.as_bigint();
    // CPython clamps places to the C range before it looks at them.
    let places = places.to_i64().unwrap_or(if places.is_negative() {
        i64::MIN
    } else {
        i64::MAX
    });
    if !number.is_finite() {
        return Ok(vm.ctx.new_float(number).into());
    }
    match round_to_places(number, places) {
        Some(rounded) => Ok(vm.ctx.new_float(rounded).into()),
        None => Err(vm.new_overflow_error("rounded value too large to represent".to_owned())),
    }
}

/// CPython's `round(x)` of a float: `round()` (half away from zero), then
/// an exact half goes to the even neighbour.
fn round_half_even(number: f64) -> f64 {
    let rounded = number.round();
    if (number - rounded).abs() == 0.5 {
        2.0 * (number / 2.0).round()
    } else {
        rounded
    }
}
