//! Transports at library level, against the real rpyc 6.0.2 peers: Unix
//! sockets both ways (our clients to a `ThreadedServer(socket_path=...)`,
//! rpyc's `unix_connect` to our server), our `connect_subproc` to
//! `rpyc_classic -m stdio` (whose `ClassicService` drives the client's root
//! before anything else), `connect_stdio` serving a parent over pipes while
//! the process writes to its standard output, connect timeouts, and the
//! reconnecting client across server restarts, by address and by name.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::classic::ClassicConnection;
use oxrpc_rpyc::registry::{RegistryClient, RegistryConfig, RegistryServer};
use oxrpc_rpyc::{
    Backoff, Config, Connection, Connector, Error, Proxy, ReconnectError, Reconnecting, Server,
    ServerConfig, Value, VoidService,
};
use oxrpc_testkit::{
    expect_success, free_port, interop_path, loopback, python, python_command, run_with_deadline,
    wait_for_port, ChildGuard,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A generous bound on anything that should finish: the machine is noisy.
const DEADLINE: Duration = Duration::from_secs(60);

/// The notebook's MyService, as our servers serve it.
#[derive(Default)]
struct MyService;

#[oxrpc_rpyc::service(name = "__main__.MyService")]
impl MyService {
    #[exposed]
    fn get_answer(&self) -> i64 {
        42
    }
    #[exposed(attribute)]
    fn the_real_answer_though(&self) -> i64 {
        43
    }
    #[allow(dead_code)]
    fn get_question(&self) -> &'static str {
        "not exposed"
    }
    /// Writes to standard output the ways a server might by mistake: a
    /// `println!` (captured by the test harness unless run bare), a direct
    /// write to the process's stdout, and a child process inheriting it.
    #[exposed]
    fn make_noise(&self) -> &'static str {
        println!("noise from println");
        let _ = std::io::stdout().write_all(b"noise written to stdout\n");
        let _ = std::io::stdout().flush();
        let _ = std::process::Command::new("sh")
            .args(["-c", "echo noise from a child process"])
            .status();
        "quiet"
    }
}

/// A fresh directory for socket files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "oxrpc-transports-{name}-{}-{}",
            std::process::id(),
            free_port()
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

/// `tests/interop/transports/server.py` with `args`; returns it once it
/// printed READY, and what followed READY (its port or socket path).
fn python_server(args: &[&str]) -> (ChildGuard, String) {
    let mut cmd = python_command();
    cmd.arg(interop_path("transports/server.py")).args(args);
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line("READY ");
    let at = line.trim().strip_prefix("READY ").unwrap().to_owned();
    (child, at)
}

fn python_script(script: &str, args: &[&str]) -> String {
    let mut cmd = python_command();
    cmd.arg(interop_path(script)).args(args);
    expect_success(script, &run_with_deadline(cmd, DEADLINE))
}

async fn answer(conn: &Connection) -> i64 {
    conn.root()
        .await
        .unwrap()
        .call("get_answer", ())
        .await
        .unwrap()
}

/// Runs our MyService server on `listener` until `stop` fires.
fn serve_my_service(
    listener: oxrpc_net::Listener,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServerConfig {
        listen: oxrpc_net::ListenConfig {
            log_connections: false,
            shutdown_grace: Duration::from_secs(1),
            ..oxrpc_net::ListenConfig::named("MYSERVICE")
        },
        ..ServerConfig::default()
    };
    let task = tokio::spawn(async move {
        Server::with_config(|| Arc::new(MyService), config)
            .serve_with_shutdown(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (stop, task)
}

// ---------------------------------------------------------------------------
// Unix sockets
// ---------------------------------------------------------------------------

/// Our clients (async, blocking, through a `Connector`) on a Python
/// `ThreadedServer(MyService, socket_path=...)`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_unix_clients_reach_a_python_server_on_a_socket() {
    let dir = TempDir::new("py-unix");
    let path = dir.join("my.sock");
    let (_server, at) = python_server(&["my", "--socket", path.to_str().unwrap()]);
    assert_eq!(Path::new(&at), path);

    let conn = oxrpc_rpyc::unix_connect(&path).await.unwrap();
    let root = conn.root().await.unwrap();
    assert_eq!(root.call::<i64>("get_answer", ()).await.unwrap(), 42);
    let attribute: i64 = root
        .getattr("the_real_answer_though")
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(attribute, 43);
    let hidden = root.call::<Value>("get_question", ()).await.unwrap_err();
    assert!(
        hidden.to_string().contains("get_question"),
        "an AttributeError naming it: {hidden}"
    );
    conn.close().await;

    // Options that do not apply to Unix sockets are harmless.
    let conn = Connector::unix(&path)
        .connect_timeout(Some(Duration::from_secs(5)))
        .keepalive(Some(Duration::from_secs(60)))
        .connect()
        .await
        .unwrap();
    assert_eq!(answer(&conn).await, 42);
    conn.close().await;

    let blocking_path = path.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let conn = oxrpc_rpyc::blocking::unix_connect(&blocking_path).unwrap();
        let answer: i64 = conn.root().unwrap().call("get_answer", ()).unwrap();
        conn.close();
        answer
    })
    .await
    .unwrap();
    assert_eq!(answer, 42);

    // A missing socket fails at once, naming the path (rpyc raises
    // FileNotFoundError without it).
    let missing = dir.join("nobody.sock");
    let e = oxrpc_rpyc::unix_connect(&missing).await.err().unwrap();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains("nobody.sock"), "{e}");
}

