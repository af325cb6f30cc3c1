//! A handler that panics answers the peer with an exception and leaks
//! nothing: sync, async (before and after an await) and deferred handlers
//! all panic here, under `max_connections = 1`, and a real rpyc client
//! sees `RuntimeError` each time without waiting for a timeout; then a
//! second client gets the one connection slot back and is served.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_net::ListenConfig;
use oxrpc_rpyc::{Context, Reply, Server, ServerConfig};
use oxrpc_testkit::{expect_success, python_command, run_with_deadline};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct PanickingService;

#[oxrpc_rpyc::service(name = "oxrpc_tests.PanickingService")]
impl PanickingService {
    #[exposed]
    fn get_answer(&self) -> i64 {
        42
    }

    #[exposed]
    fn panic_sync(&self) -> i64 {
        panic!("sync handler failed on purpose")
    }

    #[exposed]
    async fn panic_async(&self) -> i64 {
        panic!("async handler failed on purpose")
    }

    #[exposed]
    async fn panic_after_await(&self) -> i64 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        panic!("async handler failed after an await")
    }

    /// Answers through a responder from a thread of its own, which panics.
    #[exposed]
    fn panic_deferred(&self, cx: &Context) -> Reply {
        let Some(responder) = cx.responder() else {
            return Reply::value("no responder");
        };
        std::thread::spawn(move || {
            let _responder = responder;
            panic!("deferred handler failed on purpose");
        });
        Reply::Deferred
    }
}

const CLIENT: &str = r#"
import sys, time, rpyc
host, port = sys.argv[1], int(sys.argv[2])
conn = rpyc.connect(host, port, config={"sync_request_timeout": 10})
for name in ["panic_sync", "panic_async", "panic_after_await", "panic_deferred"]:
    started = time.monotonic()
    try:
        getattr(conn.root, name)()
    except Exception as e:
        took = time.monotonic() - started
        assert type(e).__name__ == "RuntimeError", (name, type(e), e)
        assert took < 5, (name, took)
        print(name, "raised", type(e).__name__)
    else:
        raise AssertionError(name + " did not raise")
assert conn.root.get_answer() == 42
conn.close()
# The one connection slot is free again: a new client is served at once.
conn = rpyc.connect(host, port, config={"sync_request_timeout": 10})
assert conn.root.get_answer() == 42
print("second client served")
"#;

#[test]
fn panicking_handlers_answer_and_free_their_slot() {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            let config = ServerConfig {
                listen: ListenConfig {
                    max_connections: 1,
                    log_connections: false,
                    ..ListenConfig::named("PANICS")
                },
                ..ServerConfig::default()
            };
            Server::with_config(|| Arc::new(PanickingService), config)
                .serve_with_shutdown(listener, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let mut cmd = python_command();
    cmd.args([
        "-c",
        CLIENT,
        &addr.ip().to_string(),
        &addr.port().to_string(),
    ]);
    let output = run_with_deadline(cmd, Duration::from_secs(60));
    let stdout = expect_success("panic client", &output);
    for name in [
        "panic_sync",
        "panic_async",
        "panic_after_await",
        "panic_deferred",
    ] {
        assert!(
            stdout.contains(&format!("{name} raised RuntimeError")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("second client served"), "{stdout}");
    let _ = stop_tx.send(());
    server.join().unwrap();
}
