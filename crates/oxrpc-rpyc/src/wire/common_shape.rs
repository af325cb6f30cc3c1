//! Requests and replies in the shape every peer sends them, read in one
//! pass.
//!
//! [`Message::decode_with`] builds the whole brine tree of a message, and
//! [`Message::into_request`] then takes it apart into boxes: for a call
//! like `conn.root.get_answer()` that is nine tuples built only to be
//! dropped, on every call. A peer's request is nearly always
//! `(seq, (handler, (label, value)))` with one-byte ints for the handler
//! and the labels, and its reply `(seq, (label, value))`: this module walks
//! that envelope with the brine cursor, decoding only the values inside
//! the boxes, and builds the [`Request`] or [`Boxed`] result directly.
//!
//! Anything else (another tuple encoding of the envelope, a handler sent
//! as `True` or `1.0`, a malformed box, a limit crossed, an exception
//! reply) is left to the full decode: [`decode`] answers `None` and the
//! caller decodes the frame the general way, which also words the errors.
//! The cursor counts values and depth exactly as the full decode does, so
//! what this path accepts the full decode accepts too, with the same
//! result (a test below holds it to that over generated frames).

use super::boxing::{Boxed, IdPack, LABEL_LOCAL_REF, LABEL_REMOTE_REF, LABEL_TUPLE, LABEL_VALUE};
use super::brine::{BrineLimits, BrineValue, Decoder};
use super::message::{HandlerId, MessageKind, Request};

/// A request or reply read by [`decode`].
#[derive(Debug, PartialEq)]
pub(crate) enum Decoded {
    /// A request, with the seq to answer it with.
    Request {
        /// The request's sequence number, as it came.
        seq: BrineValue,
        /// What it asks for.
        request: Request,
    },
    /// A reply, with the seq of the request it answers.
    Reply {
        /// The sequence number, as it came.
        seq: BrineValue,
        /// The boxed result.
        result: Boxed,
    },
}

/// Reads a frame's payload when it is a request or reply in the common
/// shape; `None` sends it to [`Message::decode_with`] (see the module docs).
///
/// [`Message::decode_with`]: super::message::Message::decode_with
pub(crate) fn decode(frame: &[u8], limits: &BrineLimits) -> Option<Decoded> {
    let (&code, body) = frame.split_first()?;
    let is_request = match MessageKind::try_from(code).ok()? {
        MessageKind::Request => true,
        MessageKind::Reply => false,
        // Vinegar, read by the full decode.
        MessageKind::Exception => return None,
    };
    let mut cursor = Decoder::new(body, limits);
    let depth = pair(&mut cursor, 0)?;
    let seq = cursor.value(depth).ok()?;
    if !is_request {
        return Some(Decoded::Reply {
            seq,
            result: boxed(&mut cursor, depth)?,
        });
    }
    let depth = pair(&mut cursor, depth)?;
    let handler = HandlerId::try_from(cursor.small_int()?).ok()?;
    let args = boxed(&mut cursor, depth)?;
    Some(Decoded::Request {
        seq,
        request: Request { handler, args },
    })
}

/// Opens a 2-tuple: the depth of its items.
fn pair(cursor: &mut Decoder<'_>, depth: usize) -> Option<usize> {
    match cursor.open_tuple(depth)? {
        (2, depth) => Some(depth),
        _ => None,
    }
}

