//! Turning elements and their text into values: the semantics of CPython's
//! `Unmarshaller`, fed by either scanner (see [`super::tree`]).
//!
//! Open arrays and structs keep what they have read so far on two shared
//! stacks (values, and named members) rather than in growing containers of
//! their own: a closing `</array>` or `</struct>` then builds its container
//! once, at its exact size, and the stacks' capacity serves the whole
//! document.

use super::scalars::{decode_base64, parse_boolean, parse_double, parse_int, python};
use super::ParseError;
use crate::decode::Limits;
use crate::value::{DateTime, Struct, Value};
use oxrpc_pyfmt::str_repr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    Unknown,
    Call,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Params,
    Fault,
}

/// What a document said, once read.
#[derive(Debug, PartialEq)]
pub(super) struct Document {
    pub(super) root: Root,
    pub(super) kind: Option<Kind>,
    pub(super) method_name: Option<String>,
    pub(super) values: Vec<Value>,
}

/// An array or struct being read: where its entries start on the shared
/// stack.
enum Open {
    Array {
        first_item: usize,
    },
    /// A struct's entries are names and values in turn, as CPython's
    /// unmarshaller keeps them (a `<name>` is read as a string).
    Struct {
        first_item: usize,
    },
}

/// The parser's state between elements; mirrors CPython's `Unmarshaller`.
pub(super) struct Builder<'l> {
    limits: &'l Limits,
    doc: Document,
    open: Vec<Open>,
    /// Entries of every open array and struct, the innermost one's last.
    items: Vec<Value>,
    /// Character data since the last start tag.
    pub(super) text: String,
    /// The last start tag was `<value>` (so far without a type element).
    in_bare_value: bool,
    value_count: usize,
}

/// The elements the parser acts on, told apart by their local name's bytes
/// (no UTF-8 decoding or string comparisons in the hot loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    MethodCall,
    MethodResponse,
    Nil,
    Boolean,
    /// `i1`, `i2`, `i4`, `i8`, `int` and `biginteger`.
    Int,
    /// `double` and `float`.
    Double,
    BigDecimal,
    String,
    Array,
    Struct,
    Base64,
    DateTime,
    Value,
    Name,
    Params,
    Fault,
    MethodName,
    /// Anything else (`member`, `data`, `param`, unknown tags).
    Other,
}

impl Tag {
    /// The tag of a qualified name: names without a prefix (nearly all)
    /// are matched as they are, and only names matching nothing are looked
    /// at again without their prefix (`ex:nil` is `nil`).
    pub(super) fn of(qualified: &[u8]) -> Tag {
        match Tag::from_local_name(qualified) {
            Tag::Other => Tag::from_local_name(local_name(qualified)),
            tag => tag,
        }
    }

    fn from_local_name(name: &[u8]) -> Tag {
        match name {
            b"value" => Tag::Value,
            b"member" | b"data" | b"param" => Tag::Other,
            b"name" => Tag::Name,
            b"string" => Tag::String,
            b"int" | b"i4" | b"i8" | b"i1" | b"i2" | b"biginteger" => Tag::Int,
            b"double" | b"float" => Tag::Double,
            b"boolean" => Tag::Boolean,
            b"struct" => Tag::Struct,
            b"array" => Tag::Array,
            b"nil" => Tag::Nil,
            b"base64" => Tag::Base64,
            b"dateTime.iso8601" => Tag::DateTime,
            b"bigdecimal" => Tag::BigDecimal,
            b"params" => Tag::Params,
            b"fault" => Tag::Fault,
            b"methodName" => Tag::MethodName,
            b"methodCall" => Tag::MethodCall,
            b"methodResponse" => Tag::MethodResponse,
            _ => Tag::Other,
        }
    }

    /// Whether CPython's unmarshaller knows the element, which is what may
    /// appear inside a `<value>`.
    fn is_known(self) -> bool {
        !matches!(self, Tag::MethodCall | Tag::MethodResponse | Tag::Other)
    }
}

