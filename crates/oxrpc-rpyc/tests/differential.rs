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
use oxrpc_testkit::{expect_success, run_python_script};
use std::time::Duration;

/// Examples per property in the test suite; `OXRPC_DIFF_EXAMPLES` raises it.
fn examples() -> String {
    std::env::var("OXRPC_DIFF_EXAMPLES").unwrap_or_else(|_| "40".into())
}

#[test]
fn service_behaves_as_rpyc_threaded_server() {
    let reference = PythonServer::start();
    let candidate = TestServer::start();
    let output = run_python_script(
        "differential/service_diff.py",
        &[
            "--reference",
            &format!("127.0.0.1:{}", reference.port),
            "--candidate",
            &format!("{}:{}", candidate.host(), candidate.port()),
            "--examples",
            &examples(),
        ],
        Duration::from_secs(600),
    );
    let stdout = expect_success("service_diff.py", &output);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}
