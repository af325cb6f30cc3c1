//! `repr()` of `float` and `complex`.
//!
//! CPython writes the shortest digits that round-trip, in fixed notation
//! while the decimal exponent is in `-4..16` and in scientific notation
//! otherwise (`1e+16`, `1e-05`). A float adds `.0` to whole numbers; the
//! parts of a complex do not (`(1+2j)`). Rust's shortest round-trip digits
//! are the same digits, so only the layout is ours.

use std::fmt::Write;

/// Writes `value` as CPython's `float_repr_style = 'short'` does, with or
/// without the `.0` it adds to whole numbers; `sign` forces a `+` on
/// non-negative values (the imaginary part of a complex).
fn write_short(out: &mut String, value: f64, add_dot_zero: bool, sign: bool) {
    if value.is_nan() {
        out.push_str(if sign { "+nan" } else { "nan" });
        return;
    }
    if value.is_sign_negative() {
        out.push('-');
    } else if sign {
        out.push('+');
    }
    if value.is_infinite() {
        out.push_str("inf");
        return;
    }
    if value == 0.0 {
        out.push_str(if add_dot_zero { "0.0" } else { "0" });
        return;
    }
    // `{:e}` yields the shortest round-trip digits as `d.ddde[-]x`.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // CPython's `decpt`: value = 0.DIGITS * 10^decpt.
    let decpt = exponent + 1;
    if decpt > 16 || decpt <= -4 {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let decpt = decpt.unsigned_abs() as usize;
        if digits.len() <= decpt {
            out.push_str(&digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
            if add_dot_zero {
                out.push_str(".0");
            }
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
}

/// Appends Python's `repr(value)` of a float to `out`.
pub fn write_float_repr(out: &mut String, value: f64) {
    write_short(out, value, true, false);
}

/// Python's `repr(value)` of a float.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::float_repr(1e16), "1e+16");
/// assert_eq!(oxrpc_pyfmt::float_repr(100.0), "100.0");
/// ```
pub fn float_repr(value: f64) -> String {
    let mut out = String::new();
    write_float_repr(&mut out, value);
    out
}

/// Appends Python's `repr(complex(real, imag))` to `out`.
pub fn write_complex_repr(out: &mut String, real: f64, imag: f64) {
    if real == 0.0 && real.is_sign_positive() {
        write_short(out, imag, false, false);
        out.push('j');
    } else {
        out.push('(');
        write_short(out, real, false, false);
        write_short(out, imag, false, true);
        out.push_str("j)");
    }
}

/// Python's `repr(complex(real, imag))`.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::complex_repr(0.0, 1.0), "1j");
/// assert_eq!(oxrpc_pyfmt::complex_repr(-0.0, -0.0), "(-0-0j)");
/// ```
pub fn complex_repr(real: f64, imag: f64) -> String {
    let mut out = String::new();
    write_complex_repr(&mut out, real, imag);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_match_cpython() {
        // (value, what CPython 3.11's repr() prints)
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456789.0, "123456789.0"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e22, "1e+22"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (2.5, "2.5"),
            (100.0, "100.0"),
        ];
        for (value, want) in cases {
            assert_eq!(float_repr(*value), *want, "repr({value:e})");
        }
    }

    #[test]
    fn complexes_match_cpython() {
        let cases: &[((f64, f64), &str)] = &[
            ((1.0, 2.0), "(1+2j)"),
            ((1.5, 1e20), "(1.5+1e+20j)"),
            ((-0.0, 1.0), "(-0+1j)"),
            ((0.0, 0.0), "0j"),
            ((0.0, -0.0), "-0j"),
            ((-0.0, -0.0), "(-0-0j)"),
            ((0.0, 1.0), "1j"),
            ((f64::NAN, f64::INFINITY), "(nan+infj)"),
            ((1e16, 1e-5), "(1e+16+1e-05j)"),
            ((3.0, 0.0), "(3+0j)"),
        ];
        for ((re, im), want) in cases {
            assert_eq!(complex_repr(*re, *im), *want);
        }
    }
}
