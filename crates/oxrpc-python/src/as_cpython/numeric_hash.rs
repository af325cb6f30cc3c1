//! The hash of a float or a complex, as CPython computes it.
//!
//! A float's hash is its value modulo the Mersenne prime 2⁶¹ − 1, so that
//! equal numbers hash equal whatever their type (`hash(0.5) ==
//! hash(Fraction(1, 2))`). RustPython 0.5 computes that from a
//! decomposition of the float that is wrong for subnormals: `hash(5e-324)`
//! was 8404992, not CPython's 16777216, and so differed from the hash of
//! `Fraction(5e-324)` and `Decimal(5e-324)`, which are computed in Python.
//! The float and complex types' hash slots and `__hash__` methods are
//! replaced, once per process (the types are shared by every interpreter),
//! by CPython's `_Py_HashDouble` with a true `frexp`.

use super::methods;
use rustpython_vm::builtins::{PyComplex, PyFloat};
use rustpython_vm::common::hash::{self, PyHash, PyUHash};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts CPython's numeric hash in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let types = [
            (vm.ctx.types.float_type, float_hash as HashSlot),
            (vm.ctx.types.complex_type, complex_hash),
        ];
        for (class, slot) in types {
            class.slots.hash.store(Some(slot));
            let method = move |zelf: PyObjectRef, vm: &VirtualMachine| slot(&zelf, vm);
            methods::define(vm, class, "__hash__", method);
        }
    });
    Ok(())
}

type HashSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyHash>;

fn float_hash(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    match zelf.downcast_ref::<PyFloat>() {
        Some(float) => Ok(hash_of(zelf, float.to_f64())),
        None => Err(methods::not_a("float", "__hash__", zelf, vm)),
    }
}

/// CPython's `complex_hash`: the real part's hash plus 1000003 times the
/// imaginary part's, modulo 2⁶⁴.
fn complex_hash(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    let Some(complex) = zelf.downcast_ref::<PyComplex>() else {
        return Err(methods::not_a("complex", "__hash__", zelf, vm));
    };
    let value = complex.to_complex();
    let real = hash_of(zelf, value.re) as PyUHash;
    let imag = hash_of(zelf, value.im) as PyUHash;
    let combined = real.wrapping_add((hash::IMAG as PyUHash).wrapping_mul(imag));
    Ok(hash::fix_sentinel(combined as PyHash))
}

/// `value`'s hash; a NaN hashes by the identity of the object holding it,
/// as in CPython since 3.10.
fn hash_of(holder: &PyObject, value: f64) -> PyHash {
    double_hash(value).unwrap_or_else(|| hash::hash_object_id(holder.get_id()))
}

/// CPython's `_Py_HashDouble`; `None` for a NaN.
pub(super) fn double_hash(value: f64) -> Option<PyHash> {
    if value.is_nan() {
        return None;
    }
    if value.is_infinite() {
        return Some(if value > 0.0 { hash::INF } else { -hash::INF });
    }
    let bits = hash::BITS as i32;
    let (mut mantissa, mut exponent) = frexp(value.abs());
    // 28 bits at a time, rotated into place modulo 2⁶¹ − 1.
    let mut x: PyUHash = 0;
    while mantissa != 0.0 {
        x = ((x << 28) & hash::MODULUS) | (x >> (bits - 28));
        mantissa *= 268_435_456.0;
        exponent -= 28;
        let whole = mantissa as PyUHash;
        mantissa -= whole as f64;
        x += whole;
        if x >= hash::MODULUS {
            x -= hash::MODULUS;
        }
    }
    let exponent = exponent.rem_euclid(bits);
    x = ((x << exponent) & hash::MODULUS) | (x >> (bits - exponent));
    if value < 0.0 {
        x = x.wrapping_neg();
    }
    Some(hash::fix_sentinel(x as PyHash))
}

/// C's `frexp` for a finite `value`: a mantissa in [0.5, 1) (0 for zero)
/// and the power of two it is scaled by, subnormals included.
fn frexp(value: f64) -> (f64, i32) {
    const EXPONENT_MASK: u64 = 0x7ff << 52;
    if value == 0.0 {
        return (value, 0);
    }
    let bits = value.to_bits();
    let biased = ((bits & EXPONENT_MASK) >> 52) as i32;
    if biased == 0 {
        // A subnormal: made normal by 2⁵⁴ first.
        let (mantissa, exponent) = frexp(value * 18_014_398_509_481_984.0);
        return (mantissa, exponent - 54);
    }
    let mantissa = f64::from_bits((bits & !EXPONENT_MASK) | (1022 << 52));
    (mantissa, biased - 1022)
}

#[cfg(test)]
mod tests {
    use super::{double_hash, frexp};

    #[test]
    fn hashes_as_cpython_does() {
        // Each is CPython 3.11's hash(x) on a 64-bit build.
        for (value, cpython) in [
            (0.0, 0),
            (-0.0, 0),
            (1.0, 1),
            (-1.0, -2),
            (0.5, 1152921504606846976),
            (1.5, 1152921504606846977),
            (5e-324, 16777216),
            (-5e-324, -16777216),
            (1e-310, 615709907932414099),
            (2.2250738585072014e-308, 32768),
            (1e300, 1224995262755759164),
            (f64::INFINITY, 314159),
            (f64::NEG_INFINITY, -314159),
        ] {
            assert_eq!(double_hash(value), Some(cpython), "hash({value})");
        }
        assert_eq!(double_hash(f64::NAN), None);
    }

    #[test]
    fn splits_floats_as_frexp_does() {
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(frexp(0.75), (0.75, 0));
        assert_eq!(frexp(5e-324), (0.5, -1073));
        assert_eq!(frexp(f64::MAX), (0.9999999999999999, 1024));
    }
}
