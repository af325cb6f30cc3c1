//! Complex arithmetic computed as CPython computes it.
//!
//! RustPython 0.5 takes complex arithmetic from `num-complex` and formulas
//! of its own; CPython 3.11 has its own algorithms
//! (`Objects/complexobject.c`), so a client's complex numbers came back
//! otherwise than from rpyc_classic:
//!
//! - `**`: every power went through the polar form, where CPython
//!   multiplies out a whole exponent up to 100 (`1j ** 2` was
//!   `(-1+1.2246467991473532e-16j)`, not `(-1+0j)`; `(1+1j) ** -3` was
//!   `(-0.24999999999999992-0.24999999999999994j)`); a zero base was
//!   refused with "0+0i cannot be raised to a negative or complex power",
//!   not "0.0 to a negative or complex power"; an infinite result of finite
//!   operands was "complex exponentiation overflow", and an infinite phase
//!   (CPython's `cos(inf)` domain error) no error at all;
//! - `/`: `num-complex`'s division differs in the last bits
//!   (`(1+1j) / (3+4j)` was `(0.28-0.04000000000000001j)`) and for large,
//!   tiny and signed-zero operands (`(1e308+1e308j) / (1e308+1e308j)` was
//!   `(0.9999999999999999+0j)`, CPython's `(nan+0j)`);
//! - `+` and `-` with a real operand: CPython 3.11 makes the real a complex
//!   with an imaginary `0.0` first, so `complex(1, -0.0) + 1.0` is `(2+0j)`;
//!   RustPython added it to the real part only and kept `-0j`.
//!
//! The complex type's slots for those operations, and the `__add__`,
//! `__truediv__`, `__pow__`, ... methods that call them, are replaced once
//! per process (the type is shared by every interpreter). Operands convert
//! as CPython's `TO_COMPLEX` converts them: a complex, a float or an int
//! (an int too large for a float is an `OverflowError`); anything else is
//! `NotImplemented`. Multiplication was already CPython's and stays
//! RustPython's.

use super::float_arithmetic::as_float;
use super::methods;
use num_complex::Complex64;
use rustpython_vm::builtins::PyComplex;
use rustpython_vm::protocol::PyNumberBinaryFunc;
use rustpython_vm::{PyObject, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts CPython's complex arithmetic in place of RustPython's, once per
/// process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| replace_slots(vm));
    Ok(())
}

fn replace_slots(vm: &VirtualMachine) {
    let complex_type = vm.ctx.types.complex_type;
    let slots = &complex_type.slots.as_number;
    slots.add.store(Some(complex_add));
    slots.right_add.store(Some(complex_add));
    slots.subtract.store(Some(complex_subtract));
    slots.right_subtract.store(Some(complex_subtract));
    slots.true_divide.store(Some(complex_true_divide));
    slots.right_true_divide.store(Some(complex_true_divide));
    slots.power.store(Some(complex_power));
    slots.right_power.store(Some(complex_power));
    let binary_methods: [(&'static str, &'static str, PyNumberBinaryFunc); 3] = [
        ("__add__", "__radd__", complex_add),
        ("__sub__", "__rsub__", complex_subtract),
        ("__truediv__", "__rtruediv__", complex_true_divide),
    ];
    for (name, reflected, slot) in binary_methods {
        methods::define_binary(vm, complex_type, (name, reflected), slot);
    }
    methods::define_power(vm, complex_type, complex_power);
}

/// An operand as CPython's `TO_COMPLEX` takes it: `None` (the operation
/// is `NotImplemented`) unless it is a complex, a float or an int.
fn as_complex(operand: &PyObject, vm: &VirtualMachine) -> PyResult<Option<Complex64>> {
    if let Some(complex) = operand.downcast_ref::<PyComplex>() {
        return Ok(Some(complex.to_complex()));
    }
    Ok(as_float(operand, vm)?.map(|real| Complex64::new(real, 0.0)))
}

/// Runs `operation` on two complex operands, or answers `NotImplemented`.
fn on_complexes(
    a: &PyObject,
    b: &PyObject,
    vm: &VirtualMachine,
    operation: impl FnOnce(Complex64, Complex64) -> PyResult,
) -> PyResult {
    let Some(x) = as_complex(a, vm)? else {
        return Ok(vm.ctx.not_implemented());
    };
    match as_complex(b, vm)? {
        Some(y) => operation(x, y),
        None => Ok(vm.ctx.not_implemented()),
    }
}

