//! Reading XML-RPC documents.
//!
//! Two readers, one meaning. [`layout`] follows the one shape XML-RPC
//! peers write (no attributes, elements in the specification's order,
//! whitespace between them) with a cursor and builds values as it goes, at
//! several times the speed of a general reader; anything outside that
//! shape, or any error, sends the whole document to [`general`]
//! (quick-xml events into [`builder`]), which knows all of XML and gives
//! the value or the error, holding the markup to expat's rules where
//! quick-xml does not ([`wellformed`]). Both read scalars through [`scalars`], and the
//! `agreement` test holds them to the same result on mutated documents.
//!
//! The builder keeps open containers on an explicit stack, so nesting costs
//! heap, never call stack, and is capped by [`Limits`]. The accepted
//! language is CPython's `Unmarshaller`'s: unknown tags outside a `<value>`
//! are ignored, a `<value>` without a type element is a string, namespace
//! prefixes are dropped (`ex:nil` reads as `nil`), and the
//! `i1`/`i2`/`i8`/`biginteger`/`float`/`bigdecimal` extensions are read.
//! Hostile input is refused: DTDs (and with them every entity beyond the five
//! predefined ones, so no "billion laughs"), characters XML forbids, documents
//! nested or sized past the limits.

#[cfg(test)]
mod agreement;
mod builder;
mod charsets;
mod encoding;
mod general;
mod layout;
mod name_hashes;
mod scalars;
mod scan;
mod text;
mod tree;
mod wellformed;

use crate::fault::{Fault, NonStandardFault};
use crate::value::Value;
use builder::{Document, Kind, Root};
use encoding::prepare_input;

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

