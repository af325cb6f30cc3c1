//! Python rpyc 6.0.2 clients against an oxrpc RPyC server: the full check
//! script (`tests/interop/rpyc/client_checks.py`) and fifty concurrent
//! client processes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::{server_panics, TestServer};
use oxrpc_testkit::{expect_success, python_command, run_python_script, run_with_deadline};
use std::time::Duration;

#[test]
fn python_client_checks_pass_against_oxrpc_server() {
    let server = TestServer::start();
    let port = server.port().to_string();
    let output = run_python_script(
        "rpyc/client_checks.py",
        &[&server.host(), &port],
        Duration::from_secs(120),
    );
    let stdout = expect_success("client_checks.py", &output);
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    server.stop();
    assert_eq!(server_panics(), 0, "a server thread panicked");
}

#[test]
fn fifty_concurrent_python_clients() {
    let server = TestServer::start();
    let port = server.port().to_string();
    let host = server.host();
    let clients: Vec<_> = (0..50)
        .map(|id| {
            let (host, port) = (host.clone(), port.clone());
            std::thread::spawn(move || {
                let mut cmd = python_command();
                cmd.arg(oxrpc_testkit::interop_path("rpyc/small_client.py"))
                    .args([&host, &port, &id.to_string()]);
                let output = run_with_deadline(cmd, Duration::from_secs(120));
                (id, output)
            })
        })
        .collect();
    for client in clients {
        let (id, output) = client.join().expect("client thread");
        let stdout = expect_success(&format!("small_client.py {id}"), &output);
        assert_eq!(stdout.trim(), format!("OK {id}"));
    }
    server.stop();
    assert_eq!(server_panics(), 0, "a server thread panicked");
}
