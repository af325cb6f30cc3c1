//! Float arithmetic computed as CPython computes it.
//!
//! RustPython 0.5 leaves to the platform, or to formulas of its own, what
//! CPython sorts out case by case (`Objects/floatobject.c`), so a client's
//! arithmetic came back otherwise than from rpyc_classic:
//!
//! - `**`: a negative base to a fractional power, which is complex, went
//!   through `exp(y·ln x)` where CPython takes the polar form (`(-8) **
//!   (1/3)` was `(1+1.732050807568877j)`, not
//!   `(1.0000000000000002+1.7320508075688772j)`); an exponent within
//!   `f64::EPSILON` of a whole number was taken for one (`(-3) ** 1e-17`
//!   was `nan`); `-0.0`, `-inf` and negative NaNs counted as negative bases
//!   (`(-0.0) ** 0.5` was `0j`, not `0.0`); a result too large for a float
//!   was `inf`, not `OverflowError(34, 'Numerical result out of range')`;
//! - `//`, `%` and `divmod`: CPython derives the quotient from `fmod` and
//!   gives a zero remainder the divisor's sign; RustPython floored `x / y`
//!   and added the divisor to a remainder of `-0.0` (`divmod(5.0, -5.0)`
//!   was `(-2.0, -5.0)`, not `(-1.0, -0.0)`; `5.0 // -inf` was `-0.0`, not
//!   `-1.0`; `-5.0 % 5e-324` was `5e-324`, not `0.0`);
//! - `int / int`: a zero quotient lost its sign (`0 / -3` was `0.0`, not
//!   `-0.0`);
//! - dividing by zero said "division by zero" where CPython names the
//!   operation ("float division by zero", "float floor division by zero",
//!   "float modulo", "float divmod()", "integer modulo by zero", "integer
//!   division or modulo by zero"), and `0.0 ** -1` "zero to a negative
//!   power" for "0.0 cannot be raised to a negative power".
//!
//! The float type's slots for those operations, int's (and bool's, copies
//! of int's), and the `__pow__`, `__truediv__`, ... methods that call them
//! are replaced once per process (the builtin types are shared by every
//! interpreter). The new slots take every float and int operand CPython's
//! take and answer `NotImplemented` to others, as before. What int
//! arithmetic RustPython gets right stays RustPython's: an int power that
//! is not a float power (a non-negative exponent, a modulus), a division
//! of ints beyond 2⁵³, and `//`, `%` and `divmod` of ints but for the
//! message of a zero divisor. The new methods are method descriptors where CPython's
//! are slot wrappers (`type(float.__pow__).__name__` tells them apart):
//! RustPython keeps no way to make a slot wrapper of another function.