impl Limits {
    /// What a client accepts in a response by default: 64 levels and
    /// 1,000,000 values. A server the client chose to call answers large
    /// results legitimately (a directory of 250,000 names), which
    /// CPython's client reads with no limit; the response size (64 MiB by
    /// default) bounds the rest.
    ///
    /// ```
    /// let limits = oxrpc_xmlrpc::Limits::for_responses();
    /// assert_eq!(limits.max_values, 1_000_000);
    /// ```
    pub fn for_responses() -> Limits {
        Limits {
            max_depth: 64,
            max_values: 1_000_000,
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
    /// A document with parameters but no `<methodName>` (a response's
    /// `<params>` will do). CPython dispatches it as method `None`, which
    /// no server has.
    #[error("no method name")]
    NoMethodName,
    /// A request that is itself a fault document: CPython's reader raises
    /// that fault, and its server answers with it.
    #[error("the request is a fault: {0}")]
    FaultSent(Fault),
    /// What CPython's unmarshaller raises for this document: a value its
    /// reader refuses (`int("abc")`, a bad boolean, bad base64), an
    /// unknown element inside a `<value>`, a struct with a name and no
    /// value. `exception` is the Python class (`ValueError`,
    /// `binascii.Error`), `message` its text, word for word.
    #[error("{exception}: {message}")]
    Python {
        /// The exception's class, as `type(e)` names it.
        exception: &'static str,
        /// `str(e)`.
        message: String,
    },
}

impl ParseError {
    /// The fault a server answers with: CPython's for what CPython's
    /// reader refuses, the interoperability codes for the rest.
    pub fn to_fault(&self) -> Fault {
        match self {
            ParseError::Xml(_) | ParseError::Dtd => {
                Fault::new(Fault::PARSE_ERROR, format!("parse error. {self}"))
            }
            ParseError::UnsupportedEncoding(_) => {
                Fault::new(Fault::UNSUPPORTED_ENCODING, format!("parse error. {self}"))
            }
            ParseError::NoMethodName => Fault::method_not_supported("None"),
            ParseError::FaultSent(fault) => fault.clone(),
            // SimpleXMLRPCServer's answer to any exception while reading.
            ParseError::Python { exception, message } => {
                Fault::python_exception(exception, message)
            }
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
    /// A fault outside the specification (a `faultCode` that is not an
    /// int of 32 bits, a `faultString` that is not a string).
    NonStandardFault(NonStandardFault),
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
    // CPython's reader takes any root element: what counts is whether a
    // `<params>`, a `<fault>` or a `<methodName>` was read.
    match (doc.kind, &doc.method_name) {
        (Some(Kind::Fault), _) => {
            // Sent back as the answer, so it must be one this crate writes.
            return Err(match fault_from_values(doc.values)? {
                MethodResponse::Fault(fault) => ParseError::FaultSent(fault),
                _ => ParseError::Invalid(NOT_A_FAULT.into()),
            });
        }
        (None, None) => {
            return Err(ParseError::Python {
                exception: "xmlrpc.client.ResponseError",
                message: "ResponseError()".into(),
            });
        }
        _ => {}
    }
    // An empty `<methodName/>` names the method "" (CPython dispatches it
    // and answers that no such method exists); only a missing one is None.
    let name = doc.method_name.ok_or(ParseError::NoMethodName)?;
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
        Some(Kind::Fault) => fault_from_values(doc.values),
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

const NOT_A_FAULT: &str = "<fault> must hold a struct with faultCode and faultString";

pub(crate) fn fault_from_values(mut values: Vec<Value>) -> Result<MethodResponse, ParseError> {
    let invalid = || ParseError::Invalid(NOT_A_FAULT.into());
    if values.len() != 1 {
        return Err(invalid());
    }
    let Value::Struct(mut members) = values.remove(0) else {
        return Err(invalid());
    };
    let (Some(code), Some(string)) = (
        members.swap_remove("faultCode"),
        members.swap_remove("faultString"),
    ) else {
        return Err(invalid());
    };
    Ok(match (code, string) {
        (Value::Int(wide), Value::String(string)) => match i32::try_from(wide) {
            Ok(code) => MethodResponse::Fault(Fault { code, string }),
            Err(_) => MethodResponse::NonStandardFault(NonStandardFault {
                code: Value::Int(wide),
                string: Value::String(string),
            }),
        },
        (code, string) => MethodResponse::NonStandardFault(NonStandardFault { code, string }),
    })
}

/// Reads a document with the fast scanner, or the general one when the
/// document is outside the fast one's subset.
fn parse_document(input: &[u8], limits: &Limits) -> Result<Document, ParseError> {
    let input = prepare_input(input)?;
    // Checked once, as expat does for the whole document; every text slice
    // of it is then known to be UTF-8.
    let document = utf8(&input)?;
    match layout::read(document, limits) {
        Ok(document) => Ok(document),
        Err(layout::Unsupported) => general::read(document, limits),
    }
}

/// `input` as text. Checked 32 bytes at a time where the processor has the
/// instructions (std's check goes a word at a time): 3 % of decoding the
/// benchmark's 108 KB document. An error is described by std's check.
pub(super) fn utf8(input: &[u8]) -> Result<&str, ParseError> {
    simdutf8::basic::from_utf8(input).or_else(|_| {
        std::str::from_utf8(input).map_err(|e| ParseError::Xml(format!("invalid UTF-8: {e}")))
    })
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
    fn text_that_is_not_utf8_is_refused_with_its_place() {
        // Non-ASCII text on both sides of a 32-byte block, then a Latin-1
        // byte with no declaration saying so.
        let good = "<methodCall><methodName>m</methodName><params><param><value>\
                    <string>\u{e9}t\u{e9} \u{1F600} caf\u{e9}</string></value></param></params></methodCall>";
        assert_eq!(
            call(good).unwrap().params,
            vec![Value::String("\u{e9}t\u{e9} \u{1F600} caf\u{e9}".into())]
        );
        let mut bad = good.as_bytes().to_vec();
        let at = good.find("caf").unwrap() + 3;
        bad[at] = 0xE9;
        bad.remove(at + 1);
        let error = decode_call(&bad, &Limits::default()).unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "invalid UTF-8: invalid utf-8 sequence of 1 bytes from index {at}"
            )),
            "{error}"
        );
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
    fn attributes_are_checked_in_one_pass() {
        // 200,000 attributes: quick-xml's own duplicate check, which
        // compares each name with all before it, took minutes on this.
        let names: String = (0..200_000).map(|i| format!(" a{i}='1'")).collect();
        let document =
            format!("<methodCall><methodName{names}>m</methodName><params/></methodCall>");
        assert_eq!(call(&document).map(|c| c.name), Ok("m".to_owned()));
        let twice =
            format!("<methodCall><methodName{names} a7='2'>m</methodName><params/></methodCall>");
        match call(&twice) {
            Err(ParseError::Xml(message)) => {
                assert!(message.contains("duplicated attribute"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            call("<methodCall><methodName a=1>m</methodName></methodCall>"),
            Err(ParseError::Xml(_))
        ));
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
        // CPython reads any root: what it found decides.
        let response_error = Err(ParseError::Python {
            exception: "xmlrpc.client.ResponseError",
            message: "ResponseError()".into(),
        });
        assert_eq!(call("<foo/>"), response_error);
        assert_eq!(call("<value><int>1</int></value>"), response_error);
        assert_eq!(call("<methodCall></methodCall>"), response_error);
        assert_eq!(
            call("<methodCall><params/></methodCall>"),
            Err(ParseError::NoMethodName)
        );
        assert_eq!(
            call(
                "<methodResponse><params><param><value>1</value></param></params></methodResponse>"
            ),
            Err(ParseError::NoMethodName)
        );
        assert_eq!(
            call("<foo><methodName>m</methodName></foo>").map(|c| c.name),
            Ok("m".to_owned())
        );
        assert_eq!(
            call(
                "<methodResponse><fault><value><struct><member><name>faultCode</name>\
                 <value><int>4</int></value></member><member><name>faultString</name>\
                 <value>x</value></member></struct></value></fault></methodResponse>"
            ),
            Err(ParseError::FaultSent(Fault::new(4, "x")))
        );
        // An empty name is a name: CPython dispatches "" (and faults).
        for empty in ["<methodName></methodName>", "<methodName/>"] {
            let doc = format!("<methodCall>{empty}<params/></methodCall>");
            assert_eq!(call(&doc).map(|c| c.name), Ok(String::new()), "{doc}");
        }
        // What CPython's unmarshaller raises, word for word.
        let python = |exception, message: &str| {
            Err(ParseError::Python {
                exception,
                message: message.into(),
            })
        };
        assert_eq!(
            one_param("<value><bogus>1</bogus></value>"),
            python(
                "xmlrpc.client.ResponseError",
                "ResponseError(\"unknown tag 'bogus'\")"
            )
        );
        assert_eq!(
            one_param("<value><boolean>2</boolean></value>"),
            python("TypeError", "bad boolean value")
        );
        assert_eq!(
            one_param("<value><int>12x</int></value>"),
            python(
                "ValueError",
                "invalid literal for int() with base 10: '12x'"
            )
        );
        assert_eq!(
            one_param("<value><double> x </double></value>"),
            python("ValueError", "could not convert string to float: ' x '")
        );
        assert_eq!(
            one_param("<value><struct><member><value>1</value></member></struct></value>"),
            python("IndexError", "list index out of range")
        );
        assert_eq!(
            one_param("<value><base64>YW\u{e9}\u{e9}J</base64></value>"),
            python(
                "UnicodeEncodeError",
                "'ascii' codec can't encode characters in position 2-3: ordinal not in range(128)"
            )
        );
        assert_eq!(
            one_param("<value><base64>YWJjZ</base64></value>"),
            python(
                "binascii.Error",
                "Invalid base64-encoded string: number of data characters (5) cannot be 1 more \
                 than a multiple of 4"
            )
        );
        assert!(matches!(
            one_param("<value><struct><member><value><int>1</int></value><name>a</name></member></struct></value>"),
            Err(ParseError::Invalid(_))
        ));
    }

    #[test]
    fn names_are_strings_wherever_they_are() {
        // CPython's `end_name` is `end_string`: outside a struct a name is
        // a string value, and a struct pairs whatever strings and values it
        // holds, in order.
        assert_eq!(one_param("<name>n</name>"), Ok(Value::from("n")));
        let value = one_param(
            "<value><struct><member><value><string>k</string></value>\
             <name>v</name></member></struct></value>",
        )
        .unwrap();
        assert_eq!(value.get("k"), Some(&Value::from("v")));
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
        let koi8 = b"<?xml version='1.0' encoding='koi8-r'?><methodCall><methodName>m</methodName><params><param><value>\xd0\xd2\xc9\xd7\xc5\xd4</value></param></params></methodCall>";
        assert_eq!(
            decode_call(koi8, &Limits::default()).unwrap().params[0],
            Value::from("привет")
        );
        let other = b"<?xml version='1.0' encoding='shift_jis'?><methodCall/>";
        assert!(matches!(
            decode_call(other, &Limits::default()),
            Err(ParseError::UnsupportedEncoding(_))
        ));
    }

    #[test]
    fn a_declaration_naming_no_encoding_means_utf8_in_either_quotes() {
        let body = "<methodCall><methodName>m</methodName><params><param><value>caf\u{e9}</value></param></params></methodCall>";
        for declaration in ["<?xml version='1.0'?>", "<?xml version=\"1.0\"?>"] {
            let utf8 = format!("{declaration}{body}");
            assert_eq!(
                decode_call(utf8.as_bytes(), &Limits::default())
                    .unwrap()
                    .params[0],
                Value::from("café")
            );
            // Latin-1 bytes are not UTF-8 when no encoding is declared.
            let mut latin1 = utf8.replace('\u{e9}', "").into_bytes();
            let at = latin1.windows(4).position(|w| w == b"caf<").unwrap() + 3;
            latin1.insert(at, 0xE9);
            assert!(decode_call(&latin1, &Limits::default())
                .unwrap_err()
                .to_string()
                .contains("invalid UTF-8"));
        }
        // The same spelling followed by an encoding is read for it.
        let declared = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><methodCall><methodName>m</methodName><params><param><value>caf\xe9</value></param></params></methodCall>";
        assert_eq!(
            decode_call(declared, &Limits::default()).unwrap().params[0],
            Value::from("café")
        );
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
