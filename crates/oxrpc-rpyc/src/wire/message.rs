//! Messages: what one frame's payload means.
//!
//! A payload is one byte of message type followed by the brine document
//! `(seq, args)`:
//!
//! | type            | `args`                                                    |
//! |-----------------|-----------------------------------------------------------|
//! | 1 `REQUEST`     | `(handler_id, boxed_args)`: the args are one boxed tuple   |
//! | 2 `REPLY`       | the boxed result                                          |
//! | 3 `EXCEPTION`   | a [`vinegar`] tuple (not boxed)                            |
//!
//! `seq` is chosen by the requester (Python counts up from 0 per connection)
//! and echoed in the reply, which may arrive after replies to later requests
//! and after nested requests *from* the peer: both sides serve and request on
//! the same connection. rpyc never checks it: any brine value (an int of
//! any size, a string, `None`) comes back exactly as sent, so a message
//! keeps its seq as a [`BrineValue`]; our own requests number theirs from 0.
//!
//! The handler id is a bare int (not boxed). An id outside 1..=20 is not a
//! protocol error in Python: the handler table lookup raises `KeyError(id)`,
//! which goes back as an exception reply. [`Message::into_request`] reports
//! it as [`MessageError::UnknownHandler`] so the caller can do the same.
//!
//! This layer does not know about rpyc's experimental `RPYC_BIND_THREADS`
//! mode, which prefixes every payload with two big-endian u64 thread ids; it
//! is off unless that environment variable is `"true"` on both peers.

use super::boxing::{shape, Boxed};
use super::brine::{self, BrineLimits, BrineValue};
use super::error::MessageError;
use super::vinegar::{self, RemoteException};

/// The first byte of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageKind {
    /// `MSG_REQUEST`.
    Request = 1,
    /// `MSG_REPLY`.
    Reply = 2,
    /// `MSG_EXCEPTION`.
    Exception = 3,
}

impl MessageKind {
    /// The wire byte.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// A lower-case name for messages and logs.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Request => "request",
            MessageKind::Reply => "reply",
            MessageKind::Exception => "exception",
        }
    }
}

impl TryFrom<u8> for MessageKind {
    type Error = MessageError;

    fn try_from(code: u8) -> Result<Self, MessageError> {
        match code {
            1 => Ok(MessageKind::Request),
            2 => Ok(MessageKind::Reply),
            3 => Ok(MessageKind::Exception),
            other => Err(MessageError::UnknownKind(other)),
        }
    }
}

macro_rules! handlers {
    ($($variant:ident = $id:literal, $const:literal, $args:literal;)*) => {
        /// The request handlers, numbered as in rpyc's `consts.py`.
        ///
        /// ```
        /// use oxrpc_rpyc::message::HandlerId;
        ///
        /// assert_eq!(HandlerId::try_from(8u8).unwrap(), HandlerId::CallAttr);
        /// assert_eq!(HandlerId::CallAttr.id(), 8);
        /// assert_eq!(HandlerId::CallAttr.const_name(), "HANDLE_CALLATTR");
        /// assert!(HandlerId::try_from(21u8).is_err());
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum HandlerId {
            $(
                #[doc = concat!("`", $const, "`: arguments `", $args, "`.")]
                $variant = $id,
            )*
        }

        impl HandlerId {
            /// Every handler, in id order.
            pub const ALL: [HandlerId; 20] = [$(HandlerId::$variant),*];

            /// The name of the constant in rpyc's `consts.py`.
            pub fn const_name(self) -> &'static str {
                match self {
                    $(HandlerId::$variant => $const,)*
                }
            }
        }

        impl TryFrom<u8> for HandlerId {
            type Error = u8;

            fn try_from(id: u8) -> Result<Self, u8> {
                match id {
                    $($id => Ok(HandlerId::$variant),)*
                    other => Err(other),
                }
            }
        }
    };
}

