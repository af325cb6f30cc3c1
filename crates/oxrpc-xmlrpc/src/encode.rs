//! Writing XML-RPC documents.
//!
//! The output is byte-for-byte what CPython's `xmlrpc.client.dumps` writes for
//! the same values (same element layout, newlines, `repr()` doubles, 76-column
//! base64 lines, only `&`, `<` and `>` escaped), so golden vectors produced by
//! CPython can be compared exactly. Two deliberate differences, both where
//! CPython would put out a document its own parser reads back wrongly: a
//! carriage return is written as `&#13;` (a raw one would come back as a line
//! feed), and a character XML 1.0 cannot carry at all is refused with an error
//! instead of producing a broken document.

use crate::fault::Fault;
use crate::value::Value;
use base64::Engine;

const XML_HEADER: &str = "<?xml version='1.0'?>\n";

/// A value that cannot be written as XML-RPC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The string holds a character that XML 1.0 cannot represent.
    #[error("string contains {}, which XML 1.0 cannot carry", oxrpc_pyfmt::str_repr(&.0.to_string()))]
    InvalidChar(char),
    /// A `BigInt` or `BigDecimal` whose text is not a number.
    #[error("{0:?} is not a valid number")]
    InvalidNumber(String),
}

/// Writes a `<methodCall>` document.
///
/// ```
/// use oxrpc_xmlrpc::{encode_call, Value};
///
/// let xml = encode_call("list_contents", &[Value::from("/tmp")]).unwrap();
/// assert!(xml.starts_with("<?xml version='1.0'?>\n<methodCall>\n<methodName>list_contents"));
/// ```
pub fn encode_call(method: &str, params: &[Value]) -> Result<String, EncodeError> {
    let mut out = String::with_capacity(128 + params.len() * 48);
    out.push_str(XML_HEADER);
    out.push_str("<methodCall>\n<methodName>");
    write_escaped(&mut out, method)?;
    out.push_str("</methodName>\n");
    write_params(&mut out, params)?;
    out.push_str("</methodCall>\n");
    Ok(out)
}

/// Writes a successful `<methodResponse>` carrying `value`.
pub fn encode_response(value: &Value) -> Result<String, EncodeError> {
    encode_response_with_capacity(value, 128)
}

/// What a successful `<methodResponse>` holds before and after its one
/// `<value>` (as `write_params` lays out a single parameter).
const RESPONSE_BEFORE: &str = "<methodResponse>\n<params>\n<param>\n";
const RESPONSE_AFTER: &str = "</param>\n</params>\n</methodResponse>\n";

/// [`encode_response`] into a buffer of `capacity` bytes from the start,
/// for a caller that knows about how large the document will be.
pub(crate) fn encode_response_with_capacity(
    value: &Value,
    capacity: usize,
) -> Result<String, EncodeError> {
    let mut out = String::with_capacity(capacity);
    out.push_str(XML_HEADER);
    out.push_str(RESPONSE_BEFORE);
    write_value(&mut out, value)?;
    out.push_str(RESPONSE_AFTER);
    Ok(out)
}

/// The `<methodResponse>` document around `value`, a `<value>` element
/// already written by [`write_value`].
pub(crate) fn encode_response_around(value: &str) -> String {
    let mut out = String::with_capacity(
        XML_HEADER.len() + RESPONSE_BEFORE.len() + value.len() + RESPONSE_AFTER.len(),
    );
    out.push_str(XML_HEADER);
    out.push_str(RESPONSE_BEFORE);
    out.push_str(value);
    out.push_str(RESPONSE_AFTER);
    out
}

/// Writes a fault `<methodResponse>`. Never fails: characters XML cannot
/// carry are replaced by U+FFFD so the client always gets its fault.
pub fn encode_fault(fault: &Fault) -> String {
    // Nearly every fault's text is clean: one look, and no copy of it.
    let cleaned: String;
    let clean = if may_hold_forbidden(fault.string.as_bytes(), true) {
        cleaned = fault
            .string
            .chars()
            .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
            .collect();
        cleaned.as_str()
    } else {
        fault.string.as_str()
    };
    let mut out = String::with_capacity(256 + clean.len());
    out.push_str(XML_HEADER);
    out.push_str("<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n");
    // Ints and cleaned strings always encode.
    let _ = write_value(&mut out, &Value::Int(i64::from(fault.code)));
    out.push_str("</member>\n<member>\n<name>faultString</name>\n<value><string>");
    let _ = write_escaped(&mut out, clean);
    out.push_str("</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n");
    out
}

