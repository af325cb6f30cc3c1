//! A document's character encoding, read as CPython's parser reads it, and
//! the document turned into UTF-8 for the rest of the decoder.
//!
//! Expat reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself. For any other
//! name in the XML declaration, pyexpat decodes the 256 byte values with
//! the Python codec of that name, and expat reads the document through the
//! table when the codec is single-byte and keeps XML's markup characters on
//! their ASCII bytes: the codecs in [`CHARSETS`], generated from CPython.
//! So a `ServerProxy(url, encoding="cp1252")` request is read here, and so
//! is the answer of a Python server started with `encoding="koi8-r"`. A
//! multi-byte encoding other than UTF-8 and UTF-16, or a name Python does
//! not know, is refused, as CPython refuses it.

use super::charsets::{ALIASES, CHARSETS};
use super::ParseError;
use std::borrow::Cow;

/// A single-byte encoding as pyexpat builds it from a Python codec: the
/// characters of bytes 0x80 to 0xFF, the bytes below 0x80 that do not
/// stand for themselves, and U+FFFD wherever the codec cannot decode.
#[derive(Debug)]
pub(super) struct Charset {
    /// The codec's module in Python's `encodings` package (`cp1252`).
    pub(super) name: &'static str,
    /// Bytes below 0x80 that are not their ASCII character.
    pub(super) low: &'static [(u8, char)],
    /// The 128 characters of bytes 0x80 to 0xFF, in order.
    pub(super) high: &'static str,
}

/// The document as UTF-8: a UTF-8 byte-order mark dropped, and any other
/// encoding expat reads transcoded.
pub(super) fn prepare_input(input: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
    if let Some((body, little_endian)) = utf16_body(input) {
        return from_utf16(body, little_endian).map(|text| Cow::Owned(text.into_bytes()));
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let Some(name) = declared_encoding(input) else {
        return Ok(Cow::Borrowed(input));
    };
    if !is_encoding_name(name) {
        return Err(ParseError::Xml(format!(
            "{name:?} is not an encoding name: XML declaration not well-formed"
        )));
    }
    // Expat's own names, compared as it compares them.
    if name.eq_ignore_ascii_case("UTF-8") {
        Ok(Cow::Borrowed(input))
    } else if name.eq_ignore_ascii_case("US-ASCII") {
        match input.iter().find(|b| !b.is_ascii()) {
            None => Ok(Cow::Borrowed(input)),
            Some(&byte) => Err(undecodable(byte, name)),
        }
    } else if name.eq_ignore_ascii_case("ISO-8859-1") {
        let text: String = input.iter().map(|&b| char::from(b)).collect();
        Ok(Cow::Owned(text.into_bytes()))
    } else if is_utf16_name(name) {
        Err(ParseError::Xml(
            "encoding specified in XML declaration is incorrect".into(),
        ))
    } else {
        let charset =
            python_codec(name).ok_or_else(|| ParseError::UnsupportedEncoding(name.to_owned()))?;
        transcode(input, charset, name).map(|text| Cow::Owned(text.into_bytes()))
    }
}

/// XML's `EncName`: a letter, then letters, digits, `.`, `_` and `-`.
fn is_encoding_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_utf16_name(name: &str) -> bool {
    ["UTF-16", "UTF-16LE", "UTF-16BE"]
        .iter()
        .any(|utf16| name.eq_ignore_ascii_case(utf16))
}

/// The UTF-16 text of a document expat would read as UTF-16, and whether it
/// is little-endian: after a byte-order mark, or starting with `<` as a
/// 16-bit unit.
fn utf16_body(input: &[u8]) -> Option<(&[u8], bool)> {
    match input {
        [0xFF, 0xFE, body @ ..] => Some((body, true)),
        [0xFE, 0xFF, body @ ..] => Some((body, false)),
        [b'<', 0, ..] => Some((input, true)),
        [0, b'<', ..] => Some((input, false)),
        _ => None,
    }
}

fn from_utf16(body: &[u8], little_endian: bool) -> Result<String, ParseError> {
    if body.len() % 2 != 0 {
        return Err(ParseError::Xml("partial character".into()));
    }
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text = char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| ParseError::Xml("unpaired surrogate in UTF-16".into()))?;
    match declared_encoding(text.as_bytes()) {
        Some(name) if !is_utf16_name(name) => Err(ParseError::Xml(
            "encoding specified in XML declaration is incorrect".into(),
        )),
        _ => Ok(text),
    }
}

/// The codec Python's registry finds for `name`, if expat can read
/// through it: the name normalised as `codecs.lookup` does (ASCII letters
/// and digits and `.` kept and lowercased, every other run of bytes one
/// `_`), then looked up in `encodings.aliases`, then as a module name.
fn python_codec(name: &str) -> Option<&'static Charset> {
    let mut normalized = String::with_capacity(name.len());
    let mut in_punctuation = false;
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' {
            if in_punctuation && !normalized.is_empty() {
                normalized.push('_');
            }
            in_punctuation = false;
            normalized.push(char::from(byte.to_ascii_lowercase()));
        } else {
            in_punctuation = true;
        }
    }
    let alias = |key: &str| {
        ALIASES
            .binary_search_by(|(alias, _)| (*alias).cmp(key))
            .ok()
            .map(|at| ALIASES[at].1)
    };
    let aliased = alias(&normalized).or_else(|| alias(&normalized.replace('.', "_")));
    let charset = |module: &str| {
        (!module.is_empty() && !module.contains('.'))
            .then(|| {
                CHARSETS
                    .binary_search_by(|charset| charset.name.cmp(module))
                    .ok()
            })
            .flatten()
            .map(|at| &CHARSETS[at])
    };
    aliased.and_then(charset).or_else(|| charset(&normalized))
}