handlers! {
    Ping = 1, "HANDLE_PING", "(data,)";
    Close = 2, "HANDLE_CLOSE", "()";
    GetRoot = 3, "HANDLE_GETROOT", "()";
    GetAttr = 4, "HANDLE_GETATTR", "(obj, name)";
    DelAttr = 5, "HANDLE_DELATTR", "(obj, name)";
    SetAttr = 6, "HANDLE_SETATTR", "(obj, name, value)";
    Call = 7, "HANDLE_CALL", "(obj, args, kwargs=())";
    CallAttr = 8, "HANDLE_CALLATTR", "(obj, name, args, kwargs=())";
    Repr = 9, "HANDLE_REPR", "(obj,)";
    Str = 10, "HANDLE_STR", "(obj,)";
    Cmp = 11, "HANDLE_CMP", "(obj, other, op='__cmp__')";
    Hash = 12, "HANDLE_HASH", "(obj,)";
    Dir = 13, "HANDLE_DIR", "(obj,)";
    Pickle = 14, "HANDLE_PICKLE", "(obj, proto)";
    Del = 15, "HANDLE_DEL", "(obj, count=1)";
    Inspect = 16, "HANDLE_INSPECT", "(id_pack,)";
    BuffIter = 17, "HANDLE_BUFFITER", "(obj, count)";
    OldSlicing = 18, "HANDLE_OLDSLICING", "(obj, attempt, fallback, start, stop, args)";
    CtxExit = 19, "HANDLE_CTXEXIT", "(obj, exc)";
    InstanceCheck = 20, "HANDLE_INSTANCECHECK", "(obj, other_id_pack)";
}

impl HandlerId {
    /// The wire id.
    pub fn id(self) -> u8 {
        self as u8
    }
}

impl TryFrom<i64> for HandlerId {
    type Error = i64;

    fn try_from(id: i64) -> Result<Self, i64> {
        u8::try_from(id)
            .ok()
            .and_then(|b| HandlerId::try_from(b).ok())
            .ok_or(id)
    }
}

/// A decoded message: kind, sequence number and the `args` part.
///
/// ```
/// use oxrpc_rpyc::boxing::Boxed;
/// use oxrpc_rpyc::message::{HandlerId, Message};
/// use oxrpc_rpyc::brine::BrineValue;
///
/// // What Python's `conn.root` sends first: request 0, HANDLE_GETROOT, no args.
/// let msg = Message::request(0, HandlerId::GetRoot, Boxed::Value(BrineValue::Tuple(vec![])));
/// assert_eq!(msg.encode(), b"\x01\x11\x50\x11\x53\x11\x51\x02");
///
/// let back = Message::decode(&msg.encode()).unwrap();
/// let request = back.into_request().unwrap();
/// assert_eq!(request.handler, HandlerId::GetRoot);
/// assert!(request.args.into_items().unwrap().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Request, reply or exception.
    pub kind: MessageKind,
    /// The request's sequence number (echoed by its reply): any brine
    /// value, as rpyc echoes whatever it received.
    pub seq: BrineValue,
    /// The `args` part, not yet interpreted.
    pub payload: BrineValue,
}

/// A message to send, in the parts it is made of: encoded straight from
/// its boxes, without first building the brine tree a decoded [`Message`]
/// holds (a call would otherwise allocate that tree only to drop it).
///
/// ```
/// use oxrpc_rpyc::boxing::Boxed;
/// use oxrpc_rpyc::brine::BrineValue;
/// use oxrpc_rpyc::message::{HandlerId, Message, Outbound};
///
/// let args = Boxed::Value(BrineValue::Tuple(vec![]));
/// let mut wire = Vec::new();
/// Outbound::Request { seq: 0, handler: HandlerId::GetRoot, args: &args }.encode_into(&mut wire);
/// assert_eq!(wire, Message::request(0, HandlerId::GetRoot, args).encode());
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Outbound<'a> {
    /// What [`Message::request`] builds.
    Request {
        /// The request's sequence number.
        seq: u64,
        /// Which handler the peer is to run.
        handler: HandlerId,
        /// The boxed argument tuple.
        args: &'a Boxed,
    },
    /// What [`Message::reply`] builds.
    Reply {
        /// The sequence number of the request answered, as it came.
        seq: &'a BrineValue,
        /// The boxed result.
        result: &'a Boxed,
    },
}

