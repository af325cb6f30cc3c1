//! The differential harness for services: one Python driver
//! (`tests/interop/differential/service_diff.py`, Hypothesis) runs the same
//! generated operations against rpyc 6.0.2's `ThreadedServer(TestService)`
//! and against oxrpc's Rust mirror of that service, and fails on any
//! observable difference that is not on its commented allow-list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::{PythonServer, TestServer};
use oxrpc_testkit::run_differential;
use std::time::Duration;

#[test]
fn service_behaves_as_rpyc_threaded_server() {
    let reference = PythonServer::start();
    let candidate = TestServer::start();
    run_differential(
        "service_diff.py",
        &format!("127.0.0.1:{}", reference.port),
        &format!("{}:{}", candidate.host(), candidate.port()),
        40,
        Duration::from_secs(600),
    );
}