/// The name without its namespace prefix (`ex:nil` is `nil`).
fn local_name(qualified: &[u8]) -> &[u8] {
    match qualified.iter().rposition(|&b| b == b':') {
        Some(colon) => &qualified[colon + 1..],
        None => qualified,
    }
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Builder {
            limits,
            doc: Document {
                root: Root::Unknown,
                kind: None,
                method_name: None,
                values: Vec::new(),
            },
            open: Vec::new(),
            items: Vec::new(),
            text: String::new(),
            in_bare_value: false,
            value_count: 0,
        }
    }

    pub(super) fn into_document(self) -> Document {
        self.doc
    }

    /// An element opens: `tag` is what its `name` means.
    pub(super) fn start(
        &mut self,
        tag: Tag,
        name: &[u8],
        element_depth: usize,
    ) -> Result<(), ParseError> {
        if element_depth == 1 {
            // Like CPython's unmarshaller, read any root: a document that
            // is not a call names no method, one that is not a response
            // is refused where a response is wanted.
            self.doc.root = match tag {
                Tag::MethodCall => Root::Call,
                Tag::MethodResponse => Root::Response,
                _ => Root::Unknown,
            };
        }
        if self.in_bare_value && !tag.is_known() {
            let message = format!(
                "unknown tag {}",
                str_repr(&String::from_utf8_lossy(local_name(name)))
            );
            return Err(python(
                "xmlrpc.client.ResponseError",
                format!("ResponseError({})", str_repr(&message)),
            ));
        }
        match tag {
            Tag::Array => self.open(Open::Array {
                first_item: self.items.len(),
            })?,
            Tag::Struct => self.open(Open::Struct {
                first_item: self.items.len(),
            })?,
            _ => {}
        }
        self.text.clear();
        self.in_bare_value = tag == Tag::Value;
        Ok(())
    }

    fn open(&mut self, container: Open) -> Result<(), ParseError> {
        if self.open.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep(self.limits.max_depth));
        }
        self.open.push(container);
        Ok(())
    }

    /// The element last opened, of this `tag`, closes. Like CPython's
    /// unmarshaller, only a start tag clears the text gathered so far: text
    /// read after an end tag still counts for the next end tag that reads
    /// text (`<string>a<x>b</x>c</string>` is `"bc"`).
    pub(super) fn end(&mut self, tag: Tag) -> Result<(), ParseError> {
        let value = match tag {
            Tag::Nil => Value::Nil,
            Tag::Boolean => parse_boolean(&self.text)?,
            Tag::Int => parse_int(&self.text)?,
            Tag::Double => Value::Double(parse_double(&self.text)?),
            Tag::BigDecimal => {
                if !is_decimal(&self.text) {
                    return Err(python(
                        "decimal.InvalidOperation",
                        "[<class 'decimal.ConversionSyntax'>]".into(),
                    ));
                }
                Value::BigDecimal(self.text.trim().to_owned())
            }
            // The text buffer keeps its capacity for the next element; the
            // value gets an exact-size copy.
            // `end_string` reads a member's `<name>` too.
            Tag::String | Tag::Name => Value::String(self.text.as_str().to_owned()),
            // CPython keeps any text here and sends it back as it came.
            Tag::DateTime => Value::DateTime(DateTime::from_wire(&self.text)),
            Tag::Base64 => Value::Base64(decode_base64(&self.text)?),
            Tag::Array => match self.open.pop() {
                Some(Open::Array { first_item }) => Value::Array(self.items.split_off(first_item)),
                _ => return Err(ParseError::Invalid("misplaced </array>".into())),
            },
            Tag::Struct => match self.open.pop() {
                Some(Open::Struct { first_item }) => {
                    Value::Struct(pair_up(self.items.drain(first_item..))?)
                }
                _ => return Err(ParseError::Invalid("misplaced </struct>".into())),
            },
            Tag::Value if self.in_bare_value => Value::String(self.text.as_str().to_owned()),
            Tag::MethodName => {
                self.doc.method_name = Some(self.text.clone());
                return Ok(());
            }
            Tag::Params => {
                self.doc.kind = Some(Kind::Params);
                return Ok(());
            }
            Tag::Fault => {
                self.doc.kind = Some(Kind::Fault);
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.in_bare_value = false;
        self.push(value)
    }

    fn push(&mut self, value: Value) -> Result<(), ParseError> {
        self.value_count += 1;
        if self.value_count > self.limits.max_values {
            return Err(ParseError::TooManyValues(self.limits.max_values));
        }
        if self.open.is_empty() {
            self.doc.values.push(value);
        } else {
            self.items.push(value);
        }
        Ok(())
    }
}

/// A struct from its entries, names and values in turn, as `end_struct`
/// pairs them: an odd count is CPython's `IndexError`; a later member of
/// the same name replaces the value and keeps the place. A name that is
/// not a string (a `<value>` where the name should be) makes a dict
/// CPython can hold but never send; here it is refused.
fn pair_up(mut entries: impl ExactSizeIterator<Item = Value>) -> Result<Struct, ParseError> {
    if entries.len() % 2 == 1 {
        return Err(python("IndexError", "list index out of range".into()));
    }
    let mut members = Struct::with_capacity(entries.len() / 2);
    while let (Some(name), Some(value)) = (entries.next(), entries.next()) {
        let Value::String(name) = name else {
            return Err(ParseError::Invalid(
                "a struct member name that is not a string".into(),
            ));
        };
        members.insert(name, value);
    }
    Ok(members)
}

/// Whether `Decimal(text)` reads the text: a float's spelling, or one of
/// its special values.
fn is_decimal(text: &str) -> bool {
    oxrpc_pyfmt::float_text(text).is_some_and(|ascii| {
        let unsigned = ascii.trim_start_matches(['+', '-']);
        ascii.parse::<f64>().is_ok()
            || ["nan", "snan", "inf", "infinity"]
                .iter()
                .any(|special| unsigned.eq_ignore_ascii_case(special))
    })
}
