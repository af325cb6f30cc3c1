//! RPyC classic mode, served from an embedded RustPython.
//!
//! Classic mode lets a client run Python on the server (`conn.execute`,
//! `conn.eval`, `conn.modules.sys`, `conn.namespace`), so the server needs a
//! Python. This crate embeds RustPython with its standard library frozen into
//! the binary — no Python installation on the host — as an object space of
//! [`oxrpc_classic`], which holds the protocol code every backend shares.
//! It is its own crate because the interpreter is by far the heaviest thing
//! to build; nothing else in the workspace depends on it except the `oxrpc`
//! command line.
//!
//! Connections get an interpreter each ([`Isolation::Connection`], the
//! default: nothing leaks between clients, about 3 MiB each) or share one
//! ([`Isolation::Shared`], a namespace each as in rpyc_classic: a few KiB
//! each).
//!
//! ```no_run
//! use oxrpc_python::{ClassicService, Isolation, RustPython};
//! use std::sync::Arc;
//!
//! # async fn run() -> std::io::Result<()> {
//! let space = Arc::new(RustPython::new(Isolation::Shared));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:18812").await?;
//! oxrpc_rpyc::Server::new(move || Arc::new(ClassicService::with_space(space.clone())))
//!     .serve(listener)
//!     .await
//! # }
//! ```

mod as_cpython;
mod cjk_codecs;
mod collector;
mod compiled;
mod first_setup;
mod frozen_sources;
mod process_locale;
mod source;
mod source_guard;
mod space;
mod startup_environment;
mod stdlib_fixes;
mod teardown;

pub use space::{Isolation, RustPython};

/// Classic mode's service on RustPython (`ClassicService::new()`: an
/// interpreter per connection).
pub type ClassicService = oxrpc_classic::ClassicService<RustPython>;

/// rpyc's default port for classic servers.
pub const DEFAULT_PORT: u16 = oxrpc_classic::DEFAULT_PORT;
