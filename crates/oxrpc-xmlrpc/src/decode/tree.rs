//! The element tree's own rules, the same whichever scanner reads the
//! document: one root element with nothing but whitespace around it, and no
//! deeper nesting of elements than the limits allow. Both scanners report
//! what they read here, in document order, so a document gives the same
//! value or the same first error through either.

use super::builder::{Builder, Document, Tag};
use super::text::text_content;
use super::{Limits, ParseError};
use crate::encode::ATTENTION;

/// Element events on their way to the [`Builder`].
pub(super) struct Tree<'l> {
    builder: Builder<'l>,
    /// What each open element is.
    open: Vec<Tag>,
    seen_root: bool,
    max_elements: usize,
    max_depth: usize,
}

impl<'l> Tree<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Tree {
            builder: Builder::new(limits),
            open: Vec::new(),
            seen_root: false,
            // XML elements may nest a few levels per container (value,
            // array, data).
            max_elements: limits.max_depth.saturating_mul(4).saturating_add(16),
            max_depth: limits.max_depth,
        }
    }

    /// How many elements are open.
    /// An element named `name` opens.
    pub(super) fn start(&mut self, name: &[u8]) -> Result<(), ParseError> {
        let tag = Tag::of(name);
        if self.open.is_empty() && self.seen_root {
            return Err(ParseError::Xml("junk after document element".into()));
        }
        self.seen_root = true;
        if self.open.len() >= self.max_elements {
            return Err(ParseError::TooDeep(self.max_depth));
        }
        self.open.push(tag);
        self.builder.start(tag, name, self.open.len())
    }

    /// The element last opened closes (the reader has checked its name).
    pub(super) fn end(&mut self) -> Result<(), ParseError> {
        let tag = self.open.pop().unwrap_or(Tag::Other);
        self.builder.end(tag)
    }

    /// Character data with its references still in it.
    pub(super) fn text(&mut self, raw: &str) -> Result<(), ParseError> {
        if self.open.is_empty() {
            if raw.bytes().all(|b| b.is_ascii_whitespace()) {
                return Ok(());
            }
            return Err(ParseError::Xml("text outside the document element".into()));
        }
        // Most text is a value of a few bytes or the newline CPython writes
        // between elements: one look at each byte clears it.
        if raw.len() <= 32 && !raw.bytes().any(|b| ATTENTION[b as usize]) {
            self.builder.text.push_str(raw);
            return Ok(());
        }
        text_content(raw, true, &mut self.builder.text)
    }

    /// The inside of a CDATA section, taken as it is.
    pub(super) fn cdata(&mut self, raw: &str) -> Result<(), ParseError> {
        text_content(raw, false, &mut self.builder.text)
    }

    pub(super) fn finish(self) -> Result<Document, ParseError> {
        if !self.open.is_empty() || !self.seen_root {
            return Err(ParseError::Xml(
                "no element found or document unfinished".into(),
            ));
        }
        Ok(self.builder.into_document())
    }
}
