//! Reading XML-RPC documents.
//!
//! A pull parser (quick-xml) drives a small state machine with an explicit
//! stack, so nesting costs heap, never call stack, and is capped by
//! [`Limits`]. The accepted language is CPython's `Unmarshaller`'s: unknown
//! tags outside a `<value>` are ignored, a `<value>` without a type element is
//! a string, namespace prefixes are dropped (`ex:nil` reads as `nil`), and the
//! `i1`/`i2`/`i8`/`biginteger`/`float`/`bigdecimal` extensions are read.
//! Hostile input is refused: DTDs (and with them every entity beyond the five
//! predefined ones, so no "billion laughs"), characters XML forbids, documents
//! nested or sized past the limits.

use crate::encode::{is_nonchar_at, is_xml_char, may_hold_forbidden, ATTENTION};
use crate::fault::Fault;
use crate::value::{DateTime, Struct, Value};
use base64::Engine;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// Bounds on what a parser accepts from a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and structs.
    pub max_depth: usize,
    /// Most values (of any type, nested ones included) in one document.
    pub max_values: usize,
}

impl Default for Limits {
    /// 64 levels and 250,000 values: well beyond real use (a 100,000-int
    /// array is fine), and a document at the limit costs about 0.3 s of CPU
    /// and 20 MiB to decode, however well it compresses.
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_values: 250_000,
        }
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not well-formed XML.
    #[error("not well formed: {0}")]
    Xml(String),
    /// The XML declaration names an encoding we do not read.
    #[error("unsupported encoding {0:?}")]
    UnsupportedEncoding(String),
    /// The document carries a DTD, which could declare entities.
    #[error("DTDs and entity declarations are not allowed")]
    Dtd,
    /// Well-formed XML that is not valid XML-RPC.
    #[error("invalid XML-RPC: {0}")]
    Invalid(String),
    /// Arrays and structs nested deeper than [`Limits::max_depth`].
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// More values than [`Limits::max_values`].
    #[error("more than {0} values")]
    TooManyValues(usize),
    /// A call document that names no method (no or an empty
    /// `<methodName>`, or another root element). CPython dispatches it as
    /// method `None`, which no server has.
    #[error("no method name")]
    NoMethodName,
}

impl ParseError {
    /// The fault a server answers with, using the interoperability codes.
    pub fn to_fault(&self) -> Fault {
        match self {
            ParseError::Xml(_) | ParseError::Dtd => {
                Fault::new(Fault::PARSE_ERROR, format!("parse error. {self}"))
            }
            ParseError::UnsupportedEncoding(_) => {
                Fault::new(Fault::UNSUPPORTED_ENCODING, format!("parse error. {self}"))
            }
            ParseError::NoMethodName => Fault::method_not_supported("None"),
            _ => Fault::new(Fault::INVALID_REQUEST, format!("server error. {self}")),
        }
    }
}

/// A decoded `<methodCall>`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// `methodName`.
    pub name: String,
    /// The `params`, in order.
    pub params: Vec<Value>,
}

/// A decoded `<methodResponse>`.
#[derive(Debug, Clone, PartialEq)]
pub enum MethodResponse {
    /// The single returned value. (A response with zero or several params,
    /// which CPython returns as a tuple, reads as an array of them.)
    Success(Value),
    /// A fault.
    Fault(Fault),
}

/// Reads a `<methodCall>` document.
///
/// ```
/// use oxrpc_xmlrpc::{decode_call, Limits, Value};
///
/// let xml = b"<?xml version='1.0'?><methodCall><methodName>add</methodName>\
///     <params><param><value><int>2</int></value></param>\
///     <param><value>three</value></param></params></methodCall>";
/// let call = decode_call(xml, &Limits::default()).unwrap();
/// assert_eq!(call.name, "add");
/// assert_eq!(call.params, vec![Value::Int(2), Value::from("three")]);
/// ```
pub fn decode_call(input: &[u8], limits: &Limits) -> Result<MethodCall, ParseError> {
    let doc = parse_document(input, limits)?;
    if doc.root != Root::Call {
        return Err(ParseError::NoMethodName);
    }
    let name = doc
        .method_name
        .filter(|name| !name.is_empty())
        .ok_or(ParseError::NoMethodName)?;
    Ok(MethodCall {
        name,
        params: doc.values,
    })
}

