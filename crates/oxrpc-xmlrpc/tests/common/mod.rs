//! An oxrpc XML-RPC server with the methods the interop scripts expect,
//! running on its own runtime thread for the duration of a test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]
#![allow(dead_code)]

use oxrpc_xmlrpc::{Fault, Server, ServerConfig, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn start() -> TestServer {
        TestServer::start_with(ServerConfig {
            log_requests: false,
            ..ServerConfig::default()
        })
    }

    pub fn start_with(config: ServerConfig) -> TestServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let server = test_methods(Server::with_config(config));
                server
                    .serve_with_shutdown(listener, async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        TestServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl TestServer {
    /// Signals shutdown and waits until the server has stopped.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn test_methods(mut server: Server) -> Server {
    server.register(
        "list_contents",
        |dir: String| -> Result<Vec<String>, Fault> {
            let entries =
                std::fs::read_dir(&dir).map_err(|e| Fault::from_io_error(&e, Some(&dir)))?;
            Ok(entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect())
        },
    );
    server
        .register("echo", |value: Value| value)
        .help("Returns its argument unchanged.");
    server.register("add", |a: i32, b: i32| a + b);
    server.register("fail", |message: String| -> Result<(), String> {
        Err(message)
    });
    server.register("fault", |code: i32, message: String| -> Result<(), Fault> {
        Err(Fault::new(code, message))
    });
    server.register("none", || ());
    server.register("big_int", || 1i64 << 40);
    server.register_async("sleep", |millis: u32| async move {
        tokio::time::sleep(Duration::from_millis(u64::from(millis))).await;
        millis
    });
    server
}
