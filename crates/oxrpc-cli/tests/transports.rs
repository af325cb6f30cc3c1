//! Transports end to end with the `oxrpc` binary and the real Python
//! peers: `service serve --socket` and `classic serve --socket` with rpyc's
//! `unix_connect` (and ours: `unix:PATH`), the socket file's permissions,
//! stale, live and foreign files at the path; `classic serve -m stdio` with
//! rpyc's `connect_subproc` and `connect_pipes` and with our own
//! `connect_subproc`; the clients' `--connect-timeout` and `--keepalive`;
//! and the reconnecting client across a killed and restarted server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc::rpyc::{Backoff, Connector, Reconnecting};
use oxrpc_testkit::{
    expect_success, interop_path, loopback, python_command, rpyc_classic_command,
    run_with_deadline, wait_for_port, ChildGuard,
};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

fn oxrpc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.env("OXRPC_LOG", "warn");
    cmd
}

fn run(cmd: Command) -> Output {
    run_with_deadline(cmd, Duration::from_secs(120))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory for socket files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "oxrpc-cli-transports-{name}-{}-{}",
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

/// Waits until a server answers on the socket at `path`.
fn wait_for_socket(path: &Path) {
    let started = Instant::now();
    while std::os::unix::net::UnixStream::connect(path).is_err() {
        assert!(
            started.elapsed() < DEADLINE,
            "nothing listening on {} after {DEADLINE:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `oxrpc service serve --socket PATH [extra]`, once it said it started.
fn service_on_socket(path: &Path, extra: &[&str]) -> ChildGuard {
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-q", "--socket"])
        .arg(path)
        .args(extra);
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line("server started");
    assert_eq!(
        line.trim(),
        format!("MY/{0}: server started on []:{0}", path.display())
    );
    wait_for_socket(path);
    child
}

/// Sends `signal` to the child and waits for it to exit.
fn stop(mut child: ChildGuard, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    while !child.has_exited() {
        assert!(
            started.elapsed() < DEADLINE,
            "still running after SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn python_script(script: &str, args: &[&str]) -> String {
    let mut cmd = python_command();
    cmd.arg(interop_path(script)).args(args);
    expect_success(script, &run_with_deadline(cmd, DEADLINE))
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// rpyc's `unix_connect` and our `service call unix:PATH` on `service
/// serve --socket`, with the file's mode as asked; SIGTERM removes the file.
#[test]
fn service_serve_on_a_socket_with_both_clients() {
    let dir = TempDir::new("service");
    let path = dir.join("my.sock");
    let server = service_on_socket(&path, &["--socket-mode", "600"]);
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(mode_of(&path), 0o600);

    let out = python_script(
        "transports/unix_client.py",
        &["service", path.to_str().unwrap()],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "answer 42", "{out}");
    assert_eq!(lines[1], "attribute 43", "{out}");
    assert!(lines[2].contains("get_question"), "{out}");
    assert_eq!(lines.last(), Some(&"OK"), "{out}");

    let address = format!("unix:{}", path.display());
    for name in ["get_answer", "the_real_answer_though"] {
        let mut cmd = oxrpc();
        cmd.args(["service", "call", "--connect-timeout", "5", &address, name]);
        let out = expect_success("service call unix:", &run(cmd));
        let want = if name == "get_answer" { "42" } else { "43" };
        assert_eq!(out.trim(), want);
    }

    stop(server, "TERM");
    assert!(!path.exists(), "the socket file is removed on exit");

    // Nobody there now: a clear error naming the path.
    let mut cmd = oxrpc();
    cmd.args(["service", "call", &address, "get_answer"]);
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&path.display().to_string()),
        "{}",
        stderr(&out)
    );
}

/// `oxrpc service call unix:PATH get_answer`, as printed.
fn answer_on_socket(path: &Path) -> String {
    let mut cmd = oxrpc();
    cmd.args([
        "service",
        "call",
        &format!("unix:{}", path.display()),
        "get_answer",
    ]);
    expect_success("call", &run(cmd)).trim().to_owned()
}

/// What is at the path decides: a stale socket (its server was killed) is
/// replaced, a live one is left alone, a regular file is never removed.
/// The default mode is the umask's, as in rpyc.
#[test]
fn stale_live_and_foreign_files_at_the_socket_path() {
    let dir = TempDir::new("stale");
    let path = dir.join("my.sock");
    let killed = service_on_socket(&path, &[]);
    drop(killed); // SIGKILL: no chance to remove the file
    assert!(path.exists(), "a killed server leaves its socket file");

    let server = service_on_socket(&path, &[]);
    let umask_mode = 0o777 & !current_umask();
    assert_eq!(mode_of(&path), umask_mode, "the umask's permissions");

    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-q", "--socket"]).arg(&path);
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already listening"),
        "{}",
        stderr(&out)
    );
    assert!(path.exists(), "the live server keeps its socket");
    assert_eq!(answer_on_socket(&path), "42");
    stop(server, "INT");

    let file = dir.join("not-a-socket");
    std::fs::write(&file, b"keep me").unwrap();
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-q", "--socket"]).arg(&file);
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not a socket"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");

    // rpyc: socket_path is mutually exclusive with hostname and port.
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-p", "1234", "--socket"])
        .arg(&path);
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

/// A live socket another user cannot connect to (`--socket-mode 600`) is
/// not stale: a second server started by that user in the same writable
/// directory fails instead of removing it and taking the path over.
/// (Runs the second server as `nobody`, so the suite runs as root.)
#[test]
fn another_users_live_socket_is_never_taken_over() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("takeover");
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = dir.join("my.sock");
    let server = service_on_socket(&path, &["--socket-mode", "600"]);
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_oxrpc")])
        .args(["service", "serve", "-q", "--socket"])
        .arg(&path);
    let out = run(cmd);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be told stale"),
        "{}",
        stderr(&out)
    );
    assert_eq!(answer_on_socket(&path), "42");
    stop(server, "INT");
}

/// The process's umask (read without changing it, from /proc).
fn current_umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("a Umask line");
    u32::from_str_radix(line.trim(), 8).unwrap()
}

/// `classic serve --socket` with rpyc's `rpyc.classic.unix_connect` and
/// `oxrpc classic eval unix:PATH`.
#[test]
fn classic_serve_on_a_socket_with_both_clients() {
    let dir = TempDir::new("classic");
    let path = dir.join("classic.sock");
    let mut cmd = oxrpc();
    cmd.args(["classic", "serve", "-q", "--socket"]).arg(&path);
    let _server = ChildGuard::spawn(cmd);
    wait_for_socket(&path);

    let out = python_script(
        "transports/unix_client.py",
        &["classic", path.to_str().unwrap()],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        ["eval 42", "namespace over a socket", "platform linux", "OK"],
        "{out}"
    );

    let mut cmd = oxrpc();
    cmd.args([
        "classic",
        "eval",
        "--keepalive",
        "60",
        &format!("unix:{}", path.display()),
        "2 ** 100",
    ]);
    assert_eq!(
        expect_success("classic eval unix:", &run(cmd)).trim(),
        "1267650600228229401496703205376"
    );
}

/// rpyc's `connect_subproc` (with a `ClassicService`, as
/// `rpyc.classic.connect_subproc` uses) and `connect_pipes` (with the
/// default `VoidService`) on `oxrpc classic serve -m stdio`; what the
/// server writes to its standard output (`os.write(1, ...)`, a child
/// process's `echo`) goes nowhere near the wire.
#[test]
fn rpyc_connect_subproc_to_classic_serve_stdio() {
    let binary = env!("CARGO_BIN_EXE_oxrpc");
    let out = python_script(
        "transports/stdio_client.py",
        &[binary, "classic", "serve", "-q", "-m", "stdio"],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "eval 42",
            "namespace over a pipe",
            "platform linux",
            "after noise 2",
            "exit 0",
            "pipes 1024",
            "exit 0",
            "OK"
        ],
        "{out}"
    );
}

