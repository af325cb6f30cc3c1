//! XML-RPC for Rust, interoperable with CPython's `xmlrpc` in both directions.
//!
//! * [`Value`] is the value model: every type of the spec plus the extensions
//!   CPython reads. [`FromValue`] / [`IntoValue`] map it to Rust types.
//! * [`encode_call`] / [`decode_call`] and friends are the codec: byte-exact
//!   with `xmlrpc.client.dumps` on output, as tolerant as its parser on input,
//!   with [`Limits`] against hostile documents.
//! * [`Server`] serves a [`Registry`] of typed handlers over HTTP/1.1, and
//!   more registries at paths of their own (CPython's
//!   `MultiPathXMLRPCServer`); a [`Router`] is the same endpoint as a
//!   hyper service, to mount in an application's own server. On GET it
//!   can serve a documentation page where every method can be tried
//!   ([`DocsConfig`], CPython's `DocXMLRPCServer`).
//! * A registry also takes an object that answers any name ([`Dispatch`],
//!   CPython's `register_instance` with `_dispatch`) and nested registries
//!   reached by dotted names, when allowed (`allow_dotted_names`).
//! * Handlers take and return plain Rust types, serde types through
//!   [`Serde`] ([`to_value`] / [`from_value`]), and parts of the request
//!   ([`ClientAddr`], [`AuthUser`], [`Headers`]: see [`Extract`]). An
//!   answer asked for often can be kept encoded ([`Encoded`]) and is then
//!   sent as it stands, with no value built, encoded and freed per call.
//! * [`Client`] (async) and [`blocking::Client`] call servers, with extra
//!   headers, verbose logging and the environment's HTTP proxy.
//!
//! ```no_run
//! use oxrpc_xmlrpc::{Client, Server};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut server = Server::new();
//! server.register("add", |a: i32, b: i32| a + b);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9000").await?;
//! tokio::spawn(server.serve(listener));
//!
//! let client = Client::new("http://127.0.0.1:9000")?;
//! let sum: i32 = client.call("add", (2, 3)).await?;
//! assert_eq!(sum, 5);
//! # Ok(()) }
//! ```

pub mod blocking;
mod budget;
mod cert_name;
mod client;
mod compression;
mod context;
mod convert;
mod datetime_interop;
mod decode;
mod dispatch;
mod docs;
mod encode;
mod encoded;
mod error;
mod extract;
mod fault;
mod free_after_reply;
mod handler;
mod multicall;
mod proxy;
mod pyvalue;
mod registry;
mod router;
mod serde_value;
mod server;
mod unix;
mod url;
mod value;

pub use budget::ResponseBody;
pub use client::{Client, ClientBuilder};
pub use compression::{gunzip, gzip, GunzipError};
pub use context::{AuthMethod, AuthUser, RequestContext};
pub use convert::{Binary, ConversionError, FromValue, IntoParams, IntoValue};
pub use decode::{decode_call, decode_response, Limits, MethodCall, MethodResponse, ParseError};
pub use dispatch::Dispatch;
pub use docs::DocsConfig;
pub use encode::{encode_call, encode_fault, encode_response, write_value, EncodeError};
pub use encoded::Encoded;
pub use error::Error;
pub use extract::{ArgKind, ClientAddr, Extract, Headers};
pub use fault::{Fault, NonStandardFault};
pub use handler::{Answer, AsyncHandler, Handler, IntoFault, IntoResponse};
pub use multicall::MultiCall;
/// Python's `repr()` of a str (kept at this path; see `oxrpc-pyfmt`).
pub use oxrpc_pyfmt::str_repr as python_str_repr;
/// Python's `repr()` of a float (kept at this path; see `oxrpc-pyfmt`).
pub use oxrpc_pyfmt::write_float_repr as write_python_float;
/// Turns a plain function into an XML-RPC method that registers itself
/// (`Server::add_method`), named after the function (or `name = "..."`),
/// its arguments naming the parameters and its doc comment the help text.
/// See [`MethodFn`] for an example.
pub use oxrpc_xmlrpc_macros::method;
pub use proxy::Proxy;
pub use registry::{
    fault_struct, Method, MethodDoc, MethodFn, Registry, DEFAULT_MAX_MULTICALL_CALLS,
};
pub use router::{ConnectionInfo, Router};
pub use serde_value::{as_datetime, from_value, to_value, Serde, SerdeError};
pub use server::{BasicAuth, Server, ServerConfig};
pub use value::{DateTime, DateTimeParseError, Struct, Value};
