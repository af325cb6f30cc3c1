//! One direction of a connection, decoded as its bytes arrive.
//!
//! `decode`, `proxy` and `replay` all read the same way: bytes come in
//! chunks of any size, and out come protocol events, each with the offset
//! of its first byte in the direction's stream, so an error can say exactly
//! where the stream went wrong. [`StreamDecoder`] owns that: for RPyC it
//! drives the wire crate's [`FrameDecoder`] and reads each frame as a
//! [`Message`]; for XML-RPC it cuts HTTP messages ([`HttpStream`]). With
//! the protocol left to "auto" it decides on the first byte: a letter or
//! `<` starts HTTP or a bare XML document; RPyC frames start with the high
//! byte of a length, which is 0 for any frame under 16 MiB.
//!
//! # Hostile input
//!
//! Every limit is the wire crate's own ([`FrameLimits`], [`BrineLimits`]) or
//! [`HttpLimits`]: memory stays bounded by one frame or message plus one
//! chunk, whatever the input. An error in the framing (an oversized length,
//! a bad zlib stream, a broken HTTP head) ends the decoding of that
//! direction, since its boundaries can no longer be trusted; an error inside
//! one frame (bad brine, an unknown message type) spoils that frame only.

use oxrpc::rpyc::brine::BrineLimits;
use oxrpc::rpyc::channel::{FrameDecoder, FrameLimits, FRAME_HEADER_LEN};
use oxrpc::rpyc::error::{BrineError, MessageError};
use oxrpc::rpyc::message::Message;

use super::http::{HttpError, HttpLimits, HttpMessage, HttpStream};
use super::Protocol;

/// Every limit the decoders apply.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DecodeLimits {
    /// RPyC frame limits.
    pub(crate) frame: FrameLimits,
    /// RPyC brine limits.
    pub(crate) brine: BrineLimits,
    /// HTTP limits.
    pub(crate) http: HttpLimits,
    /// XML-RPC document limits.
    pub(crate) xml: oxrpc::xmlrpc::Limits,
}

/// One RPyC frame, read as a message.
#[derive(Debug, Clone)]
pub(crate) struct RpycFrame {
    /// Offset of the frame header in the stream.
    pub(crate) offset: u64,
    /// Payload length as sent.
    pub(crate) wire_len: usize,
    /// Whether the payload was zlib-compressed.
    pub(crate) compressed: bool,
    /// Payload length after inflating.
    pub(crate) payload_len: usize,
    /// The message, or why the payload is not one.
    pub(crate) message: Result<Message, String>,
}

/// Something found in a stream.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// An RPyC frame.
    Rpyc(RpycFrame),
    /// An HTTP message.
    Http(Box<HttpMessage>),
    /// A bare XML document (a file holding just a `<methodCall>` or a
    /// `<methodResponse>`): its offset and bytes.
    Xml(u64, Vec<u8>),
    /// The stream cannot be read at `offset` (the reason says whether
    /// decoding of the stream stops there).
    Error {
        /// Where.
        offset: u64,
        /// What.
        reason: String,
    },
}

enum Inner {
    Undecided(Option<Protocol>),
    Rpyc(FrameDecoder),
    Http(HttpStream),
    Xml(Vec<u8>),
    Stopped,
}

/// Decodes one direction of a connection.
pub(crate) struct StreamDecoder {
    inner: Inner,
    limits: DecodeLimits,
    /// Bytes fed so far.
    fed: u64,
    /// Stream offset of the next RPyC frame header.
    frame_start: u64,
    /// The protocol, once decided (kept after the stream ends).
    known: Option<Protocol>,
}

impl StreamDecoder {
    /// A decoder for `protocol` (`None`: decide on the first byte).
    pub(crate) fn new(protocol: Option<Protocol>, limits: DecodeLimits) -> StreamDecoder {
        StreamDecoder {
            inner: Inner::Undecided(protocol),
            limits,
            fed: 0,
            frame_start: 0,
            known: protocol,
        }
    }

    /// The protocol, once known.
    pub(crate) fn protocol(&self) -> Option<Protocol> {
        self.known
    }

