//! oxrpc: XML-RPC and RPyC in Rust, speaking the real wire protocols of
//! CPython's `xmlrpc` and Python's `rpyc`.
//!
//! This crate is the facade over the protocol crates: [`xmlrpc`], [`rpyc`]
//! and the network layer they share, [`net`]. Classic mode's server, which
//! embeds a Python interpreter, is behind the `classic` feature
//! ([`python`]), so a program that only speaks XML-RPC or serves Rust
//! RPyC services never builds the interpreter. The `cpython` feature adds
//! `cpython`, classic mode on the host's own CPython (libpython through
//! PyO3). [`tutorial`] holds the
//! services of the RPC course notebook oxrpc reproduces.
//!
//! ```no_run
//! use oxrpc::xmlrpc::{Client, Server};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut server = Server::new();
//! server.register("add", |a: i32, b: i32| a + b);
//! tokio::spawn(server.serve(tokio::net::TcpListener::bind("127.0.0.1:9000").await?));
//!
//! let client = Client::new("http://127.0.0.1:9000")?;
//! let sum: i32 = client.call("add", (2, 3)).await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "cpython")]
pub use oxrpc_cpython as cpython;
pub use oxrpc_net as net;
pub use oxrpc_net::telemetry;
#[cfg(feature = "classic")]
pub use oxrpc_python as python;
pub use oxrpc_rpyc as rpyc;
pub use oxrpc_xmlrpc as xmlrpc;

#[cfg(target_os = "linux")]
mod listings;
pub mod tutorial;
