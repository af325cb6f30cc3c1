//! `round()` as CPython 3.11 computes it.
//!
//! CPython rounds a float to `n` decimal places by writing its exact
//! binary value to `n` places, ties to even, and reading that back: so
//! `round(2.675, 2)` is `2.67`, since 2.675 is really 2.67499999…
//! RustPython 0.5 scales by 10ⁿ first, which rounds the product and gives
//! `2.68` (and, for negative `n`, misses the last digits of large floats);
//! and without places it took anything within `f64::EPSILON` of a half for
//! a tie (`round(0.5000000000000001)` was `0`, not `1`). Float's
//! `__round__` is replaced, once per process (the type is shared by every
//! interpreter), by CPython's: Rust's `{:.n}` is correctly rounded, ties to
//! even, as CPython's `'%.nf'` is, and for negative `n` the exact digits of
//! the whole part are rounded as a string.
//!
//! The `round` builtin lives in each interpreter and is replaced in each:
//! what RustPython's answers for a bool (or another int subclass that
//! rounds as an int) is made an exact int, as CPython's `int.__round__`
//! returns, and a number without `__round__` is refused in CPython's words.
//! `round(float, int)` goes straight to the float's rounding, without the
//! method lookup.

use super::builtin_functions;
use super::float_to_int::to_int;
use super::methods;
use num_traits::{Signed, ToPrimitive};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyFloat, PyInt};
use rustpython_vm::function::{FuncArgs, OptionalOption};
use rustpython_vm::{AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::Once;

/// Most places CPython rounds to; beyond them a float is its own rounding.
const MOST_PLACES: i64 = 323;
/// Fewest (most negative) places; beyond them every float rounds to zero.
const FEWEST_PLACES: i64 = -308;

/// Replaces float's `__round__` (once per process) and `vm`'s `round`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    FLOAT_ROUND.call_once(|| {
        methods::define(vm, vm.ctx.types.float_type, "__round__", float_round);
    });
    builtin_functions::replace(vm, &ROUND, "round", round)
}

static ROUND: builtin_functions::Cell = builtin_functions::Cell::new();

/// The `round` builtin: RustPython's, with the answers above made CPython's.
fn round(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    // `round(float, int)` directly: through the builtin and the method
    // lookup it costs ~90 ns more.
    if let Some((number, places)) = plain_float_and_places(&args, vm) {
        return to_places(number, places, vm);
    }
    let number = args.args.first().cloned();
    let rounded =
        builtin_functions::call_original(&ROUND, args, vm).map_err(|e| with_method_named(e, vm))?;
    Ok(match number {
        Some(number) => exact_int_from_int_round(&number, rounded, vm),
        None => rounded,
    })
}

static FLOAT_ROUND: Once = Once::new();

/// CPython's `float.__round__`: to the nearest int, ties to even, without
/// places; correctly rounded to `places` decimals with them (an infinity
/// or a NaN rounds to itself).
fn float_round(
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
    to_places(number, places, vm)
}

/// `number` rounded to `places` decimals as a Python float (an infinity
/// or a NaN is its own rounding), or CPython's OverflowError.
fn to_places(number: f64, places: i64, vm: &VirtualMachine) -> PyResult {
    if !number.is_finite() {
        return Ok(vm.ctx.new_float(number).into());
    }
    match round_to_places(number, places) {
        Some(rounded) => Ok(vm.ctx.new_float(rounded).into()),
        None => Err(vm.new_overflow_error("rounded value too large to represent".to_owned())),
    }
}

