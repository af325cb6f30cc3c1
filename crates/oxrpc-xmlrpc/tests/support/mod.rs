//! Any `Server`, running on its own runtime thread for the duration of a
//! test; the reference methods the interop tests compare with Python's;
//! and the headless Chromium driver the page tests share.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]
#![allow(dead_code)]

pub mod browser;
pub mod reference;

use oxrpc_xmlrpc::Server;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running server; stopped (and waited for) when dropped.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves what `build` makes on 127.0.0.1, on a port of its own.
pub fn serve(build: impl FnOnce() -> Server + Send + 'static) -> Running {
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
            build()
                .serve_with_shutdown(listener, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    Running {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
