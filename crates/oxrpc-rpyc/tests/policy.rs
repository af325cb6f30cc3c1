//! Configurable policy and per-connection limits, driven by a Python rpyc
//! client: rpyc's `allow_public_attrs`, and the cap on requests in progress.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::TestServer;
use oxrpc_rpyc::Config;
use oxrpc_testkit::{expect_success, python_command, run_with_deadline};
use std::time::Duration;

fn python(port: u16, code: &str) -> String {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!("import rpyc, time\nconn = rpyc.connect('127.0.0.1', {port})\n{code}"),
    ]);
    expect_success(
        "python client",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    )
}

#[test]
fn public_attributes_follow_allow_public_attrs() {
    let closed = TestServer::start();
    let out = python(
        closed.port(),
        "try:\n    conn.root.get_question()\n    print('reached')\nexcept AttributeError as e:\n    print('refused', e)",
    );
    assert!(
        out.contains("refused cannot access 'get_question'"),
        "{out}"
    );

    let open = TestServer::start_with(Config {
        allow_public_attrs: true,
        ..Config::default()
    });
    let out = python(open.port(), "print(conn.root.get_question())");
    assert_eq!(out.trim(), "not exposed");
    // Private names stay private even then.
    let out = python(
        open.port(),
        "try:\n    conn.root._secret\nexcept AttributeError as e:\n    print('refused', e)",
    );
    assert!(out.contains("refused"), "{out}");
}

#[test]
fn requests_in_progress_are_capped_per_connection() {
    let server = TestServer::start_with(Config {
        max_pending_requests: 2,
        ..Config::default()
    });
    let out = python(
        server.port(),
        "wait = rpyc.async_(conn.root.wait_gate)\n\
         first, second = wait(), wait()\n\
         deadline = time.time() + 20\n\
         while conn.root.gate_waiters() < 2 and time.time() < deadline:\n    time.sleep(0.01)\n\
         third = wait()\n\
         try:\n    third.value\n    print('third ran')\nexcept Exception as e:\n    print('third', type(e).__name__, e)\n\
         conn.root.open_gate()\n\
         conn.root.open_gate()\n\
         print('first', first.value, 'second', second.value)\n\
         print('after', conn.root.get_answer())",
    );
    assert!(
        out.contains("third RuntimeError more than 2 requests in progress"),
        "{out}"
    );
    assert!(out.contains("first opened second opened"), "{out}");
    assert!(out.contains("after 42"), "{out}");
}

#[test]
fn objects_held_by_a_peer_are_capped() {
    let server = TestServer::start_with(Config {
        max_local_objects: 8,
        ..Config::default()
    });
    let out = python(
        server.port(),
        "import gc\n\
         root = conn.root\n\
         held = []\n\
         error = None\n\
         for i in range(20):\n    try:\n        held.append(root.get_list())\n    except MemoryError as e:\n        error = e\n        break\n\
         print('held', len(held), 'error', type(error).__name__)\n\
         del held\n\
         gc.collect()\n\
         conn.ping()\n\
         print('after release', len(root.get_list()))",
    );
    assert!(out.contains("error MemoryError"), "{out}");
    assert!(out.contains("after release 5"), "{out}");
}