/// rpyc's `unix_connect` on our server, bound with `Listener::bind_unix`
/// over a stale socket file left by a crashed server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpycs_unix_connect_reaches_our_server() {
    let dir = TempDir::new("rs-unix");
    let path = dir.join("my.sock");
    // A crashed server's socket: the file stays, nobody answers.
    oxrpc_testkit::stale_unix_socket(&path);
    assert!(path.exists());
    let listener = oxrpc_net::Listener::bind_unix(&path, Some(0o600)).unwrap();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let (stop, serving) = serve_my_service(listener);

    let script_path = path.to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        python_script("transports/unix_client.py", &["service", &script_path])
    })
    .await
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "answer 42", "{out}");
    assert_eq!(lines[1], "attribute 43", "{out}");
    assert!(lines[2].starts_with("hidden "), "{out}");
    assert!(lines[2].contains("get_question"), "{out}");
    assert_eq!(lines.last(), Some(&"OK"), "{out}");

    let _ = stop.send(());
    serving.await.unwrap();
    assert!(!path.exists(), "the listener removes its socket file");
}

/// Our classic client on a Unix socket, against a Python
/// `ThreadedServer(ClassicService, socket_path=...)`: like `rpyc_classic -m
/// stdio`, that service drives the client's root on connect, and learns
/// from our stand-ins that there is no Python here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_classic_client_serves_a_classic_service_server_on_a_socket() {
    let dir = TempDir::new("py-classic");
    let path = dir.join("classic.sock");
    let (_server, _) = python_server(&["classic", "--socket", path.to_str().unwrap()]);

    let conn = oxrpc_rpyc::classic::unix_connect(&path).await.unwrap();
    let answer: i64 = conn.eval("6 * 7").await.unwrap().extract().unwrap();
    assert_eq!(answer, 42);
    conn.execute("x = 'over a socket'").await.unwrap();
    let x: String = conn.eval("x").await.unwrap().extract().unwrap();
    assert_eq!(x, "over a socket");
    let name: String = conn.root().call("get_service_name", ()).await.unwrap();
    assert_eq!(name, "CLASSIC");

    let seen: Proxy = conn
        .modules("__main__")
        .await
        .unwrap()
        .getattr("SEEN")
        .await
        .unwrap()
        .extract()
        .unwrap();
    // The server's on_connect records its probes while it already serves
    // our requests (rpyc serves the peer while it waits): wait for both.
    let seen: Vec<String> = tokio::time::timeout(DEADLINE, async {
        loop {
            if seen.len().await.unwrap() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .map(|()| seen.to_vec())
    .expect("the server's on_connect finishes")
    .await
    .unwrap()
    .into_iter()
    .map(|v| v.extract().unwrap())
    .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].starts_with("AttributeError: module 'os' has no attribute 'getcwd'")
            && seen[0].contains("runs no Python"),
        "{seen:?}"
    );
    assert!(
        seen[1].starts_with("NotImplementedError: eval: ") && seen[1].contains("runs no Python"),
        "{seen:?}"
    );
    conn.close().await;
}

// ---------------------------------------------------------------------------
// Pipes
// ---------------------------------------------------------------------------