fn write_params(out: &mut String, params: &[Value]) -> Result<(), EncodeError> {
    out.push_str("<params>\n");
    for value in params {
        out.push_str("<param>\n");
        write_value(out, value)?;
        out.push_str("</param>\n");
    }
    out.push_str("</params>\n");
    Ok(())
}

/// Appends one `<value>` element exactly as CPython's `Marshaller` lays it out.
pub fn write_value(out: &mut String, value: &Value) -> Result<(), EncodeError> {
    use std::fmt::Write;
    match value {
        Value::Nil => out.push_str("<value><nil/></value>"),
        Value::Bool(b) => {
            out.push_str(if *b {
                "<value><boolean>1</boolean></value>\n"
            } else {
                "<value><boolean>0</boolean></value>\n"
            });
        }
        Value::Int(i) => {
            let mut digits = itoa::Buffer::new();
            let digits = digits.format(*i);
            // Each tag a literal of its own: written inline, where a tag
            // chosen at run time is a call to `memcpy`.
            if i32::try_from(*i).is_ok() {
                out.push_str("<value><int>");
                out.push_str(digits);
                out.push_str("</int></value>\n");
            } else {
                out.push_str("<value><i8>");
                out.push_str(digits);
                out.push_str("</i8></value>\n");
            }
        }
        Value::BigInt(digits) => {
            if !is_integer_text(digits) {
                return Err(EncodeError::InvalidNumber(digits.clone()));
            }
            let _ = writeln!(out, "<value><biginteger>{digits}</biginteger></value>");
        }
        Value::Double(d) => {
            out.push_str("<value><double>");
            oxrpc_pyfmt::write_float_repr(out, *d);
            out.push_str("</double></value>\n");
        }
        Value::BigDecimal(text) => {
            if text.trim().parse::<f64>().is_err() {
                return Err(EncodeError::InvalidNumber(text.clone()));
            }
            out.push_str("<value><bigdecimal>");
            write_escaped(out, text.trim())?;
            out.push_str("</bigdecimal></value>\n");
        }
        Value::String(s) => {
            out.push_str("<value><string>");
            write_escaped(out, s)?;
            out.push_str("</string></value>\n");
        }
        Value::DateTime(t) => {
            out.push_str("<value><dateTime.iso8601>");
            write_escaped(out, &t.to_string())?;
            out.push_str("</dateTime.iso8601></value>\n");
        }
        Value::Base64(bytes) => {
            out.push_str("<value><base64>\n");
            write_base64_lines(out, bytes);
            out.push_str("</base64></value>\n");
        }
        Value::Array(items) => {
            out.push_str("<value><array><data>\n");
            for item in items {
                write_value(out, item)?;
            }
            out.push_str("</data></array></value>\n");
        }
        Value::Struct(members) => {
            out.push_str("<value><struct>\n");
            for (name, member) in members {
                out.push_str("<member>\n<name>");
                write_escaped(out, name)?;
                out.push_str("</name>\n");
                write_value(out, member)?;
                out.push_str("</member>\n");
            }
            out.push_str("</struct></value>\n");
        }
    }
    Ok(())
}

/// `base64.encodebytes`: 76-character lines, each ending in a newline.
fn write_base64_lines(out: &mut String, bytes: &[u8]) {
    let engine = base64::engine::general_purpose::STANDARD;
    for chunk in bytes.chunks(57) {
        engine.encode_string(chunk, out);
        out.push('\n');
    }
}

fn is_integer_text(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether XML 1.0 can carry `c` at all (its `Char` production).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Bytes that need a second look while escaping or validating: markup
/// characters, carriage return, control characters XML forbids, and 0xEF, the
/// lead byte of U+FFFE / U+FFFF. Everything else is copied in bulk.
const fn attention_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[0xEF] = true;
    table
}
pub(crate) static ATTENTION: [bool; 256] = attention_table();