impl Outbound<'_> {
    /// Appends the wire form to `out`: the bytes the same [`Message`]'s
    /// [`Message::encode_into`] appends.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match *self {
            Outbound::Request { seq, handler, args } => {
                out.push(MessageKind::Request.code());
                brine::write_tuple_header(2, out);
                BrineValue::from(seq).encode_into(out);
                brine::write_tuple_header(2, out);
                brine::encode_i64(i64::from(handler.id()), out);
                args.encode_into(out);
            }
            Outbound::Reply { seq, result } => {
                out.push(MessageKind::Reply.code());
                brine::write_tuple_header(2, out);
                seq.encode_into(out);
                result.encode_into(out);
            }
        }
    }
}

/// What can be written as a message's wire form: a built [`Message`] or an
/// [`Outbound`] one.
pub(crate) trait Encode {
    /// Appends the wire form to `out`.
    fn encode_into(&self, out: &mut Vec<u8>);
}

impl Encode for Outbound<'_> {
    fn encode_into(&self, out: &mut Vec<u8>) {
        Outbound::encode_into(self, out);
    }
}

impl Encode for &Message {
    fn encode_into(&self, out: &mut Vec<u8>) {
        Message::encode_into(self, out);
    }
}

/// A request, interpreted.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Which handler to run.
    pub handler: HandlerId,
    /// The boxed argument tuple (see [`Boxed::into_items`]).
    pub args: Boxed,
}

impl Message {
    /// A request to run `handler` with the boxed argument tuple `args`.
    pub fn request(seq: u64, handler: HandlerId, args: Boxed) -> Message {
        Message {
            kind: MessageKind::Request,
            seq: BrineValue::from(seq),
            payload: BrineValue::tuple([
                BrineValue::Int(i64::from(handler.id())),
                args.into_brine(),
            ]),
        }
    }

    /// A successful reply carrying `result`.
    pub fn reply(seq: impl Into<BrineValue>, result: Boxed) -> Message {
        Message {
            kind: MessageKind::Reply,
            seq: seq.into(),
            payload: result.into_brine(),
        }
    }

    /// An exception reply.
    pub fn exception(seq: impl Into<BrineValue>, exc: &RemoteException) -> Message {
        Message {
            kind: MessageKind::Exception,
            seq: seq.into(),
            payload: vinegar::dump(exc),
        }
    }

