//! XML-RPC over a Unix socket: our server on `Listener::bind_unix`, our
//! client through `ClientBuilder::unix_socket` and `http+unix://` URLs
//! (async and blocking), and CPython's `ServerProxy` with a small Unix
//! `Transport` (CPython has none of its own).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_net::{ListenConfig, Listener};
use oxrpc_testkit::{expect_success, interop_path, python_command, run_with_deadline};
use oxrpc_xmlrpc::{blocking, Client, Error, Fault, Server, ServerConfig, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A fresh directory for socket files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "oxrpc-xmlrpc-unix-{name}-{}-{}",
            std::process::id(),
            oxrpc_testkit::free_port()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Serves a few methods on a Unix socket at `path` until `stop` fires.
fn serve(
    path: &Path,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let mut server = Server::with_config(ServerConfig {
        log_requests: false,
        listen: ListenConfig {
            log_connections: false,
            shutdown_grace: Duration::from_secs(1),
            ..ListenConfig::named("xmlrpc")
        },
        ..ServerConfig::default()
    });
    server.register("add", |a: i32, b: i32| a + b);
    server.register("echo", |value: Value| value);
    server.register("fail", |message: String| -> Result<(), Fault> {
        Err(Fault::new(7, message))
    });
    let listener = Listener::bind_unix(path, Some(0o600)).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .serve_with_shutdown(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (stop, task)
}

/// `http+unix://` with the socket path percent-encoded as the host.
fn unix_url(path: &Path, rpc_path: &str) -> String {
    let encoded = path
        .to_str()
        .unwrap()
        .replace('%', "%25")
        .replace('/', "%2F");
    format!("http+unix://{encoded}{rpc_path}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_and_server_over_a_unix_socket() {
    let dir = TempDir::new("rust");
    let path = dir.join("xmlrpc.sock");
    // A stale socket (a crashed server's) is replaced.
    oxrpc_testkit::stale_unix_socket(&path);
    let (stop, serving) = serve(&path);

    let client = Client::builder("http://localhost/RPC2")
        .unix_socket(&path)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let sum: i32 = client.call("add", (2, 3)).await.unwrap();
    assert_eq!(sum, 5);
    let echoed: Vec<String> = client.call("echo", (vec!["a", "b"],)).await.unwrap();
    assert_eq!(echoed, ["a", "b"]);
    match client.call::<()>("fail", ("no",)).await.unwrap_err() {
        Error::Fault(fault) => assert_eq!((fault.code, fault.string.as_str()), (7, "no")),
        other => panic!("{other:?}"),
    }
    let mut multi = client.multicall();
    multi.add("add", (1, 1));
    multi.add("add", (2, 2));
    let results = multi.send().await.unwrap();
    assert_eq!(results.len(), 2);

    // The URL form, and the blocking client; the path in the URL is the
    // server's RPC path.
    let url = unix_url(&path, "/RPC2");
    let sum: i32 = Client::new(&url)
        .unwrap()
        .call("add", (20, 22))
        .await
        .unwrap();
    assert_eq!(sum, 42);
    let blocking_url = url.clone();
    let sum = tokio::task::spawn_blocking(move || {
        let client = blocking::Client::new(&blocking_url).unwrap();
        client.call::<i32>("add", (40, 2)).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(sum, 42);

    // A proxy in the environment does not apply to a socket.
    let proxied = Client::builder(&url)
        .proxy(Some(
            oxrpc_xmlrpc::Proxy::http("http://127.0.0.1:9").unwrap(),
        ))
        .build()
        .unwrap();
    assert_eq!(proxied.call::<i32>("add", (1, 2)).await.unwrap(), 3);

    let _ = stop.send(());
    serving.await.unwrap();
    assert!(!path.exists(), "the listener removes its socket file");

    // Nobody there: a clear error naming the socket.
    let e = client.call::<i32>("add", (1, 2)).await.unwrap_err();
    assert!(e.to_string().contains("xmlrpc.sock"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpythons_server_proxy_over_a_unix_transport() {
    let dir = TempDir::new("python");
    let path = dir.join("xmlrpc.sock");
    let (stop, serving) = serve(&path);
    let script_path = path.to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = python_command();
        cmd.arg(interop_path("transports/xmlrpc_unix.py"))
            .arg(&script_path);
        expect_success(
            "xmlrpc_unix.py",
            &run_with_deadline(cmd, Duration::from_secs(60)),
        )
    })
    .await
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "add 5", "{out}");
    assert_eq!(lines[1], "echo {'a': [1, 2.5, 'x']}", "{out}");
    assert_eq!(lines[2], "methods add,echo,fail", "{out}");
    assert_eq!(lines[3], "multicall [2, 4]", "{out}");
    assert!(lines[4].starts_with("fault 1 "), "{out}");
    assert!(lines[4].contains("nope"), "{out}");
    assert_eq!(lines[5], "OK", "{out}");
    let _ = stop.send(());
    serving.await.unwrap();
}
