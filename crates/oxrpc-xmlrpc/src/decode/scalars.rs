//! The text of scalar elements as CPython reads it: ints of up to 4,300
//! digits, CPython's limit (wider than 64 bits they stay digits),
//! `float()`'s spelling of doubles, and `base64.decodebytes`.

use super::ParseError;
use crate::value::Value;

/// Python's `int()` of the text.
pub(super) fn parse_int(text: &str) -> Result<Value, ParseError> {
    // First: Rust's parser reads any number of leading zeros, Python's
    // refuses more than its limit of digits (text that long is rare).
    if text.len() > oxrpc_pyfmt::INT_MAX_STR_DIGITS {
        if let Some(error) = over_digit_limit(text) {
            return Err(error);
        }
    }
    // Nearly every int is plain ASCII digits that fit 64 bits, with no
    // space around them to trim (trimming Unicode space costs a scan).
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    if let Ok(i) = text.trim().parse::<i64>() {
        return Ok(Value::Int(i));
    }
    let Some((negative, digits)) = oxrpc_pyfmt::int_text(text) else {
        // `int()` quotes at most 200 characters of the text's repr.
        let quoted: String = oxrpc_pyfmt::str_repr(text).chars().take(200).collect();
        return Err(python(
            "ValueError",
            format!("invalid literal for int() with base 10: {quoted}"),
        ));
    };
    let signed = if negative && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    };
    Ok(match signed.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(signed),
    })
}

/// `int()`'s `ValueError` for text with more digits than its limit.
#[cold]
#[inline(never)]
fn over_digit_limit(text: &str) -> Option<ParseError> {
    let count = oxrpc_pyfmt::int_digits_over_limit(text)?;
    Some(python(
        "ValueError",
        format!(
            "Exceeds the limit ({} digits) for integer string conversion: value has {count} \
             digits; use sys.set_int_max_str_digits() to increase the limit",
            oxrpc_pyfmt::INT_MAX_STR_DIGITS
        ),
    ))
}

/// `end_boolean`: the text exactly `0` or `1`, compared as it is (no strip).
pub(super) fn parse_boolean(text: &str) -> Result<Value, ParseError> {
    match text {
        "0" => Ok(Value::Bool(false)),
        "1" => Ok(Value::Bool(true)),
        _ => Err(python("TypeError", "bad boolean value".into())),
    }
}

/// Python's `float()` of the text.
pub(super) fn parse_double(text: &str) -> Result<f64, ParseError> {
    if let Ok(d) = text.parse::<f64>() {
        return Ok(d);
    }
    if let Ok(d) = text.trim().parse::<f64>() {
        return Ok(d);
    }
    oxrpc_pyfmt::float_text(text)
        .and_then(|ascii| ascii.parse::<f64>().ok())
        .ok_or_else(|| {
            python(
                "ValueError",
                format!(
                    "could not convert string to float: {}",
                    oxrpc_pyfmt::str_repr(text)
                ),
            )
        })
}

/// `base64.decodebytes` as CPython's unmarshaller calls it: the text must
/// be ASCII (it is encoded to bytes first), then `binascii.a2b_base64`
/// skips every byte outside the alphabet, stops at the padding that ends a
/// group, and ignores what follows it; a group left unfinished without
/// padding is an error.
pub(super) fn decode_base64(text: &str) -> Result<Vec<u8>, ParseError> {
    if !text.is_ascii() {
        return Err(not_ascii(text));
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    // Position in the current group of four, the bits carried into the
    // next byte, and `=` seen since the last data character.
    let (mut quad, mut carry, mut pads) = (0u8, 0u8, 0u8);
    for byte in text.bytes() {
        if byte == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(sextet) = sextet(byte) else {
            continue;
        };
        pads = 0;
        match quad {
            0 => carry = sextet,
            1 => {
                out.push((carry << 2) | (sextet >> 4));
                carry = sextet & 0x0f;
            }
            2 => {
                out.push((carry << 4) | (sextet >> 2));
                carry = sextet & 0x03;
            }
            _ => {
                out.push((carry << 6) | sextet);
                carry = 0;
            }
        }
        quad = (quad + 1) % 4;
    }
    match quad {
        0 => Ok(out),
        1 => Err(python(
            "binascii.Error",
            format!(
                "Invalid base64-encoded string: number of data characters ({}) cannot be 1 \
                 more than a multiple of 4",
                out.len() / 3 * 4 + 1
            ),
        )),
        _ => Err(python("binascii.Error", "Incorrect padding".into())),
    }
}

/// The `UnicodeEncodeError` of `text.encode("ascii")`: the first run of
/// characters outside ASCII, by position in characters.
fn not_ascii(text: &str) -> ParseError {
    let chars: Vec<char> = text.chars().collect();
    let start = chars.iter().position(|c| !c.is_ascii()).unwrap_or(0);
    let run = chars[start..].iter().take_while(|c| !c.is_ascii()).count();
    let message = if run == 1 {
        let escaped = oxrpc_pyfmt::code_point_escape(u32::from(chars[start]));
        format!(
            "'ascii' codec can't encode character '{escaped}' in position {start}: ordinal not in range(128)"
        )
    } else {
        format!(
            "'ascii' codec can't encode characters in position {start}-{}: ordinal not in range(128)",
            start + run - 1
        )
    };
    python("UnicodeEncodeError", message)
}

/// What CPython raised.
pub(super) fn python(exception: &'static str, message: String) -> ParseError {
    ParseError::Python { exception, message }
}

/// The value of a base64 alphabet character.
fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What CPython 3.11's `base64.decodebytes` gives for each text.
    #[test]
    fn base64_reads_as_cpython_does() {
        let cases: &[(&str, Option<&[u8]>)] = &[
            ("YW=Jj", Some(b"abc")),
            ("YWJj=", Some(b"abc")),
            ("YWJ", None),
            ("YW Jj\n", Some(b"abc")),
            ("YWJj====", Some(b"abc")),
            ("Y", None),
            ("YQ==YQ==", Some(b"a")),
            ("YQ=", None),
            ("YQ", None),
            ("!!YW!Jj!!", Some(b"abc")),
            ("YWJjZA=", None),
            ("YWJjZA==x", Some(b"abcd")),
            ("", Some(b"")),
            ("====", Some(b"")),
            ("YQ=a=", Some(b"a\x06")),
            ("YWJj\u{e9}", None),
        ];
        for (text, want) in cases {
            assert_eq!(decode_base64(text).ok().as_deref(), *want, "{text:?}");
        }
    }
}
