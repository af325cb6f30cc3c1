//! `oxrpc classic shell` under a pseudo-terminal (Python's `pty`, driving
//! it as a person would: typing, Tab, Up, Ctrl-C, Ctrl-D, reading the
//! screen), against rpyc_classic, oxrpc on RustPython, and oxrpc on the
//! host's CPython (with the `cpython` feature).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::oxrpc_classic;
use oxrpc_testkit::{
    expect_success, free_port, rpyc_classic_command, run_python_script, ChildGuard,
};
use std::process::Command;
use std::time::Duration;

/// Runs the shell's checks against `server` (which `shell_pty.py` knows
/// as `name`) at `target`. A failure says whether the server was still
/// running.
fn drive(target: impl ToString, name: &str, server: &mut ChildGuard) {
    let output = run_python_script(
        "classic/shell_pty.py",
        &[env!("CARGO_BIN_EXE_oxrpc"), &target.to_string(), name],
        Duration::from_secs(600),
    );
    let state = if server.has_exited() {
        "had exited"
    } else {
        "still running"
    };
    let got = expect_success(
        &format!("the shell against {name} (the server {state})"),
        &output,
    );
    assert!(got.contains("shell checks passed"), "{got}");
}

#[test]
fn shell_against_rpyc_classic() {
    let port = free_port();
    let mut cmd = rpyc_classic_command();
    // Not quiet: rpyc's log of what it accepted reaches the test's output.
    cmd.args(["-p", &port.to_string()]);
    let mut server = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(30));
    drive(port, "rpyc", &mut server);
}

#[test]
fn shell_against_oxrpc_on_rustpython() {
    let port = free_port();
    let mut server = oxrpc_classic(port, &[]);
    drive(port, "rustpython", &mut server);
}

/// Over a Unix socket: the shell connects, and Ctrl-C reaches the server
/// through a second connection made the same way.
#[test]
fn shell_over_a_unix_socket() {
    let path = std::env::temp_dir().join(format!("oxrpc-shell-{}.sock", std::process::id()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["classic", "serve", "-q", "--socket"]).arg(&path);
    let mut server = ChildGuard::spawn(cmd);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::os::unix::net::UnixStream::connect(&path).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "no socket at {path:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drive(
        format!("unix:{}", path.display()),
        "rustpython",
        &mut server,
    );
}

#[cfg(feature = "cpython")]
#[test]
fn shell_against_oxrpc_on_cpython() {
    let port = free_port();
    let mut server = oxrpc_classic(port, &["--python", "cpython"]);
    drive(port, "cpython", &mut server);
}