/// Over stdio the server's own standard streams carry the protocol, and
/// `rpyc_classic -m stdio` points Python's `sys.stdin`, `sys.stdout` and
/// `sys.stderr` at `/dev/null`: code run through the connection sees what
/// it would see there, and what it prints goes nowhere.
#[test]
fn classic_serve_stdio_gives_python_the_standard_streams_rpyc_classic_does() {
    let reference = rpyc_classic_command();
    let mut rpyc_classic = vec![reference.get_program().to_owned(), "-u".into()];
    rpyc_classic.extend(reference.get_args().map(ToOwned::to_owned));
    let ours = ["classic", "serve"].map(Into::into);
    let ours = std::iter::once(env!("CARGO_BIN_EXE_oxrpc").into()).chain(ours);
    let streams = |server: Vec<std::ffi::OsString>| {
        let mut cmd = python_command();
        cmd.arg(interop_path("transports/stdio_streams.py"))
            .args(server)
            .args(["-q", "-m", "stdio"]);
        let output = run_with_deadline(cmd, DEADLINE);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (expect_success("stdio_streams.py", &output), stderr)
    };
    let (theirs, their_stderr) = streams(rpyc_classic);
    let (ours, our_stderr) = streams(ours.collect());
    assert!(
        theirs.contains("sys.stdout.name -> '/dev/null'"),
        "{theirs}"
    );
    assert_eq!(ours, theirs);
    for stderr in [their_stderr, our_stderr] {
        assert!(!stderr.contains("to the void"), "{stderr}");
    }
}

/// Our `classic::connect_subproc` on `oxrpc classic serve -m stdio`: both
/// ends ours, and a child process of the server writing to its inherited
/// standard output does not break the stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_connect_subproc_to_classic_serve_stdio() {
    let mut command = oxrpc();
    command.args(["classic", "serve", "-q", "-m", "stdio"]);
    let (conn, child) =
        tokio::time::timeout(DEADLINE, oxrpc::rpyc::classic::connect_subproc(command))
            .await
            .expect("connected in time")
            .unwrap();
    let answer: i64 = conn.eval("6 * 7").await.unwrap().extract().unwrap();
    assert_eq!(answer, 42);
    conn.execute("import os\nos.write(1, b'noise')\nos.system('echo noise from a child')")
        .await
        .unwrap();
    let answer: i64 = conn.eval("2 + 2").await.unwrap().extract().unwrap();
    assert_eq!(answer, 4);
    let status = tokio::time::timeout(DEADLINE, child.close())
        .await
        .expect("the server exits on end of file")
        .unwrap();
    assert!(status.success(), "{status}");
}

