//! Doubles written the way Python's `repr(float)` writes them.
//!
//! CPython marshals a double with `repr()`: the shortest digits that round-trip,
//! in fixed notation while the decimal exponent is in `-4..16`, scientific
//! otherwise (`1e+16`, `1e-05`), always with a `.0` on whole fixed numbers.
//! Rust's shortest round-trip digits are the same digits; only the layout
//! differs, so this module re-lays them out.

use std::fmt::Write;

/// Appends `value` to `out` exactly as Python's `repr(value)` would.
///
/// ```
/// let mut s = String::new();
/// oxrpc_xmlrpc::write_python_float(&mut s, 1e16);
/// assert_eq!(s, "1e+16");
/// ```
pub fn write_python_float(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("nan");
        return;
    }
    if value.is_infinite() {
        out.push_str(if value > 0.0 { "inf" } else { "-inf" });
        return;
    }
    if value == 0.0 {
        out.push_str(if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        });
        return;
    }
    // `{:e}` yields the shortest round-trip digits as `d.ddde[-]x`.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Python's `decpt`: value = 0.DIGITS * 10^decpt.
    let decpt = exponent + 1;
    if value.is_sign_negative() {
        out.push('-');
    }
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
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            out.push_str(&digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_python_float;

    fn repr(v: f64) -> String {
        let mut s = String::new();
        write_python_float(&mut s, v);
        s
    }

    #[test]
    fn matches_python_repr() {
        // Each pair is (value, what CPython 3.11's repr() prints).
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
            (2.5, "2.5"),
            (100.0, "100.0"),
        ];
        for (value, want) in cases {
            assert_eq!(repr(*value), *want, "repr({value:e})");
        }
    }
}
