//! Any well-formed document, read with quick-xml: comments, processing
//! instructions, CDATA sections, attributes and every spelling of tags and
//! declarations. Documents the [`super::layout`] scanner does not take are
//! read here.

use super::builder::Document;
use super::tree::Tree;
use super::{utf8, Limits, ParseError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

/// Reads `document` (already known to be UTF-8) into values.
pub(super) fn read(document: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut reader = Reader::from_str(document);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut tree = Tree::new(limits);
    loop {
        let start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| ParseError::Xml(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(e) => {
                // Attributes mean nothing to XML-RPC, but as expat, a
                // document whose attributes are not well-formed (one
                // given twice, a value without quotes) is not read.
                if let Err(e) = check_attributes(&e) {
                    return Err(ParseError::Xml(format!("{e} in the tag at byte {start}")));
                }
                tree.start(e.name().as_ref())?
            }
            // quick-xml has checked that the name closes the open element.
            Event::End(_) => tree.end()?,
            Event::Text(t) => tree.text(str_within(document, &t)?)?,
            Event::CData(t) => tree.cdata(str_within(document, &t)?)?,
            Event::DocType(_) => return Err(ParseError::Dtd),
            // As expat: the declaration opens the document or is an error
            // (after whitespace, or a second one), not something to skip.
            Event::Decl(_) if start != 0 => {
                return Err(ParseError::Xml(format!(
                    "XML declaration not at the start of the document, at byte {start}"
                )))
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Empty(_) => {} // expanded into Start + End by the config
            Event::Eof => break,
        }
    }
    tree.finish()
}

/// Refuses attributes that are not well-formed, as expat does: a value
/// without quotes, a name without a value, a name given twice. Linear in
/// the attributes: quick-xml's own duplicate check compares each name with
/// every one before it, minutes of CPU for a tag with 100,000 of them.
fn check_attributes(tag: &BytesStart<'_>) -> Result<(), AttrError> {
    let content: &[u8] = tag;
    let mut seen: HashMap<&[u8], usize> = HashMap::new();
    for attribute in tag.attributes().with_checks(false) {
        let key = attribute?.key.into_inner();
        let at = key.as_ptr().addr().wrapping_sub(content.as_ptr().addr());
        if let Some(previous) = seen.insert(key, at) {
            return Err(AttrError::Duplicated(at, previous));
        }
    }
    Ok(())
}

/// `raw`, a slice the reader lent out of `document`, as the `&str` it is
/// there: the document was checked as UTF-8 once, so no slice of it needs
/// checking again. Slices from elsewhere are checked.
fn str_within<'a>(document: &'a str, raw: &'a [u8]) -> Result<&'a str, ParseError> {
    let start = raw.as_ptr().addr().wrapping_sub(document.as_ptr().addr());
    match start
        .checked_add(raw.len())
        .and_then(|end| document.get(start..end))
    {
        Some(text) if text.as_ptr() == raw.as_ptr() => Ok(text),
        _ => utf8(raw),
    }
}
