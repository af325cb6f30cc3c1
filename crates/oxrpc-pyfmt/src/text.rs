//! `repr()` of `str` and `bytes`.
//!
//! CPython picks single quotes unless the text holds a single quote and no
//! double quote, escapes backslashes, the chosen quote and `\t \n \r`, and
//! writes every character `str.isprintable()` rejects as `\xNN`, `\uNNNN` or
//! `\UNNNNNNNN`. "Printable" is every general category but `Cc`, `Cf`, `Cs`,
//! `Co`, `Cn`, `Zl`, `Zp` and `Zs` (the space itself excepted), in CPython
//! 3.11's Unicode 14.0 (see [`crate::unicode`]).

use crate::unicode::is_printable;
use std::fmt::Write;

fn quote_for(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double {
        '"'
    } else {
        '\''
    }
}

/// Appends Python's `repr(text)` to `out`.
pub fn write_str_repr(out: &mut String, text: &str) {
    let quote = quote_for(text.contains('\''), text.contains('"'));
    out.reserve(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && (' '..='~').contains(&c) => out.push(c),
            c if !c.is_ascii() && is_printable(c) => out.push(c),
            c => write_code_point_escape(out, u32::from(c)),
        }
    }
    out.push(quote);
}

/// Appends the escape Python writes for code point `code`: `\xNN` up to
/// 0xff, `\uNNNN` up to 0xffff, `\UNNNNNNNN` above (as `repr()` escapes
/// what is not printable, and as codec errors name a character).
pub fn write_code_point_escape(out: &mut String, code: u32) {
    let _ = match code {
        0..=0xff => write!(out, "\\x{code:02x}"),
        0x100..=0xffff => write!(out, "\\u{code:04x}"),
        _ => write!(out, "\\U{code:08x}"),
    };
}

/// The escape Python writes for code point `code`.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::code_point_escape(0x62), "\\x62");
/// assert_eq!(oxrpc_pyfmt::code_point_escape(0xd800), "\\ud800");
/// assert_eq!(oxrpc_pyfmt::code_point_escape(0x1f600), "\\U0001f600");
/// ```
pub fn code_point_escape(code: u32) -> String {
    let mut out = String::new();
    write_code_point_escape(&mut out, code);
    out
}

/// Python's `repr(text)`.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::str_repr("a\nb"), "'a\\nb'");
/// assert_eq!(oxrpc_pyfmt::str_repr("\u{a0}"), "'\\xa0'");
/// ```
pub fn str_repr(text: &str) -> String {
    let mut out = String::new();
    write_str_repr(&mut out, text);
    out
}

/// Appends Python's `repr(data)` of a `bytes` value to `out`.
pub fn write_bytes_repr(out: &mut String, data: &[u8]) {
    let quote = quote_for(data.contains(&b'\''), data.contains(&b'"'));
    out.reserve(data.len() + 3);
    out.push('b');
    out.push(quote);
    for &byte in data {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(quote);
}

/// Python's `repr(data)` of a `bytes` value.
///
/// ```
/// assert_eq!(oxrpc_pyfmt::bytes_repr(b"a'b\"c\x00"), "b'a\\'b\"c\\x00'");
/// ```
pub fn bytes_repr(data: &[u8]) -> String {
    let mut out = String::new();
    write_bytes_repr(&mut out, data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_matches_cpython() {
        // (text, what CPython 3.11's repr() prints)
        let cases: &[(&str, &str)] = &[
            ("", "''"),
            ("abc", "'abc'"),
            ("it's", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("both ' and \"", "'both \\' and \"'"),
            ("tab\there", "'tab\\there'"),
            ("back\\slash", "'back\\\\slash'"),
            ("\x00\x1f\x7f", "'\\x00\\x1f\\x7f'"),
            (
                "\u{80}\u{a0}\u{ad}\u{2028}\u{e0001}\u{d7ff}\u{10ffff} \u{7f} é 😀",
                "'\\x80\\xa0\\xad\\u2028\\U000e0001\\ud7ff\\U0010ffff \\x7f é 😀'",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(str_repr(text), *want, "repr({text:?})");
        }
    }

    #[test]
    fn bytes_match_cpython() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "b''"),
            (b"a'b", "b\"a'b\""),
            (b"a'b\"c\x00\x7f\x80", "b'a\\'b\"c\\x00\\x7f\\x80'"),
            (b"\t\n\r\\", "b'\\t\\n\\r\\\\'"),
        ];
        for (data, want) in cases {
            assert_eq!(bytes_repr(data), *want);
        }
    }
}
