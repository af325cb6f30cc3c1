//! Character data as XML defines it: line ends, references, and the
//! characters XML 1.0 forbids.

use super::ParseError;
use crate::encode::{is_nonchar_at, is_xml_char, may_hold_forbidden, ATTENTION};
use std::borrow::Cow;

/// Character data as text, the same text [`text_content`] gives: borrowed
/// when there is nothing to resolve, and with the five predefined entities
/// (all CPython's `dumps` writes) resolved in one pass when they are all
/// there is; anything else (character references, carriage returns,
/// characters XML forbids) goes through [`text_content`].
pub(super) fn decoded(raw: &str) -> Result<Cow<'_, str>, ParseError> {
    let bytes = raw.as_bytes();
    // Where the first reference starts, when the predefined ones are all
    // the text holds. A `>` sends the text the long way, which refuses
    // `]]>`.
    let first_reference = if bytes.len() <= 32 {
        // Names and scalars: one look at each byte, and nearly always
        // nothing to resolve.
        let Some(first) = bytes.iter().position(|&b| ATTENTION[b as usize]) else {
            return Ok(Cow::Borrowed(raw));
        };
        let only_references = bytes[first] == b'&'
            && !bytes[first..]
                .iter()
                .any(|&b| ATTENTION[b as usize] && b != b'&');
        only_references.then_some(first)
    } else if !may_hold_forbidden(bytes, false) && memchr::memchr(b'>', bytes).is_none() {
        let Some(first) = memchr::memchr(b'&', bytes) else {
            return Ok(Cow::Borrowed(raw));
        };
        Some(first)
    } else {
        None
    };
    if let Some(text) = first_reference.and_then(|first| with_entities_resolved(raw, first)) {
        return Ok(Cow::Owned(text));
    }
    let mut text = String::new();
    text_content(raw, true, &mut text)?;
    Ok(Cow::Owned(text))
}

/// `raw` with its predefined entities resolved, from the first `&` at
/// `first`; `None` at any other reference.
fn with_entities_resolved(raw: &str, first: usize) -> Option<String> {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut amp = first;
    loop {
        text.push_str(&rest[..amp]);
        let reference = &rest[amp..];
        let (resolved, len) = match reference.as_bytes() {
            [b'&', b'a', b'm', b'p', b';', ..] => ('&', 5),
            [b'&', b'l', b't', b';', ..] => ('<', 4),
            [b'&', b'g', b't', b';', ..] => ('>', 4),
            [b'&', b'q', b'u', b'o', b't', b';', ..] => ('"', 6),
            [b'&', b'a', b'p', b'o', b's', b';', ..] => ('\'', 6),
            _ => return None,
        };
        text.push(resolved);
        rest = &reference[len..];
        match memchr::memchr(b'&', rest.as_bytes()) {
            Some(next) => amp = next,
            None => {
                text.push_str(rest);
                return Some(text);
            }
        }
    }
}

/// Turns character data into text: line ends normalised as XML requires,
/// references resolved (only the predefined five and character references
/// exist without a DTD), characters XML forbids refused.
pub(super) fn text_content(raw: &str, escaped: bool, out: &mut String) -> Result<(), ParseError> {
    // XML reserves `]]>` for the end of a CDATA section; expat refuses it
    // in text.
    if escaped && memchr::memmem::find(raw.as_bytes(), b"]]>").is_some() {
        return Err(ParseError::Xml("']]>' is not allowed in text".into()));
    }
    check_xml_chars(raw)?;
    // One pass finds both reasons to leave the fast path.
    let Some(special) = memchr::memchr2(b'\r', b'&', raw.as_bytes()) else {
        out.push_str(raw);
        return Ok(());
    };
    let normalized: Cow<str> = if raw.as_bytes()[special..].contains(&b'\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    };
    if escaped && normalized.contains('&') {
        let text =
            quick_xml::escape::unescape(&normalized).map_err(|e| ParseError::Xml(e.to_string()))?;
        // Character references may name characters XML forbids (`&#0;`).
        if let Some(bad) = text.chars().find(|c| !is_xml_char(*c)) {
            return Err(ParseError::Xml(format!(
                "reference to invalid character {bad:?}"
            )));
        }
        out.push_str(&text);
    } else {
        out.push_str(&normalized);
    }
    Ok(())
}

/// Refuses raw characters XML 1.0 forbids, scanning bytes (this is the hot
/// loop for large strings).
pub(super) fn check_xml_chars(text: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    if !may_hold_forbidden(bytes, true) {
        return Ok(());
    }
    for (i, &b) in bytes.iter().enumerate() {
        if ATTENTION[b as usize] {
            let bad = match b {
                b'&' | b'<' | b'>' | b'\r' => false,
                0xEF => is_nonchar_at(bytes, i),
                _ => true,
            };
            if bad {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                return Err(ParseError::Xml(format!(
                    "character {c:?} is not allowed in XML"
                )));
            }
        }
    }
    Ok(())
}