/// The command `rpyc.classic.connect_subproc()` runs.
fn rpyc_classic_stdio() -> std::process::Command {
    let python = python();
    let script = python.parent().unwrap().join("rpyc_classic.py");
    assert!(script.exists(), "{} is missing", script.display());
    let mut cmd = std::process::Command::new(&python);
    cmd.arg("-u").arg(script).args(["-q", "-m", "stdio"]);
    cmd
}

/// Our `classic::connect_subproc` driving `rpyc_classic -m stdio`, whose
/// `ClassicService` calls the client's `getmodule`, `eval`, `execute` and
/// `namespace` before it answers anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_subproc_client_drives_rpyc_classic_over_stdio() {
    let (conn, mut child) = tokio::time::timeout(
        DEADLINE,
        oxrpc_rpyc::classic::connect_subproc(rpyc_classic_stdio()),
    )
    .await
    .expect("connected in time")
    .unwrap();
    let name: String = conn.root().call("get_service_name", ()).await.unwrap();
    assert_eq!(name, "CLASSIC");
    let answer: i64 = conn.eval("6 * 7").await.unwrap().extract().unwrap();
    assert_eq!(answer, 42);
    conn.execute("import os\npid = os.getpid()").await.unwrap();
    let pid: i64 = conn.eval("pid").await.unwrap().extract().unwrap();
    assert_eq!(pid, i64::from(child.child().id().unwrap()));
    // The server's Python-level print goes to /dev/null, not the wire.
    conn.execute("print('not on the wire')").await.unwrap();
    let platform: String = conn
        .modules("sys")
        .await
        .unwrap()
        .getattr("platform")
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(platform, "linux");
    let status = tokio::time::timeout(DEADLINE, child.close())
        .await
        .expect("the server exits on end of file")
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(conn.eval("1").await.is_err(), "closed with the process");
}

/// Marks the start of the RPyC stream on a child's stdout: the test
/// harness prints its banner there before the test body runs, as a login
/// shell may before an ssh command does.
const STREAM_STARTS: &str = "OXRPC-STDIO-STREAM";

/// Not a test of its own: the child process of
/// `connect_stdio_serves_the_parent_over_pipes`, run from this test binary
/// with `OXRPC_STDIO_CHILD` set. Without it, it returns at once.
#[test]
fn stdio_child() {
    if std::env::var_os("OXRPC_STDIO_CHILD").is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut out = std::io::stdout();
        out.write_all(format!("{STREAM_STARTS}\n").as_bytes())
            .unwrap();
        out.flush().unwrap();
        let conn = oxrpc_rpyc::connect_stdio(Arc::new(MyService), Config::default()).unwrap();
        conn.closed().await;
    });
}

/// `connect_stdio` on the server side of a pipe (our own child process),
/// with our client on the other end: the server's stray writes to its
/// standard output, its own and a child process's, do not reach the wire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_stdio_serves_the_parent_over_pipes() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "stdio_child", "--test-threads=1"])
        .env("OXRPC_STDIO_CHILD", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(DEADLINE, async {
        loop {
            line.clear();
            assert!(stdout.read_line(&mut line).await.unwrap() > 0, "no marker");
            // The harness's "test stdio_child ... " has no newline yet.
            if line.trim_end().ends_with(STREAM_STARTS) {
                break;
            }
        }
    })
    .await
    .expect("the child starts serving");
    let conn = Connection::start(
        tokio::io::join(stdout, stdin),
        Arc::new(VoidService),
        Config::default(),
    );
    let root = conn.root().await.unwrap();
    assert_eq!(root.call::<i64>("get_answer", ()).await.unwrap(), 42);
    assert_eq!(
        root.call::<String>("make_noise", ()).await.unwrap(),
        "quiet"
    );
    assert_eq!(root.call::<i64>("get_answer", ()).await.unwrap(), 42);
    conn.close().await;
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("the child exits on end of file")
        .unwrap();
    assert!(status.success(), "{status}");
}

// ---------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------

