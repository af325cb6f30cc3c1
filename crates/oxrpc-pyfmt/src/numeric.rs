//! The text Python's `int()` and `float()` read.
//!
//! Both accept more than ASCII digits: surrounding whitespace, any Unicode
//! decimal digit (`int("١٢")` is 12), and single underscores between
//! digits (`int("1_000")`). CPython first turns digits and whitespace into
//! ASCII (`_PyUnicode_TransformDecimalAndSpaceToASCII`), then parses; so do
//! these functions, leaving the last step to Rust's parsers.

use crate::unicode::decimal_value;
use std::borrow::Cow;

/// `int(text)` in base 10: the sign and the decimal digits (no
/// underscores, no leading zeros, `"0"` for zero), or `None` where Python
/// raises `ValueError`.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::int_text(" -1_000 "), Some((true, "1000".into())));
/// assert_eq!(oxrpc_pyfmt::int_text("\u{661}\u{662}"), Some((false, "12".into())));
/// assert_eq!(oxrpc_pyfmt::int_text("1__0"), None);
/// ```
pub fn int_text(text: &str) -> Option<(bool, String)> {
    let ascii = to_ascii(text)?;
    let (negative, digits) = match ascii.as_bytes().first()? {
        b'-' => (true, &ascii[1..]),
        b'+' => (false, &ascii[1..]),
        _ => (false, &ascii[..]),
    };
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        || !underscores_between_digits(digits)
    {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    let significant = digits.trim_start_matches('0');
    Some((
        negative,
        if significant.is_empty() {
            "0".to_owned()
        } else {
            significant.to_owned()
        },
    ))
}

/// CPython's limit on the digits of an int read from text
/// (`sys.get_int_max_str_digits()`, 4,300 by default).
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// The digits `int(text)` in base 10 reads, when there are more than
/// [`INT_MAX_STR_DIGITS`]: Python then raises the limit's `ValueError`
/// (`Exceeds the limit (4300 digits) for integer string conversion: value
/// has N digits; ...`). CPython counts while it scans the leading run of
/// digits and single underscores, leading zeros included, and checks the
/// count before it looks at what follows the run; an underscore that does
/// not sit between two digits makes the text invalid first.
///
/// ```
/// use oxrpc_pyfmt::int_digits_over_limit;
///
/// assert_eq!(int_digits_over_limit(&"1".repeat(4300)), None);
/// assert_eq!(int_digits_over_limit(&format!("-{}", "0".repeat(4301))), Some(4301));
/// assert_eq!(int_digits_over_limit(&format!("{}x", "1".repeat(5000))), Some(5000));
/// assert_eq!(int_digits_over_limit(&format!("{}__1", "1".repeat(5000))), None);
/// ```
pub fn int_digits_over_limit(text: &str) -> Option<usize> {
    // Every digit is at least a byte: short text cannot cross the limit.
    if text.len() <= INT_MAX_STR_DIGITS {
        return None;
    }
    let mut chars = text.trim_start().chars().peekable();
    if matches!(chars.peek(), Some('+' | '-')) {
        chars.next();
    }
    let (mut digits, mut after_underscore) = (0usize, false);
    for c in chars {
        if c == '_' {
            if after_underscore || digits == 0 {
                return None;
            }
            after_underscore = true;
        } else if c.is_ascii_digit() || decimal_value(c).is_some() {
            digits += 1;
            after_underscore = false;
        } else {
            break;
        }
    }
    (!after_underscore && digits > INT_MAX_STR_DIGITS).then_some(digits)
}

/// The text `float(text)` parses, in ASCII with its underscores gone
/// (each must sit between two digits), or `None` where Python raises
/// `ValueError` before parsing. What is left parses with `str::parse`.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::float_text(" 1_0.5\n").as_deref(), Some("10.5"));
/// assert_eq!(oxrpc_pyfmt::float_text("\u{661}.5").as_deref(), Some("1.5"));
/// assert_eq!(oxrpc_pyfmt::float_text("1._5"), None);
/// ```
pub fn float_text(text: &str) -> Option<Cow<'_, str>> {
    let ascii = to_ascii(text)?;
    if !ascii.contains('_') {
        return Some(ascii);
    }
    if !underscores_between_digits(&ascii) {
        return None;
    }
    Some(Cow::Owned(ascii.replace('_', "")))
}

