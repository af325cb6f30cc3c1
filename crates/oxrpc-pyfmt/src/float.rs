//! `repr()` of `float` and `complex`.
//!
//! CPython writes the shortest digits that round-trip, in fixed notation
//! while the decimal exponent is in `-4..16` and in scientific notation
//! otherwise (`1e+16`, `1e-05`). A float adds `.0` to whole numbers; the
//! parts of a complex do not (`(1+2j)`). The shortest round-trip digits of
//! `zmij` (Schubfach) are the same digits, so only the layout is ours.

use std::fmt::Write;

/// A little text on the stack: an `f64` has at most 17 significant digits.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are written in, so the prefix is UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The significant digits of the shortest text that reads back as the same
/// float (zmij's: `123.45`, `0.001`, `1.5e-7`, `1e+16`; the same digits
/// CPython's `repr` picks), and CPython's `decpt`: the value is
/// 0.DIGITS × 10^decpt.
fn shortest_digits(text: &str) -> (StackText, i32) {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut decpt = i32::try_from(whole.len()).unwrap_or(0) + exponent;
    let mut digits = StackText::default();
    for c in whole.chars().chain(fraction.chars()) {
        if c == '0' && digits.len == 0 {
            decpt -= 1;
        } else {
            let _ = digits.write_char(c);
        }
    }
    while digits.len > 1 && digits.bytes[digits.len - 1] == b'0' {
        digits.len -= 1;
    }
    (digits, decpt)
}

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
    let mut text = zmij::Buffer::new();
    let shortest = text.format_finite(value.abs());
    // Most floats: zmij lays out fixed notation as CPython's `repr` does
    // (`123.0`, `12.34`, `0.00123`) for decimal exponents up to 16. Below,
    // zmij stays fixed one step longer (`0.0000123`, where CPython writes
    // `1.23e-05`), and scientific notation is spelled differently.
    if add_dot_zero && !shortest.contains('e') && !shortest.starts_with("0.0000") {
        out.push_str(shortest);
        return;
    }
    let (digits, decpt) = shortest_digits(shortest);
    let digits = digits.as_str();
    let exponent = decpt - 1;
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
        out.push_str(digits);
    } else {
        let decpt = decpt.unsigned_abs() as usize;
        if digits.len() <= decpt {
            out.push_str(digits);
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
            (0.0000999, "9.99e-05"),
            (0.000999, "0.000999"),
            (9999999999999998.0, "9999999999999998.0"),
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

    /// `tests/golden/pyfmt/floats.json`: CPython's `repr()` of 5,000
    /// doubles, edge values and random ones (17-digit ties included, where
    /// CPython picks the spelling closest to the exact value).
    #[test]
    fn floats_match_cpython_golden_vectors() {
        let path = oxrpc_testkit::golden_path("pyfmt/floats.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let vectors = json["floats"].as_array().unwrap();
        assert!(vectors.len() >= 5_000);
        for vector in vectors {
            let bits = u64::from_str_radix(vector[0].as_str().unwrap(), 16).unwrap();
            let want = vector[1].as_str().unwrap();
            assert_eq!(float_repr(f64::from_bits(bits)), want, "bits {bits:016x}");
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