/// Reads a `<methodResponse>` document.
pub fn decode_response(input: &[u8], limits: &Limits) -> Result<MethodResponse, ParseError> {
    let doc = parse_document(input, limits)?;
    if doc.root != Root::Response {
        return Err(ParseError::Invalid(
            "expected a <methodResponse> document".into(),
        ));
    }
    match doc.kind {
        Some(Kind::Fault) => fault_from_values(doc.values).map(MethodResponse::Fault),
        Some(Kind::Params) => {
            let mut values = doc.values;
            if values.len() == 1 {
                Ok(MethodResponse::Success(values.remove(0)))
            } else {
                Ok(MethodResponse::Success(Value::Array(values)))
            }
        }
        None => Err(ParseError::Invalid(
            "<methodResponse> without <params> or <fault>".into(),
        )),
    }
}

fn fault_from_values(mut values: Vec<Value>) -> Result<Fault, ParseError> {
    let invalid =
        || ParseError::Invalid("<fault> must hold a struct with faultCode and faultString".into());
    if values.len() != 1 {
        return Err(invalid());
    }
    let Value::Struct(members) = values.remove(0) else {
        return Err(invalid());
    };
    let code = match members.get("faultCode") {
        Some(Value::Int(code)) => i32::try_from(*code).map_err(|_| invalid())?,
        _ => return Err(invalid()),
    };
    let string = match members.get("faultString") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(invalid()),
    };
    Ok(Fault { code, string })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Unknown,
    Call,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Params,
    Fault,
}

struct Document {
    root: Root,
    kind: Option<Kind>,
    method_name: Option<String>,
    values: Vec<Value>,
}

enum Container {
    Array(Vec<Value>),
    Struct {
        members: Struct,
        pending_name: Option<String>,
    },
}

/// The parser's state between events; mirrors CPython's `Unmarshaller`.
struct Builder<'l> {
    limits: &'l Limits,
    doc: Document,
    stack: Vec<Container>,
    /// Character data since the last start tag.
    text: String,
    /// The last start tag was `<value>` (so far without a type element).
    in_bare_value: bool,
    value_count: usize,
}

