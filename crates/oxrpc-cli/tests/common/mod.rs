//! Setup shared by the command line's integration tests: the `oxrpc`
//! binary as a classic server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oxrpc_testkit::ChildGuard;
use std::process::Command;
use std::time::Duration;

/// `oxrpc classic serve -q -p PORT EXTRA...`, accepting connections.
///
/// `VIRTUAL_ENV` is removed from its environment (the CPython backend
/// honours it as `--venv`), so a test runs the same from an activated venv.
/// A minute to start: `--python cpython` first loads the host's Python.
pub fn oxrpc_classic(port: u16, extra: &[&str]) -> ChildGuard {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["classic", "serve", "-q", "-p", &port.to_string()])
        .args(extra)
        .env_remove("VIRTUAL_ENV");
    ChildGuard::spawn_listening(cmd, port, Duration::from_secs(60))
}