fn transcode(input: &[u8], charset: &Charset, name: &str) -> Result<String, ParseError> {
    let mut table: [char; 256] = std::array::from_fn(|byte| char::from(byte as u8));
    for &(byte, c) in charset.low {
        table[usize::from(byte)] = c;
    }
    for (slot, c) in table[128..].iter_mut().zip(charset.high.chars()) {
        *slot = c;
    }
    let mut text = String::with_capacity(input.len());
    for &byte in input {
        match table[usize::from(byte)] {
            char::REPLACEMENT_CHARACTER => return Err(undecodable(byte, name)),
            c => text.push(c),
        }
    }
    Ok(text)
}

fn undecodable(byte: u8, encoding: &str) -> ParseError {
    ParseError::Xml(format!(
        "byte 0x{byte:02X} is not a character in {encoding}"
    ))
}

/// The `encoding` the XML declaration names, if the document has one.
/// Read on every document, so it borrows and scans bytes: the declaration
/// is a few dozen of them.
fn declared_encoding(input: &[u8]) -> Option<&str> {
    const NAME: &[u8] = b"encoding";
    // What CPython's `dumps` writes for UTF-8, on nearly every document:
    // known to name no encoding without the scans below (a tenth of what
    // decoding a small call costs).
    if input.starts_with(b"<?xml version='1.0'?>") || input.starts_with(b"<?xml version=\"1.0\"?>")
    {
        return None;
    }
    // `<?xmlfoo …?>` is a processing instruction named `xmlfoo`, not the
    // declaration.
    let rest = input.strip_prefix(b"<?xml").filter(|rest| {
        rest.first()
            .is_some_and(|&b| super::wellformed::is_space(b))
    })?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    let at = decl
        .as_bytes()
        .windows(NAME.len())
        .position(|w| w == NAME)?;
    let after = &decl[at + NAME.len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn read(document: &[u8]) -> Result<String, ParseError> {
        prepare_input(document).map(|text| String::from_utf8(text.into_owned()).unwrap())
    }

    #[test]
    fn names_are_found_as_python_finds_them() {
        for (name, module) in [
            ("cp1252", "cp1252"),
            ("Windows-1252", "cp1252"),
            ("ISO-8859-15", "iso8859_15"),
            ("Latin9", "iso8859_15"),
            ("L1", "latin_1"),
            ("KOI8-R", "koi8_r"),
            ("mac-roman", "mac_roman"),
            ("macintosh", "mac_roman"),
            ("utf8", "utf_8"),
            ("iso.8859.1", "latin_1"),
        ] {
            assert_eq!(python_codec(name).map(|c| c.name), Some(module), "{name}");
        }
        for name in [
            "latin 9",
            "shift_jis",
            "utf-16-le",
            "cp037",
            "nonsense",
            "",
            "..",
            "utf_16",
        ] {
            assert!(python_codec(name).is_none(), "{name}");
        }
    }

    #[test]
    fn single_byte_documents_become_utf8() {
        let mut doc = b"<?xml version='1.0' encoding='cp1252'?><s>".to_vec();
        doc.extend_from_slice(b"caf\xE9 \x80</s>");
        assert!(read(&doc).unwrap().ends_with("<s>café €</s>"));
        // 0x81 is a byte cp1252 does not define.
        doc.push(0x81);
        assert!(matches!(read(&doc), Err(ParseError::Xml(_))));
        // Python's utf_8 codec through expat's table: ASCII only.
        let doc = "<?xml version='1.0' encoding='utf8'?><s>é</s>".as_bytes();
        assert!(matches!(read(doc), Err(ParseError::Xml(_))));
        let doc = "<?xml version='1.0' encoding='UTF-8'?><s>é</s>".as_bytes();
        assert!(read(doc).is_ok());
        let doc = b"<?xml version='1.0' encoding='us-ascii'?><s>\xE9</s>";
        assert!(matches!(read(doc), Err(ParseError::Xml(_))));
        let doc = b"<?xml version='1.0' encoding='shift_jis'?><s/>";
        assert!(matches!(read(doc), Err(ParseError::UnsupportedEncoding(_))));
    }

    #[test]
    fn utf16_documents_become_utf8() {
        let text = "<?xml version='1.0' encoding='utf-16'?><s>ü😀</s>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(read(&[&[0xFF, 0xFE][..], &le].concat()).unwrap(), text);
        assert_eq!(read(&[&[0xFE, 0xFF][..], &be].concat()).unwrap(), text);
        assert_eq!(read(&le).unwrap(), text);
        assert_eq!(read(&be).unwrap(), text);
        assert!(read(&le[..le.len() - 1]).is_err());
        let lying = "<?xml version='1.0' encoding='utf-8'?><s/>";
        let lying: Vec<u8> = lying.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(read(&lying).is_err());
        let declared = b"<?xml version='1.0' encoding='utf-16'?><s/>";
        assert!(read(declared).is_err());
    }

    /// The checked-in tables are what the generator makes from the venv's
    /// CPython now.
    #[test]
    fn charsets_are_cpythons() {
        oxrpc_testkit::assert_generated_by_python(
            "xmlrpc/generate_charsets.py",
            "crates/oxrpc-xmlrpc/src/decode/charsets.rs",
            include_str!("charsets.rs"),
        );
    }
}
