//! XML's well-formedness rules that quick-xml leaves to its caller, held as
//! expat holds them: names, comments, processing instructions, the XML
//! declaration's grammar, and what an attribute value may contain.
//!
//! quick-xml finds where markup begins and ends; it does not check that a
//! tag is named by an XML name, that a comment holds no `--`, or that
//! `<?xml encoding="utf-8"?>` lacks its version. CPython's reader (expat)
//! refuses all of those, so a server answering them, or a client reading a
//! result out of them, would accept documents no Python peer accepts. Each
//! check takes the markup as written, so the general reader calls them with
//! slices of the document and an offset for the error.

use super::text::check_xml_chars;
use super::ParseError;
use crate::encode::is_xml_char;

/// The whitespace XML's grammar allows between tokens.
pub(super) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

fn not_well_formed(what: &str, at: usize) -> ParseError {
    ParseError::Xml(format!("{what} at byte {at}"))
}

/// Whether `name` is an XML name (XML 1.0, fifth edition, production 5).
/// Colons are name characters: XML-RPC documents are read without
/// namespace processing, as CPython's reader reads them.
pub(super) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// An element's name, as the start tag at byte `at` writes it.
pub(super) fn element_name(name: &[u8], at: usize) -> Result<(), ParseError> {
    match std::str::from_utf8(name) {
        Ok(name) if is_name(name) => Ok(()),
        _ => Err(not_well_formed(
            "not well-formed (invalid token): a tag that is not named by an XML name",
            at,
        )),
    }
}

/// A comment, `<!--…-->` whole: `--` may not appear inside it, nor may it
/// end in `-`.
pub(super) fn comment(markup: &[u8], at: usize) -> Result<(), ParseError> {
    let inner = markup
        .strip_prefix(b"<!--")
        .and_then(|rest| rest.strip_suffix(b"-->"));
    match inner {
        Some(inner) if !inner.windows(2).any(|w| w == b"--") && !inner.ends_with(b"-") => Ok(()),
        _ => Err(not_well_formed(
            "not well-formed (invalid token): '--' inside a comment",
            at,
        )),
    }
}

/// A processing instruction or the XML declaration, `<?…?>` whole, found
/// at byte `at`. Its target must follow `<?` at once and be a name other
/// than `xml` in any case; `<?xml …?>` itself is the declaration, only
/// allowed at the very start.
pub(super) fn processing_instruction(markup: &[u8], at: usize) -> Result<(), ParseError> {
    let Some(inner) = markup
        .strip_prefix(b"<?")
        .and_then(|rest| rest.strip_suffix(b"?>"))
    else {
        return Err(not_well_formed("not well-formed (invalid token)", at));
    };
    let target_len = inner
        .iter()
        .position(|&b| is_space(b))
        .unwrap_or(inner.len());
    let target = &inner[..target_len];
    if target == b"xml" {
        return if at == 0 {
            declaration(&inner[target_len..], at)
        } else {
            Err(not_well_formed(
                "XML or text declaration not at start of entity",
                at,
            ))
        };
    }
    let named = std::str::from_utf8(target).is_ok_and(is_name);
    if !named || target.eq_ignore_ascii_case(b"xml") {
        return Err(not_well_formed(
            "not well-formed (invalid token): a processing instruction's target",
            at,
        ));
    }
    Ok(())
}

/// The XML declaration's pseudo-attributes, after `<?xml` and before `?>`:
/// `version`, then optionally `encoding` (starting with a letter), then
/// optionally `standalone` (`yes` or `no`), each after whitespace, in that
/// order, values of letters, digits, `.`, `-` and `_` in either quote.
fn declaration(mut rest: &[u8], at: usize) -> Result<(), ParseError> {
    let bad = || not_well_formed("XML declaration not well-formed", at);
    let mut expected: &[&[u8]] = &[b"version", b"encoding", b"standalone"];
    let mut first = true;
    while let Some(PseudoAttribute { name, value, after }) =
        pseudo_attribute(rest).map_err(|()| bad())?
    {
        let Some(position) = expected.iter().position(|&known| known == name) else {
            return Err(bad());
        };
        // Only `version` may, and must, come first.
        if first != (name == b"version") {
            return Err(bad());
        }
        let acceptable = match name {
            b"encoding" => value.first().is_some_and(u8::is_ascii_alphabetic),
            b"standalone" => value == b"yes" || value == b"no",
            _ => true,
        };
        if !acceptable {
            return Err(bad());
        }
        expected = &expected[position + 1..];
        first = false;
        rest = after;
    }
    if first {
        return Err(bad());
    }
    Ok(())
}

/// One ` name = "value"` of the declaration, and what follows it.
struct PseudoAttribute<'a> {
    name: &'a [u8],
    value: &'a [u8],
    after: &'a [u8],
}

