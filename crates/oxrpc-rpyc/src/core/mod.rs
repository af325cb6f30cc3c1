//! The object model and the connection that serves it.
//!
//! The protocol is recursive, and this folder is where that recursion
//! lives, on purpose: a [`Value`] may hold a [`Proxy`], a proxy holds its
//! [`Connection`], and the connection holds the local objects ([`RpcObject`])
//! the peer has references to, whose operations take and return values.
//! Nothing outside `core` takes part in the cycle: the ready-made objects
//! of [`crate::objects`] and the endpoints are built on this folder's public
//! API, and the wire layers below know nothing of it.

mod args;
mod call_record;
mod caller_reading;
mod connection;
mod convert;
mod dispatch;
mod error;
mod in_progress;
mod local_objects;
mod object;
mod outgoing;
mod proxy;
mod releases;
mod request_timer;
mod service;
mod thread_reading;
mod value;

pub use args::check_handler_arguments;
pub use connection::{AsyncReply, Connection};
pub use convert::{Bytes, ConversionError, FromValue, IntoArgs, IntoValue};
pub use error::Error;
pub use object::{
    BoxFuture, CompareOp, Context, ObjectRef, Reply, Responder, RpcObject, RpcResult,
};
pub use proxy::{Proxy, RemoteIter};
pub use service::Service;
pub use thread_reading::ThreadReading;
pub use value::{tuple, Value};
