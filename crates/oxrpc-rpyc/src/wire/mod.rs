//! The wire layers, byte-exact with rpyc 6.0.2: no I/O, no tokio, no
//! objects — bytes in, values out, and back.
//!
//! From the socket up: [`channel`] cuts the byte stream into frames (and
//! inflates compressed ones), [`message`] reads a frame's payload as a
//! request, reply or exception, [`brine`] is the value encoding inside it,
//! [`boxing`] says which values are references and whose, and [`vinegar`]
//! carries exceptions (`common_shape` reads the usual request or reply in
//! one pass, without the brine tree). Each decoder checks its limits
//! before it allocates, so what a hostile peer sends costs at most what
//! the limits allow.

pub mod boxing;
pub mod brine;
mod builtins;
pub mod channel;
pub(crate) mod common_shape;
pub mod error;
pub mod message;
pub mod vinegar;

pub use builtins::Builtin;
