//! Any well-formed document, read with quick-xml: comments, processing
//! instructions, CDATA sections, attributes and every spelling of tags and
//! declarations. Documents the [`super::layout`] scanner does not take are
//! read here.

use super::builder::Document;
use super::tree::Tree;
use super::{utf8, wellformed, Limits, ParseError};
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
        let start = position(&reader);
        let event = reader
            .read_event()
            .map_err(|e| ParseError::Xml(format!("{e} at byte {}", reader.error_position())))?;
        // The markup as written, for the rules quick-xml leaves to us.
        let markup = || {
            document
                .as_bytes()
                .get(start..position(&reader))
                .unwrap_or_default()
        };
        match event {
            Event::Start(e) => {
                wellformed::element_name(e.name().as_ref(), start)?;
                // Attributes mean nothing to XML-RPC, but as expat, a
                // document whose attributes are not well-formed (one
                // given twice, a value without quotes, a `<` in a value)
                // is not read.
                check_attributes(&e, start)?;
                tree.start(e.name().as_ref())?
            }
            // quick-xml has checked that the name closes the open element.
            Event::End(_) => tree.end()?,
            Event::Text(t) => tree.text(str_within(document, &t)?)?,
            Event::CData(t) => tree.cdata(str_within(document, &t)?)?,
            Event::DocType(_) => return Err(ParseError::Dtd),
            // The declaration opens the document or is an error (after
            // whitespace, or a second one), as any `<?xml` other than it.
            Event::Decl(_) | Event::PI(_) => wellformed::processing_instruction(markup(), start)?,
            Event::Comment(_) => wellformed::comment(markup(), start)?,
            Event::Empty(_) => {} // expanded into Start + End by the config
            Event::Eof => break,
        }
    }
    tree.finish()
}

/// Where the reader is in the document.
fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// Refuses attributes that are not well-formed, as expat does: a value
/// without quotes, a name without a value, a name given twice, and what
/// [`wellformed::attribute`] checks of each. Linear in the attributes:
/// quick-xml's own duplicate check compares each name with every one
/// before it, minutes of CPU for a tag with 100,000 of them.
fn check_attributes(tag: &BytesStart<'_>, start: usize) -> Result<(), ParseError> {
    let in_tag = |e: AttrError| ParseError::Xml(format!("{e} in the tag at byte {start}"));
    let content: &[u8] = tag;
    let mut seen: HashMap<&[u8], usize> = HashMap::new();
    for attribute in tag.attributes().with_checks(false) {
        let attribute = attribute.map_err(in_tag)?;
        let key = attribute.key.into_inner();
        let at = key.as_ptr().addr().wrapping_sub(content.as_ptr().addr());
        let preceded_by_space = at
            .checked_sub(1)
            .and_then(|before| content.get(before))
            .is_some_and(|&b| wellformed::is_space(b));
        wellformed::attribute(key, preceded_by_space, &attribute.value, start)?;
        if let Some(previous) = seen.insert(key, at) {
            return Err(in_tag(AttrError::Duplicated(at, previous)));
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
