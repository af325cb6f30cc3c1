//! `oxrpc serve` (the README's first command) starts the notebook's servers
//! on their ports, and the notebook's Python clients work against them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    expect_success, loopback, python_command, run_python_script, run_with_deadline, wait_for_port,
    ChildGuard,
};
use std::process::Command;
use std::time::Duration;

#[test]
fn serve_starts_the_notebook_servers() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.arg("serve");
    let _server = ChildGuard::spawn(cmd);
    wait_for_port(loopback(9000), Duration::from_secs(20));
    wait_for_port(loopback(18861), Duration::from_secs(20));

    let output = run_python_script("xmlrpc/run_seed_client.py", &[], Duration::from_secs(60));
    expect_success("the XML-RPC client cell", &output);

    let mut client = python_command();
    client
        .current_dir(oxrpc_testkit::interop_path("rpyc"))
        .args(["rpyc_consulta_base.py", "localhost"]);
    let output = run_with_deadline(client, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.lines().skip(1).collect::<Vec<_>>(),
        ["42", "43"],
        "{stdout}"
    );
}
