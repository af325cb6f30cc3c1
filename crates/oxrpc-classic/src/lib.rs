//! RPyC classic mode on any Python: the protocol code written once.
//!
//! Classic mode lets a client run Python on the server (`conn.execute`,
//! `conn.eval`, `conn.modules.sys`, `conn.namespace`, and rpyc's helpers
//! built on them). What a server must do for that is the same whatever
//! Python it runs: serve a `SlaveService` root, hand out its objects by
//! reference, turn the peer's objects into netrefs inside the interpreter,
//! carry exceptions both ways, keep a namespace per connection. This crate
//! does all of that against one interface, [`ObjectSpace`]: "how to touch
//! a Python object". The backends implement only that:
//!
//! * `oxrpc-python`: RustPython, embedded with its standard library (no
//!   Python needed on the host; an interpreter per connection, or one
//!   shared by all);
//! * `oxrpc-cpython`: the host's own CPython (libpython through PyO3),
//!   one interpreter for the process as rpyc_classic has, with the user's
//!   packages: numpy, C extensions, and CPython bytecode for
//!   `teleport_function` (which RustPython compiles from the function's
//!   source instead, the server's file or the client's `linecache`).
//!
//! ```no_run
//! # fn space<S: oxrpc_classic::ObjectSpace>(space: std::sync::Arc<S>) {
//! use oxrpc_classic::ClassicService;
//! use std::sync::Arc;
//!
//! // One service per connection; the space (and its interpreter) shared.
//! let server = oxrpc_rpyc::Server::new(move || Arc::new(ClassicService::with_space(space.clone())));
//! # let _ = server; }
//! ```
//!
//! This crate builds no interpreter: it is light, and backends depend on it.

mod async_request;
mod convert;
mod discovery;
mod exceptions;
mod faces;
mod mailbox;
mod netref;
mod object;
mod outbound;
mod request_here;
mod rpyc_config;
mod runtime;
mod service;
mod session;
mod space;
mod worker;

pub use object::PythonObject;
pub use runtime::Runtime;
pub use service::ClassicService;
pub use session::Session;
pub use space::{Body, ErrorKind, Job, Kind, Native, ObjectSpace};
pub use worker::Worker;

/// rpyc's default port for classic servers.
pub const DEFAULT_PORT: u16 = 18812;