use super::complex_arithmetic::{self, PowerError};
use super::methods;
use num_complex::Complex64;
use num_traits::{Signed, ToPrimitive, Zero};
use rustpython_vm::builtins::{try_bigint_to_f64, PyFloat, PyInt};
use rustpython_vm::protocol::{PyNumberBinaryFunc, PyNumberTernaryFunc};
use rustpython_vm::{PyObject, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own int slots, for the operands this module leaves alone.
struct Originals {
    int_power: PyNumberTernaryFunc,
    int_true_divide: PyNumberBinaryFunc,
    int_floor_divide: PyNumberBinaryFunc,
    int_remainder: PyNumberBinaryFunc,
    int_divmod: PyNumberBinaryFunc,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts CPython's float arithmetic in place of RustPython's, once per
/// process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| replace_slots(vm));
    Ok(())
}

/// Replaces the slots and the methods that call them; `None`, and nothing
/// replaced, should RustPython not have the int slots expected.
fn replace_slots(vm: &VirtualMachine) -> Option<Originals> {
    let types = &vm.ctx.types;
    let int_slots = &types.int_type.slots.as_number;
    let originals = Originals {
        int_power: int_slots.power.load()?,
        int_true_divide: int_slots.true_divide.load()?,
        int_floor_divide: int_slots.floor_divide.load()?,
        int_remainder: int_slots.remainder.load()?,
        int_divmod: int_slots.divmod.load()?,
    };
    let float = &types.float_type.slots.as_number;
    float.power.store(Some(float_power));
    float.right_power.store(Some(float_power));
    float.true_divide.store(Some(float_true_divide));
    float.right_true_divide.store(Some(float_true_divide));
    float.floor_divide.store(Some(float_floor_divide));
    float.right_floor_divide.store(Some(float_floor_divide));
    float.remainder.store(Some(float_remainder));
    float.right_remainder.store(Some(float_remainder));
    float.divmod.store(Some(float_divmod));
    float.right_divmod.store(Some(float_divmod));
    for class in [types.int_type, types.bool_type] {
        let int = &class.slots.as_number;
        int.power.store(Some(int_power));
        int.right_power.store(Some(int_power));
        int.true_divide.store(Some(int_true_divide));
        int.right_true_divide.store(Some(int_true_divide));
        int.floor_divide.store(Some(int_floor_divide));
        int.right_floor_divide.store(Some(int_floor_divide));
        int.remainder.store(Some(int_remainder));
        int.right_remainder.store(Some(int_remainder));
        int.divmod.store(Some(int_divmod));
        int.right_divmod.store(Some(int_divmod));
    }
    let float_type = types.float_type;
    let int_type = types.int_type;
    let binary_methods: [(_, &'static str, &'static str, PyNumberBinaryFunc); 8] = [
        (float_type, "__truediv__", "__rtruediv__", float_true_divide),
        (
            float_type,
            "__floordiv__",
            "__rfloordiv__",
            float_floor_divide,
        ),
        (float_type, "__mod__", "__rmod__", float_remainder),
        (float_type, "__divmod__", "__rdivmod__", float_divmod),
        (int_type, "__truediv__", "__rtruediv__", int_true_divide),
        (int_type, "__floordiv__", "__rfloordiv__", int_floor_divide),
        (int_type, "__mod__", "__rmod__", int_remainder),
        (int_type, "__divmod__", "__rdivmod__", int_divmod),
    ];
    for (class, name, reflected, slot) in binary_methods {
        methods::define_binary(vm, class, (name, reflected), slot);
    }
    methods::define_power(vm, float_type, float_power);
    methods::define_power(vm, int_type, int_power);
    Some(originals)
}

fn originals() -> Option<&'static Originals> {
    ORIGINALS.get().and_then(Option::as_ref)
}

