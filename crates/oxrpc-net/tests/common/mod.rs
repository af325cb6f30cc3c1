//! A server whose accepted streams carry every layer the accept loop adds
//! (a write deadline, byte counts), for the split tests.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use oxrpc_net::telemetry::ServerTelemetry;
use oxrpc_net::{serve, Accepted, ListenConfig, Listener, Shutdown};
use std::future::Future;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// 1 MiB: reads take the bulk path, and a write fills the socket buffers
/// while the peer is not reading.
pub const BIG: usize = 1 << 20;

/// The client side of the split tests: connects, sends 1 MiB of 9s, then
/// reads the server's 1 MiB of 7s and its "done".
pub async fn send_then_read_done(port: u16) -> TcpStream {
    let mut client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    client.write_all(&vec![9u8; BIG]).await.unwrap();
    let mut echoed = vec![0u8; BIG + 4];
    client.read_exact(&mut echoed).await.unwrap();
    assert!(echoed[..BIG].iter().all(|b| *b == 7));
    assert_eq!(&echoed[BIG..], b"done");
    client
}
use std::time::Duration;

/// A running server: its port, its telemetry, and how to stop it.
pub struct LayeredServer {
    pub port: u16,
    pub telemetry: ServerTelemetry,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl LayeredServer {
    /// Serves every connection with `handler`, on 127.0.0.1.
    pub async fn start<H, F>(name: &str, handler: H) -> LayeredServer
    where
        H: Fn(Accepted, Shutdown) -> F + Send + Sync + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let telemetry = oxrpc_net::telemetry::Telemetry::new().server(name);
        let listener = Listener::bind_tcp("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut config = ListenConfig::named(name);
        config.write_timeout = Some(Duration::from_secs(30));
        config.telemetry = Some(telemetry.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve(listener, config, shutdown, handler));
        LayeredServer {
            port,
            telemetry,
            stop,
            task,
        }
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}
