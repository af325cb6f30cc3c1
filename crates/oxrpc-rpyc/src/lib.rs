//! The RPyC 6 protocol, as the Python `rpyc` package 6.0.2 speaks it.
//!
//! This crate starts at the bottom of the stack, with layers that are pure
//! functions of bytes (no sockets, no threads), so that each can be tested
//! exhaustively against vectors produced by the real Python library:
//!
//! * [`brine`]: the serializer for immutable values every message is made of;
//! * [`channel`]: frames (length, compression flag, payload, newline) and zlib;
//! * [`message`]: request / reply / exception messages and the handler ids;
//! * [`boxing`]: `(label, value)` boxes that pass objects by reference;
//! * [`vinegar`]: how exceptions cross the wire;
//! * [`error`]: one error type per layer.
//!
//! Receiving is `bytes → FrameDecoder → payload → Message::decode → Boxed`;
//! sending is the same path backwards.
//!
//! ```
//! use oxrpc_rpyc::{channel, Boxed, BrineValue, FrameDecoder, Message};
//!
//! // Send: a reply carrying 42 for request 3, framed.
//! let mut wire = Vec::new();
//! let reply = Message::reply(3, Boxed::Value(BrineValue::Int(42)));
//! channel::encode_frame(&reply.encode(), &mut wire).unwrap();
//!
//! // Receive it back.
//! let mut decoder = FrameDecoder::new();
//! decoder.feed(&wire);
//! let payload = decoder.next_frame().unwrap().unwrap();
//! let message = Message::decode(&payload).unwrap();
//! assert_eq!(message.seq, 3);
//! assert_eq!(message.into_reply().unwrap(), Boxed::Value(BrineValue::Int(42)));
//! ```

pub mod boxing;
pub mod brine;
pub mod channel;
pub mod error;
pub mod message;
pub mod vinegar;

/// The big-int type [`BrineValue::BigInt`] holds.
pub use num_bigint::BigInt;

pub use boxing::{Boxed, IdPack};
pub use brine::{BrineLimits, BrineValue};
pub use channel::{encode_frame, EncodedFrame, FrameDecoder, FrameLimits};
pub use error::{BrineError, FrameError, MessageError, ProtocolError, VinegarError};
pub use message::{Handler, Message, MessageKind, Request};
pub use vinegar::RemoteException;
