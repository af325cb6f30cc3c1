//! A service that reads its connections on threads of its own
//! (`Service::reads_on_own_thread`, `ThreadReading`), driven by a stock
//! rpyc client: requests are dispatched on that thread, large and
//! compressed frames and nested callbacks come through it, its idle limit
//! closes a quiet connection while other clients are served, and a
//! service that turns the reading down is read by a task as usual.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::{
    Config, Context, Proxy, Reply, RpcObject, Server, ServerConfig, Service, ThreadReading, Value,
};
use oxrpc_testkit::{expect_success, run_python_script};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The name of the threads that read connections.
const READER: &str = "own-reader";

/// Connections whose reading a service took over.
static ADOPTED: AtomicUsize = AtomicUsize::new(0);

struct OwnThread {
    /// Whether to take the reading (false: give it back).
    adopt: bool,
}

impl RpcObject for OwnThread {
    fn type_name(&self) -> &str {
        "tests.OwnThread"
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        match name {
            "thread_name" | "echo" | "call_back" => {
                Reply::Ready(Ok(Value::Object(Arc::new(oxrpc_rpyc::BoundMethod {
                    target: self,
                    name: name.to_owned(),
                }))))
            }
            other => Reply::error(oxrpc_rpyc::RemoteException::cannot_access(other)),
        }
    }

    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            // Answered inside dispatch: on whichever thread read the request.
            "thread_name" => Reply::value(std::thread::current().name().unwrap_or("?").to_owned()),
            "echo" => Reply::Ready(Ok(args.into_iter().next().unwrap_or(Value::NONE))),
            "call_back" => match args.into_iter().next() {
                Some(Value::Proxy(callback)) => Reply::pending(call(callback)),
                _ => Reply::error(oxrpc_rpyc::RemoteException::type_error("a callable")),
            },
            other => Reply::error(oxrpc_rpyc::RemoteException::cannot_access(other)),
        }
    }
}

async fn call(callback: Proxy) -> oxrpc_rpyc::RpcResult {
    Ok(callback.invoke_value(Vec::new(), Vec::new()).await?)
}

impl Service for OwnThread {
    fn reads_on_own_thread(&self) -> bool {
        true
    }

    fn adopt_reading(&self, mut reading: Box<ThreadReading>) -> Result<(), Box<ThreadReading>> {
        if !self.adopt {
            return Err(reading);
        }
        ADOPTED.fetch_add(1, Ordering::SeqCst);
        let runtime = tokio::runtime::Handle::current();
        std::thread::Builder::new()
            .name(READER.into())
            .spawn(move || {
                let _runtime = runtime.enter();
                let (_wake_tx, wake_rx) = std::os::unix::net::UnixStream::pair().unwrap();
                while !reading.wait(&wake_rx) || reading.serve() {}
            })
            .unwrap();
        Ok(())
    }
}

/// A server of `OwnThread` on a runtime of its own thread.
fn start(adopt: bool, connection: Config) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("runtime-worker")
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            let config = ServerConfig {
                connection,
                listen: oxrpc_net::ListenConfig {
                    log_connections: false,
                    ..oxrpc_net::ListenConfig::named("OWN")
                },
            };
            Server::with_config(move || Arc::new(OwnThread { adopt }), config)
                .serve_with_shutdown(listener, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    (
        addr_rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        stop_tx,
    )
}

fn client(addr: SocketAddr, args: &[&str]) -> String {
    let port = addr.port().to_string();
    let mut all = vec![addr.ip().to_string(), port];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = run_python_script("rpyc/own_thread_client.py", &all, Duration::from_secs(120));
    expect_success("own_thread_client.py", &output)
}

#[test]
fn requests_are_served_on_the_thread_that_reads_them() {
    let (addr, stop) = start(true, Config::default());
    let before = ADOPTED.load(Ordering::SeqCst);
    let seen = client(addr, &["serve"]);
    let expected = format!(
        "thread {READER}\nbig echo True\nnoise echo True\ncallback 42\nsum 124750\nthread again {READER}\n"
    );
    assert_eq!(seen, expected);
    assert!(ADOPTED.load(Ordering::SeqCst) > before);
    let _ = stop.send(());
}

#[test]
fn a_service_that_turns_the_reading_down_is_read_by_a_task() {
    let (addr, stop) = start(false, Config::default());
    let seen = client(addr, &["serve"]);
    let expected = "thread runtime-worker\nbig echo True\nnoise echo True\ncallback 42\nsum 124750\nthread again runtime-worker\n";
    assert_eq!(seen, expected);
    let _ = stop.send(());
}

#[test]
fn read_deadlines_close_quiet_and_stalled_connections_while_others_are_served() {
    let config = Config {
        idle_timeout: Some(Duration::from_millis(400)),
        frame_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let (addr, stop) = start(true, config);
    let quiet = std::thread::spawn(move || client(addr, &["idle", "1.5"]));
    // Half a frame header, then nothing: closed once the frame is late.
    let stalled = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        socket.write_all(&[0, 0]).unwrap();
        let mut rest = Vec::new();
        socket.read_to_end(&mut rest).unwrap();
        rest
    });
    // Served meanwhile, each call well within the limit.
    let busy = client(addr, &["idle", "0.05"]);
    assert_eq!(busy, "still open\n");
    assert_eq!(quiet.join().unwrap(), "closed\n");
    // rpyc's goodbye (a HANDLE_CLOSE request) may come first; then EOF.
    assert!(stalled.join().unwrap().len() < 64);
    let _ = stop.send(());
}
