//! Every error type of the crate, in one place: [`Error`], what a call to
//! the peer fails with, and the wire layers' own decoding errors.

pub use crate::core::{ConversionError, Error};
pub use crate::wire::error::{BrineError, FrameError, MessageError, ProtocolError, VinegarError};