/// `text` as CPython's `int()` and `complex()` read it before parsing
/// (`_PyUnicode_TransformDecimalAndSpaceToASCII`): each Unicode decimal
/// digit as its ASCII digit, each whitespace character as a space, ASCII
/// as it is; the first other character becomes `?` (which no parser
/// takes) and ends the text there.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::digits_and_spaces_as_ascii("\u{ff11}\u{ff12}\u{3000}"), "12 ");
/// assert_eq!(oxrpc_pyfmt::digits_and_spaces_as_ascii("0x1f"), "0x1f");
/// assert_eq!(oxrpc_pyfmt::digits_and_spaces_as_ascii("1\u{e9}_2"), "1?");
/// ```
pub fn digits_and_spaces_as_ascii(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else if is_python_space(c) {
            ascii.push(' ');
        } else if let Some(digit) = decimal_value(c) {
            ascii.push(char::from(b'0' + digit));
        } else {
            ascii.push('?');
            break;
        }
    }
    Cow::Owned(ascii)
}

/// `str.isspace()` of a character: Unicode's White_Space, and the ASCII
/// separators U+001C to U+001F, which CPython counts as whitespace.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Unicode decimal digits as ASCII digits, whitespace around the text
/// dropped; `None` for other non-ASCII characters or inner whitespace
/// turned up by the mapping (which Python's parsers refuse anyway).
fn to_ascii(text: &str) -> Option<Cow<'_, str>> {
    let trimmed = text.trim();
    if trimmed.is_ascii() {
        return Some(Cow::Borrowed(trimmed));
    }
    trimmed
        .chars()
        .map(|c| {
            if c.is_ascii() {
                Some(c)
            } else {
                decimal_value(c).map(|d| char::from(b'0' + d))
            }
        })
        .collect::<Option<String>>()
        .map(Cow::Owned)
}

/// Every `_` has an ASCII digit on both sides (the rule of
/// `_Py_string_to_number_with_underscores`).
///
/// ```
/// assert!(oxrpc_pyfmt::underscores_between_digits("1_000"));
/// assert!(!oxrpc_pyfmt::underscores_between_digits("1__0"));
/// ```
pub fn underscores_between_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What CPython 3.11's `int()` and `float()` make of each text
    /// (`None`: ValueError).
    #[test]
    fn reads_as_python_does() {
        let ints: &[(&str, Option<(bool, &str)>)] = &[
            ("7", Some((false, "7"))),
            (" +5 ", Some((false, "5"))),
            ("-0", Some((true, "0"))),
            ("007", Some((false, "7"))),
            ("1_000", Some((false, "1000"))),
            ("\u{661}\u{662}", Some((false, "12"))),
            ("\u{1D7CE}\u{1D7D9}\u{1D7E2}", Some((false, "010"))),
            ("\u{ff11}", Some((false, "1"))),
            ("\u{2003}9\u{3000}", Some((false, "9"))),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("", None),
            ("-", None),
            ("1 2", None),
            ("0x10", None),
            ("- 5", None),
            ("\u{b2}", None),
        ];
        for (text, want) in ints {
            let want = want.map(|(n, d)| (n, d.trim_start_matches('0').to_owned()));
            let want = want.map(|(n, d)| (n, if d.is_empty() { "0".to_owned() } else { d }));
            assert_eq!(int_text(text), want, "int({text:?})");
        }
        let floats: &[(&str, Option<&str>)] = &[
            ("1.5", Some("1.5")),
            (" 1_0.5 ", Some("10.5")),
            ("1e1_0", Some("1e10")),
            ("\u{661}.5", Some("1.5")),
            ("1._5", None),
            ("1_.5", None),
            ("_1.5", None),
            ("1__5", None),
        ];
        for (text, want) in floats {
            assert_eq!(float_text(text).as_deref(), *want, "float({text:?})");
        }
    }
}
