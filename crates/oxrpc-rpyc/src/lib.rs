//! The RPyC 6 protocol in Rust, interoperable with Python's `rpyc` 6.0.2.
//!
//! The wire layers ([`brine`], [`channel`], [`message`], [`boxing`],
//! [`vinegar`]) are byte-exact with rpyc's; above them, a symmetric
//! [`Connection`] serves local objects through one trait, [`RpcObject`], and
//! reaches the peer's objects through [`Proxy`]s. [`Service`]s are what a
//! [`Server`] exposes as each connection's root; [`connect`] is the client.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // A Python `ThreadedServer(MyService, port=18861)` on the other end:
//! let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
//! let root = conn.root().await?;
//! let answer: i64 = root.call("get_answer", ()).await?.extract()?;
//! let attribute: i64 = root.getattr("the_real_answer_though").await?.extract()?;
//! assert_eq!((answer, attribute), (42, 43));
//! # Ok(()) }
//! ```

mod auth;
pub mod blocking;
pub mod boxing;
pub mod brine;
pub mod channel;
pub mod classic;
mod client;
mod config;
mod connection;
pub mod containers;
pub mod error;
#[doc(hidden)]
pub mod __private {
    pub use crate::macro_support::*;
}
mod handlers;
mod local_objects;
mod macro_support;
pub mod message;
mod object;
mod outgoing;
mod proxy;
mod server;
mod service;
mod value;
pub mod vinegar;

pub use num_bigint::BigInt;
pub use oxrpc_rpyc_macros::service;

pub use auth::{Authenticator, ClientCertificateAuthenticator};
pub use boxing::{Boxed, IdPack};
pub use brine::{BrineLimits, BrineValue};
pub use channel::{encode_frame, EncodedFrame, FrameDecoder, FrameLimits};
pub use client::{connect, connect_tls, connect_with};
pub use config::{Config, Credentials};
pub use connection::{AsyncReply, Connection};
pub use containers::{BoundMethod, DictObject, Function, IterObject, ListObject};
pub use error::{BrineError, FrameError, MessageError, ProtocolError, VinegarError};
pub use message::{Handler, Message, MessageKind, Request};
pub use object::{
    cannot_access, id_pack_of, no_attribute, type_id_of, BoxFuture, CompareOp, Context, ObjectRef,
    Reply, Responder, RpcObject, RpcResult,
};
pub use proxy::{Proxy, RemoteIter};
pub use server::{Server, ServerConfig};
pub use service::{Service, VoidService};
pub use value::{tuple, type_error, Bytes, FromValue, IntoArgs, IntoValue, Value};
pub use vinegar::RemoteException;