/// `--connect-timeout` bounds a connect nobody answers (a listener whose
/// accept queue is full), and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_connect_timeout_flag() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => held.push(stream),
            Err(_) => break,
        }
    }
    for args in [
        vec!["service", "call", "--connect-timeout", "0.3"],
        vec!["classic", "eval", "--connect-timeout", "0.3"],
    ] {
        let mut cmd = oxrpc();
        cmd.args(&args)
            .arg(addr.to_string())
            .arg(if args[0] == "service" {
                "get_answer"
            } else {
                "1"
            });
        let out = tokio::task::spawn_blocking(move || run(cmd)).await.unwrap();
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("timed out"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    drop((held, listener));
}

/// `--keepalive` on a TCP client: the call works as without it.
#[test]
fn client_keepalive_flag() {
    let port = oxrpc_testkit::free_port();
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-q", "-p", &port.to_string()]);
    let _server = ChildGuard::spawn(cmd);
    wait_for_port(loopback(port), DEADLINE);
    let mut cmd = oxrpc();
    cmd.args([
        "service",
        "call",
        "--keepalive",
        "30",
        &format!("127.0.0.1:{port}"),
        "get_answer",
    ]);
    assert_eq!(expect_success("call --keepalive", &run(cmd)).trim(), "42");
}

/// The reconnecting client on `service serve --socket`: SIGKILL the server
/// (its stale socket file stays), calls fail fast and clearly, restart it
/// on the same path (the stale file is replaced), the next call succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_client_survives_a_killed_and_restarted_server() {
    let dir = TempDir::new("reconnect");
    let path = dir.join("my.sock");
    let backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(500),
    };
    let client = Reconnecting::with_backoff(Connector::unix(&path), backoff);

    // Not started yet: down, clearly.
    let down = client.call::<i64>("get_answer", ()).await.unwrap_err();
    assert!(down.is_down(), "{down:?}");
    assert!(
        down.to_string()
            .starts_with(&format!("unix:{} is down: ", path.display())),
        "{down}"
    );

    let server = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || service_on_socket(&path, &[]))
            .await
            .unwrap()
    };
    let conn = client.connect_now().await.unwrap();
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    let old_root = client.root().await.unwrap();

    drop(server); // SIGKILL
    tokio::time::timeout(DEADLINE, conn.closed())
        .await
        .expect("the connection notices");
    let down = client.call::<i64>("get_answer", ()).await.unwrap_err();
    assert!(down.is_down(), "{down:?}");
    let stale = tokio::time::timeout(DEADLINE, old_root.call::<i64>("get_answer", ()))
        .await
        .expect("a stale proxy fails at once")
        .unwrap_err();
    assert!(matches!(stale, oxrpc::rpyc::Error::Closed), "{stale:?}");
    assert!(path.exists(), "SIGKILL left the socket file");

    let _server = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || service_on_socket(&path, &[]))
            .await
            .unwrap()
    };
    tokio::time::sleep(backoff.max).await;
    assert_eq!(client.call::<i64>("get_answer", ()).await.unwrap(), 42);
    assert_eq!(client.generation(), 2);
    client.close().await;
}

/// `xmlrpc serve --socket`: it prints the `http+unix://` URL our client
/// takes, and `xmlrpc call`/`methods` reach it with the connect options.
#[test]
fn xmlrpc_serve_on_a_socket_with_our_client() {
    let dir = TempDir::new("xmlrpc");
    let path = dir.join("xmlrpc.sock");
    let mut cmd = oxrpc();
    cmd.args(["xmlrpc", "serve", "-q", "--socket-mode", "660", "--socket"])
        .arg(&path);
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("XML-RPC server ready on ");
    let encoded = path.to_str().unwrap().replace('/', "%2F");
    let url = format!("http+unix://{encoded}");
    assert!(line.contains(&format!("ready on {url}/ ")), "{line}");
    assert_eq!(mode_of(&path), 0o660);

    std::fs::write(dir.join("listed.txt"), b"").unwrap();
    let mut cmd = oxrpc();
    cmd.args([
        "xmlrpc",
        "call",
        "--connect-timeout",
        "5",
        "--keepalive",
        "30",
    ])
    .arg(&url)
    .arg("list_contents")
    .arg(&dir.0);
    let out = expect_success("xmlrpc call http+unix://", &run(cmd));
    assert!(out.contains("listed.txt"), "{out}");
    let mut cmd = oxrpc();
    cmd.args(["xmlrpc", "methods"]).arg(format!("{url}/RPC2"));
    let out = expect_success("xmlrpc methods http+unix://", &run(cmd));
    assert!(out.contains("list_contents"), "{out}");
    stop(server, "TERM");
    assert!(!path.exists());
}
