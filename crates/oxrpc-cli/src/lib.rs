//! The `oxrpc` command line: servers and clients for XML-RPC and RPyC,
//! built on the `oxrpc` library. The binary is `src/main.rs`; the
//! sub-commands live in [`cmd`], one file each, and [`json`] is the
//! command line's notation for values; [`report`] says why a command
//! failed.

pub mod cmd;
pub mod json;
pub mod report;
