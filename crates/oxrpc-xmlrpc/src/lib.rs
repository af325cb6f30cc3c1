//! XML-RPC for Rust, interoperable with CPython's `xmlrpc` in both directions.
//!
//! * [`Value`] is the value model: every type of the spec plus the extensions
//!   CPython reads. [`FromValue`] / [`IntoValue`] map it to Rust types.
//! * [`encode_call`] / [`decode_call`] and friends are the codec: byte-exact
//!   with `xmlrpc.client.dumps` on output, as tolerant as its parser on input,
//!   with [`Limits`] against hostile documents.
//! * [`Server`] serves a [`Registry`] of typed handlers over HTTP/1.1.
//! * [`Client`] (async) and [`blocking::Client`] call servers.
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
mod client;
mod compression;
mod convert;
mod decode;
mod encode;
mod error;
mod fault;
mod handler;
mod multicall;
mod pyvalue;
mod registry;
mod server;
mod url;
mod value;

pub use client::{Client, ClientBuilder};
pub use compression::{gunzip, gzip, GunzipError};
pub use convert::{Binary, ConversionError, FromValue, IntoParams, IntoValue};
pub use decode::{decode_call, decode_response, Limits, MethodCall, MethodResponse, ParseError};
pub use encode::{encode_call, encode_fault, encode_response, write_value, EncodeError};
pub use error::Error;
pub use fault::Fault;
pub use handler::{AsyncHandler, Handler, IntoFault, IntoResponse};
pub use multicall::MultiCall;
/// Python's `repr()` of a str (kept at this path; see `oxrpc-pyfmt`).
pub use oxrpc_pyfmt::str_repr as python_str_repr;
/// Python's `repr()` of a float (kept at this path; see `oxrpc-pyfmt`).
pub use oxrpc_pyfmt::write_float_repr as write_python_float;
pub use registry::{fault_struct, Method, Registry, DEFAULT_MAX_MULTICALL_CALLS};
pub use server::{BasicAuth, Server, ServerConfig};
pub use value::{DateTime, DateTimeParseError, Struct, Value};
