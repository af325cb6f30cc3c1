//! A reader for the layout XML-RPC peers actually write, straight into
//! values.
//!
//! CPython's `dumps`, and every other marshaller we know of, write one
//! shape: an optional `<?xml version=…?>` declaration, the elements of the
//! specification in their order, no attributes, whitespace between
//! elements, and text only inside scalars. This reader follows that
//! grammar with a cursor and builds values as it goes — no general XML
//! events, no intermediate text buffer — which is several times faster than
//! reading the same document through [`super::general`].
//!
//! It is an optimisation only, never a second opinion. Anything it does not
//! know (another element order, an attribute, a comment, CDATA, a namespace
//! prefix, stray text, an empty-element spelling it was not taught) and
//! anything that would be an error (a bad int, a forbidden character, a
//! limit crossed) ends its work with [`Unsupported`], and the general
//! reader reads the whole document again and gives the value or the error.
//! What it accepts, it reads exactly as the general reader does; a test
//! holds both to that on mutated documents.

use super::builder::{Document, Kind, Root};
use super::name_hashes::NameHashes;
use super::scalars::{decode_base64, parse_boolean, parse_double, parse_int};
use super::scan::{find_byte, scan_text};
use super::text::decoded;
use super::Limits;
use crate::value::{DateTime, Struct, Value};
use indexmap::map::raw_entry_v1::RawEntryMut;
use indexmap::map::RawEntryApiV1;
use std::borrow::Cow;

/// The document is outside what this reader takes.
#[derive(Debug)]
pub(super) struct Unsupported;

/// Containers nested deeper than this are left to the general reader,
/// whose explicit stack costs no call stack (this reader recurses).
const MAX_NESTING: usize = 128;

/// At most this much room is made for a struct before its members are
/// read: a large struct followed by small ones does not make each of them
/// large.
const MAX_STRUCT_ROOM: usize = 32;

/// Reads `document` (already known to be UTF-8), or says it is not in the
/// layout.
pub(super) fn read(document: &str, limits: &Limits) -> Result<Document, Unsupported> {
    let mut cursor = Cursor {
        document,
        bytes: document.as_bytes(),
        pos: declaration_end(document.as_bytes())?,
        max_depth: limits.max_depth.min(MAX_NESTING),
        max_values: limits.max_values,
        values: 0,
        items: Vec::new(),
        struct_size: 0,
        names: NameHashes::new(),
    };
    cursor.skip_space();
    let document = if cursor.eat(b"<methodCall>") {
        cursor.call()?
    } else if cursor.eat(b"<methodResponse>") {
        cursor.response()?
    } else {
        return Err(Unsupported);
    };
    cursor.skip_space();
    if cursor.pos != cursor.bytes.len() {
        return Err(Unsupported);
    }
    Ok(document)
}

struct Cursor<'d> {
    document: &'d str,
    bytes: &'d [u8],
    pos: usize,
    /// Containers may nest this deep.
    max_depth: usize,
    max_values: usize,
    /// Values read so far, nested ones included.
    values: usize,
    /// Values of every open array, innermost array's last.
    items: Vec<Value>,
    /// Members in the last struct read: room made for the next one, since
    /// structs in an array mostly share a shape.
    struct_size: usize,
    names: NameHashes<'d>,
}

impl<'d> Cursor<'d> {
    /// After `<methodCall>`.
    fn call(&mut self) -> Result<Document, Unsupported> {
        self.skip_space();
        self.expect(b"<methodName>")?;
        let method_name = self.text_decoded()?.into_owned();
        self.expect(b"</methodName>")?;
        self.skip_space();
        let (kind, values) = if self.eat(b"<params>") {
            (Some(Kind::Params), self.params()?)
        } else {
            (None, Vec::new())
        };
        self.skip_space();
        self.expect(b"</methodCall>")?;
        Ok(Document {
            root: Root::Call,
            kind,
            method_name: Some(method_name),
            values,
        })
    }

    /// After `<methodResponse>`.
    fn response(&mut self) -> Result<Document, Unsupported> {
        self.skip_space();
        let (kind, values) = if self.eat(b"<params>") {
            (Kind::Params, self.params()?)
        } else if self.eat(b"<fault>") {
            self.skip_space();
            let fault = self.value(0)?;
            self.skip_space();
            self.expect(b"</fault>")?;
            (Kind::Fault, vec![fault])
        } else {
            return Err(Unsupported);
        };
        self.skip_space();
        self.expect(b"</methodResponse>")?;
        Ok(Document {
            root: Root::Response,
            kind: Some(kind),
            method_name: None,
            values,
        })
    }