/// A `(label, value)` box, as [`Boxed::from_brine`] reads it.
fn boxed(cursor: &mut Decoder<'_>, depth: usize) -> Option<Boxed> {
    let depth = pair(cursor, depth)?;
    let label = u8::try_from(cursor.small_int()?).ok()?;
    match label {
        LABEL_VALUE => cursor.value(depth).ok().map(Boxed::Value),
        LABEL_TUPLE => {
            let (n, depth) = cursor.open_tuple(depth)?;
            let mut items = Vec::with_capacity(n.min(cursor.remaining()));
            for _ in 0..n {
                items.push(boxed(cursor, depth)?);
            }
            Some(Boxed::Tuple(items))
        }
        LABEL_LOCAL_REF => IdPack::from_local_ref(cursor.value(depth).ok()?)
            .ok()
            .map(Boxed::LocalRef),
        LABEL_REMOTE_REF => IdPack::from_remote_ref(cursor.value(depth).ok()?)
            .ok()
            .map(Boxed::RemoteRef),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::message::tests::sample_boxes;
    use crate::wire::message::{Message, Outbound};

    /// What the full decode makes of `frame`, in [`Decoded`]'s terms.
    fn full_decode(frame: &[u8], limits: &BrineLimits) -> Option<Decoded> {
        let message = Message::decode_with(frame, limits).ok()?;
        let seq = message.seq.clone();
        match message.kind {
            MessageKind::Request => Some(Decoded::Request {
                seq,
                request: message.into_request().ok()?,
            }),
            MessageKind::Reply => Some(Decoded::Reply {
                seq,
                result: message.into_reply().ok()?,
            }),
            MessageKind::Exception => None,
        }
    }

    fn sample_frames() -> Vec<Vec<u8>> {
        let boxes = sample_boxes();
        let mut frames = Vec::new();
        for args in &boxes {
            for seq in [0, 9, 1 << 40] {
                for handler in [HandlerId::CallAttr, HandlerId::GetAttr, HandlerId::Del] {
                    let mut frame = Vec::new();
                    Outbound::Request { seq, handler, args }.encode_into(&mut frame);
                    frames.push(frame);
                }
                let mut frame = Vec::new();
                let seq = BrineValue::from(seq);
                Outbound::Reply {
                    seq: &seq,
                    result: args,
                }
                .encode_into(&mut frame);
                frames.push(frame);
            }
        }
        frames
    }

    #[test]
    fn reads_what_peers_send_as_the_full_decode_does() {
        let limits = BrineLimits::default();
        for frame in sample_frames() {
            let fast = decode(&frame, &limits);
            assert!(fast.is_some(), "{frame:?}");
            assert_eq!(fast, full_decode(&frame, &limits), "{frame:?}");
        }
    }

    #[test]
    fn leaves_other_shapes_to_the_full_decode() {
        let limits = BrineLimits::default();
        for frame in [
            // The handler as True, the label as 1.0: valid, and left to
            // the full decode.
            &b"\x01\x11\x50\x11\x03\x11\x51\x02"[..],
            b"\x01\x11\x50\x11\x57\x11\x18\x3f\xf0\x00\x00\x00\x00\x00\x00\x02",
            // An exception reply; a request that is not a pair.
            b"\x03\x11\x50\x11\x51\x02",
            b"\x01\x12\x50\x57\x02",
        ] {
            assert_eq!(decode(frame, &limits), None, "{frame:?}");
        }
        for frame in [
            &b"\x01\x11\x50\x11\x03\x11\x51\x02"[..],
            b"\x01\x11\x50\x11\x57\x11\x18\x3f\xf0\x00\x00\x00\x00\x00\x00\x02",
        ] {
            assert!(full_decode(frame, &limits).is_some(), "{frame:?}");
        }
        // The envelope's pair in brine's long tuple form is read here too.
        let long_form = b"\x01\x14\x02\x50\x11\x57\x11\x51\x02";
        assert!(decode(long_form, &limits).is_some());
        assert_eq!(decode(long_form, &limits), full_decode(long_form, &limits));
    }

    /// Over frames damaged at random (a byte changed, dropped or added, a
    /// limit lowered), whatever this path accepts the full decode accepts
    /// with the same result.
    #[test]
    fn never_accepts_what_the_full_decode_reads_otherwise() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let frames = sample_frames();
        let mut accepted = 0;
        for round in 0..20_000 {
            let mut frame = frames[next() as usize % frames.len()].clone();
            for _ in 0..=(next() % 3) {
                let at = next() as usize % frame.len();
                match next() % 3 {
                    0 => frame[at] = next() as u8,
                    1 => {
                        frame.remove(at);
                    }
                    _ => frame.insert(at, next() as u8),
                }
                if frame.is_empty() {
                    break;
                }
            }
            let limits = if round % 4 == 0 {
                BrineLimits {
                    max_depth: 1 + (next() % 6) as usize,
                    max_elements: 1 + (next() % 40) as usize,
                    ..BrineLimits::default()
                }
            } else {
                BrineLimits::default()
            };
            if let Some(fast) = decode(&frame, &limits) {
                accepted += 1;
                assert_eq!(Some(fast), full_decode(&frame, &limits), "{frame:?}");
            }
        }
        // The damage leaves many frames readable: the comparison ran.
        assert!(accepted > 1_000, "only {accepted} frames were read");
    }
}
