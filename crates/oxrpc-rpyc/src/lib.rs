//! The RPyC 6 protocol in Rust, interoperable with Python's `rpyc` 6.0.2.
//!
//! The crate is layered, and imports run one way, from the wire up:
//!
//! | layer | what it is |
//! |---|---|
//! | [`wire`] | brine, frames, messages, boxing, vinegar: byte-exact, no I/O |
//! | [`Config`] | per-connection limits and policy |
//! | `core` | values, the [`RpcObject`] and [`Service`] traits, [`Proxy`], the symmetric [`Connection`] and its twenty request handlers |
//! | [`objects`] | ready-made objects built on core: lists, dicts, iterators, functions, the void service |
//! | endpoints | [`Server`], [`connect`], [`blocking`], [`classic`] |
//! | endpoints | transports: [`Connector`] (TCP, Unix sockets, TLS, by name; timeouts, keepalive), [`connect_subproc`] and [`connect_stdio`] (pipes), [`Reconnecting`] |
//! | endpoints | [`registry`]: discovery by service name, rpyc's registry server, clients and registrar |
//!
//! The protocol's own recursion (a value holds proxies, a proxy holds its
//! connection, the connection holds local objects) stays inside `core`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // A Python `ThreadedServer(MyService, port=18861)` on the other end:
//! let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
//! let root = conn.root().await?;
//! let answer: i64 = root.call("get_answer", ()).await?;
//! let attribute: i64 = root.getattr("the_real_answer_though").await?.extract()?;
//! assert_eq!((answer, attribute), (42, 43));
//! # Ok(()) }
//! ```

pub mod wire;

mod config;
mod core;
pub mod objects;

pub mod blocking;
pub mod classic;
mod classic_peer;
mod client;
mod connector;
pub mod error;
mod reconnect;
pub mod registry;
mod server;
mod subproc;

mod macro_support;
#[doc(hidden)]
pub mod __private {
    pub use crate::macro_support::*;
}

// The wire modules keep the paths users already import them by.
#[doc(hidden)]
pub use objects as containers;
pub use wire::{boxing, brine, channel, message, vinegar};

pub use num_bigint::BigInt;
pub use oxrpc_net::{Authenticator, ClientCertificateAuthenticator, Credentials, Peer, Wakeup};
pub use oxrpc_rpyc_macros::service;

pub use crate::core::{
    check_handler_arguments, tuple, AsyncReply, BoxFuture, Bytes, CompareOp, Connection, Context,
    ConversionError, FromValue, IntoArgs, IntoValue, ObjectRef, Proxy, RemoteIter, Reply,
    Responder, RpcObject, RpcResult, Service, ThreadReading, Value,
};
pub use client::{connect, connect_tls, connect_with, unix_connect, unix_connect_with};
pub use config::{Config, SharedLimits, SAFE_ATTRS};
pub use connector::Connector;
pub use error::Error;
pub use objects::{BoundMethod, DictObject, Function, IterObject, ListObject, VoidService};
pub use reconnect::{Backoff, ReconnectError, Reconnecting};
pub use server::{Server, ServerConfig};
pub use subproc::{connect_stdio, connect_subproc, Subprocess};
pub use wire::boxing::{Boxed, IdPack};
pub use wire::brine::{BrineLimits, BrineValue};
pub use wire::channel::FrameLimits;
pub use wire::message::HandlerId;
pub use wire::vinegar::RemoteException;
pub use wire::Builtin;
