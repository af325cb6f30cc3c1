//! Errors of the wire layers.
//!
//! One enum per layer, because each layer's caller reacts differently: a
//! [`FrameError`] means the byte stream is out of sync and the connection must
//! close; a [`MessageError`] on a request can often be answered with an
//! exception (rpyc answers an unknown handler id with `KeyError`); a
//! [`VinegarError`] only spoils the one reply it arrived in. Every variant
//! says what was wrong and, where it helps debugging, where.
//!
//! [`ProtocolError`] wraps them all for code that just wants to propagate.

use super::vinegar::RemoteException;
use thiserror::Error;

/// Why a brine document could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrineError {
    /// The input ended inside a value.
    #[error(
        "brine: truncated input at byte {offset}: needed {needed} more byte(s), {available} left"
    )]
    Truncated {
        /// Where the missing bytes should have started.
        offset: usize,
        /// How many bytes the value needed.
        needed: usize,
        /// How many were left.
        available: usize,
    },
    /// A tag byte brine does not define.
    #[error("brine: unknown tag 0x{tag:02x} at byte {offset}")]
    UnknownTag {
        /// Where the tag was.
        offset: usize,
        /// The tag byte.
        tag: u8,
    },
    /// Containers nested deeper than [`crate::brine::BrineLimits::max_depth`].
    #[error("brine: nesting deeper than {max} at byte {offset}")]
    TooDeep {
        /// The limit.
        max: usize,
        /// Where the limit was crossed.
        offset: usize,
    },
    /// More values than [`crate::brine::BrineLimits::max_elements`].
    #[error("brine: more than {max} values in one document")]
    TooManyValues {
        /// The limit.
        max: usize,
    },
    /// Bytes left over after one complete document.
    #[error("brine: {count} trailing byte(s) after the value ending at byte {offset}")]
    TrailingBytes {
        /// Where the document ended.
        offset: usize,
        /// How many bytes followed it.
        count: usize,
    },
    /// An int body that is not a decimal integer Python would parse (or longer
    /// than [`crate::brine::BrineLimits::max_int_digits`]).
    #[error("brine: invalid int literal at byte {offset}")]
    InvalidInt {
        /// Where the literal started.
        offset: usize,
    },
    /// A `str` whose bytes are not UTF-8.
    #[error("brine: str at byte {offset} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the bytes started.
        offset: usize,
    },
    /// A `str` tag not followed by a bytes value.
    #[error("brine: str tag followed by tag 0x{tag:02x} (not bytes) at byte {offset}")]
    BadStr {
        /// Where the inner tag was.
        offset: usize,
        /// The inner tag.
        tag: u8,
    },
    /// A slice tag not followed by a 3-tuple.
    #[error("brine: slice at byte {offset} is not followed by a 3-tuple")]
    BadSlice {
        /// Where the slice tag was.
        offset: usize,
    },
    /// A frozenset tag not followed by a tuple.
    #[error("brine: frozenset at byte {offset} wraps a {found}, not a tuple")]
    BadFrozenSet {
        /// Where the frozenset tag was.
        offset: usize,
        /// The Python type found instead.
        found: &'static str,
    },
}

/// What to add when an announced frame length is the start of a TLS record
/// (a handshake or an alert, version 3.x): the peer speaks TLS, and the
/// bytes read as a length say so, not a huge frame.
fn tls_hint(len: u64) -> &'static str {
    let [.., kind, major, _minor, _] = len.to_be_bytes();
    match (kind, major) {
        (0x15 | 0x16, 0x03) => " (these bytes begin a TLS record: the peer speaks TLS)",
        _ => "",
    }
}

/// Why the frame stream could not be decoded. The stream is out of sync after
/// any of these: close the connection.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    /// A header announced a payload larger than
    /// [`crate::channel::FrameLimits::max_frame_len`].
    #[error("frame: announced length {len} exceeds the limit of {max} bytes{}", tls_hint(*.len))]
    TooLarge {
        /// The announced length.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// A compressed payload inflated past
    /// [`crate::channel::FrameLimits::max_decompressed_len`].
    #[error("frame: decompressed payload exceeds the limit of {max} bytes")]
    DecompressedTooLarge {
        /// The limit.
        max: usize,
    },
    /// A compressed payload that is not a valid, complete zlib stream.
    #[error("frame: invalid zlib data: {reason}")]
    InvalidZlib {
        /// What zlib complained about.
        reason: String,
    },
    /// A previous error left the decoder unusable.
    #[error("frame: decoder already failed; the stream is out of sync")]
    Poisoned,
}

