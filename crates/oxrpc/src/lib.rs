//! oxrpc: XML-RPC and RPyC in Rust, speaking the real wire protocols of
//! CPython's `xmlrpc` and Python's `rpyc`.
//!
//! This crate is the facade over the protocol crates and the home of the
//! `oxrpc` command line. [`tutorial`] holds the services of the RPC course
//! notebook oxrpc reproduces.

pub use oxrpc_rpyc as rpyc;
pub use oxrpc_xmlrpc as xmlrpc;

pub mod json;
pub mod tutorial;
