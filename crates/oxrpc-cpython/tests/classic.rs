//! The CPython backend in process: a classic server on the embedded host
//! Python, driven by rpyc 6.0.2's stock classic client and its helpers.
//! (`crates/oxrpc-cli/tests/classic_backends.rs` runs the same scripts
//! against `oxrpc classic serve --python cpython` and rpyc_classic.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_cpython::{CPython, ClassicService, Options};
use oxrpc_testkit::{expect_success, free_port, run_python_script};
use std::sync::Arc;
use std::time::Duration;

/// The test venv (the one holding the Python peers, and numpy).
fn venv() -> std::path::PathBuf {
    let python = oxrpc_testkit::python();
    python
        .parent()
        .and_then(|bin| bin.parent())
        .expect("the peers' python lives in VENV/bin")
        .to_path_buf()
}

/// Serves classic mode on the host's CPython, in this process, on a free
/// port; the runtime runs on a thread of its own until the process ends.
fn serve() -> u16 {
    let space =
        CPython::start(&Options { venv: vec![venv()] }).expect("start the embedded CPython");
    let port = free_port();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            ready_tx.send(()).unwrap();
            oxrpc_rpyc::Server::new(move || Arc::new(ClassicService::with_space(space.clone())))
                .serve(listener)
                .await
                .unwrap();
        });
    });
    ready_rx.recv().unwrap();
    port
}

#[test]
fn stock_classic_client_and_helpers_on_the_host_python() {
    let port = serve();
    let output = run_python_script(
        "classic/classic_helpers.py",
        &[&port.to_string(), "cpython"],
        Duration::from_secs(300),
    );
    let got = expect_success("classic_helpers.py against the CPython backend", &output);
    assert!(got.contains("helper checks passed"), "{got}");

    let output = run_python_script(
        "classic/classic_checks.py",
        &[&port.to_string()],
        Duration::from_secs(300),
    );
    let got = expect_success("classic_checks.py against the CPython backend", &output);
    assert!(got.contains("checks passed"), "{got}");
}