    /// Appends the wire form (type byte + brine `(seq, args)`) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.kind.code());
        brine::write_tuple_header(2, out);
        self.seq.encode_into(out);
        self.payload.encode_into(out);
    }

    /// The wire form.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Decodes a frame payload with the default [`BrineLimits`].
    pub fn decode(data: &[u8]) -> Result<Message, MessageError> {
        Message::decode_with(data, &BrineLimits::default())
    }

    /// Decodes a frame payload.
    pub fn decode_with(data: &[u8], limits: &BrineLimits) -> Result<Message, MessageError> {
        let (&code, body) = data.split_first().ok_or(MessageError::Empty)?;
        let kind = MessageKind::try_from(code)?;
        // Bytes after the value are ignored, as Python's `brine.load` does.
        let (value, _) = brine::load_prefix(body, limits)?;
        let items = match value {
            BrineValue::Tuple(items) if items.len() == 2 => items,
            other => return Err(shape("message body", "a (seq, args) pair", &other)),
        };
        let mut it = items.into_iter();
        let (Some(seq), Some(payload)) = (it.next(), it.next()) else {
            return Err(MessageError::Empty);
        };
        Ok(Message { kind, seq, payload })
    }

    /// The seq as one of ours: replies to our requests carry the `u64` we
    /// numbered them with; anything else answers no request of ours.
    pub fn seq_number(&self) -> Option<u64> {
        Message::seq_number_of(&self.seq)
    }

    /// [`Message::seq_number`] of a message whose seq is `seq`.
    pub(crate) fn seq_number_of(seq: &BrineValue) -> Option<u64> {
        match seq {
            BrineValue::Int(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }

    fn require_kind(&self, kind: MessageKind) -> Result<(), MessageError> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(MessageError::WrongKind {
                expected: kind.name(),
                found: self.kind.name(),
            })
        }
    }

    /// Interprets a request: `(handler_id, boxed_args)`.
    pub fn into_request(self) -> Result<Request, MessageError> {
        self.require_kind(MessageKind::Request)?;
        let items = match self.payload {
            BrineValue::Tuple(items) if items.len() == 2 => items,
            other => return Err(shape("request", "a (handler, args) pair", &other)),
        };
        let mut it = items.into_iter();
        let (Some(handler), Some(args)) = (it.next(), it.next()) else {
            return Err(MessageError::Empty);
        };
        // rpyc looks the value up in a dict keyed by ints, where True and
        // 1.0 are the key 1; anything else is a KeyError naming it.
        let id = match &handler {
            BrineValue::Int(id) => Some(*id),
            BrineValue::Bool(b) => Some(i64::from(*b)),
            BrineValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e6 => Some(*f as i64),
            _ => None,
        };
        let handler = id
            .and_then(|id| HandlerId::try_from(id).ok())
            .ok_or(MessageError::UnknownHandler(handler))?;
        Ok(Request {
            handler,
            args: Boxed::from_brine(args)?,
        })
    }

    /// Interprets a reply: the boxed result.
    pub fn into_reply(self) -> Result<Boxed, MessageError> {
        self.require_kind(MessageKind::Reply)?;
        Boxed::from_brine(self.payload)
    }

    /// Interprets an exception reply.
    pub fn into_exception(self) -> Result<RemoteException, MessageError> {
        self.require_kind(MessageKind::Exception)?;
        Ok(vinegar::load(self.payload)?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::boxing::IdPack;

    #[test]
    fn handler_numbering_matches_consts_py() {
        for (i, h) in HandlerId::ALL.iter().enumerate() {
            assert_eq!(usize::from(h.id()), i + 1);
            assert_eq!(HandlerId::try_from(h.id()), Ok(*h));
        }
        assert_eq!(HandlerId::InstanceCheck.id(), 20);
        assert_eq!(HandlerId::Del.const_name(), "HANDLE_DEL");
        assert_eq!(HandlerId::try_from(0u8), Err(0));
        assert_eq!(HandlerId::try_from(-1i64), Err(-1));
        assert_eq!(HandlerId::try_from(260i64), Err(260));
    }

    #[test]
    fn round_trips() {
        let id = IdPack::new("builtins.method", 94_625_176_016_000, 140_212_111_222_333);
        let msgs = [
            Message::request(
                7,
                HandlerId::CallAttr,
                Boxed::tuple(vec![
                    Boxed::LocalRef(id.clone()),
                    Boxed::Value("get_answer".into()),
                    Boxed::Value(BrineValue::Tuple(vec![])),
                    Boxed::Value(BrineValue::Tuple(vec![])),
                ]),
            ),
            Message::reply(BrineValue::from(u64::MAX), Boxed::RemoteRef(id)),
            Message::exception(BrineValue::Int(3), &RemoteException::type_error("nope")),
        ];
        for m in msgs {
            let wire = m.encode();
            assert_eq!(
                brine::dump(&m.payload),
                wire[wire.len() - brine::dump(&m.payload).len()..]
            );
            assert_eq!(Message::decode(&wire).unwrap(), m);
        }
    }

    /// Boxes of every kind, as requests' arguments and replies carry them:
    /// a call's argument tuple, nested references, plain values (a long
    /// tuple among them), a reference alone.
    pub(crate) fn sample_boxes() -> Vec<Boxed> {
        let id = IdPack::new("MyService", 94_625_176_016_000, 140_212_111_222_333);
        let big = IdPack::new("builtins.method", 1 << 70, -5);
        vec![
            Boxed::tuple(vec![
                Boxed::LocalRef(id.clone()),
                Boxed::Value("get_answer".into()),
                Boxed::Value(BrineValue::Tuple(vec![])),
                Boxed::Value(BrineValue::Tuple(vec![])),
            ]),
            Boxed::Tuple(vec![
                Boxed::RemoteRef(big.clone()),
                Boxed::Tuple(vec![Boxed::LocalRef(big), Boxed::Value(7.into())]),
            ]),
            Boxed::Value(BrineValue::tuple([
                1.into(),
                "x".into(),
                BrineValue::None,
                BrineValue::FrozenSet(vec![2.into()]),
            ])),
            Boxed::Value(BrineValue::Tuple((0..300).map(BrineValue::from).collect())),
            Boxed::RemoteRef(id),
        ]
    }

    #[test]
    fn outbound_encodes_as_the_message_it_stands_for() {
        for args in &sample_boxes() {
            for seq in [0, 7, 300, u64::from(u32::MAX), u64::MAX] {
                for handler in HandlerId::ALL {
                    let mut wire = Vec::new();
                    Outbound::Request { seq, handler, args }.encode_into(&mut wire);
                    assert_eq!(wire, Message::request(seq, handler, args.clone()).encode());
                }
            }
            for seq in [
                BrineValue::Int(3),
                BrineValue::None,
                BrineValue::from(u64::MAX),
            ] {
                let mut wire = Vec::new();
                Outbound::Reply {
                    seq: &seq,
                    result: args,
                }
                .encode_into(&mut wire);
                assert_eq!(wire, Message::reply(seq, args.clone()).encode());
            }
        }
    }

    #[test]
    fn garbage() {
        assert_eq!(Message::decode(b""), Err(MessageError::Empty));
        for kind in [0u8, 4, 0xff] {
            assert_eq!(
                Message::decode(&[kind, 0x11, 0x50, 0x00]),
                Err(MessageError::UnknownKind(kind))
            );
        }
        assert!(matches!(
            Message::decode(b"\x02\x00"),
            Err(MessageError::Shape { .. })
        ));
        // Any seq is kept as sent (rpyc echoes it without a check).
        assert_eq!(
            Message::decode(b"\x02\x11\x4f\x00").unwrap().seq,
            BrineValue::Int(-1)
        );
        assert_eq!(
            Message::decode(b"\x02\x11\x00\x00").unwrap().seq,
            BrineValue::None
        );
        assert!(matches!(
            Message::decode(b"\x02\x11\x50"),
            Err(MessageError::Brine(_))
        ));
        // Bytes after the value are ignored, as Python's brine.load does.
        assert!(Message::decode(b"\x02\x11\x50\x00\x00").is_ok());
        // Unknown handler: reported with its id, so it can be answered with KeyError.
        let unknown = Message::decode(b"\x01\x11\x50\x11\x16\x0299\x11\x51\x02").unwrap();
        assert_eq!(
            unknown.into_request(),
            Err(MessageError::UnknownHandler(BrineValue::Int(99)))
        );
        // Wrong accessor.
        let reply = Message::reply(BrineValue::Int(1), Boxed::Value(BrineValue::None));
        assert!(matches!(
            reply.into_request(),
            Err(MessageError::WrongKind { .. })
        ));
    }
}