/// The pseudo-attribute `rest` starts with: `None` at the end (trailing
/// whitespace allowed), `Err` when what follows is not one.
fn pseudo_attribute(rest: &[u8]) -> Result<Option<PseudoAttribute<'_>>, ()> {
    let trimmed = trim_start(rest);
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.len() == rest.len() {
        return Err(()); // no whitespace before the name
    }
    let name_len = trimmed
        .iter()
        .position(|&b| b == b'=' || is_space(b))
        .ok_or(())?;
    let (name, after_name) = trimmed.split_at(name_len);
    let after_eq = trim_start(after_name).strip_prefix(b"=").ok_or(())?;
    let (&quote, value_on) = trim_start(after_eq).split_first().ok_or(())?;
    if quote != b'"' && quote != b'\'' {
        return Err(());
    }
    let value_len = value_on.iter().position(|&b| b == quote).ok_or(())?;
    let value = &value_on[..value_len];
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
    if name.is_empty() || !value.iter().all(allowed) {
        return Err(());
    }
    Ok(Some(PseudoAttribute {
        name,
        value,
        after: &value_on[value_len + 1..],
    }))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let spaces = bytes.iter().take_while(|&&b| is_space(b)).count();
    &bytes[spaces..]
}

/// An attribute of the tag at byte `at`: its name is an XML name preceded
/// by whitespace (`preceded_by_space`), its value holds no `<`, no
/// character XML forbids, and no reference but the five predefined
/// entities and character references to characters XML allows.
pub(super) fn attribute(
    name: &[u8],
    preceded_by_space: bool,
    value: &[u8],
    at: usize,
) -> Result<(), ParseError> {
    let invalid =
        |what: &str| not_well_formed(&format!("not well-formed (invalid token): {what}"), at);
    if !preceded_by_space || !std::str::from_utf8(name).is_ok_and(is_name) {
        return Err(invalid("an attribute that is not named by an XML name"));
    }
    let value = std::str::from_utf8(value).map_err(|_| invalid("an attribute value"))?;
    if value.contains('<') {
        return Err(invalid("'<' in an attribute value"));
    }
    check_xml_chars(value)?;
    if value.contains('&') {
        let resolved = quick_xml::escape::unescape(value).map_err(|e| {
            ParseError::Xml(format!("{e} in an attribute value of the tag at byte {at}"))
        })?;
        if let Some(bad) = resolved.chars().find(|&c| !is_xml_char(c)) {
            return Err(ParseError::Xml(format!(
                "reference to invalid character {bad:?} in the tag at byte {at}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_xml_names() {
        for good in ["a", "ex:i8", ":a", "a:b:c", "_x", "ñ", "a·b", "a-1.b"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", "1a", "-a", ".a", "\u{301}a", "a&b", "a b"] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn comments_hold_no_double_hyphen() {
        assert!(comment(b"<!-- a - b -->", 0).is_ok());
        assert!(comment(b"<!---a -->", 0).is_ok());
        assert!(comment(b"<!---->", 0).is_ok());
        assert!(comment(b"<!-- a -- b -->", 0).is_err());
        assert!(comment(b"<!-- a --->", 0).is_err());
        assert!(comment(b"<!--->", 0).is_err());
    }

    #[test]
    fn processing_instructions_are_named_and_not_xml() {
        assert!(processing_instruction(b"<?xml-stylesheet a?>", 5).is_ok());
        assert!(processing_instruction(b"<?p a<b?>", 5).is_ok());
        assert!(processing_instruction(b"<?p?>", 5).is_ok());
        for bad in [
            &b"<?XmL a?>"[..],
            b"<? p?>",
            b"<??>",
            b"<?1p?>",
            b"<?xml version='1.0'?>",
        ] {
            assert!(processing_instruction(bad, 5).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn declarations_follow_expats_grammar() {
        for good in [
            "<?xml version='1.0'?>",
            "<?xml version=\"1.1\" encoding='utf-8' standalone='no' ?>",
            "<?xml version = '2.0'\n\tstandalone=\"yes\"?>",
            "<?xml version='10' encoding=\"ISO-8859-1\"?>",
        ] {
            assert!(processing_instruction(good.as_bytes(), 0).is_ok(), "{good}");
        }
        for bad in [
            "<?xml?>",
            "<?xml encoding='utf-8'?>",
            "<?xml encoding='utf-8' version='1.0'?>",
            "<?xml version='1.0' foo='bar'?>",
            "<?xml version='1.0'encoding='utf-8'?>",
            "<?xml version=1.0?>",
            "<?xml version=' 1.0'?>",
            "<?xml version='1.0' standalone='maybe'?>",
            "<?xml version='1.0' encoding='8bit'?>",
            "<?xml version='1.0' standalone='no' encoding='utf-8'?>",
            "<?xml version='1.0' version='1.0'?>",
        ] {
            assert!(processing_instruction(bad.as_bytes(), 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn attribute_values_hold_only_allowed_references() {
        assert!(attribute(b"a", true, b"&amp;&#65;&#x42;>]]>", 0).is_ok());
        assert!(attribute(b"a", true, b"<", 0).is_err());
        assert!(attribute(b"a", true, b"&foo;", 0).is_err());
        assert!(attribute(b"a", true, b"a&b", 0).is_err());
        assert!(attribute(b"a", true, b"&#0;", 0).is_err());
        assert!(attribute(b"a", true, b"\x01", 0).is_err());
        assert!(attribute(b"a", false, b"1", 0).is_err());
        assert!(attribute(b"1a", true, b"1", 0).is_err());
    }
}
