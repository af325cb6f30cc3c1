//! The differential harness for XML-RPC: one Python driver
//! (`tests/interop/differential/xmlrpc_diff.py`, Hypothesis) sends the same
//! generated values, calls and raw HTTP requests to CPython's
//! SimpleXMLRPCServer and to an oxrpc server with the same methods, and
//! fails on any observable difference (values, fault codes and strings,
//! HTTP statuses) that is not on its commented allow-list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_testkit::{python_command, run_differential, ChildGuard};
use std::time::Duration;
use support::reference::TestServer;

#[test]
fn xmlrpc_server_behaves_as_cpython() {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/reference_server.py"));
    let mut reference = ChildGuard::spawn(cmd);
    let line = reference.wait_for_line("ready");
    let reference_port = line.trim().rsplit(' ').next().unwrap().to_owned();
    let candidate = TestServer::start();
    run_differential(
        "xmlrpc_diff.py",
        &format!("127.0.0.1:{reference_port}"),
        &candidate.addr.to_string(),
        40,
        Duration::from_secs(600),
    );
}
