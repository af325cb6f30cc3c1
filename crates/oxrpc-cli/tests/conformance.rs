//! Raw-wire conformance: every RPyC handler and message kind, with valid,
//! edge and malformed arguments, sent over fresh connections; the answers
//! must be those rpyc 6.0.2's own servers give, recorded in
//! `tests/golden/rpyc/conformance.json` by
//! `tests/interop/conformance/record.py`.
//!
//! Each target is checked twice: against the Python reference server (the
//! vectors still describe rpyc 6.0.2 exactly) and against oxrpc's server
//! (it answers the same: message kind, exception type, values, whether the
//! connection lives on, what the server asks the client in between).
//! Deliberate differences are listed, each with its reason, in
//! `check.py`'s `ALLOWED` and in README's compatibility section.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    expect_success, free_port, interop_path, loopback, python_command, run_with_deadline,
    wait_for_port, ChildGuard,
};
use std::process::Command;
use std::time::Duration;

/// Runs `check.py` for `target` against the server on `port`.
fn check(target: &str, port: u16, timeout_secs: &str) {
    let mut cmd = python_command();
    cmd.arg(interop_path("conformance/check.py")).args([
        "--target",
        target,
        "--port",
        &port.to_string(),
        "--timeout",
        timeout_secs,
        "--width",
        "400",
    ]);
    let output = run_with_deadline(cmd, Duration::from_secs(1800));
    let stdout = expect_success(&format!("conformance check of {target}"), &output);
    let summary = stdout.lines().last().unwrap_or_default();
    eprintln!("{target} on port {port}: {summary}");
    assert!(summary.contains(" 0 differences"), "{stdout}");
}

/// A Python reference server from `ref_server.py`, and its port.
fn python_reference(target: &str) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.arg(interop_path("conformance/ref_server.py"))
        .arg(target);
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("PORT ");
    let port: u16 = line.trim().trim_start_matches("PORT ").parse().unwrap();
    (server, port)
}

fn oxrpc_server(kind: &str) -> (ChildGuard, u16) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args([kind, "serve", "-q", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string());
    let server = ChildGuard::spawn(cmd);
    wait_for_port(loopback(port), Duration::from_secs(60));
    (server, port)
}

#[test]
fn vectors_describe_rpyc_service_server() {
    let (_server, port) = python_reference("service");
    check("service", port, "10");
}

#[test]
fn oxrpc_service_server_answers_as_rpyc() {
    let (_server, port) = oxrpc_server("service");
    check("service", port, "20");
}

#[test]
fn vectors_describe_rpyc_classic_server() {
    let (_server, port) = python_reference("classic");
    check("classic", port, "10");
}

#[test]
fn oxrpc_classic_server_answers_as_rpyc() {
    let (_server, port) = oxrpc_server("classic");
    check("classic", port, "60");
}
