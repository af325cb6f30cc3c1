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
use oxrpc_rpyc::{Config, SharedLimits};
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
fn requests_in_progress_draw_on_the_servers_input_budget() {
    let server = TestServer::start_with(Config {
        shared: std::sync::Arc::new(SharedLimits::default().with_max_input(2 << 20)),
        ..Config::default()
    });
    // One client queues thirty 200 KB requests that wait 3 s: about 2.25
    // MiB fit (its own 256 KiB, then the server's 2 MiB), the rest are
    // refused at once. A second client is served meanwhile, its own
    // waiting request included, and once the first ones are answered the
    // budget is whole again, whole enough for one 1.5 MB request.
    let port = server.port();
    let out = python(
        port,
        &format!("import os\n\
         other = rpyc.connect('127.0.0.1', {port})\n\
         hold = rpyc.async_(conn.root.slow_holding)\n\
         payload = os.urandom(200_000)\n\
         calls = [hold(3000, payload) for _ in range(30)]\n\
         time.sleep(0.5)\n\
         print('other', other.root.get_answer(), other.root.slow_holding(10, payload))\n\
         ok, refused = 0, set()\n\
         for c in calls:\n    try:\n        c.value\n        ok += 1\n    except RuntimeError as e:\n        refused.add(str(e).splitlines()[0])\n\
         print('ok', ok)\n\
         print('refused', sorted(refused))\n\
         again = [hold(10, payload) for _ in range(8)]\n\
         print('again', [c.value for c in again].count(200_000))\n\
         print('large', conn.root.slow_holding(10, os.urandom(1_500_000)))"),
    );
    let ok: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("ok "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((5..=12).contains(&ok), "{out}");
    assert!(
        out.contains("the server holds as much as it may for requests in progress"),
        "{out}"
    );
    assert!(out.contains("other 42 200000"), "{out}");
    assert!(out.contains("again 8"), "{out}");
    // Reserved once while it arrived, and that reservation kept while it
    // waits: 1.5 MB fits a 2 MiB budget.
    assert!(out.contains("large 1500000"), "{out}");
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