fn complex_add(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_complexes(a, b, vm, |x, y| Ok(vm.ctx.new_complex(x + y).into()))
}

fn complex_subtract(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_complexes(a, b, vm, |x, y| Ok(vm.ctx.new_complex(x - y).into()))
}

fn complex_true_divide(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    on_complexes(a, b, vm, |x, y| match quotient(x, y) {
        Some(value) => Ok(vm.ctx.new_complex(value).into()),
        None => Err(vm.new_zero_division_error("complex division by zero".to_owned())),
    })
}

fn complex_power(
    base: &PyObject,
    exponent: &PyObject,
    modulo: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    on_complexes(base, exponent, vm, |x, y| {
        // CPython converts both operands before it refuses a modulus.
        if !vm.is_none(modulo) {
            return Err(vm.new_value_error("complex modulo".to_owned()));
        }
        power_result(power(x, y), vm)
    })
}

/// The Python value, or exception, of a complex power.
pub(super) fn power_result(power: Result<Complex64, PowerError>, vm: &VirtualMachine) -> PyResult {
    match power {
        Ok(value) => Ok(vm.ctx.new_complex(value).into()),
        Err(PowerError::Domain) => {
            Err(vm.new_zero_division_error("0.0 to a negative or complex power".to_owned()))
        }
        Err(PowerError::Range) => Err(vm.new_overflow_error("complex exponentiation".to_owned())),
    }
}

/// What CPython's `errno` holds after a complex power that failed.
#[derive(Debug, PartialEq)]
pub(super) enum PowerError {
    /// `EDOM`: a zero divisor, a zero base to a negative or complex power,
    /// or the cosine of an infinite phase.
    Domain,
    /// `ERANGE`: a part of the result is infinite.
    Range,
}

/// CPython's `complex_pow`: a whole exponent up to 100 in magnitude is
/// multiplied out (`c_powi`), any other goes through the polar form
/// (`_Py_c_pow`); then `_Py_ADJUST_ERANGE2`, which makes any infinite part
/// a range error unless a domain error came first.
pub(super) fn power(base: Complex64, exponent: Complex64) -> Result<Complex64, PowerError> {
    let small_whole =
        exponent.im == 0.0 && exponent.re == exponent.re.floor() && exponent.re.abs() <= 100.0;
    let (value, domain_error) = if small_whole {
        whole_power(base, exponent.re as i64)
    } else {
        polar_power(base, exponent)
    };
    if domain_error {
        Err(PowerError::Domain)
    } else if value.re.is_infinite() || value.im.is_infinite() {
        Err(PowerError::Range)
    } else {
        Ok(value)
    }
}

/// CPython's `c_powi`: `x ** n` by repeated squaring, `1 / x ** -n` for a
/// negative `n`; `true` when that division was by zero.
fn whole_power(base: Complex64, exponent: i64) -> (Complex64, bool) {
    if exponent > 0 {
        (unsigned_power(base, exponent.unsigned_abs()), false)
    } else {
        let one = Complex64::new(1.0, 0.0);
        match quotient(one, unsigned_power(base, exponent.unsigned_abs())) {
            Some(value) => (value, false),
            None => (Complex64::new(0.0, 0.0), true),
        }
    }
}

/// CPython's `c_powu`, product by product in its order.
fn unsigned_power(base: Complex64, exponent: u64) -> Complex64 {
    let mut result = Complex64::new(1.0, 0.0);
    let mut square = base;
    let mut mask = 1u64;
    while mask <= exponent {
        if exponent & mask != 0 {
            result = product(result, square);
        }
        mask <<= 1;
        square = product(square, square);
    }
    result
}