    /// Feeds a chunk; appends what it completes to `out`.
    pub(crate) fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        if bytes.is_empty() {
            return;
        }
        if let Inner::Undecided(protocol) = self.inner {
            let protocol = protocol.unwrap_or_else(|| Protocol::detect(bytes[0]));
            self.known = Some(protocol);
            self.inner = match protocol {
                Protocol::Rpyc => Inner::Rpyc(FrameDecoder::with_limits(self.limits.frame)),
                Protocol::Xmlrpc if bytes.trim_ascii_start().starts_with(b"<") => {
                    Inner::Xml(Vec::new())
                }
                Protocol::Xmlrpc => Inner::Http(HttpStream::new(self.limits.http)),
            };
        }
        let start = self.fed;
        self.fed += bytes.len() as u64;
        match &mut self.inner {
            Inner::Rpyc(frames) => {
                frames.feed(bytes);
                self.drain_frames(out);
            }
            Inner::Http(http) => {
                http.feed(bytes);
                loop {
                    match http.next_message() {
                        Ok(Some(message)) => out.push(Event::Http(Box::new(message))),
                        Ok(None) => break,
                        Err(e) => {
                            out.push(http_error(e, self.fed));
                            self.inner = Inner::Stopped;
                            break;
                        }
                    }
                }
            }
            Inner::Xml(buf) => {
                if buf.len() + bytes.len() > self.limits.http.max_body {
                    let max = self.limits.http.max_body;
                    out.push(Event::Error {
                        offset: start,
                        reason: format!("XML document longer than {max} bytes"),
                    });
                    self.inner = Inner::Stopped;
                } else {
                    buf.extend_from_slice(bytes);
                }
            }
            Inner::Undecided(_) | Inner::Stopped => {}
        }
    }

    /// The end of the stream: reports a message cut short.
    pub(crate) fn finish(&mut self, out: &mut Vec<Event>) {
        match std::mem::replace(&mut self.inner, Inner::Stopped) {
            Inner::Rpyc(frames) => {
                if frames.is_mid_frame() {
                    let present = self.fed - self.frame_start;
                    let reason = match frames.pending_len() {
                        Some(len) => format!(
                            "truncated frame: the header announces a {len}-byte payload, the stream ends {} byte(s) into it",
                            present.saturating_sub(FRAME_HEADER_LEN as u64)
                        ),
                        None => format!(
                            "truncated frame: the stream ends inside a frame header ({present} of {FRAME_HEADER_LEN} bytes)"
                        ),
                    };
                    out.push(Event::Error {
                        offset: self.frame_start,
                        reason,
                    });
                }
            }
            Inner::Http(mut http) => match http.finish() {
                Ok(Some(message)) => out.push(Event::Http(Box::new(message))),
                Ok(None) => {}
                Err(e) => out.push(http_error(e, self.fed)),
            },
            Inner::Xml(buf) => out.push(Event::Xml(0, buf)),
            Inner::Undecided(_) | Inner::Stopped => {}
        }
    }

    fn drain_frames(&mut self, out: &mut Vec<Event>) {
        let Inner::Rpyc(frames) = &mut self.inner else {
            return;
        };
        loop {
            match frames.next_raw_frame() {
                Ok(Some(raw)) => {
                    let offset = self.frame_start;
                    let wire_len = raw.payload.len();
                    let compressed = raw.compressed;
                    self.frame_start += (FRAME_HEADER_LEN + wire_len + 1) as u64;
                    match raw.into_payload() {
                        Ok(payload) => {
                            let message = Message::decode_with(&payload, &self.limits.brine)
                                .map_err(|e| describe_message_error(&e, offset, compressed));
                            out.push(Event::Rpyc(RpycFrame {
                                offset,
                                wire_len,
                                compressed,
                                payload_len: payload.len(),
                                message,
                            }));
                        }
                        // The framing is intact: only this frame is lost.
                        Err(e) => out.push(Event::Error {
                            offset,
                            reason: format!("{e} (a {wire_len}-byte compressed payload)"),
                        }),
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let rest = self.fed - self.frame_start;
                    out.push(Event::Error {
                        offset: self.frame_start,
                        reason: format!(
                            "{e}; the stream is out of sync, its remaining {rest} byte(s) are not decoded"
                        ),
                    });
                    self.inner = Inner::Stopped;
                    return;
                }
            }
        }
    }
}

fn http_error(e: HttpError, fed: u64) -> Event {
    let rest = fed.saturating_sub(e.offset);
    Event::Error {
        offset: e.offset,
        reason: format!(
            "{}; the rest of this stream ({rest} byte(s) so far) is not decoded",
            e.reason
        ),
    }
}

