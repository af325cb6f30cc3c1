//! The error type of calls made to the peer.
//!
//! A call can fail on the other side (the peer raised: [`Error::Remote`]
//! carries its exception's class, args and traceback) or on this one: the
//! connection closed, no reply came in time, the reply did not convert to
//! the type asked for, or the peer broke the protocol. Each is its own
//! variant, so a caller can tell "the remote code raised `KeyError`" from
//! "the server went away" without parsing strings.
//!
//! Inside a service, `?` on an [`Error`] turns it into the
//! [`RemoteException`] Python would see for the same failure (the peer's
//! own exception, `EOFError`, `TimeoutError`, `TypeError`, ...).
//!
use super::convert::ConversionError;
use crate::wire::vinegar::RemoteException;
use std::time::Duration;

/// Why a call to the peer failed.
///
/// ```
/// use oxrpc_rpyc::{Error, RemoteException};
///
/// let err = Error::Remote(RemoteException::key_error("k"));
/// assert_eq!(err.remote().map(|e| e.name.as_str()), Some("KeyError"));
/// let back: RemoteException = Error::Closed.into();
/// assert_eq!(back.name, "EOFError");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The peer raised an exception (`{:#}` shows its remote traceback).
    #[error(transparent)]
    Remote(RemoteException),
    /// The connection is closed (or closed while waiting).
    #[error("connection closed")]
    Closed,
    /// No reply within the connection's `sync_request_timeout`.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The reply did not convert to the type asked for.
    #[error("unexpected result: {0}")]
    Conversion(#[from] ConversionError),
    /// The peer broke the protocol (an undecodable reply, a non-object
    /// root, a value that cannot be sent).
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl Error {
    /// The peer's exception, if it raised one.
    pub fn remote(&self) -> Option<&RemoteException> {
        match self {
            Error::Remote(e) => Some(e),
            _ => None,
        }
    }

    /// The exception a Python caller would see for this failure: the
    /// peer's own, or `EOFError`, `TimeoutError`, `TypeError`, ...
    pub fn into_exception(self) -> RemoteException {
        self.into()
    }

    /// Whether the peer raised the built-in exception `class`.
    pub fn is_remote(&self, class: crate::wire::Builtin) -> bool {
        self.remote().is_some_and(|e| e.is(class))
    }
}

impl From<RemoteException> for Error {
    fn from(e: RemoteException) -> Error {
        Error::Remote(e)
    }
}

/// A failed call, as a Python peer would see it if it were raised here.
impl From<Error> for RemoteException {
    fn from(e: Error) -> RemoteException {
        match e {
            Error::Remote(e) => e.into_received(),
            Error::Closed => RemoteException::eof_error("connection closed"),
            // What rpyc's AsyncResult raises when the wait runs out.
            Error::Timeout(_) => RemoteException::timeout_error("result expired"),
            Error::Conversion(e) => e.into(),
            Error::Protocol(why) => RemoteException::value_error(why),
        }
    }
}

/// An I/O failure while connecting, for functions that connect and then
/// make a first call.
impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        match e {
            Error::Closed => std::io::Error::new(std::io::ErrorKind::UnexpectedEof, e.to_string()),
            Error::Timeout(_) => std::io::Error::new(std::io::ErrorKind::TimedOut, e.to_string()),
            other => std::io::Error::other(other.to_string()),
        }
    }
}