/// Both operands as floats when both are floats or ints (`None` when one
/// is neither: the operation is `NotImplemented`). Converted in CPython's
/// order: an int too large for a float is an OverflowError whatever the
/// other operand is.
fn float_operands(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult<Option<(f64, f64)>> {
    let Some(x) = as_float(a, vm)? else {
        return Ok(None);
    };
    Ok(as_float(b, vm)?.map(|y| (x, y)))
}

/// Runs `operation` on two float operands, or answers `NotImplemented`.
fn on_floats(
    a: &PyObject,
    b: &PyObject,
    vm: &VirtualMachine,
    operation: impl FnOnce(f64, f64) -> PyResult,
) -> PyResult {
    match float_operands(a, b, vm)? {
        Some((x, y)) => operation(x, y),
        None => Ok(vm.ctx.not_implemented()),
    }
}

fn float_true_divide(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_floats(a, b, vm, |x, y| {
        if y == 0.0 {
            return Err(vm.new_zero_division_error("float division by zero".to_owned()));
        }
        Ok(vm.ctx.new_float(x / y).into())
    })
}

fn float_floor_divide(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_floats(a, b, vm, |x, y| {
        if y == 0.0 {
            return Err(vm.new_zero_division_error("float floor division by zero".to_owned()));
        }
        Ok(vm.ctx.new_float(div_mod(x, y).0).into())
    })
}

fn float_remainder(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_floats(a, b, vm, |x, y| {
        if y == 0.0 {
            return Err(vm.new_zero_division_error("float modulo".to_owned()));
        }
        Ok(vm.ctx.new_float(remainder(x, y)).into())
    })
}

fn float_divmod(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_floats(a, b, vm, |x, y| {
        if y == 0.0 {
            return Err(vm.new_zero_division_error("float divmod()".to_owned()));
        }
        let (quotient, remainder) = div_mod(x, y);
        let pair = (vm.ctx.new_float(quotient), vm.ctx.new_float(remainder));
        Ok(vm.new_tuple(pair).into())
    })
}

/// The float type's power: `base ** exponent` when both are floats or
/// ints (CPython's TypeError when a modulus is given).
fn float_power(
    base: &PyObject,
    exponent: &PyObject,
    modulo: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    // CPython refuses a modulus before it looks at the operands.
    if !vm.is_none(modulo) {
        return Err(vm.new_type_error(
            "pow() 3rd argument not allowed unless all arguments are integers".to_owned(),
        ));
    }
    on_floats(base, exponent, vm, |x, y| power(x, y, vm))
}

/// The int type's power: an int to a negative int is a float power, as
/// in CPython; everything else is RustPython's.
fn int_power(
    base: &PyObject,
    exponent: &PyObject,
    modulo: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    if vm.is_none(modulo) {
        if let (Some(x), Some(y)) = (
            base.downcast_ref::<PyInt>(),
            exponent.downcast_ref::<PyInt>(),
        ) {
            if y.as_bigint().is_negative() {
                let x = try_bigint_to_f64(x.as_bigint(), vm)?;
                let y = try_bigint_to_f64(y.as_bigint(), vm)?;
                return power(x, y, vm);
            }
            power_within_memory(x, y, vm)?;
        }
    }
    match originals() {
        Some(originals) => (originals.int_power)(base, exponent, modulo, vm),
        None => Ok(vm.ctx.not_implemented()),
    }
}

/// `x ** y` of ints, refused past the memory budget: RustPython's
/// `2 ** 10**13` asked for the result's bytes and ended the process, and
/// `2 ** 2**63` panicked. The result has at least `y` times `x`'s bits
/// less one.
fn power_within_memory(x: &PyInt, y: &PyInt, vm: &VirtualMachine) -> PyResult<()> {
    let least_bits = x.as_bigint().bits().saturating_sub(1);
    if least_bits == 0 {
        return Ok(());
    }
    let bits = y
        .as_bigint()
        .to_u128()
        .map_or(u128::MAX, |y| y.saturating_mul(u128::from(least_bits)));
    super::memory_bounds::refuse_past_memory(bits / 8, vm)
}

/// The int type's `/`: ints below 2⁵³ in magnitude are divided as floats,
/// as CPython's fast path does, and a zero dividend gives a zero of the
/// quotient's sign; other quotients of ints are RustPython's.
fn int_true_divide(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if let (Some(x), Some(y)) = (a.downcast_ref::<PyInt>(), b.downcast_ref::<PyInt>()) {
        let (x, y) = (x.as_bigint(), y.as_bigint());
        if y.is_zero() {
            return Err(vm.new_zero_division_error("division by zero".to_owned()));
        }
        if let (Some(x), Some(y)) = (exact_float(x), exact_float(y)) {
            return Ok(vm.ctx.new_float(x / y).into());
        }
        if x.is_zero() {
            let zero = if y.is_negative() { -0.0 } else { 0.0 };
            return Ok(vm.ctx.new_float(zero).into());
        }
    }
    original_int(a, b, vm, |originals| originals.int_true_divide)
}

/// The int type's `//`, `%` and `divmod`: RustPython's, but for the
/// message of a zero divisor, CPython's.
fn int_floor_divide(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    refuse_int_zero_divisor(a, b, "integer division or modulo by zero", vm)?;
    original_int(a, b, vm, |originals| originals.int_floor_divide)
}

fn int_remainder(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    refuse_int_zero_divisor(a, b, "integer modulo by zero", vm)?;
    original_int(a, b, vm, |originals| originals.int_remainder)
}

fn int_divmod(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    refuse_int_zero_divisor(a, b, "integer division or modulo by zero", vm)?;
    original_int(a, b, vm, |originals| originals.int_divmod)
}

/// CPython's ZeroDivisionError, with `message`, for an int divided by
/// the int zero.
fn refuse_int_zero_divisor(
    a: &PyObject,
    b: &PyObject,
    message: &str,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let divisor_is_zero = a.downcast_ref::<PyInt>().is_some()
        && b.downcast_ref::<PyInt>()
            .is_some_and(|b| b.as_bigint().is_zero());
    if divisor_is_zero {
        return Err(vm.new_zero_division_error(message.to_owned()));
    }
    Ok(())
}

/// Calls RustPython's own int slot that `slot` picks.
fn original_int(
    a: &PyObject,
    b: &PyObject,
    vm: &VirtualMachine,
    slot: impl FnOnce(&Originals) -> PyNumberBinaryFunc,
) -> PyResult {
    match originals() {
        Some(originals) => slot(originals)(a, b, vm),
        None => Ok(vm.ctx.not_implemented()),
    }
}

/// An int below 2⁵³ in magnitude, as the float that is exactly it.
fn exact_float<I: ToPrimitive>(int: &I) -> Option<f64> {
    const EXACT: u64 = 1 << f64::MANTISSA_DIGITS;
    let value = int.to_i64()?;
    (value.unsigned_abs() < EXACT).then_some(value as f64)
}

/// A float or int operand as a float (`None` for other types), as
/// CPython's `CONVERT_TO_DOUBLE` takes it.
pub(super) fn as_float(operand: &PyObject, vm: &VirtualMachine) -> PyResult<Option<f64>> {
    if let Some(float) = operand.downcast_ref::<PyFloat>() {
        return Ok(Some(float.to_f64()));
    }
    match operand.downcast_ref::<PyInt>() {
        Some(int) => try_bigint_to_f64(int.as_bigint(), vm).map(Some),
        None => Ok(None),
    }
}

/// What `x ** y` is in CPython: a float, a complex, or an error.
fn power(x: f64, y: f64, vm: &VirtualMachine) -> PyResult {
    match cpython_float_pow(x, y) {
        Power::Float(value) => Ok(vm.ctx.new_float(value).into()),
        Power::Complex(value) => complex_arithmetic::power_result(value, vm),
        Power::ZeroToNegative => {
            Err(vm.new_zero_division_error("0.0 cannot be raised to a negative power".to_owned()))
        }
        Power::Overflow => {
            // What `PyErr_SetFromErrno` makes of ERANGE under glibc.
            let args = vec![
                vm.ctx.new_int(ERANGE).into(),
                vm.ctx.new_str("Numerical result out of range").into(),
            ];
            Err(vm.new_exception(vm.ctx.exceptions.overflow_error.to_owned(), args))
        }
    }
}

/// Linux's `ERANGE`.
const ERANGE: i32 = 34;

/// The outcome of a float power.
#[derive(Debug, PartialEq)]
enum Power {
    Float(f64),
    /// A negative base to a fractional power: complex's power, as
    /// CPython's `float_pow` hands it on.
    Complex(Result<Complex64, PowerError>),
    ZeroToNegative,
    Overflow,
}

/// CPython's `float_pow`, case by case, in its order.
fn cpython_float_pow(x: f64, y: f64) -> Power {
    if y == 0.0 {
        return Power::Float(1.0);
    }
    if x.is_nan() {
        return Power::Float(x);
    }
    if y.is_nan() {
        return Power::Float(if x == 1.0 { 1.0 } else { y });
    }
    if y.is_infinite() {
        let x = x.abs();
        return Power::Float(if x == 1.0 {
            1.0
        } else if (y > 0.0) == (x > 1.0) {
            y.abs()
        } else {
            0.0
        });
    }
    if x.is_infinite() {
        let odd = is_odd_integer(y);
        return Power::Float(match (y > 0.0, odd) {
            (true, true) => x,
            (true, false) => x.abs(),
            (false, true) => 0.0f64.copysign(x),
            (false, false) => 0.0,
        });
    }
    if x == 0.0 {
        if y < 0.0 {
            return Power::ZeroToNegative;
        }
        return Power::Float(if is_odd_integer(y) { x } else { 0.0 });
    }
    let mut x = x;
    let mut negate = false;
    if x < 0.0 {
        if y != y.floor() {
            let (x, y) = (Complex64::new(x, 0.0), Complex64::new(y, 0.0));
            return Power::Complex(complex_arithmetic::power(x, y));
        }
        x = -x;
        negate = is_odd_integer(y);
    }
    if x == 1.0 {
        return Power::Float(if negate { -1.0 } else { 1.0 });
    }
    // Finite, positive, not 1: the platform's pow, whose only error here
    // is a result out of range (an underflow to zero is no error).
    let result = x.powf(y);
    if result.is_infinite() {
        return Power::Overflow;
    }
    Power::Float(if negate { -result } else { result })
}

/// CPython's `float_rem`: `fmod`, moved to the divisor's sign; a zero
/// remainder takes the divisor's sign.
fn remainder(x: f64, y: f64) -> f64 {
    let remainder = x % y;
    if remainder == 0.0 {
        0.0f64.copysign(y)
    } else if (y < 0.0) != (remainder < 0.0) {
        remainder + y
    } else {
        remainder
    }
}

/// CPython's `_float_div_mod`: the floor quotient and the remainder, the
/// quotient derived from `fmod`'s remainder and snapped to a whole number.
fn div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut remainder = x % y;
    let mut quotient = (x - remainder) / y;
    if remainder != 0.0 {
        if (y < 0.0) != (remainder < 0.0) {
            remainder += y;
            quotient -= 1.0;
        }
    } else {
        remainder = 0.0f64.copysign(y);
    }
    let floor = if quotient != 0.0 {
        let floor = quotient.floor();
        if quotient - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (floor, remainder)
}

/// CPython's `DOUBLE_IS_ODD_INTEGER`.
fn is_odd_integer(y: f64) -> bool {
    y.abs() % 2.0 == 1.0
}

#[cfg(test)]
mod tests {
    use super::{cpython_float_pow, div_mod, remainder, Complex64, Power, PowerError};

    /// The same double, the sign of a zero and NaN included.
    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn divides_with_remainders_as_cpython_does() {
        let inf = f64::INFINITY;
        // Each is CPython 3.11's (x, y): divmod(x, y), x % y.
        for (x, y, quotient, rest) in [
            (5.0, -5.0, -1.0, -0.0),
            (-5.0, 5.0, -1.0, 0.0),
            (7.5, -2.0, -4.0, -0.5),
            (-7.5, 2.0, -4.0, 0.5),
            (5.0, -inf, -1.0, -inf),
            (-5.0, 5e-324, -inf, 0.0),
            (5e-324, -3.0, -1.0, -3.0),
            (1e16, -3.0, -3333333333333335.0, -2.0),
            (inf, 3.0, f64::NAN, f64::NAN),
            (-0.0, 5.0, -0.0, 0.0),
            (0.0, -5.0, -0.0, -0.0),
            (3.0, inf, 0.0, 3.0),
            (-3.0, inf, -1.0, inf),
        ] {
            let (q, r) = div_mod(x, y);
            assert!(
                same(q, quotient) && same(r, rest),
                "divmod({x}, {y}) gave ({q}, {r})"
            );
            assert!(same(remainder(x, y), rest), "{x} % {y}");
        }
    }

    #[test]
    fn computes_what_cpython_computes() {
        // Each is CPython 3.11's `x ** y` on glibc.
        let float = |x: f64, y: f64| match cpython_float_pow(x, y) {
            Power::Float(value) => value,
            other => panic!("{x} ** {y} gave {other:?}"),
        };
        assert_eq!(float(2.0, 0.5), std::f64::consts::SQRT_2);
        assert_eq!(float(-2.0, 3.0), -8.0);
        assert_eq!(float(-1.0, 1e300), 1.0);
        assert_eq!(float(-1.0, 2f64.powi(53) + 1.0), 1.0);
        assert_eq!(float(f64::NAN, 0.0), 1.0);
        assert_eq!(float(1.0, f64::NAN), 1.0);
        assert!(float(2.0, f64::NAN).is_nan());
        assert_eq!(float(0.5, f64::NEG_INFINITY), f64::INFINITY);
        assert_eq!(float(-2.0, f64::NEG_INFINITY), 0.0);
        assert_eq!(float(f64::NEG_INFINITY, 0.5), f64::INFINITY);
        assert_eq!(float(f64::NEG_INFINITY, 3.0), f64::NEG_INFINITY);
        assert!(float(f64::NEG_INFINITY, -3.0).is_sign_negative());
        assert!(float(-0.0, 3.0).is_sign_negative());
        assert!(float(-0.0, 0.5).is_sign_positive());
        assert_eq!(float(1e-300, 1.05), 1e-315);
        assert_eq!(
            cpython_float_pow(-8.0, 1.0 / 3.0),
            Power::Complex(Ok(Complex64::new(1.0000000000000002, 1.7320508075688772)))
        );
        assert_eq!(
            cpython_float_pow(-3.0, 1e-17),
            Power::Complex(Ok(Complex64::new(1.0, 3.1415926535897935e-17)))
        );
        assert_eq!(cpython_float_pow(0.0, -1.0), Power::ZeroToNegative);
        assert_eq!(
            cpython_float_pow(-0.0, f64::NEG_INFINITY),
            Power::Float(f64::INFINITY)
        );
        assert_eq!(cpython_float_pow(10.0, 400.0), Power::Overflow);
        assert_eq!(cpython_float_pow(-10.0, 401.0), Power::Overflow);
        assert_eq!(
            cpython_float_pow(-1e300, 1.5),
            Power::Complex(Err(PowerError::Range))
        );
    }
}