/// CPython's `_Py_c_prod`.
fn product(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// CPython's `_Py_c_pow`, the polar form; `true` for a domain error: a
/// zero base to a negative or complex power, or an infinite phase (whose
/// cosine is one in glibc).
fn polar_power(base: Complex64, exponent: Complex64) -> (Complex64, bool) {
    if exponent.re == 0.0 && exponent.im == 0.0 {
        return (Complex64::new(1.0, 0.0), false);
    }
    if base.re == 0.0 && base.im == 0.0 {
        let domain_error = exponent.im != 0.0 || exponent.re < 0.0;
        return (Complex64::new(0.0, 0.0), domain_error);
    }
    let magnitude = base.re.hypot(base.im);
    let mut length = magnitude.powf(exponent.re);
    let angle = base.im.atan2(base.re);
    let mut phase = angle * exponent.re;
    if exponent.im != 0.0 {
        length /= (angle * exponent.im).exp();
        phase += exponent.im * magnitude.ln();
    }
    let value = Complex64::new(length * phase.cos(), length * phase.sin());
    (value, phase.is_infinite())
}

/// CPython's `_Py_c_quot` (Smith's method); `None` for a zero divisor.
fn quotient(a: Complex64, b: Complex64) -> Option<Complex64> {
    let (abs_real, abs_imag) = (b.re.abs(), b.im.abs());
    if abs_real >= abs_imag {
        if abs_real == 0.0 {
            return None;
        }
        let ratio = b.im / b.re;
        let denominator = b.re + b.im * ratio;
        Some(Complex64::new(
            (a.re + a.im * ratio) / denominator,
            (a.im - a.re * ratio) / denominator,
        ))
    } else if abs_imag >= abs_real {
        let ratio = b.re / b.im;
        let denominator = b.re * ratio + b.im;
        Some(Complex64::new(
            (a.re * ratio + a.im) / denominator,
            (a.im * ratio - a.re) / denominator,
        ))
    } else {
        // A NaN in the divisor.
        Some(Complex64::new(f64::NAN, f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::{power, quotient, Complex64, PowerError};

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    /// The same complex, the signs of zeros and NaNs included.
    fn same(a: Complex64, b: Complex64) -> bool {
        let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
        bits(a.re) == bits(b.re) && bits(a.im) == bits(b.im)
    }

    #[test]
    fn divides_as_cpython_does() {
        let inf = f64::INFINITY;
        // Each is CPython 3.11's a / b.
        for (a, b, expected) in [
            (c(1.0, 1.0), c(3.0, 4.0), c(0.28, -0.04)),
            (c(1e308, 1e308), c(1e308, 1e308), c(f64::NAN, 0.0)),
            (c(1.0, 2.0), c(inf, 0.0), c(0.0, 0.0)),
            (c(-0.0, -0.0), c(1.0, 1.0), c(-0.0, 0.0)),
            (c(1.0, 1.0), c(1e-320, 1e-320), c(inf, 0.0)),
            (
                c(1.0, 0.0),
                c(1.5, 2.5),
                c(0.17647058823529413, -0.29411764705882354),
            ),
        ] {
            let got = quotient(a, b).unwrap_or_default();
            assert!(same(got, expected), "{a} / {b} gave {got}");
        }
        assert_eq!(quotient(c(1.0, 1.0), c(0.0, -0.0)), None);
    }

    #[test]
    fn raises_to_powers_as_cpython_does() {
        let inf = f64::INFINITY;
        // Each is CPython 3.11's a ** b.
        for (a, b, expected) in [
            (c(0.0, 1.0), c(2.0, 0.0), c(-1.0, 0.0)),
            (c(1.0, 1.0), c(-3.0, 0.0), c(-0.25, -0.25)),
            (c(1.0, 1.0), c(100.0, 0.0), c(-1125899906842624.0, 0.0)),
            (
                c(1.0, 1.0),
                c(101.0, 0.0),
                c(-1125899906842634.5, -1125899906842629.5),
            ),
            (c(0.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)),
            (c(0.0, 0.0), c(-0.0, 0.0), c(1.0, 0.0)),
            (c(inf, 0.0), c(2.0, 0.0), c(f64::NAN, f64::NAN)),
            (c(1e-300, 1e-300), c(2.5, 0.0), c(-0.0, 0.0)),
            (c(1e200, 1e200), c(2.0, 0.0), c(f64::NAN, f64::NAN)),
            (c(1.0, 1.0), c(1.0, 1e300), c(-0.0, -0.0)),
        ] {
            let got = power(a, b);
            assert!(
                got.as_ref().is_ok_and(|got| same(*got, expected)),
                "{a} ** {b} gave {got:?}"
            );
        }
        for (a, b, error) in [
            (c(0.0, 0.0), c(-1.0, 0.0), PowerError::Domain),
            (c(0.0, 0.0), c(0.0, 1.0), PowerError::Domain),
            (c(1e-300, 0.0), c(-2.0, 0.0), PowerError::Domain),
            (c(1.0, 1.0), c(inf, 0.0), PowerError::Domain),
            (c(inf, 1.0), c(1.0, 1.0), PowerError::Domain),
            (c(inf, 1.0), c(0.5, 0.0), PowerError::Range),
            (c(2.0, 0.0), c(1e10 + 0.5, 0.0), PowerError::Range),
        ] {
            assert_eq!(power(a, b), Err(error), "{a} ** {b}");
        }
    }
}