/// U+FFFE or U+FFFF starting at `i` (both are `EF BF BE`/`EF BF BF`).
pub(crate) fn is_nonchar_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
}

/// Whether `bytes` may hold a control character or U+FFFE/U+FFFF: a
/// branch-free pass the compiler vectorises, so clean text (nearly all text)
/// never takes the byte-by-byte path. `allow_cr` lets `\r` through.
pub(crate) fn may_hold_forbidden(bytes: &[u8], allow_cr: bool) -> bool {
    bytes.chunks(64).any(|chunk| {
        chunk.iter().fold(false, |flag, &b| {
            let control = b < 0x20 && b != b'\t' && b != b'\n' && !(allow_cr && b == b'\r');
            flag | control | (b == 0xEF)
        })
    })
}

fn write_escaped(out: &mut String, text: &str) -> Result<(), EncodeError> {
    let bytes = text.as_bytes();
    // Names and most values are short: one look at each byte, and nearly
    // always nothing to replace.
    let mut first = 0;
    if bytes.len() <= 32 {
        match bytes.iter().position(|&b| ATTENTION[b as usize]) {
            None => {
                out.push_str(text);
                return Ok(());
            }
            // The bytes before it need no second look.
            Some(at) => first = at,
        }
    } else if !may_hold_forbidden(bytes, false) {
        // Only markup characters to replace: jump between them.
        let mut start = 0;
        for i in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
            out.push_str(&text[start..i]);
            out.push_str(match bytes[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                _ => "&gt;",
            });
            start = i + 1;
        }
        out.push_str(&text[start..]);
        return Ok(());
    }
    let mut start = 0;
    let mut i = first;
    while i < bytes.len() {
        let b = bytes[i];
        if !ATTENTION[b as usize] {
            i += 1;
            continue;
        }
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            0xEF if is_nonchar_at(bytes, i) => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFF}');
                return Err(EncodeError::InvalidChar(c));
            }
            0xEF => {
                i += 1;
                continue;
            }
            _ => return Err(EncodeError::InvalidChar(char::from(b))),
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += 1;
        start = i;
    }
    out.push_str(&text[start..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_cpython() {
        let mut out = String::new();
        write_escaped(&mut out, "a<b>&\"'c\r").unwrap();
        assert_eq!(out, "a&lt;b&gt;&amp;\"'c&#13;");
        assert_eq!(
            write_escaped(&mut String::new(), "bell\x07"),
            Err(EncodeError::InvalidChar('\x07'))
        );
        assert_eq!(
            write_escaped(&mut String::new(), "x\u{FFFE}"),
            Err(EncodeError::InvalidChar('\u{FFFE}'))
        );
        // Named as Python writes the character.
        assert_eq!(
            EncodeError::InvalidChar('\x07').to_string(),
            "string contains '\\x07', which XML 1.0 cannot carry"
        );
        let mut out = String::new();
        write_escaped(&mut out, "\u{FFFD}\u{EFFF}ï").unwrap();
        assert_eq!(out, "\u{FFFD}\u{EFFF}ï");
    }

    #[test]
    fn fault_with_control_characters_still_encodes() {
        let xml = encode_fault(&Fault::new(3, "bad\x00byte"));
        assert!(xml.contains("bad\u{FFFD}byte"));
        let xml = encode_fault(&Fault::new(3, "a\u{FFFF}b"));
        assert!(xml.contains("<string>a\u{FFFD}b</string>"), "{xml}");
    }

    #[test]
    fn a_clean_fault_is_written_as_its_string_value_would_be() {
        for text in ["no such method <x> & \r", "caf\u{E9} \u{EFFF}", ""] {
            let mut want = String::new();
            write_value(&mut want, &Value::from(text)).unwrap();
            let xml = encode_fault(&Fault::new(-1, text));
            assert!(xml.contains(&want), "{xml}");
            assert!(xml.ends_with("</member>\n</struct></value>\n</fault>\n</methodResponse>\n"));
        }
    }

    #[test]
    fn base64_lines() {
        let mut out = String::new();
        write_base64_lines(&mut out, &[0u8; 58]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 76);
        let mut empty = String::new();
        write_base64_lines(&mut empty, b"");
        assert_eq!(empty, "");
    }
}