/// Why a message (or the boxed values inside it) could not be decoded.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MessageError {
    /// An empty payload (rpyc skips empty frames instead of dispatching them).
    #[error("message: empty payload")]
    Empty,
    /// The first byte is not 1 (request), 2 (reply) or 3 (exception).
    #[error("message: invalid message type {0}")]
    UnknownKind(u8),
    /// The body is not valid brine.
    #[error(transparent)]
    Brine(#[from] BrineError),
    /// A value did not have the shape the protocol requires.
    #[error("message: {what}: expected {expected}, found {found}")]
    Shape {
        /// Which part of the message.
        what: &'static str,
        /// What the protocol requires there.
        expected: &'static str,
        /// What was there instead (a Python-like rendering).
        found: String,
        /// Whether what was there is a sequence (of the wrong length):
        /// Python's unpacking fails with `ValueError` then, and with
        /// `TypeError` for a value it cannot iterate.
        sequence: bool,
    },
    /// A request names a handler id that does not exist. rpyc answers this
    /// with `KeyError(handler)`.
    #[error("message: unknown handler {0}")]
    UnknownHandler(super::brine::BrineValue),
    /// A boxed value with a label other than 1..=4.
    #[error("invalid label {0}")]
    UnknownLabel(super::brine::BrineValue),
    /// A reference to one of the receiver's objects (`LABEL_LOCAL_REF`)
    /// whose value is no id pack at all, so it names no object (rpyc looks
    /// it up and raises `KeyError(value)`).
    #[error("message: no object is known as {0}")]
    UnknownObject(super::brine::BrineValue),
    /// A reference to one of the sender's objects (`LABEL_REMOTE_REF`)
    /// whose value cannot be indexed as `(name, type id, instance id)`.
    #[error("message: a remote reference needs (name, type id, instance id), found {found}")]
    NotIdPack {
        /// What was there (a Python-like rendering).
        found: String,
        /// Whether it is a sequence too short to index (`IndexError` in
        /// Python) rather than a value that cannot be indexed (`TypeError`).
        short: bool,
        /// Python's type name of what was there.
        type_name: &'static str,
    },
    /// An id pack whose ids do not fit in `i128`.
    #[error("message: object id {0} out of range")]
    IdOutOfRange(String),
    /// An exception reply whose vinegar payload is malformed.
    #[error(transparent)]
    Vinegar(#[from] VinegarError),
    /// The message kind does not fit the accessor used.
    #[error("message: expected a {expected} message, got a {found} message")]
    WrongKind {
        /// The kind asked for.
        expected: &'static str,
        /// The kind the message has.
        found: &'static str,
    },
}

impl MessageError {
    /// The exception rpyc's own server raises (and answers with) when a
    /// request is malformed this way.
    pub fn to_python(&self) -> RemoteException {
        match self {
            MessageError::UnknownHandler(id) => RemoteException::key_error(id.clone()),
            MessageError::UnknownObject(value) => RemoteException::key_error(value.clone()),
            MessageError::UnknownLabel(label) => {
                RemoteException::value_error(format!("invalid label {label}"))
            }
            MessageError::Shape {
                sequence: false, ..
            } => RemoteException::type_error(self.to_string()),
            MessageError::NotIdPack { short: true, .. } => {
                RemoteException::index_error("tuple index out of range")
            }
            MessageError::NotIdPack { type_name, .. } => {
                RemoteException::type_error(format!("'{type_name}' object is not subscriptable"))
            }
            other => RemoteException::value_error(other.to_string()),
        }
    }
}

/// Why a vinegar (exception) payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum VinegarError {
    /// The payload did not have the shape `((module, name), args, attrs, traceback)`.
    #[error("vinegar: {what}: expected {expected}, found {found}")]
    Shape {
        /// Which part of the payload.
        what: &'static str,
        /// What vinegar requires there.
        expected: &'static str,
        /// What was there instead.
        found: String,
    },
}

/// Any wire-layer error.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProtocolError {
    /// See [`BrineError`].
    #[error(transparent)]
    Brine(#[from] BrineError),
    /// See [`FrameError`].
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// See [`MessageError`].
    #[error(transparent)]
    Message(#[from] MessageError),
    /// See [`VinegarError`].
    #[error(transparent)]
    Vinegar(#[from] VinegarError),
}

#[cfg(test)]
mod tests {
    use super::FrameError;

    #[test]
    fn a_tls_record_read_as_a_frame_length_is_named() {
        // What a TLS server's alert looks like to a plain RPyC client.
        let alert = FrameError::TooLarge {
            len: 0x1503_0300,
            max: 64 << 20,
        };
        assert!(alert
            .to_string()
            .ends_with("(these bytes begin a TLS record: the peer speaks TLS)"));
        let large = FrameError::TooLarge {
            len: 0x0500_0000,
            max: 64 << 20,
        };
        assert!(!large.to_string().contains("TLS"), "{large}");
    }
}