/// A connect timeout bounds a connect that gets no answer: a listener
/// whose accept queue is full (backlog 0, nobody accepting) makes the
/// kernel drop further SYNs, so a connect waits as on a lost network.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_timeouts_bound_the_wait() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the queue until a connect goes unanswered.
    let mut held = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => held.push(stream),
            Err(_) => break,
        }
    }
    let connector =
        Connector::tcp("127.0.0.1", addr.port()).connect_timeout(Some(Duration::from_millis(300)));
    let outcome = tokio::time::timeout(DEADLINE, connector.connect())
        .await
        .expect("the connect timeout fires long before the deadline");
    let e = outcome.err().unwrap();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
    assert!(e.to_string().contains("connect timed out"), "{e}");
    drop((held, listener));

    // Refused connects fail at once, with or without a timeout.
    let port = free_port();
    let e = Connector::tcp("127.0.0.1", port)
        .keepalive(Some(Duration::from_secs(60)))
        .connect()
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
}

/// The keepalive option reaches the socket: the kernel's table of TCP
/// sockets (`/proc/net/tcp`) shows a keepalive timer (`tr` 2) on the
/// connection made with it, and none on one made without.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keepalive_is_set_on_the_socket() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    for (keepalive, timer) in [(Some(Duration::from_secs(30)), "02"), (None, "00")] {
        let conn = Connector::tcp("127.0.0.1", port)
            .keepalive(keepalive)
            .connect()
            .await
            .unwrap();
        let (_accepted, client) = listener.accept().unwrap();
        let local = format!("0100007F:{:04X}", client.port());
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        // Columns: sl, local, remote, st, tx:rx queues, tr:when, ... An
        // earlier connection from the same port may still be listed in
        // TIME_WAIT (st 06, tr 03): only the established one (st 01) counts.
        let entry = table
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.get(1) == Some(&local.as_str()) && f.get(3) == Some(&"01"))
            .unwrap_or_else(|| panic!("no established socket {local} in\n{table}"));
        let tr = entry[5].split(':').next().unwrap();
        assert_eq!(tr, timer, "{keepalive:?}: {entry:?}");
        conn.close().await;
    }
}

/// A connection with keepalive and a connect timeout set works like any
/// other against rpyc's server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keepalive_connections_work_against_python() {
    let (_server, port) = python_server(&["my"]);
    let port: u16 = port.parse().unwrap();
    let conn = Connector::tcp("127.0.0.1", port)
        .keepalive(Some(Duration::from_secs(30)))
        .connect_timeout(Some(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap();
    assert_eq!(answer(&conn).await, 42);
    conn.close().await;
}

// ---------------------------------------------------------------------------
// Reconnecting
// ---------------------------------------------------------------------------

const BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(200),
    max: Duration::from_secs(1),
};

async fn wait_closed(conn: &Connection) {
    tokio::time::timeout(DEADLINE, conn.closed())
        .await
        .expect("the connection notices the server is gone");
}

/// Kill the Python server, restart it on the same port: calls fail fast
/// and clearly while it is down, the next call after the restart succeeds,
/// and proxies of the old connection fail at once instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_client_survives_a_python_server_restart() {
    let port = free_port();
    let port_arg = port.to_string();
    let (server, _) = python_server(&["my", "--port", &port_arg]);
    let client = Reconnecting::with_backoff(Connector::tcp("127.0.0.1", port), BACKOFF);
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    assert_eq!(client.generation(), 1);
    let old_root = client.root().await.unwrap();
    let old_conn = client.connection().await.unwrap();

    drop(server); // killed
    wait_closed(&old_conn).await;
    let down = client.call::<i64>("get_answer", ()).await.unwrap_err();
    let text = down.to_string();
    assert!(down.is_down(), "{down:?}");
    assert!(
        text.starts_with(&format!("127.0.0.1:{port} is down: ")),
        "{text}"
    );
    assert!(text.contains("refused"), "{text}");
    // Within the backoff, calls fail without a new attempt.
    match client.call::<i64>("get_answer", ()).await.unwrap_err() {
        ReconnectError::Down {
            attempts, retry_in, ..
        } => {
            assert_eq!(attempts, 1);
            assert!(retry_in > Duration::ZERO);
        }
        other => panic!("{other:?}"),
    }
    // The old connection's proxies fail at once, clearly.
    let stale = tokio::time::timeout(DEADLINE, old_root.call::<i64>("get_answer", ()))
        .await
        .expect("a stale proxy never hangs")
        .unwrap_err();
    assert!(matches!(stale, Error::Closed), "{stale:?}");

    let (_server, _) = python_server(&["my", "--port", &port_arg]);
    wait_for_port(loopback(port), DEADLINE);
    tokio::time::sleep(BACKOFF.max).await; // the backoff has run out
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    assert_eq!(client.generation(), 2);
    assert!(matches!(
        old_root.call::<i64>("get_answer", ()).await,
        Err(Error::Closed)
    ));
    // Fresh objects come from the new root.
    let attribute: i64 = client
        .root()
        .await
        .unwrap()
        .getattr("the_real_answer_though")
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(attribute, 43);

    client.close().await;
    assert!(matches!(
        client.call::<i64>("get_answer", ()).await,
        Err(ReconnectError::Closed)
    ));
}