/// The elements the parser acts on, told apart by their local name's bytes
/// (no UTF-8 decoding or string comparisons in the hot loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
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
    fn of(qualified: &[u8]) -> Tag {
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

impl Builder<'_> {
    fn start(&mut self, name: &[u8], element_depth: usize) -> Result<(), ParseError> {
        let tag = Tag::of(name);
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
            return Err(ParseError::Invalid(format!(
                "unknown tag <{}> in <value>",
                String::from_utf8_lossy(local_name(name))
            )));
        }
        match tag {
            Tag::Array => self.open(Container::Array(Vec::new()))?,
            Tag::Struct => self.open(Container::Struct {
                members: Struct::new(),
                pending_name: None,
            })?,
            _ => {}
        }
        self.text.clear();
        self.in_bare_value = tag == Tag::Value;
        Ok(())
    }

    fn open(&mut self, container: Container) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep(self.limits.max_depth));
        }
        self.stack.push(container);
        Ok(())
    }

    fn end(&mut self, name: &[u8]) -> Result<(), ParseError> {
        let value = match Tag::of(name) {
            Tag::Nil => Value::Nil,
            Tag::Boolean => match self.text.trim() {
                "0" => Value::Bool(false),
                "1" => Value::Bool(true),
                other => return Err(ParseError::Invalid(format!("bad boolean value {other:?}"))),
            },
            Tag::Int => parse_int(&self.text)?,
            Tag::Double => Value::Double(parse_double(&self.text)?),
            Tag::BigDecimal => {
                let trimmed = self.text.trim();
                if trimmed.parse::<f64>().is_err() {
                    return Err(ParseError::Invalid(format!("bad bigdecimal {trimmed:?}")));
                }
                Value::BigDecimal(trimmed.to_owned())
            }
            // The text buffer keeps its capacity for the next element; the
            // value gets an exact-size copy.
            Tag::String => Value::String(self.text.as_str().to_owned()),
            // CPython keeps any text here and sends it back as it came.
            Tag::DateTime => Value::DateTime(DateTime::from_wire(&self.text)),
            Tag::Base64 => Value::Base64(decode_base64(&self.text)?),
            Tag::Array => match self.stack.pop() {
                Some(Container::Array(items)) => Value::Array(items),
                _ => return Err(ParseError::Invalid("misplaced </array>".into())),
            },
            Tag::Struct => match self.stack.pop() {
                Some(Container::Struct {
                    members,
                    pending_name: None,
                }) => Value::Struct(members),
                Some(Container::Struct { .. }) => {
                    return Err(ParseError::Invalid("struct member without a value".into()))
                }
                _ => return Err(ParseError::Invalid("misplaced </struct>".into())),
            },
            Tag::Value if self.in_bare_value => Value::String(self.text.as_str().to_owned()),
            Tag::Name => {
                let name = self.text.as_str().to_owned();
                self.text.clear();
                return self.member_name(name);
            }
            Tag::MethodName => {
                self.doc.method_name = Some(std::mem::take(&mut self.text));
                return Ok(());
            }
            Tag::Params => {
                self.doc.kind = Some(Kind::Params);
                self.text.clear();
                return Ok(());
            }
            Tag::Fault => {
                self.doc.kind = Some(Kind::Fault);
                self.text.clear();
                return Ok(());
            }
            _ => {
                self.text.clear();
                return Ok(());
            }
        };
        self.text.clear();
        self.in_bare_value = false;
        self.push(value)
    }

    fn member_name(&mut self, name: String) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            Some(Container::Struct { pending_name, .. }) if pending_name.is_none() => {
                *pending_name = Some(name);
                Ok(())
            }
            Some(Container::Struct { .. }) => {
                Err(ParseError::Invalid("struct member with two names".into()))
            }
            _ => Err(ParseError::Invalid("<name> outside a struct member".into())),
        }
    }

    fn push(&mut self, value: Value) -> Result<(), ParseError> {
        self.value_count += 1;
        if self.value_count > self.limits.max_values {
            return Err(ParseError::TooManyValues(self.limits.max_values));
        }
        match self.stack.last_mut() {
            Some(Container::Array(items)) => items.push(value),
            Some(Container::Struct {
                members,
                pending_name,
            }) => {
                let name = pending_name
                    .take()
                    .ok_or_else(|| ParseError::Invalid("struct member without a name".into()))?;
                members.insert(name, value);
            }
            None => self.doc.values.push(value),
        }
        Ok(())
    }
}

fn parse_int(text: &str) -> Result<Value, ParseError> {
    let trimmed = text.trim();
    if let Ok(i) = trimmed.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let negative = trimmed.starts_with('-');
        let digits = digits.trim_start_matches('0');
        Ok(Value::BigInt(if negative {
            format!("-{digits}")
        } else {
            digits.to_owned()
        }))
    } else {
        Err(ParseError::Invalid(format!("bad integer {trimmed:?}")))
    }
}

fn parse_double(text: &str) -> Result<f64, ParseError> {
    let trimmed = text.trim();
    // Python's float() also takes digit-group underscores ("1_000.5").
    let cleaned: Cow<str> = if trimmed.contains('_') {
        Cow::Owned(trimmed.replace('_', ""))
    } else {
        Cow::Borrowed(trimmed)
    };
    cleaned
        .parse::<f64>()
        .map_err(|_| ParseError::Invalid(format!("bad double {trimmed:?}")))
}

/// `base64.decodebytes`: whitespace anywhere is ignored.
fn decode_base64(text: &str) -> Result<Vec<u8>, ParseError> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|e| ParseError::Invalid(format!("bad base64: {e}")))
}

/// Drops a UTF-8 byte-order mark and transcodes Latin-1 documents to UTF-8.
fn prepare_input(input: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return Err(ParseError::UnsupportedEncoding("UTF-16".into()));
    }
    let Some(encoding) = declared_encoding(input) else {
        return Ok(Cow::Borrowed(input));
    };
    match encoding.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Ok(Cow::Borrowed(input)),
        "iso-8859-1" | "iso8859-1" | "latin-1" | "latin1" => {
            let text: String = input.iter().map(|&b| char::from(b)).collect();
            Ok(Cow::Owned(text.into_bytes()))
        }
        _ => Err(ParseError::UnsupportedEncoding(encoding)),
    }
}