/// Where in the stream a brine error points, when the payload was sent
/// as is (a compressed payload's offsets are inside the inflated bytes).
fn describe_message_error(e: &MessageError, frame_offset: u64, compressed: bool) -> String {
    let body_start = frame_offset + FRAME_HEADER_LEN as u64 + 1;
    let brine_offset = match e {
        MessageError::Brine(b) => match b {
            BrineError::Truncated { offset, .. }
            | BrineError::UnknownTag { offset, .. }
            | BrineError::TooDeep { offset, .. }
            | BrineError::TrailingBytes { offset, .. }
            | BrineError::InvalidInt { offset }
            | BrineError::InvalidUtf8 { offset }
            | BrineError::BadStr { offset, .. }
            | BrineError::BadSlice { offset }
            | BrineError::BadFrozenSet { offset, .. } => Some(*offset),
            BrineError::TooManyValues { .. } => None,
        },
        _ => None,
    };
    match (brine_offset, compressed) {
        (Some(at), false) => format!("{e} (stream byte {})", body_start + at as u64),
        (Some(at), true) => format!("{e} (byte {} of the inflated payload)", at + 1),
        (None, _) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use oxrpc::rpyc::boxing::Boxed;
    use oxrpc::rpyc::brine::BrineValue;
    use oxrpc::rpyc::channel::encode_frame;
    use oxrpc::rpyc::message::HandlerId;

    fn run(input: &[u8], protocol: Option<Protocol>, limits: DecodeLimits) -> Vec<Event> {
        let mut d = StreamDecoder::new(protocol, limits);
        let mut out = Vec::new();
        for chunk in input.chunks(5) {
            d.feed(chunk, &mut out);
        }
        d.finish(&mut out);
        out
    }

    fn getroot_frame() -> Vec<u8> {
        let msg = Message::request(
            0,
            HandlerId::GetRoot,
            Boxed::Value(BrineValue::Tuple(vec![])),
        );
        let mut wire = Vec::new();
        encode_frame(&msg.encode(), &mut wire).unwrap();
        wire
    }

    #[test]
    fn frames_with_offsets_then_truncation() {
        let mut wire = getroot_frame();
        let len = wire.len() as u64;
        wire.extend_from_slice(&getroot_frame()[..7]);
        let events = run(&wire, None, DecodeLimits::default());
        assert_eq!(events.len(), 2, "{events:?}");
        let Event::Rpyc(frame) = &events[0] else {
            panic!()
        };
        assert_eq!(frame.offset, 0);
        assert!(frame.message.is_ok());
        let Event::Error { offset, reason } = &events[1] else {
            panic!()
        };
        assert_eq!(*offset, len);
        assert!(reason.contains("announces a 8-byte payload"), "{reason}");
    }

    #[test]
    fn bad_brine_spoils_one_frame() {
        let mut wire = Vec::new();
        encode_frame(b"\x01\x11\x50\x07", &mut wire).unwrap();
        wire.extend_from_slice(&getroot_frame());
        let events = run(&wire, Some(Protocol::Rpyc), DecodeLimits::default());
        let Event::Rpyc(first) = &events[0] else {
            panic!()
        };
        let err = first.message.as_ref().unwrap_err();
        assert!(
            err.contains("unknown tag 0x07") && err.contains("stream byte 8"),
            "{err}"
        );
        assert!(matches!(&events[1], Event::Rpyc(f) if f.message.is_ok() && f.offset == 10));
    }

    #[test]
    fn oversized_frame_stops_the_stream() {
        let events = run(b"\xff\xff\xff\xff\x00rest", None, DecodeLimits::default());
        assert_eq!(events.len(), 1);
        let Event::Error { offset: 0, reason } = &events[0] else {
            panic!()
        };
        assert!(reason.contains("announced length 4294967295"), "{reason}");
    }

    #[test]
    fn http_is_detected() {
        let events = run(
            b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
            None,
            DecodeLimits::default(),
        );
        assert!(matches!(&events[..], [Event::Http(m)] if m.body == b"hi"));
        let events = run(
            b"<?xml version='1.0'?><methodCall/>",
            None,
            DecodeLimits::default(),
        );
        assert!(matches!(&events[..], [Event::Xml(0, _)]));
    }
}
