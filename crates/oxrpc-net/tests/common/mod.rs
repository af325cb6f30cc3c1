//! A server whose accepted streams carry every layer the accept loop adds
//! (a write deadline, byte counts), for the split tests.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use oxrpc_net::telemetry::ServerTelemetry;
use oxrpc_net::{serve, Accepted, ListenConfig, Listener, Shutdown};
use std::future::Future;
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