    /// After `<params>`, through `</params>`.
    fn params(&mut self) -> Result<Vec<Value>, Unsupported> {
        let mut params = Vec::new();
        loop {
            self.skip_space();
            if self.eat(b"</params>") {
                return Ok(params);
            }
            self.expect(b"<param>")?;
            self.skip_space();
            params.push(self.value(0)?);
            self.skip_space();
            self.expect(b"</param>")?;
        }
    }

    /// A `<value>` element, inside `depth` containers.
    ///
    /// Every value is built where it is returned: the type element's reader
    /// also takes the `</value>` after it, so a value is not moved again as
    /// soon as it is built. A value just built sits in the store buffer,
    /// written a word at a time; a move right then reads it back in 16-byte
    /// loads that the processor cannot forward from those stores, and waits
    /// for them to reach the cache (a store-forwarding stall). Those stalls
    /// were a tenth of the decoder's time.
    fn value(&mut self, depth: usize) -> Result<Value, Unsupported> {
        self.expect(b"<value>")?;
        // Counted before it is read (the total is what the limit is on),
        // so the value is not moved through a counting call.
        self.count_one()?;
        // CPython writes the type element right after `<value>`.
        if self.bytes.get(self.pos) != Some(&b'<') {
            let text = self.text()?;
            if self.eat(b"</value>") {
                // No type element: the text is a string.
                return Ok(Value::String(owned(text)?));
            }
            if !is_space(text.as_bytes()) {
                return Err(Unsupported);
            }
        } else if self.eat(b"</value>") {
            return Ok(Value::String(String::new()));
        }
        self.typed(depth)
    }

    /// Whitespace and the `</value>` that closes a type element.
    #[inline(always)]
    fn close_value(&mut self) -> Result<(), Unsupported> {
        self.skip_space();
        self.expect(b"</value>")
    }

    /// The type element inside a `<value>`, through the `</value>`.
    fn typed(&mut self, depth: usize) -> Result<Value, Unsupported> {
        let rest = &self.bytes[self.pos..];
        // The common types first, in the order CPython's values use them.
        let (scalar, open): (Scalar, &[u8]) = match rest.get(1..3) {
            Some(b"st") if rest.starts_with(b"<string>") => (Scalar::String, b"<string>"),
            Some(b"st") if rest.starts_with(b"<struct>") => {
                self.pos += b"<struct>".len();
                return self.structure(depth + 1);
            }
            Some(b"ar") if rest.starts_with(b"<array>") => {
                self.pos += b"<array>".len();
                return self.array(depth + 1);
            }
            Some(b"in") if rest.starts_with(b"<int>") => (Scalar::Int, b"<int>"),
            Some(b"i4") if rest.starts_with(b"<i4>") => (Scalar::I4, b"<i4>"),
            Some(b"i8") if rest.starts_with(b"<i8>") => (Scalar::I8, b"<i8>"),
            Some(b"do") if rest.starts_with(b"<double>") => (Scalar::Double, b"<double>"),
            Some(b"bo") if rest.starts_with(b"<boolean>") => (Scalar::Boolean, b"<boolean>"),
            Some(b"ni") if rest.starts_with(b"<nil/>") => {
                self.pos += b"<nil/>".len();
                self.close_value()?;
                return Ok(Value::Nil);
            }
            Some(b"ba") if rest.starts_with(b"<base64>") => (Scalar::Base64, b"<base64>"),
            Some(b"da") if rest.starts_with(b"<dateTime.iso8601>") => {
                (Scalar::DateTime, b"<dateTime.iso8601>")
            }
            _ => return Err(Unsupported),
        };
        self.pos += open.len();
        let text = self.text_decoded()?;
        // Each closing tag a literal of its own: compared inline, where a
        // tag chosen at run time is a call to `memcmp`.
        let closed = match scalar {
            Scalar::String => self.eat(b"</string>"),
            Scalar::Int => self.eat(b"</int>"),
            Scalar::I4 => self.eat(b"</i4>"),
            Scalar::I8 => self.eat(b"</i8>"),
            Scalar::Double => self.eat(b"</double>"),
            Scalar::Boolean => self.eat(b"</boolean>"),
            Scalar::Base64 => self.eat(b"</base64>"),
            Scalar::DateTime => self.eat(b"</dateTime.iso8601>"),
        };
        if !closed {
            return Err(Unsupported);
        }
        self.close_value()?;
        Ok(match scalar {
            Scalar::String => Value::String(text.into_owned()),
            Scalar::Int | Scalar::I4 | Scalar::I8 => parse_int(&text).map_err(|_| Unsupported)?,
            Scalar::Double => Value::Double(parse_double(&text).map_err(|_| Unsupported)?),
            Scalar::Boolean => parse_boolean(&text).map_err(|_| Unsupported)?,
            Scalar::Base64 => Value::Base64(decode_base64(&text).map_err(|_| Unsupported)?),
            Scalar::DateTime => Value::DateTime(DateTime::from_wire(&text)),
        })
    }

