//! The client's error type.

use crate::convert::ConversionError;
use crate::decode::ParseError;
use crate::encode::EncodeError;
use crate::fault::{Fault, NonStandardFault};
use std::time::Duration;

/// Everything a call can fail with, from a fault the server sent on purpose
/// to a connection that never opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a fault.
    #[error("{0}")]
    Fault(Fault),
    /// The server answered with a fault outside the specification.
    #[error("{0}")]
    NonStandardFault(Box<NonStandardFault>),
    /// The server answered with an HTTP status other than 200 (CPython's `ProtocolError`).
    #[error("HTTP error {status} {reason} from {url}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The status's reason phrase.
        reason: String,
        /// The server URL (without credentials).
        url: String,
    },
    /// Connecting, sending or receiving failed.
    #[error("transport error: {0}")]
    Transport(String),
    /// No complete answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The response was not a valid XML-RPC document.
    #[error("invalid response: {0}")]
    Parse(#[from] ParseError),
    /// An argument could not be written as XML-RPC.
    #[error("cannot encode the call: {0}")]
    Encode(#[from] EncodeError),
    /// The result did not have the type asked for.
    #[error("unexpected result type: {0}")]
    Conversion(#[from] ConversionError),
    /// The server URL is not usable.
    #[error("invalid URL {0:?}")]
    InvalidUrl(String),
    /// The response body was larger than allowed.
    #[error("response larger than {0} bytes")]
    ResponseTooLarge(usize),
    /// A serde value could not be turned into XML-RPC, or back.
    #[error("serde: {0}")]
    Serde(crate::SerdeError),
}

impl Error {
    /// The fault, if the server sent one.
    pub fn as_fault(&self) -> Option<&Fault> {
        match self {
            Error::Fault(f) => Some(f),
            _ => None,
        }
    }
}