/// The float and the places when the call is `round(float, int)`, with a
/// plain float and places that fit an `i64`.
fn plain_float_and_places(args: &FuncArgs, vm: &VirtualMachine) -> Option<(f64, i64)> {
    let argument = |at: usize, name: &str| -> Option<&PyObjectRef> {
        args.args.get(at).or_else(|| args.kwargs.get(name))
    };
    if args.args.len() + args.kwargs.len() != 2 {
        return None;
    }
    let number = argument(0, "number")?;
    let places = argument(1, "ndigits")?;
    if !number.class().is(vm.ctx.types.float_type) {
        return None;
    }
    let number = number.downcast_ref::<PyFloat>()?.to_f64();
    let places = places
        .downcast_ref::<PyInt>()?
        .try_to_primitive::<i64>(vm)
        .ok()?;
    Some((number, places))
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

/// CPython's TypeError for a number without `__round__`: "type str
/// doesn't define __round__ method"; RustPython's ends at `__round__`.
fn with_method_named(error: PyBaseExceptionRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let message = error
        .class()
        .is(vm.ctx.exceptions.type_error)
        .then(|| error.as_object().str(vm).ok())
        .flatten();
    match message.as_ref().and_then(|text| text.to_str()) {
        Some(text) if text.starts_with("type ") && text.ends_with(" doesn't define __round__") => {
            vm.new_type_error(format!("{text} method"))
        }
        _ => error,
    }
}

/// `int.__round__` gives an exact int in CPython, for a bool or another
/// subclass too (`round(True, 0)` is `1`); RustPython's gave the number
/// back (`True`). A subclass's own `__round__` is left to answer as it
/// does.
fn exact_int_from_int_round(
    number: &PyObjectRef,
    rounded: PyObjectRef,
    vm: &VirtualMachine,
) -> PyObjectRef {
    let int_type = vm.ctx.types.int_type;
    let Some(value) = rounded.downcast_ref::<PyInt>() else {
        return rounded;
    };
    if rounded.class().is(int_type) || number.downcast_ref::<PyInt>().is_none() {
        return rounded;
    }
    let name = vm.ctx.intern_str("__round__");
    let rounds_as_int = match (number.class().get_attr(name), int_type.get_attr(name)) {
        (Some(own), Some(int)) => own.is(&int),
        _ => false,
    };
    if rounds_as_int {
        vm.ctx.new_int(value.as_bigint().clone()).into()
    } else {
        rounded
    }
}

/// `number` rounded to `places` decimals (tens, hundreds, ... when
/// negative), ties to even, as CPython's `float.__round__`; `None` when
/// the result is too large for a float.
fn round_to_places(number: f64, places: i64) -> Option<f64> {
    if places > MOST_PLACES {
        return Some(number);
    }
    if places < FEWEST_PLACES {
        return Some(0.0 * number);
    }
    match usize::try_from(places) {
        Ok(places) => Some(format!("{number:.places$}").parse().unwrap_or(number)),
        // -308..=-1 here.
        Err(_) => round_to_power_of_ten(number, places.unsigned_abs() as usize),
    }
}

/// `number` rounded to a multiple of 10^`zeros`, ties to even, from the
/// exact digits of its whole part (a float's whole part prints exactly)
/// and whether it has a fraction (which breaks a tie upwards).
fn round_to_power_of_ten(number: f64, zeros: usize) -> Option<f64> {
    let whole = format!("{:.0}", number.abs().trunc());
    let has_fraction = number.fract() != 0.0;
    // A leading zero, and at least one digit kept, so that rounding up
    // always has a place to go.
    let mut digits = "0"
        .repeat(1 + (zeros + 1).saturating_sub(whole.len()))
        .into_bytes();
    digits.extend_from_slice(whole.as_bytes());
    let (kept, dropped) = digits.split_at(digits.len() - zeros);
    let first_dropped = dropped.first().copied().unwrap_or(b'0');
    let past_half = has_fraction || dropped.iter().skip(1).any(|&d| d != b'0');
    let last_kept_is_odd = kept.last().is_some_and(|d| (d - b'0') % 2 == 1);
    let up = first_dropped > b'5' || (first_dropped == b'5' && (past_half || last_kept_is_odd));
    let mut kept = kept.to_vec();
    if up {
        // Add one: trailing nines become zeros, the digit before them
        // goes up (a leading zero is always there to take it).
        let nines = kept.iter().rev().take_while(|&&d| d == b'9').count();
        let at = kept.len() - nines;
        kept[at..].fill(b'0');
        kept[at - 1] += 1;
    }
    kept.extend(std::iter::repeat_n(b'0', zeros));
    let magnitude: f64 = String::from_utf8_lossy(&kept)
        .parse()
        .unwrap_or(f64::INFINITY);
    magnitude.is_finite().then(|| magnitude.copysign(number))
}

#[cfg(test)]
mod tests {
    use super::round_to_places;

    #[test]
    fn rounds_the_exact_binary_value_as_cpython_does() {
        // Each pair is CPython 3.11's round(x, n).
        for (number, places, cpython) in [
            (2.675, 2, 2.67),
            (1.15, 1, 1.1),
            (0.125, 2, 0.12),
            (0.375, 2, 0.38),
            (2.5, 0, 2.0),
            (-2.5, 0, -2.0),
            (0.285, 2, 0.28),
            (1e300, 2, 1e300),
            (5e-324, 323, 0.0),
        ] {
            assert_eq!(
                round_to_places(number, places),
                Some(cpython),
                "round({number}, {places})"
            );
        }
        // The sign of a zero result stays.
        assert!(round_to_places(-0.001, 2).is_some_and(f64::is_sign_negative));
        assert!(round_to_places(-1.0, -2).is_some_and(f64::is_sign_negative));
        assert!(round_to_places(-1e300, -309).is_some_and(f64::is_sign_negative));
        // CPython: OverflowError('rounded value too large to represent').
        assert_eq!(round_to_places(1.7976931348623157e308, -308), None);
        for (number, places, cpython) in [
            (1250.0, -2, 1200.0),
            (1350.0, -2, 1400.0),
            (1250.4, -2, 1300.0),
            (1249.5, -2, 1200.0),
            (-1.5767329706617439e255, -2, -1.5767329706617439e255),
            (9999.0, -2, 10000.0),
            (50.0, -2, 0.0),
            (51.0, -2, 100.0),
            (1e300, -309, 0.0),
            (5.0, 400, 5.0),
        ] {
            assert_eq!(
                round_to_places(number, places),
                Some(cpython),
                "round({number}, {places})"
            );
        }
    }
}
