//! RPyC classic mode, served from an embedded Python interpreter.
//!
//! Classic mode lets a client run Python on the server (`conn.execute`,
//! `conn.eval`, `conn.modules.sys`, `conn.namespace`), so the server needs a
//! Python. This crate embeds RustPython with its standard library frozen into
//! the binary — no Python installation on the host — and serves its objects
//! through oxrpc's RPyC connection. It is its own crate because the
//! interpreter is by far the heaviest thing to build; nothing else in the
//! workspace depends on it except the `oxrpc` command line.
//!
//! ```no_run
//! use oxrpc_python::ClassicService;
//! use std::sync::Arc;
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:18812").await?;
//! oxrpc_rpyc::Server::new(|| Arc::new(ClassicService::new())).serve(listener).await
//! # }
//! ```

mod classic;
mod convert;
mod exceptions;
mod interpreter;
mod netref;
mod object;
mod source;
mod state;

pub use classic::ClassicService;
pub use interpreter::Interpreter;
pub use object::PythonObject;

/// rpyc's default port for classic servers.
pub const DEFAULT_PORT: u16 = 18812;