    /// After `<array>`, through the `</value>` after `</array>`.
    fn array(&mut self, depth: usize) -> Result<Value, Unsupported> {
        if depth > self.max_depth {
            return Err(Unsupported);
        }
        self.skip_space();
        self.expect(b"<data>")?;
        let first_item = self.items.len();
        self.skip_space();
        loop {
            if self.eat(b"</data>") {
                break;
            }
            // Moved into the list only once the markup after it is read:
            // by then the stores that built it have left the store buffer
            // (see `value`).
            let item = self.value(depth);
            self.skip_space();
            self.items.push(item?);
        }
        self.skip_space();
        self.expect(b"</array>")?;
        self.close_value()?;
        Ok(Value::Array(self.items.split_off(first_item)))
    }

    /// After `<struct>`, through the `</value>` after `</struct>`.
    fn structure(&mut self, depth: usize) -> Result<Value, Unsupported> {
        if depth > self.max_depth {
            return Err(Unsupported);
        }
        let room = self.struct_size.min(MAX_STRUCT_ROOM);
        let mut members = Struct::with_capacity_and_hasher(room, self.names.state());
        let mut position = 0;
        loop {
            self.skip_space();
            if self.eat(b"</struct>") {
                break;
            }
            self.expect(b"<member>")?;
            self.skip_space();
            self.expect(b"<name>")?;
            let name = self.text_decoded()?;
            let (name, hash) = self.names.hashed(position, name);
            position += 1;
            self.expect(b"</name>")?;
            // CPython reads a name as a string value; it counts as one.
            self.count_one()?;
            self.skip_space();
            // Moved into the map only after the markup after it and the
            // name's lookup: by then the stores that built it have left the
            // store buffer (see `value`).
            let value = self.value(depth);
            self.skip_space();
            self.expect(b"</member>")?;
            // As `insert` does: a repeated name keeps its place and takes
            // the last value.
            match members
                .raw_entry_mut_v1()
                .from_hash(hash, |key| *key == name)
            {
                RawEntryMut::Occupied(mut member) => *member.get_mut() = value?,
                RawEntryMut::Vacant(slot) => {
                    slot.insert_hashed_nocheck(hash, name, value?);
                }
            }
        }
        self.close_value()?;
        self.struct_size = members.len();
        Ok(Value::Struct(members))
    }

    /// Counts a value against the limit.
    fn count_one(&mut self) -> Result<(), Unsupported> {
        self.values += 1;
        if self.values > self.max_values {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// The raw text up to the next `<` (which must come).
    fn text(&mut self) -> Result<&'d str, Unsupported> {
        let start = self.pos;
        let lt = find_byte(self.bytes, start, b'<').ok_or(Unsupported)?;
        self.pos = lt;
        // Both ends sit next to ASCII markup, so on character boundaries.
        self.document.get(start..lt).ok_or(Unsupported)
    }

    /// The text up to the next `<`, references resolved. Short text is
    /// checked in the same pass that finds its end, and clean text (nearly
    /// all of it) is borrowed without a second look.
    fn text_decoded(&mut self) -> Result<Cow<'d, str>, Unsupported> {
        let start = self.pos;
        let (lt, clean) = scan_text(self.bytes, start).ok_or(Unsupported)?;
        self.pos = lt;
        let raw = self.document.get(start..lt).ok_or(Unsupported)?;
        if clean {
            Ok(Cow::Borrowed(raw))
        } else {
            decoded(raw).map_err(|_| Unsupported)
        }
    }

    // Inlined, so each literal is compared as the constant it is (an
    // outlined copy compared them all through `memcmp`).
    #[inline(always)]
    fn eat(&mut self, literal: &[u8]) -> bool {
        let found = self.bytes[self.pos..].starts_with(literal);
        if found {
            self.pos += literal.len();
        }
        found
    }

