//! The differential harness for classic mode: one Python driver
//! (`tests/interop/differential/classic_diff.py`, Hypothesis) runs the same
//! generated values and programs through `rpyc_classic` and through
//! `oxrpc classic serve`, and fails on any observable difference that is not
//! on its commented allow-list (which names the deviations of the embedded
//! interpreter, RustPython, from CPython 3.11).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    free_port, loopback, rpyc_classic_command, run_differential, wait_for_port, ChildGuard,
};
use std::process::Command;
use std::time::Duration;

#[test]
fn classic_server_behaves_as_rpyc_classic() {
    let reference_port = free_port();
    let mut cmd = rpyc_classic_command();
    cmd.args([
        "--host",
        "127.0.0.1",
        "-q",
        "-p",
        &reference_port.to_string(),
    ]);
    let _reference = ChildGuard::spawn(cmd);
    let candidate_port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args([
        "classic",
        "serve",
        "--host",
        "127.0.0.1",
        "-q",
        "-p",
        &candidate_port.to_string(),
    ]);
    let _candidate = ChildGuard::spawn(cmd);
    for port in [reference_port, candidate_port] {
        wait_for_port(loopback(port), Duration::from_secs(30));
    }
    run_differential(
        "classic_diff.py",
        &format!("127.0.0.1:{reference_port}"),
        &format!("127.0.0.1:{candidate_port}"),
        25,
        Duration::from_secs(900),
    );
}
