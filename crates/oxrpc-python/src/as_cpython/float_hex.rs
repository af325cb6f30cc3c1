//! `float.hex()` as CPython writes it.
//!
//! CPython writes a subnormal with a leading `0` and the least exponent,
//! `-1022` (`(5e-324).hex()` is `'0x0.0000000000001p-1022'`); RustPython
//! 0.5 shifted it to `'0x0.0000000000002p-1023'`, which reads back as the
//! same float but is not the text a client compares. The method is
//! replaced, once per process (the type is shared by every interpreter),
//! by CPython's layout for every float.

use super::methods;
use rustpython_vm::builtins::PyFloat;
use rustpython_vm::PyRef;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts CPython's `float.hex` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let float_type = vm.ctx.types.float_type;
        methods::define(vm, float_type, "hex", |zelf: PyRef<PyFloat>| {
            hex(zelf.to_f64())
        });
    });
    Ok(())
}

/// CPython's `float_hex`: the leading bit, all 13 hex digits of the
/// fraction, and the binary exponent (`-1022` for subnormals).
fn hex(value: f64) -> String {
    if value.is_nan() {
        return "nan".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = value.to_bits();
    let biased = (bits >> 52) & 0x7ff;
    let fraction = bits & ((1 << 52) - 1);
    let (leading, exponent) = if biased == 0 {
        (0, -1022)
    } else {
        (1, biased as i64 - 1023)
    };
    format!("{sign}0x{leading}.{fraction:013x}p{exponent:+}")
}

#[cfg(test)]
mod tests {
    use super::hex;

    #[test]
    fn writes_what_cpython_writes() {
        // Each is CPython 3.11's x.hex().
        for (value, cpython) in [
            (1.0, "0x1.0000000000000p+0"),
            (-0.1, "-0x1.999999999999ap-4"),
            (5e-324, "0x0.0000000000001p-1022"),
            (1e-310, "0x0.012688b70e62bp-1022"),
            (2.225073858507201e-308, "0x0.fffffffffffffp-1022"),
            (f64::MAX, "0x1.fffffffffffffp+1023"),
            (-0.0, "-0x0.0p+0"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(hex(value), cpython, "({value}).hex()");
        }
    }
}