fn declared_encoding(input: &[u8]) -> Option<String> {
    let rest = input.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// Turns character data into text: line ends normalised as XML requires,
/// references resolved (only the predefined five and character references
/// exist without a DTD), characters XML forbids refused.
fn text_content(raw: &str, escaped: bool, out: &mut String) -> Result<(), ParseError> {
    if raw == "\n" {
        // Between elements in every document CPython writes.
        out.push('\n');
        return Ok(());
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
        _ => std::str::from_utf8(raw).map_err(|e| ParseError::Xml(format!("invalid UTF-8: {e}"))),
    }
}

/// Refuses raw characters XML 1.0 forbids, scanning bytes (this is the hot
/// loop for large strings).
fn check_xml_chars(text: &str) -> Result<(), ParseError> {
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

/// The name without its namespace prefix (`ex:nil` is `nil`).
fn local_name(qualified: &[u8]) -> &[u8] {
    match qualified.iter().rposition(|&b| b == b':') {
        Some(colon) => &qualified[colon + 1..],
        None => qualified,
    }
}

fn parse_document(input: &[u8], limits: &Limits) -> Result<Document, ParseError> {
    let input = prepare_input(input)?;
    // Checked once, as expat does for the whole document; every text slice
    // of it is then known to be UTF-8.
    let document =
        std::str::from_utf8(&input).map_err(|e| ParseError::Xml(format!("invalid UTF-8: {e}")))?;
    let mut reader = Reader::from_str(document);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut builder = Builder {
        limits,
        doc: Document {
            root: Root::Unknown,
            kind: None,
            method_name: None,
            values: Vec::new(),
        },
        stack: Vec::new(),
        text: String::new(),
        in_bare_value: false,
        value_count: 0,
    };
    // XML elements may nest a few levels per container (value, array, data).
    let max_elements = limits.max_depth.saturating_mul(4).saturating_add(16);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ParseError::Xml(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(e) => {
                if depth == 0 && seen_root {
                    return Err(ParseError::Xml("junk after document element".into()));
                }
                depth += 1;
                seen_root = true;
                if depth > max_elements {
                    return Err(ParseError::TooDeep(limits.max_depth));
                }
                builder.start(e.name().as_ref(), depth)?;
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                builder.end(e.name().as_ref())?;
            }
            Event::Text(t) => {
                if depth == 0 {
                    if t.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Err(ParseError::Xml("text outside the document element".into()));
                }
                text_content(str_within(document, &t)?, true, &mut builder.text)?;
            }
            Event::CData(t) => text_content(str_within(document, &t)?, false, &mut builder.text)?,
            Event::DocType(_) => return Err(ParseError::Dtd),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Empty(_) => {} // expanded into Start + End by the config
            Event::Eof => break,
        }
    }
    if depth != 0 || !seen_root {
        return Err(ParseError::Xml(
            "no element found or document unfinished".into(),
        ));
    }
    Ok(builder.doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(xml: &str) -> Result<MethodCall, ParseError> {
        decode_call(xml.as_bytes(), &Limits::default())
    }

    fn one_param(value_xml: &str) -> Result<Value, ParseError> {
        let xml = format!(
            "<methodCall><methodName>m</methodName><params><param>{value_xml}</param></params></methodCall>"
        );
        call(&xml).map(|mut c| c.params.remove(0))
    }

    #[test]
    fn reads_every_type() {
        assert_eq!(one_param("<value><i4>-7</i4></value>"), Ok(Value::Int(-7)));
        assert_eq!(
            one_param("<value><ex:i8>8589934592</ex:i8></value>"),
            Ok(Value::Int(1 << 33))
        );
        assert_eq!(
            one_param("<value><biginteger>123456789012345678901234567890</biginteger></value>"),
            Ok(Value::BigInt("123456789012345678901234567890".into()))
        );
        assert_eq!(
            one_param("<value><boolean>1</boolean></value>"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            one_param("<value><double>-1.5e3</double></value>"),
            Ok(Value::Double(-1500.0))
        );
        assert_eq!(
            one_param("<value>bare &amp; text</value>"),
            Ok(Value::from("bare & text"))
        );
        assert_eq!(one_param("<value/>"), Ok(Value::from("")));
        assert_eq!(one_param("<value><ex:nil/></value>"), Ok(Value::Nil));
        assert_eq!(
            one_param("<value><base64>aGVs\nbG8=</base64></value>"),
            Ok(Value::Base64(b"hello".to_vec()))
        );
        assert_eq!(
            one_param("<value><array><data><value>1</value><value><int>2</int></value></data></array></value>"),
            Ok(Value::Array(vec![Value::from("1"), Value::Int(2)]))
        );
        let s = one_param(
            "<value><struct><member><name>a</name><value><int>1</int></value></member>\
             <member><name>a</name><value><int>2</int></value></member></struct></value>",
        )
        .unwrap();
        assert_eq!(s.get("a"), Some(&Value::Int(2)));
    }

    #[test]
    fn line_ends_are_normalised_but_references_kept() {
        assert_eq!(
            one_param("<value>a\r\nb\rc&#13;</value>"),
            Ok(Value::from("a\nb\nc\r"))
        );
    }

    #[test]
    fn refuses_hostile_documents() {
        let laughs = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]>\
                      <methodCall><methodName>&lol;</methodName></methodCall>";
        assert_eq!(call(laughs), Err(ParseError::Dtd));
        assert!(matches!(
            call("<methodCall><methodName>&lol;</methodName></methodCall>"),
            Err(ParseError::Xml(_))
        ));
        assert!(matches!(
            one_param("<value>&#0;</value>"),
            Err(ParseError::Xml(_))
        ));
        let deep = format!(
            "<methodCall><methodName>m</methodName><params><param>{}{}</param></params></methodCall>",
            "<value><array><data>".repeat(10_000),
            "</data></array></value>".repeat(10_000)
        );
        assert_eq!(call(&deep), Err(ParseError::TooDeep(64)));
        let tags = format!("<methodCall>{}", "<x>".repeat(10_000));
        assert_eq!(call(&tags), Err(ParseError::TooDeep(64)));
        assert!(matches!(
            call("<methodCall><methodName>m</methodName>"),
            Err(ParseError::Xml(_))
        ));
        assert!(matches!(
            call("<methodCall></methodCal>"),
            Err(ParseError::Xml(_))
        ));
        // CPython reads any root; a document that is not a call names no method.
        assert_eq!(call("<foo/>"), Err(ParseError::NoMethodName));
        assert!(matches!(
            one_param("<value><bogus>1</bogus></value>"),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            one_param("<value><boolean>2</boolean></value>"),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            one_param("<value><int>12x</int></value>"),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            one_param("<value><struct><member><value>1</value></member></struct></value>"),
            Err(ParseError::Invalid(_))
        ));
    }

    #[test]
    fn value_count_limit() {
        let many = format!(
            "<methodCall><methodName>m</methodName><params>{}</params></methodCall>",
            "<param><value><int>1</int></value></param>".repeat(11)
        );
        let limits = Limits {
            max_depth: 8,
            max_values: 10,
        };
        assert_eq!(
            decode_call(many.as_bytes(), &limits),
            Err(ParseError::TooManyValues(10))
        );
    }

    #[test]
    fn encodings() {
        let latin1 = b"<?xml version='1.0' encoding='iso-8859-1'?><methodCall><methodName>m</methodName><params><param><value>caf\xe9</value></param></params></methodCall>";
        assert_eq!(
            decode_call(latin1, &Limits::default()).unwrap().params[0],
            Value::from("café")
        );
        let other = b"<?xml version='1.0' encoding='koi8-r'?><methodCall/>";
        assert!(matches!(
            decode_call(other, &Limits::default()),
            Err(ParseError::UnsupportedEncoding(_))
        ));
    }

    #[test]
    fn responses() {
        let ok = b"<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
        assert_eq!(
            decode_response(ok, &Limits::default()),
            Ok(MethodResponse::Success(Value::Int(5)))
        );
        let fault = crate::encode::encode_fault(&Fault::new(4, "Too many <params>"));
        assert_eq!(
            decode_response(fault.as_bytes(), &Limits::default()),
            Ok(MethodResponse::Fault(Fault::new(4, "Too many <params>")))
        );
    }
}
