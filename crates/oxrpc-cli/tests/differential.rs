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
    expect_success, free_port, rpyc_classic_command, run_python_script, wait_for_port, ChildGuard,
};
use std::process::Command;
use std::time::Duration;

/// Examples per property in the test suite; `OXRPC_DIFF_EXAMPLES` raises it.
fn examples() -> String {
    std::env::var("OXRPC_DIFF_EXAMPLES").unwrap_or_else(|_| "25".into())
}

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
        wait_for_port(([127, 0, 0, 1], port).into(), Duration::from_secs(30));
    }
    let output = run_python_script(
        "differential/classic_diff.py",
        &[
            "--reference",
            &format!("127.0.0.1:{reference_port}"),
            "--candidate",
            &format!("127.0.0.1:{candidate_port}"),
            "--examples",
            &examples(),
        ],
        Duration::from_secs(900),
    );
    let stdout = expect_success("classic_diff.py", &output);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}