    #[inline(always)]
    fn expect(&mut self, literal: &[u8]) -> Result<(), Unsupported> {
        if self.eat(literal) {
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    /// Skips XML whitespace between elements.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }
}

/// The scalar types, each with its own element.
#[derive(Clone, Copy)]
enum Scalar {
    String,
    Int,
    I4,
    I8,
    Double,
    Boolean,
    Base64,
    DateTime,
}

/// A string value's text, references resolved.
fn owned(raw: &str) -> Result<String, Unsupported> {
    decoded(raw).map(Cow::into_owned).map_err(|_| Unsupported)
}

fn is_space(text: &[u8]) -> bool {
    text.iter()
        .all(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
}

/// Where the XML declaration ends (0 without one), for the two spellings
/// peers write: `<?xml version='1.0'?>` and `<?xml version="1.0"
/// encoding="…"?>`, either quote. Anything else is left to the general
/// reader.
fn declaration_end(bytes: &[u8]) -> Result<usize, Unsupported> {
    let Some(rest) = bytes.strip_prefix(b"<?xml") else {
        return if bytes.starts_with(b"<?") {
            Err(Unsupported)
        } else {
            Ok(0)
        };
    };
    let mut rest = attribute(rest, b" version=", |value| value == b"1.0")?;
    if rest.starts_with(b" encoding=") {
        rest = attribute(rest, b" encoding=", |value| {
            !value.is_empty()
                && value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })?;
    }
    let rest = rest.strip_prefix(b"?>").ok_or(Unsupported)?;
    Ok(bytes.len() - rest.len())
}

/// `rest` after ` name='value'` (or double quotes) whose value `accept`s.
fn attribute<'a>(
    rest: &'a [u8],
    name: &[u8],
    accept: impl Fn(&[u8]) -> bool,
) -> Result<&'a [u8], Unsupported> {
    let rest = rest.strip_prefix(name).ok_or(Unsupported)?;
    let (&quote, rest) = rest.split_first().ok_or(Unsupported)?;
    if quote != b'\'' && quote != b'"' {
        return Err(Unsupported);
    }
    let close = memchr::memchr(quote, rest).ok_or(Unsupported)?;
    if !accept(&rest[..close]) {
        return Err(Unsupported);
    }
    Ok(&rest[close + 1..])
}

#[cfg(test)]
mod tests {
    use crate::decode::{general, Limits};
    use crate::value::Value;

    /// Member names remembered by position must never stand for another
    /// name: every member is found by its name afterwards, in the order
    /// read, as the general reader reads them.
    #[test]
    fn remembered_name_hashes_find_every_member() {
        let member = |name: &str, i: usize| {
            format!("<member>\n<name>{name}</name>\n<value><int>{i}</int></value>\n</member>\n")
        };
        let structure = |names: &[&str]| {
            let members: String = names
                .iter()
                .enumerate()
                .map(|(i, n)| member(n, i))
                .collect();
            format!("<value><struct>\n{members}</struct></value>\n")
        };
        let many: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let shapes: Vec<Vec<&str>> = vec![
            vec!["id", "name", "price"],
            vec!["id", "name", "price"],
            vec!["name", "id", "price"],
            vec!["id", "id", "name", "id"],
            vec!["", "a&amp;b", "ab", "a&lt;b"],
            vec!["a&amp;b", "", "ab"],
            many.clone(),
            many.iter().rev().copied().collect(),
            vec!["id"],
        ];
        let items: String = shapes.iter().map(|names| structure(names)).collect();
        let document = format!(
            "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n\
             <value><array><data>\n{items}</data></array></value>\n\
             </param>\n</params>\n</methodResponse>\n"
        );
        let limits = Limits::default();
        let fast = super::read(&document, &limits).expect("in the layout");
        let general = general::read(&document, &limits).unwrap();
        assert_eq!(general, fast);
        let Value::Array(structs) = &fast.values[0] else {
            panic!("not an array: {:?}", fast.values);
        };
        for (names, value) in shapes.iter().zip(structs) {
            let members = value.as_struct().unwrap();
            let mut unique: Vec<String> = Vec::new();
            let unescape = |n: &str| n.replace("&amp;", "&").replace("&lt;", "<");
            for name in names {
                let name = unescape(name);
                // A repeated name keeps its first place and its last value.
                let last = names.iter().rposition(|n| unescape(n) == name);
                assert_eq!(members.get(&name), Some(&Value::Int(last.unwrap() as i64)));
                if !unique.contains(&name) {
                    unique.push(name);
                }
            }
            let read: Vec<&String> = members.keys().collect();
            assert_eq!(read, unique.iter().collect::<Vec<_>>());
        }
    }
}