/// Found by name, the server is looked up again on reconnect: restarted
/// on another port (registered with our registry by rpyc's registrar), it
/// is found there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_by_name_finds_the_restarted_server_elsewhere() {
    let registry = RegistryServer::new(RegistryConfig::default());
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let registry_port = udp.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        registry
            .serve_udp(udp, async {
                let _ = stopped.await;
            })
            .await
    });
    let registry_client = RegistryClient::udp_to("127.0.0.1").with_port(registry_port);
    let registry_arg = registry_port.to_string();

    let (first, first_port) = python_server(&["my", "--register", &registry_arg]);
    let first_port: u16 = first_port.parse().unwrap();
    wait_registered(&registry_client, first_port).await;
    let client = Reconnecting::with_backoff(
        Connector::by_name(registry_client.clone(), "MY")
            .connect_timeout(Some(Duration::from_secs(5))),
        BACKOFF,
    );
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    let old_conn = client.connection().await.unwrap();

    drop(first);
    wait_closed(&old_conn).await;
    let down = client.call::<i64>("get_answer", ()).await.unwrap_err();
    assert!(down.is_down(), "{down:?}");
    let text = down.to_string();
    assert!(text.starts_with("service MY is down: "), "{text}");
    assert!(text.contains(&first_port.to_string()), "{text}");

    let (_second, second_port) = python_server(&["my", "--register", &registry_arg]);
    let second_port: u16 = second_port.parse().unwrap();
    assert_ne!(first_port, second_port);
    wait_registered(&registry_client, second_port).await;
    // No waiting for the backoff: try now.
    let conn = client.connect_now().await.unwrap();
    assert_eq!(answer(&conn).await, 42);
    assert_eq!(client.generation(), 2);
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);

    client.close().await;
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

async fn wait_registered(registry: &RegistryClient, port: u16) {
    tokio::time::timeout(DEADLINE, async {
        loop {
            let found = registry.discover("MY").await.unwrap();
            if found.iter().any(|(_, p)| *p == port) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server registers");
}

/// Our own server on a Unix socket, stopped and started again on the same
/// path: the reconnecting client follows, and while it is down says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_over_a_unix_socket_to_our_server() {
    let dir = TempDir::new("reconnect-unix");
    let path = dir.join("my.sock");
    let (stop, serving) = serve_my_service(oxrpc_net::Listener::bind_unix(&path, None).unwrap());
    let client = Reconnecting::with_backoff(Connector::unix(&path), BACKOFF);
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    let old_conn = client.connection().await.unwrap();

    let _ = stop.send(());
    serving.await.unwrap();
    wait_closed(&old_conn).await;
    let down = client.call::<i64>("get_answer", ()).await.unwrap_err();
    let text = down.to_string();
    assert!(
        text.starts_with(&format!("unix:{} is down: ", path.display())),
        "{text}"
    );

    let (stop, serving) = serve_my_service(oxrpc_net::Listener::bind_unix(&path, None).unwrap());
    let conn = client.connect_now().await.unwrap();
    assert_eq!(answer(&conn).await, 42);
    assert_eq!(client.generation(), 2);
    client.close().await;
    let _ = stop.send(());
    serving.await.unwrap();
}

/// `ClassicConnection::new` over a connection made any way at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_connect_with_a_connector() {
    let (_server, port) = python_server(&["classic"]);
    let port: u16 = port.parse().unwrap();
    let connector = Connector::tcp("127.0.0.1", port).connect_timeout(Some(Duration::from_secs(5)));
    let conn: ClassicConnection = oxrpc_rpyc::classic::connect_with(&connector).await.unwrap();
    let answer: i64 = conn.eval("2 ** 5 + 10").await.unwrap().extract().unwrap();
    assert_eq!(answer, 42);
    conn.close().await;
}
