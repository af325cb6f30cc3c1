//! XML-RPC faults.
//!
//! A fault is the protocol's error reply: a `faultCode` int and a `faultString`.
//! Servers in this crate mirror CPython's `SimpleXMLRPCServer` (code 1 and a
//! `"<class 'TypeError'>:..."` string) where CPython has an answer, so Python
//! clients see familiar errors, and use the interoperability codes of the
//! xmlrpc-epi "specs for fault code interoperability" (the `-32700` family)
//! where CPython has none, such as a request that is not well-formed XML.

use crate::pyvalue;
use crate::value::Value;
use std::fmt;

/// An XML-RPC fault.
///
/// ```
/// use oxrpc_xmlrpc::Fault;
///
/// let fault = Fault::python_exception("KeyError", "'missing'");
/// assert_eq!(fault.code, 1);
/// assert_eq!(fault.string, "<class 'KeyError'>:'missing'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `faultCode`.
    pub code: i32,
    /// `faultString`.
    pub string: String,
}

impl Fault {
    /// Code 1, the one CPython's server uses for every exception.
    pub const APPLICATION: i32 = 1;
    /// The request was not well-formed XML.
    pub const PARSE_ERROR: i32 = -32700;
    /// The request named an encoding the server does not support.
    pub const UNSUPPORTED_ENCODING: i32 = -32701;
    /// The request was XML but not an XML-RPC `methodCall`.
    pub const INVALID_REQUEST: i32 = -32600;
    /// The method does not exist (used where CPython compatibility does not apply).
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// The parameters do not fit the method.
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server failed internally, for example while encoding the response.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// How much of a client's own input (a path, a method name) a fault
    /// echoes back before cutting it short.
    pub const ECHO_LIMIT: usize = 1024;

    /// A fault with any code and string.
    pub fn new(code: i32, string: impl Into<String>) -> Self {
        Fault {
            code,
            string: string.into(),
        }
    }

    /// The fault CPython's server sends when a handler raises `exc_type(message)`:
    /// code 1 and `"<class 'exc_type'>:message"`.
    pub fn python_exception(exc_type: &str, message: impl fmt::Display) -> Self {
        Fault::new(
            Fault::APPLICATION,
            format!("<class '{exc_type}'>:{message}"),
        )
    }

    /// The fault for a result that cannot be written as XML-RPC (a string
    /// XML cannot carry, a name that is not UTF-8, ...).
    ///
    /// ```
    /// use oxrpc_xmlrpc::Fault;
    ///
    /// let fault = Fault::cannot_encode("no reason");
    /// assert_eq!(fault.code, Fault::INTERNAL_ERROR);
    /// assert_eq!(fault.string, "server error. cannot encode the result: no reason");
    /// ```
    pub fn cannot_encode(reason: impl fmt::Display) -> Self {
        Fault::new(
            Fault::INTERNAL_ERROR,
            format!("server error. cannot encode the result: {reason}"),
        )
    }

    /// CPython's fault for a method that is not registered (a name over
    /// [`Fault::ECHO_LIMIT`] is cut short: CPython echoes it whole).
    pub fn method_not_supported(method: &str) -> Self {
        Fault::python_exception(
            "Exception",
            format_args!("method \"{}\" is not supported", clip(method)),
        )
    }
}

/// Client input echoed in a fault is cut to [`Fault::ECHO_LIMIT`]
/// characters with an ellipsis, so a small request cannot earn a fault
/// many times its size back (CPython echoes such input whole).
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(Fault::ECHO_LIMIT) {
        None => std::borrow::Cow::Borrowed(text),
        Some((at, _)) => std::borrow::Cow::Owned(format!("{}...", &text[..at])),
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Fault {}: {:?}>", self.code, self.string)
    }
}

impl std::error::Error for Fault {}

/// A fault outside the specification: a `faultCode` that is not an int of
/// 32 bits, or a `faultString` that is not a string. CPython's client reads
/// any types there (`Fault(**struct)`), and its server sends them when a
/// handler raises `Fault('E42', ...)`; a client here reads them as this.
///
/// ```
/// use oxrpc_xmlrpc::{NonStandardFault, Value};
///
/// let fault = NonStandardFault { code: Value::from("E42"), string: Value::from("no") };
/// assert_eq!(fault.to_string(), "<Fault E42: 'no'>");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NonStandardFault {
    /// `faultCode`, as sent.
    pub code: Value,
    /// `faultString`, as sent.
    pub string: Value,
}

/// As Python shows a `Fault`: `str` of the code, `repr` of the string.
impl fmt::Display for NonStandardFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (code, string) = (pyvalue::str(&self.code), pyvalue::repr(&self.string));
        write!(f, "<Fault {code}: {string}>")
    }
}

impl std::error::Error for NonStandardFault {}

impl Fault {
    /// The fault CPython sends when a handler's OS call fails, e.g.
    /// `<class 'FileNotFoundError'>:[Errno 2] No such file or directory: '/nope'`
    /// (a path over [`Fault::ECHO_LIMIT`] is cut short: CPython echoes it whole).
    pub fn from_io_error(error: &std::io::Error, path: Option<&str>) -> Self {
        use std::io::ErrorKind;
        let class = match error.kind() {
            ErrorKind::NotFound => "FileNotFoundError",
            ErrorKind::PermissionDenied => "PermissionError",
            ErrorKind::AlreadyExists => "FileExistsError",
            ErrorKind::NotADirectory => "NotADirectoryError",
            ErrorKind::IsADirectory => "IsADirectoryError",
            ErrorKind::TimedOut => "TimeoutError",
            ErrorKind::ConnectionRefused => "ConnectionRefusedError",
            ErrorKind::ConnectionReset => "ConnectionResetError",
            ErrorKind::Interrupted => "InterruptedError",
            _ => "OSError",
        };
        let message = match error.raw_os_error() {
            Some(errno) => {
                let text = std::io::Error::from_raw_os_error(errno).to_string();
                let strerror = text
                    .strip_suffix(&format!(" (os error {errno})"))
                    .unwrap_or(&text)
                    .to_owned();
                match path {
                    Some(path) => format!(
                        "[Errno {errno}] {strerror}: {}",
                        oxrpc_pyfmt::str_repr(&clip(path))
                    ),
                    None => format!("[Errno {errno}] {strerror}"),
                }
            }
            None => error.to_string(),
        };
        Fault::python_exception(class, message)
    }
}
